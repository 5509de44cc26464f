"""Finding a person within the user's scope: by name (misspellings forgiven), date of birth,
phone number or postcode.

The search never looks outside accounts.policy.persons(user): a person another agency holds
is not found, not even as "one result hidden". What the text is decides how it is searched:
a date, a phone number (seven or more digits), a UK postcode, or else a name. Names are
compared with rapidfuzz (token order and small misspellings forgiven: "Jaden Smyth" finds
Jayden Smith), against every name a record carries (aliases, nicknames, other spellings).
The results are a read of person-level data and are written to the audit log.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from rapidfuzz import fuzz, process, utils

from safeguard.accounts import policy
from safeguard.accounts.reading import actor
from safeguard.audit import log
from safeguard.records import vocabulary as rv
from safeguard.records.models import Link, Person, PersonName

LIMIT = 20
NAME_CUTOFF = 80  # rapidfuzz WRatio, 0-100
MIN_NAME = 3  # letters and digits a name search needs
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")


@dataclass(frozen=True, slots=True)
class Hit:
    person: Person
    score: int  # 100 for an exact date, number or postcode
    why: str  # what matched, in words


def search(user, text: str, *, limit: int = LIMIT, path: str = "") -> list[Hit]:
    """Return the persons in the user's scope that the text finds, best first (logged)."""
    text = " ".join(text.split())
    if not text:
        return []
    scope = policy.persons(user)
    day = _date(text)
    digits = re.sub(r"\D", "", text)
    if day is not None:
        hits = [Hit(p, 100, f"born {day:%-d %B %Y}") for p in scope.filter(date_of_birth=day)]
        kind = "date of birth"
    elif len(digits) >= 7 and len(digits) >= len(text.replace(" ", "")) - 1:
        hits = _by_phone(scope, digits)
        kind = "phone"
    elif _POSTCODE.match(text.upper()):
        hits = _by_postcode(scope, text)
        kind = "postcode"
    else:
        hits = _by_name(scope, text, limit)
        kind = "name"
    hits = sorted(hits, key=lambda h: (-h.score, h.person.pk))[:limit]
    if hits:
        who = actor(user)
        log.record_many(
            [
                {
                    "action": "read",
                    **who,
                    "what": "records.person",
                    "object_id": str(h.person.pk),
                    "person_id": h.person.pk,
                    "detail": {"path": path, "search": kind, "why": h.why},
                }
                for h in hits
            ]
        )
    return hits


def _date(text: str) -> date | None:
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _national(digits: str) -> str:
    """A UK number as dialled at home: 447700900123 -> 07700900123."""
    return "0" + digits[2:] if digits.startswith("44") and len(digits) > 10 else digits


def _by_phone(scope, digits: str) -> list[Hit]:
    wanted = _national(digits)
    forms = {wanted, "+44" + wanted[1:], "44" + wanted[1:]}
    links = Link.objects.filter(
        kind=rv.LinkKind.USES_PHONE, to_phone__number__in=forms, from_person__in=scope
    ).select_related("from_person", "to_phone")
    return [Hit(k.from_person, 100, f"uses {k.to_phone.number}") for k in links]


def _by_postcode(scope, text: str) -> list[Hit]:
    compact = text.upper().replace(" ", "")
    spaced = f"{compact[:-3]} {compact[-3:]}"
    links = Link.objects.filter(
        Q(to_location__postcode__iexact=spaced) | Q(to_location__postcode__iexact=compact),
        kind__in=[rv.LinkKind.LIVES_AT, rv.LinkKind.STAYS_AT],
        from_person__in=scope,
    ).select_related("from_person", "to_location")
    seen: dict[int, Hit] = {}
    for k in links:
        seen.setdefault(
            k.from_person_id,
            Hit(k.from_person, 100, f"{k.get_kind_display().lower()} {k.to_location.postcode}"),
        )
    return list(seen.values())


def _by_name(scope, text: str, limit: int) -> list[Hit]:
    """Every name of every person in scope, scored against the text; the best per person."""
    if len(utils.default_process(text)) < MIN_NAME:
        return []  # "b" or "<b>" would match a part of every name
    names: dict[str, list[int]] = {}
    rows = list(scope.values_list("id", "given_name", "family_name"))
    rows += list(
        PersonName.objects.filter(person__in=scope).values_list(
            "person_id", "given_name", "family_name"
        )
    )
    for pk, given, family in rows:
        full = f"{given} {family}".strip()
        if full:
            names.setdefault(full, []).append(pk)
    best: dict[int, tuple[int, str]] = {}
    for name, score, _ in process.extract(
        text,
        list(names),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=NAME_CUTOFF,
        limit=limit * 5,
    ):
        for pk in names[name]:
            if pk not in best or score > best[pk][0]:
                best[pk] = (round(score), name)
    people = Person.objects.in_bulk(list(best))
    return [Hit(people[pk], score, f"name {name!r}") for pk, (score, name) in best.items()]
