"""Importing a force's offender register export: all of it, or nothing.

The export (offender_register) is read and checked whole; then every reference in it is
looked up (each offender's person record, manager, the offenders the other files name,
the addresses notified) and every row compared with what is stored, still without
writing. Only an export with no problem at all is stored, in one transaction, and the
schedules of the offenders it touched are recomputed in the same transaction.

What importing again does: the register is the source of an offender's current facts
(MAPPA, risk bands, manager, status, plan), so a changed offender row updates the
offender, column by column, for the columns the file has. History is not rewritten: a
visit, review, notification or order condition is known by its natural key (the
offender and when it happened, and its kind), stored once; the same row again changes
nothing; a row that differs from the stored one is refused, except what the register
records later in the life of the same thing: a notification given (`notified_at` on one
that was pending) and the end of an order condition (`ends_on`). Nothing is deleted: an
offender missing from a later export stays as stored (their status says whether they
are still managed). The import is written to the audit log as one entry.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from safeguard.audit import log
from safeguard.clock import now
from safeguard.importers.offender_register import (
    OFFENDERS,
    Problem,
    Register,
    RegisterRejected,
    Row,
    read,
)
from safeguard.offenders import services
from safeguard.offenders.models import (
    NotificationRecord,
    Offender,
    OrderCondition,
    RiskReview,
    Visit,
)
from safeguard.records import vocabulary as rv
from safeguard.records.models import Agency, Location, Person

CHUNK = 500  # keys a query (under SQLite's limit on parameters)
# accounts.roles.Role.OFFENDER_MANAGER: accounts sits above the offenders app; the import
# reads memberships through the user model, as the offenders' escalation does.
OFFENDER_MANAGER = "offender_manager"
# Offender columns copied onto the record as they are (the rest are looked up).
COPIED = (
    "mappa_category",
    "mappa_level",
    "rm2000",
    "osp",
    "oasys_rosh",
    "team",
    "registered_on",
    "released_on",
    "notification_period_end",
    "status",
    "plan_visit_months",
    "plan",
    "plan_review_on",
)


def _blank(name: str) -> Any:
    """The value a blank cell stands for: the model's default (a blank band is "not
    assessed", a blank status active, a blank date none)."""
    return Offender._meta.get_field(name).get_default()


@dataclass
class Result:
    """What an import stored, by kind: new, updated and unchanged."""

    new: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    schedules: int = 0

    def describe(self) -> str:
        kinds = sorted(set(self.new) | set(self.updated) | set(self.unchanged))
        parts = [
            f"{k}: {self.new[k]} new, {self.updated[k]} updated, {self.unchanged[k]} unchanged"
            for k in kinds
        ]
        return "; ".join(parts) + f"; {self.schedules} schedule(s) recomputed"


def import_register(folder: Path, force: str, *, by: str = "") -> Result:
    """Import the register export in `folder` for the police force `force` (its code).

    Raises RegisterRejected with every problem found; nothing is stored then.
    """
    agency = Agency.objects.filter(code=force, kind=rv.AgencyKind.POLICE_FORCE).first()
    if agency is None:
        raise RegisterRejected([Problem(str(folder), 0, "", f"{force!r} is not a police force")])
    register = read(folder)
    at = now()
    with transaction.atomic():
        plan = _Plan(agency, register)
        plan.check()
        if plan.problems:
            raise RegisterRejected(plan.problems)
        result = plan.store()
        result.schedules = services.recompute(at)
        log.record(
            "write",
            username=by or "safeguard import-offenders",
            agency_code=agency.code,
            what="offenders.register",
            object_id=agency.code,
            detail={
                "folder": folder.name,
                "new": dict(result.new),
                "updated": dict(result.updated),
            },
            at=at,
        )
    return result


def _chunks(keys: Iterable[Any]) -> Iterable[list[Any]]:
    keys = sorted(set(keys))
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]


