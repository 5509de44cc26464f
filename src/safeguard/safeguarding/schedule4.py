"""Schedule 4 to the Modern Slavery Act 2015 as data: the offences the s45 defence does not cover.

Section 45(7): the defence for victims of slavery or trafficking who commit an offence
(s45(1) for adults, s45(4) for children) does not apply to an offence listed in Schedule 4.
The charging review records whether Schedule 4 excludes the offence by naming an entry of
`schedule4.yaml` (its id). Each entry cites its Schedule 4 paragraph and the provision that
creates the offence, and says whether it was checked against the revised text.

Schedule 4 is law, not local policy: unlike the duty rules, a force cannot replace this file;
the packaged one is always the one loaded. It is read through rulefiles like every rule file
(an error names the entry) and loaded once per version of the file.
"""

import datetime
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from safeguard import rulefiles
from safeguard.rulefiles import Id, Text
from safeguard.screening.catalogue import Strict

DEFAULT_PATH = Path(__file__).with_name("schedule4.yaml")
COMMON_LAW = "Common law"  # the `statute` of an offence at common law, which has no section

# A paragraph number of the Schedule; a string, so one inserted later ("36A") fits.
Paragraph = Annotated[
    str,
    BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
    StringConstraints(pattern=r"^[1-9][0-9]{0,2}[A-Z]{0,2}$"),
]
LegislationUrl = Annotated[
    str, StringConstraints(pattern=r"^https://www\.legislation\.gov\.uk/\S+$")
]


class Schedule4Error(rulefiles.RuleFileError):
    """A Schedule 4 file that cannot be used, each problem naming its entry."""


class Source(Strict):
    url: LegislationUrl  # the text of Schedule 4 on legislation.gov.uk
    date: datetime.date  # the text used is as amended to this date


class Offence(Strict):
    """One offence listed in Schedule 4, with its citation."""

    id: Id
    title: Text
    statute: Text  # the Act (or Order) creating the offence, or "Common law"
    section: Text | None = None  # e.g. "s18", "s17(1)", "Part 2"; none for a common law offence
    paragraph: Paragraph  # the Schedule 4 paragraph listing it
    verified: bool  # checked against the text under `source`

    @model_validator(mode="after")
    def _cited(self) -> "Offence":
        if self.statute == COMMON_LAW and self.section is not None:
            raise ValueError("a common law offence has no section")
        if self.statute != COMMON_LAW and self.section is None:
            raise ValueError(f"section is required for an offence under the {self.statute}")
        return self

    @property
    def label(self) -> str:
        """Return "Statute section: title" ("Common law: title" for a common law offence)."""
        where = self.statute if self.section is None else f"{self.statute} {self.section}"
        return f"{where}: {self.title}"


class Schedule4(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    title: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    source: Source
    note: Text
    offences: Annotated[list[Offence], Field(min_length=1)]
    content_hash: str = ""

    @model_validator(mode="after")
    def _unique(self) -> "Schedule4":
        seen: set[str] = set()
        problems = []
        for offence in self.offences:
            if offence.id in seen:
                problems.append(f"{offence.id}: the id is used twice")
            seen.add(offence.id)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version} ({self.content_hash[:12]})"

    def entry(self, id: str) -> Offence:
        """Return the offence with this id (KeyError, naming it, if Schedule 4 has none)."""
        for offence in self.offences:
            if offence.id == id:
                return offence
        raise KeyError(f"{id!r} is not an offence listed in Schedule 4 ({self.label})")


# The setting is left empty: Schedule 4 has no force override, and current() below reads
# the packaged file only.
SCHEDULE4 = rulefiles.Kind(
    Schedule4,
    DEFAULT_PATH,
    "",
    entries=("offences",),
    error=Schedule4Error,
    shape="a Schedule 4 file is a mapping of id, title, version, source, note, offences",
)

load = SCHEDULE4.load


def parse(text: str, source: str = "<schedule 4>") -> Schedule4:
    return SCHEDULE4.parse(text, source)  # type: ignore[return-value]


def current() -> Schedule4:
    """Return Schedule 4 as packaged, loaded once per version of the file."""
    return rulefiles.loaded_once(DEFAULT_PATH, SCHEDULE4.load)  # type: ignore[return-value]


def entry(id: str) -> Offence:
    """Return the Schedule 4 offence with this id; KeyError naming it if there is none."""
    return current().entry(id)


def choices() -> list[tuple[str, str]]:
    """Return (id, "Statute section: title") for each offence, in the Schedule's order."""
    return [(o.id, o.label) for o in current().offences]
