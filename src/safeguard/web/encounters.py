"""Recording an encounter with a child, and what it set off: the form and the outcome page.

An officer records a stop and search, an arrest, a missing episode or a child found out of
area, for a child of their force (opened from the child's page or the search as
?person=<id>, through the access policy) or a new one. The save goes through
intake.authoring.record_as, as the API's does: one transaction, the pipeline included, the
write audited; nothing is saved when anything is refused. The form's token names the
encounter (its source ref), so a second submit records nothing new and leads to the same
outcome. The outcome page (POST/redirect/GET) shows each child's screening with its reasons
and the duties the encounter opened or joined (accounts.recording.outcome); it is a read of
person-level data, audited, and another agency's event is a 404, logged.
"""

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from safeguard.accounts import policy, reading, recording
from safeguard.audit import log
from safeguard.intake.authoring import NotOwnRecords, record_as
from safeguard.intake.errors import RecordingRejected
from safeguard.records import vocabulary as v
from safeguard.records.models import Agency, Event, EventObject, Link, Person
from safeguard.safeguarding.charging import ChargingBlocked
from safeguard.web import encounter_forms as ef
from safeguard.web import encounter_records
from safeguard.web.access import visible_or_404

# Why the outcome page reads the children's records, as the audit log keeps it.
OUTCOME_PURPOSE = "outcome of recording an encounter"
FORM_PURPOSE = "recording an encounter with the child"


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    """The encounter form: show it, or record what it holds and go to the outcome."""
    user = request.user
    if not recording.may_record_encounters(user):
        return _refused(request)
    person = _person(request)
    own = user.membership.agency.code
    if request.method == "POST":
        form = ef.EncounterForm(request.POST, person=person)
        if form.is_valid():
            done = _save(request, form, own)
            if done is not None:
                return done
    else:
        form = ef.EncounterForm(
            person=person,
            initial={
                "token": ef.new_token(),
                "place_force": own,
                "place_kind": v.LocationKind.STREET,
                "drugs_unit": "wraps",
            },
        )
    if person is not None:
        reading.audited(
            user,
            "read",
            person,
            what="records.person",
            path=request.path,
            detail={"parts": ["identity"]},
            person_id=person.pk,
            purpose=FORM_PURPOSE,
        )
    return render(request, "web/encounters/form.html", _form_context(form, person))


def _errors(form: ef.EncounterForm) -> list[tuple[str | None, str]]:
    """The error summary: (the id of the field to go to, or None, and the message), in the
    order of the page."""
    order = {name: i for i, name in enumerate(form.fields)}
    rows = []
    for name, errors in sorted(form.errors.items(), key=lambda e: order.get(e[0], -1)):
        anchor = None if name in ("__all__", "token") else name
        # Indexing an ErrorList gives the message (slicing it would give the raw errors).
        count = len(errors) if anchor is None else 1
        rows += [(anchor, errors[i]) for i in range(count)]
    return rows


@login_required
@require_GET
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """What an encounter set off: each child's screening with its reasons, and the duties."""
    event = visible_or_404(recording.visible_event, request, pk, "No such encounter")
    # A child of the event whose record the user may not see at all is left out.
    children = [c for c in recording.outcome(request.user, event) if c.parts]
    objects = [
        (_describe(o), o.get_role_display().lower())
        for o in event.event_objects.select_related("phone", "item").order_by("id")
    ]
    others = list(
        event.participations.select_related("person")
        .filter(person__in=policy.persons(request.user))
        .exclude(person_id__in=[c.person.pk for c in children])
        .order_by("person_id", "role")
    )
    persons = sorted({c.person.pk for c in children} | {p.person_id for p in others})
    log.record_many(
        [
            {
                "action": "read",
                **reading.actor(request.user),
                "what": "records.event",
                "object_id": str(event.pk),
                "person_id": person_id,
                "purpose": OUTCOME_PURPOSE,
                "detail": {"path": request.path},
            }
            for person_id in persons or [None]
        ]
    )
    return render(
        request,
        "web/encounters/outcome.html",
        {
            "event": event,
            "children": children,
            "objects": objects,
            "others": others,
            "area": _area_name(event.location.force_area) if event.location else "",
            "reported_by": _reported_by(event),
            "may_record": recording.may_record_encounters(request.user),
        },
    )


# -- saving -----------------------------------------------------------------------------------


def _save(request: HttpRequest, form: ef.EncounterForm, own: str) -> HttpResponse | None:
    """Record the encounter and return the redirect to its outcome; None if it was refused
    (the reasons are on the form)."""
    already = Event.objects.filter(agency__code=own, source_ref=form.event_ref).first()
    if already is not None:  # a second submit of the same form
        return redirect("web:encounter", pk=already.pk)
    encounter = encounter_records.records(form, own)
    try:
        event = record_as(
            encounter.event,
            actor=reading.actor(request.user),
            path=request.path,
            with_records=encounter.with_records,
        )
    except RecordingRejected as exc:
        for error in exc.errors:
            form.add_error("kind" if error.field == "kind" else None, _reason(error.reason))
        return None
    except ChargingBlocked as exc:
        for _, reason in exc.problems:
            form.add_error("kind", f"The encounter cannot be recorded: {reason}")
        return None
    except NotOwnRecords as exc:
        form.add_error(None, f"Nothing was saved: {exc}")
        return None
    except IntegrityError:
        # The same form submitted twice at once: the other submit stored it first.
        already = Event.objects.filter(agency__code=own, source_ref=form.event_ref).first()
        if already is None:
            raise
        return redirect("web:encounter", pk=already.pk)
    return redirect("web:encounter", pk=event.pk)


