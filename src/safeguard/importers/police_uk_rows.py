"""One data.police.uk row -> the records it makes (intake.schema), or why it cannot.

A stop and search is an event at its map point with one anonymous person, as searched
(gender, age band, self-defined ethnicity); a search that ended in arrest is an arrest too,
so an arrested child's referral opens as for any arrest. A street-level crime is a crime
report at its map point, dated to its month. Every record's source ref comes from the row's
content (and, for rows repeated word for word, which repeat it is), never from the file's
name or the line: the same row imported from any copy of the file is the same record.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from safeguard.importers.police_uk_files import Row
from safeguard.importers.police_uk_format import Format
from safeguard.intake.schema import UK, EventIn, LocationIn, PersonIn, SourceIn
from safeguard.records import vocabulary as v

SOURCE = "data.police.uk"
NOT_RECORDED, OTHER = "not_recorded", "other"
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}
# Django's choices rebuild .values on every access: once here, not once a row.
_AGE_RANGES = frozenset(v.AgeRange.values)


class RowError(ValueError):
    """A cell that cannot be read: its column and why."""

    def __init__(self, column: str, reason: str):
        self.column, self.reason = column, reason
        super().__init__(f"{column}: {reason}")


@dataclass
class Context:
    """What every row of one file shares: the agency, the format, and the refs seen so far."""

    agency: str
    force_name: str
    territorial: bool
    fmt: Format
    seen: Counter = field(default_factory=Counter)
    # Crime rows repeated word for word in the file (the same crime twice): recorded once.
    crimes_seen: set[str] = field(default_factory=set)
    repeated: int = 0

    def ref(self, prefix: str, row: Row, *, key: str = "") -> str:
        """Return a ref from the row's content (or `key`), the n-th repeat told apart."""
        base = f"{prefix}-{key or _digest(row)}"
        self.seen[base] += 1
        n = self.seen[base]
        return base if n == 1 else f"{base}-{n}"


def _digest(row: Row) -> str:
    content = "\x1f".join(f"{k}={row.cells[k]}" for k in sorted(row.cells))
    extra = "\x1f".join(f"{k}={row.extra[k]}" for k in sorted(row.extra))
    return hashlib.sha256(f"{content}\x1e{extra}".encode()).hexdigest()[:24]


def _flag(row: Row, column: str) -> bool | None:
    text = row.cells.get(column, "").strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(column, f"expected True or False (or 1 or 0), found {text!r}")


def _map_point(row: Row, ctx: Context) -> LocationIn | None:
    """The row's anonymised map point as a place, or None when the row gives none."""
    lat, lon = row.cells["latitude"].strip(), row.cells["longitude"].strip()
    if not lat and not lon:
        return None
    if not lat or not lon:
        raise RowError("latitude" if not lat else "longitude", "given without the other")
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        bad = "latitude" if not _number(lat) else "longitude"
        raise RowError(bad, f"not a number: {row.cells[bad]!r}") from None
    if not -90 <= latitude <= 90:
        raise RowError("latitude", f"{latitude} is outside -90..90")
    if not -180 <= longitude <= 180:
        raise RowError("longitude", f"{longitude} is outside -180..180")
    # One place per map point: its content comes from the point alone, so the searches and
    # crimes of every file at that point meet there.
    point = f"{latitude:.6f},{longitude:.6f}"
    return LocationIn(
        agency=ctx.agency,
        ref=f"puk-map-{point}",
        kind=v.LocationKind.STREET,
        name=f"Map point {latitude:.6f}, {longitude:.6f} ({SOURCE})",
        latitude=latitude,
        longitude=longitude,
        force_area=ctx.force_name if ctx.territorial else "",
    )


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def stop_search(row: Row, ctx: Context) -> list[SourceIn]:
    """Return the records of one stop-and-search row: place, person, search, arrest."""
    cells = row.cells
    fmt = ctx.fmt
    try:
        at = datetime.fromisoformat(cells["date"].strip())
    except ValueError:
        raise RowError("date", f"not a date and time: {cells['date']!r}") from None
    age = cells["age range"].strip()
    if age and age not in _AGE_RANGES:
        raise RowError("age range", f"not a data.police.uk age range: {age!r}")
    gender = cells["gender"].strip()
    if gender and gender not in fmt.genders:
        raise RowError("gender", f"not a data.police.uk gender: {gender!r}")
    place = _map_point(row, ctx)
    outcome = cells["outcome"].strip()
    code = fmt.outcomes.get(outcome, OTHER) if outcome else NOT_RECORDED
    searched_for = cells["object of search"].strip()
    attributes: dict = {
        "source": SOURCE,
        "search_type": cells["type"].strip(),
        "legislation": cells["legislation"].strip(),
        "object_of_search": searched_for,
        "for_controlled_drugs": searched_for in fmt.drugs_objects,
        "outcome": outcome,
        "outcome_code": code,
        "age_range": age,
        "outcome_linked_to_object": _flag(row, "outcome linked to object of search"),
        "removal_of_more_than_outer_clothing": _flag(
            row, "removal of more than just outer clothing"
        ),
        "part_of_policing_operation": _flag(row, "part of a policing operation"),
        "policing_operation": cells.get("policing operation", "").strip(),
        # As published; stored as given and never read by a rule (DOMAIN.md section 3).
        "officer_defined_ethnicity": cells.get("officer-defined ethnicity", "").strip(),
    }
    attributes.update({_attribute(name): value.strip() for name, value in row.extra.items()})
    ref = ctx.ref("puk-ss", row)
    person = PersonIn(
        agency=ctx.agency,
        ref=f"{ref}-p",
        sex=fmt.genders.get(gender, v.Sex.UNKNOWN),
        self_defined_ethnicity=cells.get("self-defined ethnicity", "").strip()[:200],
    )
    band = age or None
    what = searched_for.lower() or "an object not given"
    power = cells["legislation"].strip() or "a power not given"
    summary = (
        f"{cells['type'].strip() or 'Search'} under {power} for {what}: "
        f"{outcome or 'no outcome recorded'} ({SOURCE})."
    )
    records: list[SourceIn] = [place] if place is not None else []
    records.append(person)
    location = place.ref if place is not None else None
    records.append(
        EventIn(
            agency=ctx.agency,
            ref=ref,
            kind=v.EventKind.STOP_SEARCH,
            occurred_at=at,
            location=location,
            summary=summary,
            attributes=attributes,
            participants=[{"person": person.ref, "role": v.Role.SUBJECT, "age_range": band}],
        )
    )
    if code in fmt.arrest_outcomes:
        records.append(
            EventIn(
                agency=ctx.agency,
                ref=f"{ref}-arrest",
                kind=v.EventKind.ARREST,
                occurred_at=at,
                location=location,
                summary=f"Arrested after a stop and search for {what} ({SOURCE}).",
                attributes={"source": SOURCE, "after_search": ref, "age_range": age},
                participants=[{"person": person.ref, "role": v.Role.SUSPECT, "age_range": band}],
            )
        )
    return records


