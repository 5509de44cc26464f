"""The county-lines rules (lines.yaml): tie weights, deal-line detection, roles, validated."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from safeguard import rulefiles
from safeguard.network import graph
from safeguard.rulefiles import Id, Text
from safeguard.safeguarding import tools

DEFAULT_PATH = Path(__file__).with_name("lines.yaml")
ROLES = ("controller", "lieutenant", "runner", "cuckooed_resident", "user")
# The part of someone in a line's group whom no role's required evidence fits.
ASSOCIATE = "associate"
# The evidence a role term may name (network/evidence.py computes each, 0..1).
EVIDENCE = (
    "uses_deal_phone",
    "carried_deal_phone",
    "line_betweenness",
    "line_brokerage",
    "line_coreness",
    "near_deal_line",
    "directs_others",
    "never_with_drugs",
    "with_drugs",
    "adult",
    "young",
    "intelligence_subject",
    "contact_with_controller",
    "heavy_deal_contact",
    "light_deal_contact",
    "at_trap_house",
    "lives_at_trap_house",
    "travels",
    "vulnerable",
    "substance_misuse",
)


class LinesError(rulefiles.RuleFileError):
    """A county-lines rules file that cannot be used."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Weight = Annotated[float, Field(gt=0, le=100)]


class Edges(Strict):
    weights: dict[Literal[tuple(graph.TIE_ENDS)], Weight]  # type: ignore[valid-type]
    crowd: Annotated[int, Field(ge=2, le=100)]
    citation: Text


class FanOut(Strict):
    min_contacts: Annotated[int, Field(ge=2)]
    max_clustering: Annotated[float, Field(ge=0, le=1)]


class DealLines(Strict):
    recorded: bool
    fan_out: FanOut
    same_line_overlap: Annotated[float, Field(gt=0, le=1)]
    citation: Text


class Groups(Strict):
    resolution: Annotated[float, Field(gt=0)]
    max_hops: Annotated[int, Field(ge=1, le=10)]
    hub_degree: Annotated[int, Field(ge=2)]
    clique_at_most: Annotated[int, Field(ge=2)]
    citation: Text


class Term(Strict):
    evidence: Literal[EVIDENCE]  # type: ignore[valid-type]
    weight: Annotated[float, Field(gt=0, le=1)]
    when: bool


class Role(Strict):
    id: Literal[ROLES]  # type: ignore[valid-type]
    title: Text
    # The role is given only to someone with at least one of these pieces of evidence.
    requires: Annotated[list[Literal[EVIDENCE]], Field(min_length=1)]  # type: ignore[valid-type]
    terms: Annotated[list[Term], Field(min_length=1)]
    citation: Text


class Evidence(Strict):
    heavy_per_month: Annotated[float, Field(gt=0)]
    young_age: Annotated[int, Field(ge=10, le=30)]
    directs_at_least: Annotated[int, Field(ge=1)]
    citation: Text


NEEDS = ("child_in_line", "child_travels_for_line", "charged", "not_charged")


class DisruptionTool(Strict):
    tool: Id  # an id of the tools catalogue (safeguarding/tools.yaml)
    needs: list[Literal[NEEDS]]  # type: ignore[valid-type]


class Disruption(Strict):
    roles: Annotated[list[Literal[ROLES]], Field(min_length=1)]  # type: ignore[valid-type]
    adult_at_least: Annotated[int, Field(ge=18, le=30)]
    tools: list[DisruptionTool]
    citation: Text


class Lines(Strict):
    id: Id
    title: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    edges: Edges
    deal_lines: DealLines
    groups: Groups
    child_age: Annotated[int, Field(ge=16, le=18)]
    roles: Annotated[list[Role], Field(min_length=1)]
    evidence: Evidence
    disruption: Disruption
    content_hash: str = ""

    @model_validator(mode="after")
    def _every_role_once(self) -> "Lines":
        ids = [r.id for r in self.roles]
        missing = sorted(set(ROLES) - set(ids))
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if missing:
            raise ValueError(f"roles: missing {', '.join(missing)}")
        if repeated:
            raise ValueError(f"roles: repeated {', '.join(repeated)}")
        known = {t.id for t in tools.current().tools}
        unknown = [t.tool for t in self.disruption.tools if t.tool not in known]
        if unknown:
            raise ValueError(f"disruption: tools not in the tools catalogue: {', '.join(unknown)}")
        return self

    def role(self, role_id: str) -> Role:
        return next(r for r in self.roles if r.id == role_id)

    @property
    def label(self) -> str:
        return f"{self.id} {self.version} ({self.content_hash[:12]})"


RULES = rulefiles.Kind(
    Lines,
    DEFAULT_PATH,
    "NETWORK_LINES",
    entries=("roles",),
    error=LinesError,
    shape="a county-lines rules file is a mapping of id, title, version, edges, deal_lines...",
)


def parse(text: str, source: str = "<lines>") -> Lines:
    return RULES.parse(text, source)


def load(path: Path | str) -> Lines:
    return RULES.load(path)


def current() -> Lines:
    """Return the rules in use (the default file; settings.NETWORK_LINES if set)."""
    return RULES.current()