class _Plan:
    """The export checked against the store: what to write, and every problem found."""

    def __init__(self, agency: Agency, register: Register):
        self.agency = agency
        self.register = register
        self.problems: list[Problem] = []
        self.result = Result()
        self.offenders: dict[str, Offender] = {}  # reference -> stored or to be created
        self.creating: list[Offender] = []
        self.updating: list[Offender] = []
        self.rows: dict[str, list[tuple[Row, Offender]]] = {}

    def _problem(self, row: Row, column: str, reason: str) -> None:
        self.problems.append(Problem(row.file, row.line, column, reason))

    # -- checking ------------------------------------------------------------------------

    def check(self) -> None:
        rows = self.register.of(OFFENDERS)
        refs = [r.values["reference"] for r in rows if "reference" in r.values]
        self.offenders = {
            o.reference: o
            for some in _chunks(refs)
            for o in Offender.objects.filter(agency=self.agency, reference__in=some)
        }
        people = {
            ref: pk
            for some in _chunks(r.values["person_ref"] for r in rows if "person_ref" in r.values)
            for ref, pk in Person.objects.filter(
                agency=self.agency, source_ref__in=some
            ).values_list("source_ref", "id")
        }
        taken = {
            person: reference
            for some in _chunks(people.values())
            for person, reference in Offender.objects.filter(person_id__in=some).values_list(
                "person_id", "reference"
            )
        }
        managers = self._managers(r.values.get("manager") for r in rows)
        seen: dict[str, int] = {}
        for row in rows:
            self._check_offender(row, people, taken, managers, seen)
        self._others()

    def _managers(self, names: Iterable[str | None]) -> dict[str, tuple[int, str]]:
        """Usernames of the force's offender managers -> (user id, their team)."""
        return {
            username: (pk, team)
            for some in _chunks(n for n in names if n)
            for username, pk, team in get_user_model()
            .objects.filter(
                username__in=some,
                membership__agency=self.agency,
                membership__role=OFFENDER_MANAGER,
            )
            .values_list("username", "id", "membership__team")
        }

    def _check_offender(self, row, people, taken, managers, seen) -> None:
        values = row.values
        if "reference" not in values or "person_ref" not in values:
            return  # reported by the reader
        reference = values["reference"]
        if reference in seen:
            self._problem(row, "reference", f"{reference!r} is also on line {seen[reference]}")
            return
        seen[reference] = row.line
        person = people.get(values["person_ref"])
        if person is None:
            self._problem(
                row,
                "person_ref",
                f"no person record {values['person_ref']!r} of {self.agency.code}: "
                "record the person first",
            )
            return
        if taken.get(person, reference) != reference:
            self._problem(row, "person_ref", f"already the person of offender {taken[person]!r}")
            return
        wanted: dict[str, Any] = {"person_id": person}
        header = self.register.headers[OFFENDERS]
        for name in COPIED:
            if name in header:
                wanted[name] = values.get(name, _blank(name))
        if "manager" in header:
            manager = values.get("manager")
            if manager and manager not in managers:
                self._problem(
                    row, "manager", f"{manager!r} is not an offender manager of {self.agency.code}"
                )
                return
            wanted["offender_manager_id"] = managers[manager][0] if manager else None
            if manager and not values.get("team"):
                wanted["team"] = managers[manager][1]
        stored = self.offenders.get(reference)
        if stored is None:
            offender = Offender(agency=self.agency, reference=reference)
            for name, value in ({n: _blank(n) for n in COPIED} | wanted).items():
                setattr(offender, name, value)
            self.offenders[reference] = offender
            self.creating.append(offender)
            return
        if stored.person_id != person:
            self._problem(
                row, "person_ref", f"offender {reference!r} is stored with another person record"
            )
            return
        changed = [n for n, value in wanted.items() if getattr(stored, n) != value]
        for name in changed:
            setattr(stored, name, wanted[name])
        if changed:
            self.updating.append(stored)
        else:
            self.result.unchanged["offender"] += 1

    def _others(self) -> None:
        """Check that the offenders the other files name exist, here or already stored."""
        named = {
            r.values["offender"]
            for file in self.register.rows
            if file != OFFENDERS
            for r in self.register.of(file)
            if "offender" in r.values
        }
        missing = named - set(self.offenders)
        for some in _chunks(missing):
            for offender in Offender.objects.filter(agency=self.agency, reference__in=some):
                self.offenders[offender.reference] = offender
        for file in self.register.rows:
            if file == OFFENDERS:
                continue
            for row in self.register.of(file):
                reference = row.values.get("offender")
                if reference is None:
                    continue
                if reference not in self.offenders:
                    self._problem(
                        row, "offender", f"no offender {reference!r} of {self.agency.code}"
                    )
                    continue
                self.rows.setdefault(file, []).append((row, self.offenders[reference]))

    # -- storing -------------------------------------------------------------------------

    def store(self) -> Result:
        Offender.objects.bulk_create(self.creating)
        self.result.new["offender"] += len(self.creating)
        fields = sorted({"person_id", "offender_manager_id", *COPIED})
        Offender.objects.bulk_update(self.updating, [f.removesuffix("_id") for f in fields])
        self.result.updated["offender"] += len(self.updating)
        names = [
            r.values[column]
            for file, column in (("visits.csv", "officer"), ("reviews.csv", "by"))
            for r, _ in self.rows.get(file, [])
            if column in r.values
        ]
        users = {
            username: pk
            for some in _chunks(names)
            for username, pk in get_user_model()
            .objects.filter(username__in=some, membership__agency=self.agency)
            .values_list("username", "id")
        }
        places = {
            ref: pk
            for some in _chunks(
                r.values["location_ref"]
                for r, _ in self.rows.get("notifications.csv", [])
                if "location_ref" in r.values
            )
            for ref, pk in Location.objects.filter(
                agency=self.agency, source_ref__in=some
            ).values_list("source_ref", "id")
        }
        self._history("conditions.csv", "condition", OrderCondition, self._condition, ("ends_on",))
        self._history("visits.csv", "visit", Visit, lambda r, o: self._visit(r, o, users), ())
        self._history(
            "reviews.csv", "review", RiskReview, lambda r, o: self._review(r, o, users), ()
        )
        self._history(
            "notifications.csv",
            "notification",
            NotificationRecord,
            lambda r, o: self._notification(r, o, places),
            ("notified_at",),
        )
        if self.problems:
            raise RegisterRejected(self.problems)  # rolls the transaction back
        for counts in (self.result.new, self.result.updated):
            counts += Counter()  # drops the kinds with nothing to count
        return self.result

    def _history(self, file, kind, model, build, later: tuple[str, ...]) -> None:
        """Store a file of history rows by natural key: new ones created, the same skipped,
        `later` fields filled in where the stored row has them empty, any other difference
        refused."""
        pairs = self.rows.get(file, [])
        if not pairs:
            return
        made = [(row, build(row, offender)) for row, offender in pairs]
        made = [(row, obj) for row, obj in made if obj is not None]
        keyed = set(_KEYS[kind])
        compared = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id",)]
        stored: dict[tuple, Any] = {}
        for some in _chunks(obj.offender_id for _, obj in made):
            for old in model.objects.filter(offender_id__in=some):
                stored[tuple(getattr(old, n) for n in _KEYS[kind])] = old
        new, updated, here = [], [], {}
        for row, obj in made:
            key = tuple(getattr(obj, n) for n in _KEYS[kind])
            if key in here:
                self._problem(row, "", f"the same {kind} as line {here[key]}")
                continue
            here[key] = row.line
            old = stored.get(key)
            if old is None:
                new.append(obj)
                continue
            differ = [n for n in compared if n not in keyed and getattr(old, n) != getattr(obj, n)]
            filled = [n for n in differ if n in later and getattr(old, n) is None]
            refused = [n for n in differ if n not in filled]
            if refused:
                self._problem(
                    row,
                    refused[0].removesuffix("_id"),
                    f"this {kind} is already recorded with a different "
                    f"{refused[0].removesuffix('_id')}",
                )
            elif filled:
                for name in filled:
                    setattr(old, name, getattr(obj, name))
                updated.append(old)
            else:
                self.result.unchanged[kind] += 1
        model.objects.bulk_create(new)
        if updated:
            model.objects.bulk_update(updated, list(later))
        self.result.new[kind] += len(new)
        self.result.updated[kind] += len(updated)

    def _condition(self, row: Row, offender: Offender) -> OrderCondition:
        v = row.values
        return OrderCondition(
            offender_id=offender.pk,
            order=v["order"],
            condition=v["condition"],
            starts_on=v["starts_on"],
            ends_on=v.get("ends_on"),
        )

    def _visit(self, row: Row, offender: Offender, users: dict[str, int]) -> Visit:
        v = row.values
        officer = v.get("officer", "")
        return Visit(
            offender_id=offender.pk,
            at=v["at"],
            outcome=v["outcome"],
            announced=v["announced"],
            officer_id=users.get(officer),
            officer_name="" if officer in users else officer,
            notes=v.get("notes", ""),
        )

    def _review(self, row: Row, offender: Offender, users: dict[str, int]) -> RiskReview | None:
        v = row.values
        by = v.get("by")
        if by and by not in users:
            self._problem(row, "by", f"{by!r} is not a user of {self.agency.code}")
            return None
        return RiskReview(
            offender_id=offender.pk,
            kind=v["kind"],
            completed_at=v["completed_at"],
            level=v["level"],
            by_id=users.get(by) if by else None,
            summary=v.get("summary", ""),
        )

    def _notification(
        self, row: Row, offender: Offender, places: dict[str, int]
    ) -> NotificationRecord | None:
        v = row.values
        place = v.get("location_ref")
        if place and place not in places:
            self._problem(
                row, "location_ref", f"no location record {place!r} of {self.agency.code}"
            )
            return None
        if v.get("arranged_at") and v["kind"] != "foreign_travel":
            self._problem(row, "arranged_at", "only foreign travel is arranged")
            return None
        return NotificationRecord(
            offender_id=offender.pk,
            kind=v["kind"],
            trigger_at=v["trigger_at"],
            arranged_at=v.get("arranged_at"),
            notified_at=v.get("notified_at"),
            location_id=places.get(place) if place else None,
            details=v.get("details", ""),
        )


# What makes each history row the same thing: its offender, its kind and when.
_KEYS: dict[str, tuple[str, ...]] = {
    "condition": ("offender_id", "order", "condition", "starts_on"),
    "visit": ("offender_id", "at"),
    "review": ("offender_id", "kind", "completed_at"),
    "notification": ("offender_id", "kind", "trigger_at"),
}
