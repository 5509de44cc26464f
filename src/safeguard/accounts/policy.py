"""The access policy: which records, and which parts of them, a user may see. One place.

Every page, export and API query asks here, so that a rule changes in one place:

- Police (any police role but the offender manager and the inspector) see their own force's
  records: the persons, events and duties it holds or owes.
- A partner agency (children's services, a school, health, youth justice) sees its own
  records, and the children referred to it: a referral it has received (submitted, not a
  draft) opens that child's record to it, but only the parts the referral shares
  (`Duty.shared`: identity, ethnicity, home address, school, events, screening, history).
  An anonymous referral (a Duty to Notify: an adult who did not consent to an NRM referral)
  is read on its own page only, redacted: it opens neither the person's record nor the
  events behind it to its receiver.
- Offender records (registered sexual and violent offenders, issue #8: offenders()) are
  seen by a police force's offender managers and their supervisors only (OFFENDER_ROLES),
  within their own force: an offender manager sees the offenders of their team (their
  membership's team, when they have one) and those they manage; a supervisor without a team
  sees every offender of the force; a supervisor with a team sees their team's offenders and
  those of a team with no supervisor of its own (no team included), since every supervisor
  of the force is told of what is overdue there (offenders.escalation), and sees any
  offender of the force of whom they hold an open alert: whoever is told must be able to
  look. An offender manager sees no other person-level records (persons() is empty for
  them): the offender's own person details are shown with the offender, because the
  offender is visible.
- An inspector sees aggregates only: no person-level record at all.
- The county-lines network analysis (lines, drawings, targets) is seen by a force's
  analysts, safeguarding leads, supervisors and administrators (NETWORK_ROLES); a person in
  it is named only to a user who may see one of their records (persons()).
- The stop-and-search report (searches of children, arrests and referrals, by force and
  month: counts, no child named) is seen by a police force's users in AGGREGATE_ROLES, for
  their own force only, and by an inspector, for every force (stop_search_forces()).
- A user without a membership sees nothing.

A record outside a user's scope is, to them, not there: views answer 404 (and the attempt
is logged by the caller through audit). The functions return querysets, so scope is part of
the query, never a filter applied after reading.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from safeguard.accounts.models import Membership
from safeguard.accounts.roles import Role
from safeguard.offenders.models import Offender, OffenderAlert
from safeguard.records import vocabulary as rv
from safeguard.records.models import Agency, Event, Person
from safeguard.safeguarding.models import ChargingReview, Duty, ToolRecommendation
from safeguard.safeguarding.rules import ShareGroup
from safeguard.safeguarding.vocabulary import DutyKind, State

# Every part of a person's record (safeguarding.rules.ShareGroup): what an agency sees of its
# own records and of its force's.
ALL_PARTS: frozenset[str] = frozenset(ShareGroup.__args__)  # type: ignore[attr-defined]
# Roles that see person-level police records of their own force.
POLICE_ROLES = frozenset(
    {
        Role.OFFICER,
        Role.CUSTODY_SERGEANT,
        Role.SAFEGUARDING_LEAD,
        Role.ANALYST,
        Role.SUPERVISOR,
        Role.ADMINISTRATOR,
    }
)
# Roles of partner agencies, who see their own records and the children referred to them.
PARTNER_ROLES = frozenset({Role.MASH_WORKER, Role.SCHOOL_SAFEGUARDING_LEAD})
# A referral opens a child's record to its receiver once it is sent, not while a draft.
RECEIVED = frozenset(
    {
        State.SUBMITTED,
        State.ACKNOWLEDGED,
        State.DECISION_RECORDED,
        State.CLOSED,
        State.REJECTED,
    }
)
# Referrals whose receiver is not told who they are about (Modern Slavery Act 2015 s52:
# the Home Office is notified without the adult's name). The receiver reads one on its own
# page, redacted (accounts.referrals, safeguarding.documents); it does not open the
# person's record, or the events behind it, to them.
ANONYMOUS = frozenset({DutyKind.DUTY_TO_NOTIFY})


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: their user id, agency, role and team (from their membership)."""

    user_id: int
    agency_id: int
    agency_kind: str
    role: str
    team: str = ""

    @property
    def police(self) -> bool:
        return self.agency_kind == rv.AgencyKind.POLICE_FORCE and self.role in POLICE_ROLES

    @property
    def partner(self) -> bool:
        return self.agency_kind != rv.AgencyKind.POLICE_FORCE and self.role in PARTNER_ROLES

    @property
    def sees_people(self) -> bool:
        """Whether this user may see person-level records at all."""
        return self.police or self.partner


