"""The data.police.uk file format's words (police_uk.yaml): forces, outcomes, genders, validated."""

from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from safeguard import rulefiles
from safeguard.rulefiles import Text

DEFAULT_PATH = Path(__file__).with_name("police_uk.yaml")
Outcome = Literal[
    "no_further_action",
    "arrest",
    "community_resolution",
    "drugs_warning",
    "caution",
    "penalty_notice",
    "summons",
]
ForceId = Annotated[str, StringConstraints(pattern=r"^[a-z]+(-[a-z]+)*$")]
AgencyCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class Force(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: AgencyCode
    name: Text
    # A force with no area of its own (BTP polices the railways of Great Britain): its map
    # points are placed in no force area, and its agency's jurisdiction is the UK.
    national: bool = False


class Format(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Text
    source: Text
    attribution: Text
    licence: Text
    licence_url: Text
    forces: dict[ForceId, Force]
    outcomes: dict[Text, Outcome]
    arrest_outcomes: list[Outcome]
    drugs_objects: list[Text]
    genders: dict[Text, Literal["male", "female", "other"]]
    content_hash: str = ""

    @model_validator(mode="after")
    def _distinct_agencies(self) -> "Format":
        codes = [f.code for f in self.forces.values()]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"agency code(s) given to two forces: {', '.join(twice)}")
        return self

    def force_of_name(self, name: str) -> str | None:
        """Return the force id whose agency is `name` or whose id is `name` (--force)."""
        key = name.strip().lower().replace(" ", "-").replace("_", "-")
        if key in self.forces:
            return key
        for force_id, force in self.forces.items():
            if force.name.lower() == name.strip().lower() or force.code == name.strip():
                return force_id
        return None


def load(path: Path | str) -> Format:
    return rulefiles.load(path, Format)


@cache
def current() -> Format:
    """Return the format file shipped with safeguard (it describes data.police.uk, not a force)."""
    return load(DEFAULT_PATH)
