"""The stop-search report: by force and month, children searched, searched for drugs,
arrested, and the referrals to children's services opened for them, with their states.

HMICFRS (2025) found that arresting a child makes a safeguarding referral less likely. Each
search of a child that ended in arrest should have a referral: this report puts the two side
by side for every month, from a force's own records and from data.police.uk's published
searches alike (importers/police_uk_rows.py records those). A child here is a person aged 10
to 17 at the search (by date of birth, or by the age band the source gave): the ages the
published figures use, from the age of criminal responsibility.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from safeguard.records import vocabulary as rv
from safeguard.records.ages import UK
from safeguard.records.models import Agency, Event, Participation
from safeguard.safeguarding.models import Trigger
from safeguard.safeguarding.vocabulary import DutyKind, State

YOUNGEST, OLDEST = 10, 17
CHUNK = 500
# The words that say a search was for controlled drugs, or ended in arrest: data.police.uk's
# (as importers record them) and those of a force's own records (`outcome: arrest`).
_DRUGS_OBJECTS = {"controlled drugs"}
_ARREST = {"arrest", "suspect arrested"}


@dataclass
class MonthFigures:
    """One force's month."""

    force: str
    month: str  # YYYY-MM, UK calendar
    children_searched: int = 0
    children_searched_for_drugs: int = 0
    children_arrested: int = 0
    # Each referral once (duty id -> its state), however many of the month's searches
    # (a search and its arrest, or two searches of one child) opened or joined it.
    referrals: dict[int, str] = field(default_factory=dict)

    @property
    def referrals_opened(self) -> int:
        return len(self.referrals)

    @property
    def referral_states(self) -> Counter:
        return Counter(self.referrals.values())

    @property
    def referral_states_named(self) -> list[tuple[str, int]]:
        """(state's name, count), in the order a referral moves through the states."""
        counts = self.referral_states
        return [(state.label, counts[state.value]) for state in State if counts[state.value]]

    def as_json(self) -> dict:
        """The figures the --json form prints (its keys are a published interface)."""
        return {
            "force": self.force,
            "month": self.month,
            "children_searched": self.children_searched,
            "children_searched_for_drugs": self.children_searched_for_drugs,
            "children_arrested": self.children_arrested,
            "referrals_opened": self.referrals_opened,
        }


def for_drugs(attributes: dict) -> bool:
    """Whether a search's attributes say it was for controlled drugs."""
    if attributes.get("for_controlled_drugs") is True:
        return True
    return str(attributes.get("object_of_search", "")).strip().lower() in _DRUGS_OBJECTS


def ended_in_arrest(attributes: dict) -> bool:
    """Whether a search's attributes say it ended in arrest."""
    if attributes.get("outcome_code") == "arrest":
        return True
    return str(attributes.get("outcome", "")).strip().lower() in _ARREST


def forces(name: str | None = None) -> list[Agency]:
    """Return the police forces reported on: all, or the one `name` names (its code, its
    name, or its data.police.uk id such as city-of-london); [] when none is."""
    found = Agency.objects.filter(kind=rv.AgencyKind.POLICE_FORCE).order_by("name")
    if name:
        wanted = name.strip()
        found = found.filter(
            Q(code=wanted) | Q(code=wanted.replace("-", "_")) | Q(name__iexact=wanted)
        )
    return list(found)


def report(agencies: Iterable[Agency]) -> list[MonthFigures]:
    """Return the figures of each force and month with a search of a child, in order."""
    months: dict[tuple[str, str], MonthFigures] = {}
    for agency in agencies:
        searches = _child_searches(agency)
        duties = _referrals(agency, searches)
        for event_id, (at, attributes, _ref) in searches.items():
            key = (agency.name, f"{at.astimezone(UK):%Y-%m}")
            figures = months.setdefault(key, MonthFigures(*key))
            figures.children_searched += 1
            figures.children_searched_for_drugs += for_drugs(attributes)
            figures.children_arrested += ended_in_arrest(attributes)
            figures.referrals.update(duties.get(event_id, {}))
    return [months[key] for key in sorted(months)]


def _child_searches(agency: Agency) -> dict[int, tuple]:
    """Each search of the force with a child in it: event id -> (time, attributes, ref)."""
    ids = set(
        Participation.objects.filter(
            event__agency=agency,
            event__kind=rv.EventKind.STOP_SEARCH,
            age_at_event__gte=YOUNGEST,
            age_at_event__lte=OLDEST,
        ).values_list("event_id", flat=True)
    )
    found: dict[int, tuple] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        for pk, at, attributes, ref in Event.objects.filter(
            id__in=ordered[start : start + CHUNK]
        ).values_list("id", "occurred_at", "attributes", "source_ref"):
            found[pk] = (at, attributes if isinstance(attributes, dict) else {}, ref)
    return found


def _referrals(agency: Agency, searches: dict[int, tuple]) -> dict[int, dict[int, str]]:
    """Each search's referrals to children's services (duty id -> state), opened by the
    search itself or by the arrest recorded with it (data.police.uk: ref + "-arrest")."""
    arrests = {f"{ref}-arrest": pk for pk, (_, _, ref) in searches.items()}
    of_event = {pk: pk for pk in searches}
    refs = sorted(arrests)
    for start in range(0, len(refs), CHUNK):
        for pk, ref in Event.objects.filter(
            agency=agency, kind=rv.EventKind.ARREST, source_ref__in=refs[start : start + CHUNK]
        ).values_list("id", "source_ref"):
            of_event[pk] = arrests[ref]
    out: dict[int, dict[int, str]] = defaultdict(dict)
    events = sorted(of_event)
    for start in range(0, len(events), CHUNK):
        for event_id, duty_id, state in Trigger.objects.filter(
            event_id__in=events[start : start + CHUNK],
            duty__kind=DutyKind.CHILDRENS_SERVICES_REFERRAL,
        ).values_list("event_id", "duty_id", "duty__state"):
            out[of_event[event_id]][duty_id] = state
    return out