def viewer(user) -> Viewer | None:
    """Return the viewer a signed-in user is, or None (no membership, not signed in)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = getattr(user, "membership", None)
    if membership is None:
        return None
    return Viewer(
        user.pk, membership.agency_id, membership.agency.kind, membership.role, membership.team
    )


# -- what a user may see -----------------------------------------------------------------


def _received(who: Viewer) -> QuerySet[Duty]:
    return Duty.objects.filter(receiver_id=who.agency_id, state__in=RECEIVED)


def _opening(who: Viewer) -> QuerySet[Duty]:
    """The referrals received that open the person's record to the receiver: not anonymous."""
    return _received(who).exclude(kind__in=ANONYMOUS)


def duties(user) -> QuerySet[Duty]:
    """Duties the user may see: those their agency owes (police) or has received."""
    who = viewer(user)
    if who is None or not who.sees_people:
        return Duty.objects.none()
    if who.police:
        return Duty.objects.filter(agency_id=who.agency_id)
    return _received(who)


def persons(user) -> QuerySet[Person]:
    """Person records the user may see: their agency's own, and the children referred to it
    (not by an anonymous referral: ANONYMOUS)."""
    who = viewer(user)
    if who is None or not who.sees_people:
        return Person.objects.none()
    own = Q(agency_id=who.agency_id)
    if who.police:
        return Person.objects.filter(own)
    referred = _opening(who).values("person_id")
    return Person.objects.filter(own | Q(id__in=referred))


def events(user) -> QuerySet[Event]:
    """Events the user may see: their agency's own; for a partner, also the events of the
    referrals it received that share events (not anonymous ones)."""
    who = viewer(user)
    if who is None or not who.sees_people:
        return Event.objects.none()
    own = Q(agency_id=who.agency_id)
    if who.police:
        return Event.objects.filter(own)
    if json_contains_supported():  # PostgreSQL: inside the query
        shared = _opening(who).filter(shared__contains=["events"]).values("triggers__event_id")
        return Event.objects.filter(own | Q(id__in=shared))
    return Event.objects.filter(own | Q(id__in=_received_event_ids(who)))


def charging_reviews(user) -> QuerySet[ChargingReview]:
    """Charging reviews: police only, of their own force (a partner sees the decision in the
    child's referral history, not the review)."""
    who = viewer(user)
    if who is None or not who.police:
        return ChargingReview.objects.none()
    return ChargingReview.objects.filter(agency_id=who.agency_id)


def recommendations(user) -> QuerySet[ToolRecommendation]:
    """Legal tool recommendations: police only, of their own force."""
    who = viewer(user)
    if who is None or not who.police:
        return ToolRecommendation.objects.none()
    return ToolRecommendation.objects.filter(agency_id=who.agency_id)


def parts(user, person: Person) -> frozenset[str]:
    """Return the parts of this person's record the user may see (empty: none of it).

    All of it for the agency's own records (and for police, their force's); for a child
    referred to a partner, the union of what the referrals it received share (an anonymous
    referral's parts bound what its own page shows: its person is not in persons()).
    """
    who = viewer(user)
    if who is None or not who.sees_people:
        return frozenset()
    if person.agency_id == who.agency_id:
        return ALL_PARTS
    if who.police:
        return frozenset()
    found: set[str] = set()
    for shared in _received(who).filter(person_id=person.pk).values_list("shared", flat=True):
        found.update(shared or ())
    return frozenset(found) & ALL_PARTS


# Roles that see the figures (dashboards, inspection counts).
AGGREGATE_ROLES = frozenset(
    {Role.SUPERVISOR, Role.SAFEGUARDING_LEAD, Role.INSPECTOR, Role.ADMINISTRATOR, Role.ANALYST}
)


