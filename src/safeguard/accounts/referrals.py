"""Reading a referral: what a user may see of one duty, gathered once for its page.

The agency that owes a duty (police) sees all of it that the policy lets them see of the
person. The agency that received it sees what this referral shares, and no more than the
policy allows (policy.parts and documents.shared_groups); for a kind with a referral
document, that is taken from the document's own facts (documents.referral_facts), so that
its free text is redacted as the document is. A receiver sees the referral's history only
where the referral shares it; otherwise, that it was sent, and the steps their own agency
took. The caller finds the duty through acting.visible_duty and logs the read.
"""

from dataclasses import dataclass
from datetime import date, datetime

from safeguard.accounts import acting, policy
from safeguard.clock import now
from safeguard.records.ages import age_on
from safeguard.records.models import Participation
from safeguard.records.vocabulary import Role as PartRole
from safeguard.safeguarding import documents
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.models import Duty, Transition
from safeguard.safeguarding.vocabulary import State

OWNER, RECEIVER = "owner", "receiver"
NOT_SHARED = (
    "This referral does not share its history: shown are when it was sent, and the steps "
    "your agency took."
)


def side(user, duty: Duty) -> str:
    """Return which side of the referral the user is on: OWNER, RECEIVER or ""."""
    allowed = acting.steps_for(user, duty)
    return OWNER if allowed == acting.OWNER_STEPS else RECEIVER if allowed else ""


@dataclass(frozen=True)
class Child:
    name: str  # "" when identity is not shared
    date_of_birth: date | None
    age: int | None


@dataclass(frozen=True)
class Why:
    """One trigger: what opened the duty or was added to it, under which rule."""

    at: datetime
    rule: str
    what: str
    part: str = ""
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fired:
    title: str
    reason: str


@dataclass(frozen=True)
class Screened:
    at: datetime
    level: str
    score: float
    indicators: tuple[Fired, ...]


@dataclass(frozen=True)
class Step:
    at: datetime
    by: str
    from_state: str
    to_state: str
    decision: str
    reason: str


@dataclass(frozen=True)
class Seen:
    """What one user may see of one referral, part by part."""

    side: str
    parts: frozenset[str]
    child: Child
    why: tuple[Why, ...] = ()
    screening: Screened | None = None
    history: tuple[Step, ...] = ()
    history_note: str = ""
    documented: bool = False  # the kind has a referral document


def shown_parts(user, duty: Duty) -> frozenset[str]:
    """The parts of the child's record this referral shows the user: all that policy
    allows their own side; to the receiver, what this referral shares (and no more than
    the policy allows)."""
    allowed = policy.parts(user, duty.person)
    if side(user, duty) != RECEIVER:
        return allowed
    return shared_by(duty) & allowed


def shared_by(duty: Duty) -> frozenset[str]:
    """The parts of the child's record the referral shares with its receiver."""
    try:
        return frozenset(documents.shared_groups(duty))
    except ValueError:  # a kind with no document: what the duty itself says it shares
        return frozenset(duty.shared or ()) & policy.ALL_PARTS


def _titles() -> dict[str, str]:
    return {r.id: r.title for r in duty_rules.current().rules}


def _step(t: Transition) -> Step:
    return Step(
        at=t.at,
        by=t.by_name,
        from_state=t.get_from_state_display() if t.from_state else "",
        to_state=t.get_to_state_display(),
        decision=t.get_decision_display() if t.decision else "",
        reason=t.reason,
    )


def _exchange(user, duty: Duty) -> tuple[Step, ...]:
    """The steps a receiver sees when the history is not shared: that it was sent (by the
    agency, without the note), and the steps their own agency took."""
    who = policy.viewer(user)
    found = []
    for t in duty.transitions.select_related("by__membership").order_by("at", "id"):
        membership = getattr(t.by, "membership", None) if t.by_id else None
        if membership is not None and membership.agency_id == who.agency_id:
            found.append(_step(t))
        elif t.to_state == State.SUBMITTED:
            found.append(
                Step(t.at, duty.agency.name, t.get_from_state_display(), "Submitted", "", "")
            )
    return tuple(found)


def _latest_screening(duty: Duty) -> Screened | None:
    s = duty.person.screenings.order_by("-screened_at", "-id").first()
    if s is None:
        return None
    fired = tuple(Fired(f["title"], f["reason"]) for f in s.indicators)
    return Screened(s.screened_at, s.get_level_display(), s.score, fired)


