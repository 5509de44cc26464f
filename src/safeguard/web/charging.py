"""The charging review pages: the form with the evidence beside it, a review, and the list.

Police make a charging review of a child their force holds before any charge or caution
of a child with signs of exploitation (safeguarding/charging.py refuses the charge until
then); a supervisor or safeguarding lead signs off a decision to charge or caution on the
version shown. Who may do what, and the audit of each write, is accounts.reviewing's (the
API's routes use the same); the read of the child's record for the evidence goes through
accounts.reading with its purpose. A child or review outside the user's access is a 404, as
if there were none (the attempt is logged).
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.accounts import policy, reading, reviewing
from safeguard.accounts.reading import NotVisible
from safeguard.records.models import Event, Link
from safeguard.safeguarding import charging, schedule4
from safeguard.safeguarding.models import ChargingReview, Duty
from safeguard.safeguarding.vocabulary import AUTHORISES, DutyKind
from safeguard.screening.models import Screening
from safeguard.web.access import visible_or_404
from safeguard.web.charging_forms import QUESTIONS, ReviewForm
from safeguard.web.children import PURPOSES

# Why the child's record is read for the form, when no purpose was given on the child's page.
PURPOSE = "charging review"
AWAITING = 200  # reviews listed as awaiting a sign-off, oldest first
RECENT = 50  # other reviews listed, latest first
EVENTS = 10  # the child's latest events shown beside the form
NO_REVIEW = "No such charging review"


@dataclass(frozen=True)
class Fired:
    """A fired indicator of a screening with the records behind it that the user may see."""

    title: str
    reason: str
    events: list[Event] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    unseen: int = 0  # records behind it outside the user's access


@dataclass(frozen=True)
class Evidence:
    """What the reviewer sees beside the questions."""

    standing: reviewing.Standing
    screening: Screening | None
    fired: list[Fired]
    vulnerabilities: list[Fired]
    nrm: list[Duty]
    referrals: list[Duty]
    events: list[reading.TimelineEntry]
    reviews: list[ChargingReview]


def _fired(found: list[dict], events: dict[int, Event], links: dict[int, Link]) -> list[Fired]:
    rows = []
    for f in found:
        event_ids = list(f.get("event_ids") or ())
        link_ids = list(f.get("link_ids") or ())
        seen_events = [events[i] for i in event_ids if i in events]
        seen_links = [links[i] for i in link_ids if i in links]
        rows.append(
            Fired(
                title=f.get("title", f.get("id", "")),
                reason=f.get("reason", ""),
                events=seen_events,
                links=seen_links,
                unseen=len(event_ids) + len(link_ids) - len(seen_events) - len(seen_links),
            )
        )
    return rows


def _evidence(record: reading.ChildRecord) -> Evidence:
    """Gather the evidence beside the form from what the user may see of the child's record."""
    events = {t.event.pk: t.event for t in record.timeline}
    links = {k.pk: k for k in record.links}
    latest = record.screenings[0] if record.screenings else None
    return Evidence(
        standing=reviewing.standing(record.person.pk),
        screening=latest,
        fired=_fired(latest.indicators, events, links) if latest else [],
        vulnerabilities=_fired(latest.vulnerabilities, events, links) if latest else [],
        nrm=[d for d in record.duties if d.kind == DutyKind.NRM_REFERRAL],
        referrals=[d for d in record.duties if d.kind == DutyKind.CHILDRENS_SERVICES_REFERRAL],
        events=record.timeline[:EVENTS],
        reviews=record.reviews,
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The staged questions, with the evidence beside them; saving records the review."""
    person = visible_or_404(reading.visible_person, request, pk, "No such record")
    if not reviewing.may_review(request.user):
        raise PermissionDenied("charging reviews are made by police")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = reviewing.submit(
                request.user,
                person.pk,
                proposed=data["proposed"],
                offence=data["offence"].strip(),
                answers=form.answers(),
                decision=data["decision"],
                rationale=data["rationale"].strip(),
                path=request.path,
            )
        except charging.ReviewError as exc:
            form.refused(exc)
        else:
            messages.success(request, _saved(review))
            return redirect("web:charging-review", pk=review.pk)
    purpose = request.session.get(PURPOSES, {}).get(str(pk)) or PURPOSE
    record = reading.read_child(request.user, pk, purpose=purpose, path=request.path)
    return render(
        request,
        "web/charging/form.html",
        {"person": person, "form": form, "evidence": _evidence(record), "purpose": purpose},
    )


def _saved(review: ChargingReview) -> str:
    decided = review.get_decision_display()
    if reviewing.needs_sign_off(review):
        return (
            f"Charging review saved: {decided}. A supervisor or safeguarding lead must sign it "
            "off before the charge or caution can be recorded."
        )
    return f"Charging review saved: {decided}."


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One charging review: the answers, the evidence seen then, and its sign-off."""
    return _show(request, visible_or_404(reviewing.visible_review, request, pk, NO_REVIEW))


def _show(
    request: HttpRequest, found: ChargingReview, *, error: str = "", status: int = 200
) -> HttpResponse:
    reading.audited(request.user, "read", found, what=reviewing.WHAT, path=request.path)
    notes = found.notes or {}
    answers = [
        (stage, question, getattr(found, name), notes.get(name, ""))
        for name, stage, question, _, _ in QUESTIONS
    ]
    shown = found.screening.indicators if found.screening is not None else []
    titles = {f.get("id"): f.get("title", "") for f in shown}
    seen = [titles.get(i) or i for i in found.indicators_seen or ()]
    signs = (
        reviewing.needs_sign_off(found)
        and reviewing.may_sign_off(request.user)
        and found.reviewer_id != request.user.pk
    )
    return render(
        request,
        "web/charging/review.html",
        {
            "review": found,
            "person": found.person,
            "answers": answers,
            "schedule_4": _schedule_4(found.schedule_4),
            "indicators_seen": seen,
            "standing": reviewing.standing(found.person_id),
            "awaiting": reviewing.needs_sign_off(found),
            "signs_off": signs,
            "reviews_made": reviewing.may_review(request.user),
            "error": error,
        },
        status=status,
    )


def _schedule_4(entry: str) -> str:
    """The Schedule 4 entry a review names, in words ("" when none)."""
    if not entry:
        return ""
    try:
        return schedule4.entry(entry).label
    except KeyError:  # an entry of an earlier version of the Schedule
        return entry


@login_required
@require_POST
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor's or safeguarding lead's sign-off, on the version they were shown."""
    version = request.POST.get("version", "")
    try:
        reviewing.sign_off(
            request.user,
            pk,
            expected_version=int(version) if version.isdigit() else -1,
            path=request.path,
        )
    except NotVisible:
        raise Http404(NO_REVIEW) from None
    except reviewing.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except reviewing.Conflict:
        return _show(
            request,
            reviewing.visible_review(request.user, pk, path=request.path),
            error=(
                "This charging review was changed by someone else while you were looking: "
                "nothing was saved. Check it again below before signing it off."
            ),
            status=409,
        )
    except charging.ReviewError as exc:
        message = str(exc)
        return _show(
            request,
            reviewing.visible_review(request.user, pk, path=request.path),
            error=f"{message[:1].upper()}{message[1:]}: nothing was saved.",
            status=422,
        )
    messages.success(request, "Signed off: the charge or caution it decides may now be recorded.")
    return redirect("web:charging-review", pk=pk)


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """The force's charging reviews: those awaiting a sign-off, then the latest ones."""
    scope = policy.charging_reviews(request.user).select_related("person")
    waiting = scope.filter(
        decision__in=list(AUTHORISES), signed_off_at__isnull=True, event__isnull=True
    )
    awaiting = list(waiting.order_by("completed_at", "id")[:AWAITING])
    recent = list(scope.exclude(pk__in=waiting.values("pk")).order_by("-completed_at")[:RECENT])
    listed = awaiting + recent
    reading.audit_listed(
        request.user,
        listed,
        what=reviewing.WHAT,
        path=request.path,
        listing="charging reviews",
    )
    return render(
        request,
        "web/charging/list.html",
        {"awaiting": awaiting, "recent": recent, "signs_off": reviewing.may_sign_off(request.user)},
    )
