"""The controller score's rules (roles.yaml): terms, weights and their sources, validated."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from safeguard import rulefiles
from safeguard.rulefiles import Id, Text

DEFAULT_PATH = Path(__file__).with_name("roles.yaml")
MEASURES = ("betweenness", "degree", "strength", "coreness", "brokerage", "eigenvector")


class RolesError(rulefiles.RuleFileError):
    """A roles file that cannot be used."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(Strict):
    """One structural measure in the controller score, its weight and its source."""

    id: Id
    measure: Literal[MEASURES]  # type: ignore[valid-type]
    weight: Annotated[float, Field(gt=0, le=1)]
    citation: Text


class Communities(Strict):
    method: Literal["leiden-modularity"]
    resolution: Annotated[float, Field(gt=0)]
    citation: Text


class Roles(Strict):
    id: Id
    title: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    scaling: Literal["max"]
    terms: Annotated[list[Term], Field(min_length=1)]
    communities: Communities
    content_hash: str = ""

    @model_validator(mode="after")
    def _distinct(self) -> "Roles":
        for what in ("id", "measure"):
            values = [getattr(t, what) for t in self.terms]
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"terms: {what} repeated: {', '.join(repeated)}")
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version} ({self.content_hash[:12]})"


RULES = rulefiles.Kind(
    Roles,
    DEFAULT_PATH,
    "NETWORK_ROLES",
    entries=("terms",),
    error=RolesError,
    shape="a roles file is a mapping of id, title, version, scaling, terms, communities",
)


def parse(text: str, source: str = "<roles>") -> Roles:
    """Return the roles the YAML text describes."""
    return RULES.parse(text, source)


def load(path: Path | str) -> Roles:
    """Read and validate a roles file."""
    return RULES.load(path)


def current() -> Roles:
    """Return the roles in use (the default file; settings.NETWORK_ROLES if set)."""
    return RULES.current()