def _month(row: Row) -> datetime:
    text = row.cells["month"].strip()
    try:
        first = datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise RowError("month", f"not a month (YYYY-MM): {text!r}") from None
    return first.replace(tzinfo=UK)


def _crime_id(row: Row) -> str:
    crime = row.cells["crime id"].strip()
    if crime and not (len(crime) <= 64 and crime.isalnum()):
        raise RowError("crime id", f"not a data.police.uk Crime ID: {crime!r}")
    return crime


def crime_ref(crime_id: str) -> str:
    """The source ref of the crime report of a Crime ID (its first row in its file)."""
    return f"puk-crime-{crime_id}"


def street(row: Row, ctx: Context) -> list[SourceIn]:
    """Return the records of one street-level crime row: its place and its crime report."""
    cells = row.cells
    at = _month(row)
    crime = _crime_id(row)
    place = _map_point(row, ctx)
    kind = cells["crime type"].strip()
    if not kind:
        raise RowError("crime type", "empty")
    last = cells["last outcome category"].strip()
    where = cells["location"].strip()
    # A Crime ID names one crime; rows without one (anti-social behaviour) by their content.
    # The files hold a few Crime IDs twice with different cells: the second is "-2".
    if crime:
        same = f"{crime}:{_digest(row)}"
        if same in ctx.crimes_seen:
            ctx.repeated += 1
            return []
        ctx.crimes_seen.add(same)
    ref = ctx.ref("puk-crime", row, key=crime) if crime else ctx.ref("puk-asb", row)
    attributes: dict = {
        "source": SOURCE,
        "crime_id": crime,
        "crime_type": kind,
        "last_outcome_category": last,
        "reported_by": cells["reported by"].strip(),
        "falls_within": cells["falls within"].strip(),
        "location_description": where,
        "lsoa_code": cells["lsoa code"].strip(),
        "lsoa_name": cells["lsoa name"].strip(),
        "context": cells.get("context", "").strip(),
        "date_precision": "month",
    }
    attributes.update({_attribute(name): value.strip() for name, value in row.extra.items()})
    summary = f"{kind}, {where or 'no location given'}, {at:%B %Y}"
    summary += f"; last outcome: {last}" if last else ""
    records: list[SourceIn] = [place] if place is not None else []
    records.append(
        EventIn(
            agency=ctx.agency,
            ref=ref,
            kind=v.EventKind.CRIME_REPORT,
            occurred_at=at,
            location=place.ref if place is not None else None,
            summary=f"{summary} ({SOURCE}).",
            attributes=attributes,
        )
    )
    return records


@dataclass(frozen=True)
class Outcome:
    crime_id: str
    month: str
    outcome_type: str


def outcome(row: Row) -> Outcome:
    """Return one outcomes row: the crime it belongs to, its month, and the outcome."""
    at = _month(row)
    crime = _crime_id(row)
    if not crime:
        raise RowError("crime id", "empty: an outcome belongs to a crime")
    kind = row.cells["outcome type"].strip()
    if not kind:
        raise RowError("outcome type", "empty")
    return Outcome(crime, f"{at:%Y-%m}", kind[:300])


def _attribute(name: str) -> str:
    """An extra column's attribute name: its own, lower case, spaces as underscores."""
    return "_".join(name.lower().split())[:64]