def _other(reason: str) -> tuple[str, str, tuple[str, ...]]:
    """A trigger that is neither an event nor a screening: what it found, where it says
    (an offender alert, which never names the offender), else a step of another duty."""
    return (reason or "A step of another duty"), "", ()


def _from_records(user, duty: Duty, who_side: str, parts: frozenset[str]) -> Seen:
    """What the owning agency sees (everything), or a receiver of a kind that has no
    document (its shared parts, and no free text that might name what is withheld)."""
    person = duty.person
    full = who_side == OWNER
    titles = _titles()
    triggers = list(duty.triggers.select_related("event", "screening").order_by("at", "id"))
    roles: dict[int, list[str]] = {}
    for event_id, role in Participation.objects.filter(
        person=person, event_id__in=[t.event_id for t in triggers if t.event_id]
    ).values_list("event_id", "role"):
        roles.setdefault(event_id, []).append(PartRole(role).label)
    why = []
    for t in triggers:
        if t.event is not None:
            if "events" not in parts:
                continue
            details = (t.event.summary,) if full and t.event.summary else ()
            what, part = t.event.get_kind_display(), ", ".join(sorted(roles.get(t.event_id, ())))
        elif t.screening is not None:
            if "screening" not in parts:
                continue
            s = t.screening
            what, part = f"Screening: {s.get_level_display()} (score {s.score:g})", ""
            details = tuple(f"{f['title']}: {f['reason']}" for f in s.indicators) if full else ()
        else:
            what, part, details = _other(t.reason)
        why.append(Why(t.at, titles.get(t.rule, t.rule), what, part, details))
    if full or "history" in parts:
        history = tuple(_step(t) for t in duty.transitions.order_by("at", "id"))
        note = ""
    else:
        history, note = _exchange(user, duty), NOT_SHARED
    identity = "identity" in parts
    name = f"{person.given_name} {person.family_name}".strip() or f"Record {person.source_ref}"
    return Seen(
        side=who_side,
        parts=parts,
        child=Child(
            name=name if identity else "",
            date_of_birth=person.date_of_birth if identity else None,
            age=age_on(person.date_of_birth, now()),
        ),
        why=tuple(why),
        screening=_latest_screening(duty) if "screening" in parts else None,
        history=history,
        history_note=note,
        documented=duty.kind in documents.DEFAULT_SHARED,
    )


def _from_document(user, duty: Duty, parts: frozenset[str]) -> Seen:
    """What a receiver sees: the referral document's own facts (shared parts, redacted)."""
    doc = documents.referral_facts(duty)
    titles = _titles()
    why = []
    for t in doc.triggers:
        if t.event is not None:
            e = t.event
            what, part = e.kind, ", ".join(e.roles)
            details = (e.narrative,) if e.narrative else ()
        elif t.screening_level is not None:
            what, part, details = f"Screening: {t.screening_level}", "", ()
        else:
            what, part, details = _other(t.reason)
        why.append(Why(t.at, titles.get(t.rule, t.rule), what, part, details))
    s = doc.screening
    screened = (
        Screened(s.at, s.level, s.score, tuple(Fired(f.title, f.reason) for f in s.indicators))
        if s is not None
        else None
    )
    if "history" in doc.groups:
        history = tuple(
            Step(h.at, h.by, h.from_state, h.to_state, h.decision, h.reason) for h in doc.history
        )
        note = ""
    else:
        history, note = _exchange(user, duty), NOT_SHARED
    i = doc.person.identity
    return Seen(
        side=RECEIVER,
        parts=parts,
        child=Child(
            name=f"{i.given_name} {i.family_name}".strip() if i else "",
            date_of_birth=i.date_of_birth if i else None,
            age=doc.person.age_now,
        ),
        why=tuple(why),
        screening=screened,
        history=history,
        history_note=note,
        documented=True,
    )


def seen(user, duty: Duty) -> Seen:
    """Return what the user may see of the referral (no audit: the caller logs the read)."""
    who_side = side(user, duty)
    parts = shown_parts(user, duty)
    if who_side == RECEIVER and duty.kind in documents.DEFAULT_SHARED:
        return _from_document(user, duty, parts)
    return _from_records(user, duty, who_side, parts)
