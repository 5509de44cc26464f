"""The stop-search report written out: CSV, a chart's geometry, and a page of HTML."""

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from django.template.loader import render_to_string

from safeguard.records.csv_writer import neutralise
from safeguard.safeguarding.stop_search import MonthFigures
from safeguard.safeguarding.vocabulary import State

# The referral states, in the order a referral moves through them, for the CSV's columns.
STATES = [s.value for s in State]
COLUMNS = [
    "force",
    "month",
    "children_searched",
    "children_searched_for_drugs",
    "children_arrested",
    "referrals_opened",
    *(f"referrals_{state}" for state in STATES),
]
# What the chart draws for each month, with its colour (GOV.UK Frontend's palette).
SERIES = (
    ("children_searched", "Children searched", "#1d70b8"),
    ("children_arrested", "Children arrested", "#d4351c"),
    ("referrals_opened", "Referrals opened", "#00703c"),
)


def write_csv(figures: Sequence[MonthFigures], out: TextIO) -> None:
    """Write one row per force and month, with the referrals counted by state."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for f in figures:
        row = [*f.as_json().values(), *(f.referral_states.get(s, 0) for s in STATES)]
        writer.writerow([neutralise(str(cell)) for cell in row])


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    colour: str
    label: str  # what a screen reader and a hover say


@dataclass(frozen=True)
class Chart:
    """A bar chart's geometry (SVG user units), so templates only place what is computed."""

    width: float
    height: float
    bars: list[Bar]
    months: list[tuple[float, str]]  # x of each month's label, and the label
    ticks: list[tuple[float, int]]  # y of each gridline, and its value
    legend: list[tuple[str, str]]  # (label, colour)
    title: str


def chart(figures: Sequence[MonthFigures], title: str, height: float = 240.0) -> Chart:
    """Grouped bars of one force's months: children searched, arrested, and referred."""
    top = max((getattr(f, key) for f in figures for key, _, _ in SERIES), default=0)
    step = _step(top)
    lines = max(-(-top // step), 1)  # gridlines above zero, the top one at or above `top`
    scale_top = step * lines
    left, bottom, group = 48.0, 40.0, 12.0 * len(SERIES) + 10.0
    plot = height - bottom - 10.0
    bars: list[Bar] = []
    months: list[tuple[float, str]] = []
    for i, f in enumerate(figures):
        x0 = left + i * group + 5.0
        months.append((x0 + 6.0 * len(SERIES), f.month))
        for j, (key, name, colour) in enumerate(SERIES):
            value = getattr(f, key)
            h = plot * value / scale_top
            bars.append(
                Bar(x0 + j * 12.0, 10.0 + plot - h, h, colour, f"{f.month}: {name.lower()} {value}")
            )
    ticks = [(10.0 + plot - plot * k / lines, step * k) for k in range(lines + 1)]
    width = left + max(len(figures), 1) * group + 10.0
    return Chart(width, height, bars, months, ticks, [(n, c) for _, n, c in SERIES], title)


def _step(top: int) -> int:
    """The gridlines' step: 1, 2 or 5 times a power of ten, at most five lines to `top`."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if top <= 5 * m * step:
                return m * step
        step *= 10


def by_force(figures: Sequence[MonthFigures]) -> list[tuple[str, list[MonthFigures], Chart]]:
    """Each force's months with its chart."""
    forces: dict[str, list[MonthFigures]] = {}
    for f in figures:
        forces.setdefault(f.force, []).append(f)
    return [
        (name, rows, chart(rows, f"{name}: searches of children by month"))
        for name, rows in forces.items()
    ]


def html(figures: Sequence[MonthFigures], made_at: str) -> str:
    """A page on its own (no server needed): a chart and a table for each force."""
    return render_to_string(
        "safeguarding/stop_search/report.html",
        {"forces": by_force(figures), "made_at": made_at, "states": STATES},
    )