def sees_aggregates(user) -> bool:
    """Whether the user may see the figures (dashboards, inspection counts)."""
    who = viewer(user)
    return who is not None and who.role in AGGREGATE_ROLES


# Roles of a police force that see the county-lines network analysis (its lines, their
# drawings and the ranked targets): those who analyse, protect and supervise, not every
# officer. A person's name in it is shown only when one of their records is in persons().
NETWORK_ROLES = frozenset(
    {Role.ANALYST, Role.SAFEGUARDING_LEAD, Role.SUPERVISOR, Role.ADMINISTRATOR}
)


def sees_network(user) -> bool:
    """Whether the user may see the network analysis: a police force's user in NETWORK_ROLES."""
    who = viewer(user)
    return who is not None and who.police and who.role in NETWORK_ROLES


def sees_stop_search(user) -> bool:
    """Whether the user may see the stop-and-search report: an inspector, or a police
    force's user in AGGREGATE_ROLES (supervisors, safeguarding leads, analysts and
    administrators)."""
    who = viewer(user)
    if who is None:
        return False
    return who.role == Role.INSPECTOR or (who.police and who.role in AGGREGATE_ROLES)


def stop_search_forces(user) -> QuerySet[Agency]:
    """The police forces whose stop-and-search figures the user may see, by name.

    Every force for an inspector (who inspects forces, and sees counts only); their own force
    for its users who see the report (an administrator too: a membership is of one force, and
    administering it opens no other force's figures); none for anyone else, a partner
    agency's users included.
    """
    who = viewer(user)
    if who is None or not sees_stop_search(user):
        return Agency.objects.none()
    forces = Agency.objects.filter(kind=rv.AgencyKind.POLICE_FORCE).order_by("name")
    if who.role == Role.INSPECTOR:
        return forces
    return forces.filter(pk=who.agency_id)


# Roles of a police force that see offender records: those who manage offenders, and their
# supervisors (to whom what is overdue is escalated).
OFFENDER_ROLES = frozenset({Role.OFFENDER_MANAGER, Role.SUPERVISOR})


def sees_offenders(user) -> bool:
    """Whether the user may see offender records at all: a police force's offender manager or
    supervisor (which offenders: offenders())."""
    who = viewer(user)
    return (
        who is not None
        and who.agency_kind == rv.AgencyKind.POLICE_FORCE
        and who.role in OFFENDER_ROLES
    )


def offenders(user) -> QuerySet[Offender]:
    """Offenders the user may see, all of their own force.

    An offender manager: those of their team (their membership's, when not blank) and those
    they manage. A supervisor without a team: every one. A supervisor with a team: their
    team's, those of a team that has no supervisor of its own (blank included: every
    supervisor of the force is told of those, offenders.escalation), and any of whom they
    hold an open alert. Anyone else: none.
    """
    who = viewer(user)
    if who is None or not sees_offenders(user):
        return Offender.objects.none()
    force = Offender.objects.filter(agency_id=who.agency_id)
    if who.role == Role.OFFENDER_MANAGER:
        mine = Q(offender_manager_id=who.user_id)
        return force.filter(mine | Q(team=who.team) if who.team else mine)
    if not who.team:
        return force
    supervised = (
        Membership.objects.filter(
            agency_id=who.agency_id, role=Role.SUPERVISOR, user__is_active=True
        )
        .exclude(team="")
        .values("team")
    )
    told = OffenderAlert.objects.filter(user_id=who.user_id, cleared_at__isnull=True).values(
        "offender_id"
    )
    return force.filter(Q(team=who.team) | ~Q(team__in=supervised) | Q(id__in=told))


# -- helpers ---------------------------------------------------------------------------------


def json_contains_supported() -> bool:
    """JSON `contains` on a list works on PostgreSQL; SQLite has no such lookup."""
    from django.db import connection

    return connection.features.supports_json_field_contains


def _received_event_ids(who: Viewer) -> list[int]:
    """The events of the referrals a partner received that share events (in Python, where
    the database cannot look inside a JSON list)."""
    found: list[int] = []
    for duty in _opening(who).prefetch_related("triggers").only("id", "shared"):
        if "events" in (duty.shared or ()):
            found += [t.event_id for t in duty.triggers.all() if t.event_id is not None]
    return found
