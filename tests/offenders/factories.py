"""Offenders for tests: a force, its people through intake, offenders, supervisors, and the
visits, reviews and notifications of an offender."""

from datetime import UTC, date, datetime

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.offenders.models import NotificationRecord, Offender, RiskReview, Visit
from safeguard.records.models import Agency, Person

FORCE = {"type": "agency", "code": "lancs", "kind": "police_force", "name": "Lancashire"}
MASH = {
    "type": "agency",
    "code": "blackpool-cs",
    "kind": "childrens_services",
    "name": "Blackpool Children's Services",
    "area_code": "E06000009",
}


def place(ref: str) -> dict:
    """Return a home of the force's records in Blackpool (the MASH's area)."""
    return {
        "type": "location",
        "agency": "lancs",
        "ref": ref,
        "kind": "home",
        "local_authority": "E06000009",
    }


def lives(ref: str, person: str, location: str) -> dict:
    """Return the force's record that `person` lives at `location`."""
    return {
        "type": "link",
        "agency": "lancs",
        "ref": ref,
        "kind": "lives_at",
        "from_person": person,
        "to_location": location,
    }


def people(*refs: str, born: str = "1970-01-01") -> list[dict]:
    """Return person records of the force, all born on one day."""
    return [
        {"type": "person", "agency": "lancs", "ref": ref, "date_of_birth": born} for ref in refs
    ]


def offender(ref: str, *, team: str = "MOSOVO North", **given) -> Offender:
    """Store an offender for the force's person `ref` (recorded first), high risk by default."""
    values = {
        "mappa_category": 1,
        "rm2000": "high",
        "registered_on": date(2024, 1, 15),
        **given,
    }
    return Offender.objects.create(
        person=Person.objects.get(source_ref=ref),
        agency=Agency.objects.get(code="lancs"),
        reference=f"V-{ref}",
        team=team,
        **values,
    )


def staff() -> dict[str, object]:
    """Create the force's offender manager and two teams' supervisors (with e-mail addresses)."""
    lancs = Agency.objects.get(code="lancs")
    made = {
        "manager": create_member("om", "x", lancs, Role.OFFENDER_MANAGER, team="MOSOVO North"),
        "north": create_member(
            "sgt-north", "x", lancs, Role.SUPERVISOR, team="MOSOVO North", email="north@lancs"
        ),
        "south": create_member(
            "sgt-south", "x", lancs, Role.SUPERVISOR, team="MOSOVO South", email="south@lancs"
        ),
    }
    return {name: m.user for name, m in made.items()}


def visit(who, day: date, outcome: str = "seen") -> Visit:
    """Record a visit to the offender at 10:00 UTC that day."""
    return Visit.objects.create(offender=who, at=moment(day), outcome=outcome, announced=False)


def moment(day: date | None) -> datetime | None:
    """Return 10:00 UTC on the day (None: None)."""
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC) if day else None


def review(who, day: date, level: str) -> RiskReview:
    """Record an ARMS review of the offender that day, setting `level`."""
    return RiskReview.objects.create(
        offender=who, kind="arms", completed_at=moment(day), level=level
    )


def notification(who, kind: str, trigger: date, notified: date | None = None):
    """Record a notification the offender must make (notified that day, or not yet)."""
    return NotificationRecord.objects.create(
        offender=who, kind=kind, trigger_at=moment(trigger), notified_at=moment(notified)
    )


OTHERS = (
    {"type": "agency", "code": "cumbria", "kind": "police_force", "name": "Cumbria"},
    {"type": "agency", "code": "blackpool-cs", "kind": "childrens_services", "name": "Blackpool"},
    {"type": "person", "agency": "cumbria", "ref": "C1", "date_of_birth": "1970-01-01"},
)
# The force's teams: North and South have a supervisor each, East has none (its supervisor
# has left: an inactive account), and one offender has no team.
STAFF = (
    # (username, agency, role, team)
    ("om-north", "lancs", Role.OFFENDER_MANAGER, "North"),
    ("om-south", "lancs", Role.OFFENDER_MANAGER, "South"),
    ("om-alone", "lancs", Role.OFFENDER_MANAGER, ""),
    ("sgt-north", "lancs", Role.SUPERVISOR, "North"),
    ("sgt-south", "lancs", Role.SUPERVISOR, "South"),
    ("sgt-east-left", "lancs", Role.SUPERVISOR, "East"),
    ("sgt-force", "lancs", Role.SUPERVISOR, ""),
    ("sgt-cumbria", "cumbria", Role.SUPERVISOR, ""),
    ("pc", "lancs", Role.OFFICER, "North"),
    ("custody", "lancs", Role.CUSTODY_SERGEANT, "North"),
    ("analyst", "lancs", Role.ANALYST, "North"),
    ("lead", "lancs", Role.SAFEGUARDING_LEAD, "North"),
    ("admin", "lancs", Role.ADMINISTRATOR, ""),
    ("inspector", "lancs", Role.INSPECTOR, ""),
    ("mash", "blackpool-cs", Role.MASH_WORKER, ""),
    ("cs-supervisor", "blackpool-cs", Role.SUPERVISOR, "North"),
)


def teams(record) -> dict[str, object]:
    """Record the force's teams (STAFF) and offenders of each, another force and a partner
    agency; return the users by name. N1 (North, om-north's), N2 (North, unassigned), S1
    (South, om-south's), X1 (South, om-north's), E1 (East), B1 (no team, om-alone's), and
    C1, Cumbria's."""
    record(FORCE, *OTHERS, *people("N1", "N2", "S1", "X1", "E1", "B1"))
    users = {
        name: create_member(name, "pw", Agency.objects.get(code=agency), role, team=team).user
        for name, agency, role, team in STAFF
    }
    users["sgt-east-left"].is_active = False
    users["sgt-east-left"].save()
    offender("N1", team="North", offender_manager=users["om-north"])
    offender("N2", team="North")  # unassigned
    offender("S1", team="South", offender_manager=users["om-south"])
    offender("X1", team="South", offender_manager=users["om-north"])  # held across teams
    offender("E1", team="East")  # a team whose supervisor has left
    offender("B1", team="", offender_manager=users["om-alone"])  # no team
    cumbrian = offender("C1", team="North", rm2000="low")
    cumbrian.agency = Agency.objects.get(code="cumbria")
    cumbrian.save()
    return users