def _reason(reason: str) -> str:
    text = reason[0].upper() + reason[1:] if reason else "The encounter was refused"
    return f"Nothing was saved. {text}"


def _person(request: HttpRequest) -> Person | None:
    """The existing child chosen (?person= or the form's hidden field), through the policy."""
    raw = (request.POST if request.method == "POST" else request.GET).get("person", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such record")
    return visible_or_404(reading.visible_person, request, int(raw), "No such record")


def _refused(request: HttpRequest) -> HttpResponse:
    log.record(
        "denied",
        **reading.actor(request.user),
        what="records.event",
        detail={"path": request.path, "reason": "the user's role does not record encounters"},
    )
    return render(request, "web/encounters/refused.html", status=403)


# -- what the form template needs -------------------------------------------------------------


def _form_context(form: ef.EncounterForm, person: Person | None) -> dict:
    """The form, with each set of radios and checkboxes as (value, label, checked, id) rows."""
    return {
        "form": form,
        "errors": _errors(form),
        "person": person,
        "home": _home(person) if person is not None else None,
        "kinds": _options(form, "kind", ef.KINDS),
        "reported_by": _options(form, "reported_by", ef.REPORTED_BY),
        "sexes": _options(form, "sex", v.Sex.choices),
        "flags": _options(form, "flags", ef.CHILD_FLAGS),
        "home_kinds": _options(form, "home_kind", ef.HOME_KINDS),
        "found": _options(form, "found", ef.FOUND),
        "drug_classes": _options(form, "drugs_class", ef.DRUG_CLASSES),
        "weapons": _options(form, "weapon_type", ef.WEAPONS),
        "selects": {
            name: _options(form, name, form.fields[name].choices)
            for name in (
                "place_kind",
                "place_force",
                "home_force",
                "home_la",
                "drugs_unit",
            )
        },
        "others": [
            {
                "n": i,
                "given_name": form[f"other{i}_given_name"],
                "family_name": form[f"other{i}_family_name"],
                "age": form[f"other{i}_age"],
            }
            for i in ef.OTHERS
        ],
    }


def _options(form: ef.EncounterForm, name: str, choices) -> list[dict]:
    value = form[name].value()
    chosen = {str(x) for x in value} if isinstance(value, list | tuple) else {str(value or "")}
    rows = []
    # A blank choice with no label is the form's "nothing chosen", not an option to show.
    for i, (key, label) in enumerate((c for c in choices if c[0] != "" or c[1]), start=1):
        rows.append(
            {
                "value": key,
                "label": label,
                "checked": str(key) in chosen,
                "id": name if i == 1 else f"{name}-{i}",
            }
        )
    return rows


def _describe(found: EventObject) -> str:
    """An object found, in words: "Drugs: class A, crack cocaine, 14 wraps"."""
    if found.phone is not None:
        deal = " (a deal line)" if found.phone.is_deal_line else ""
        return f"Phone {found.phone.number}{deal}"
    item = found.item
    facts = item.attributes or {}
    words = []
    if item.kind == v.ItemKind.DRUGS:
        words.append(f"class {facts.get('drug_class', '?')}")
        if facts.get("substance"):
            words.append(facts["substance"])
        if facts.get("quantity") is not None:
            words.append(f"{facts['quantity']:g} {facts.get('unit', '')}".strip())
    elif item.kind == v.ItemKind.CASH and facts.get("amount_pence") is not None:
        pence = int(facts["amount_pence"])
        words.append(f"£{pence // 100:,}.{pence % 100:02d}")
    elif item.kind == v.ItemKind.WEAPON and facts.get("weapon_type"):
        words.append(dict(ef.WEAPONS).get(facts["weapon_type"], facts["weapon_type"]).lower())
    if item.description:
        words.append(item.description)
    label = item.get_kind_display()
    return f"{label}: {', '.join(words)}" if words else label


def _reported_by(event: Event) -> str:
    said = str((event.attributes or {}).get("reported_by") or "")
    return dict(ef.REPORTED_BY).get(said, said)


def _area_name(code: str) -> str:
    """The name of the police force whose area a place is in (force_area is its code)."""
    if not code:
        return ""
    found = Agency.objects.filter(code=code).values_list("name", flat=True).first()
    return found or code


def _home(person: Person):
    """The child's home on record (the latest lives_at link), to say what is known already."""
    link = (
        Link.objects.filter(from_person=person, kind=v.LinkKind.LIVES_AT)
        .select_related("to_location")
        .order_by("-valid_from", "-id")
        .first()
    )
    return link.to_location if link is not None else None
