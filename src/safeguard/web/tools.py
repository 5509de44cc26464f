"""The legal tools page: the force's tool recommendations, with their reasons and evidence.

Each recommendation (safeguarding/recommending.py) names the tool, whom it is against, the
children it would protect and the records behind it. A safeguarding lead, supervisor or
analyst records it as actioned, or declined with a reason, on the version shown
(accounts.deciding): if someone else decided it meanwhile, the decision is refused with a
conflict message and nothing is overwritten. Listing recommendations is a read of each
person they name, and is audited.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safeguard.accounts import deciding, policy, reading
from safeguard.audit import log
from safeguard.records.models import Event, Person
from safeguard.safeguarding import tools as catalogue
from safeguard.safeguarding.models import ToolRecommendation
from safeguard.safeguarding.recommending import RecommendationConflict, RecommendationError
from safeguard.safeguarding.vocabulary import RecommendationStatus
from safeguard.web.access import visible_or_404

LIMIT = 200
ALL = "all"
# The filters offered, the first the default: (value, label).
FILTERS = (
    (RecommendationStatus.RECOMMENDED, "Open (not yet decided)"),
    (RecommendationStatus.ACTIONED, "Actioned"),
    (RecommendationStatus.DECLINED, "Declined"),
    (ALL, "All"),
)


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        choices=(
            (RecommendationStatus.ACTIONED, "Actioned: the tool is being used"),
            (RecommendationStatus.DECLINED, "Declined"),
        ),
        widget=forms.RadioSelect,
        error_messages={"required": "Select actioned or declined"},
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


@dataclass
class Row:
    """A recommendation as the page shows it, with what the user may see of its records."""

    recommendation: ToolRecommendation
    title: str
    citation: str
    note: str
    protects: list[Person] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    unseen: int = 0  # the records behind it that are outside the user's access
    form: DecisionForm | None = None  # the decision form sent back with its errors


def _rows(user, found: list[ToolRecommendation]) -> list[Row]:
    known = {t.id: t for t in catalogue.current().tools}
    people = {
        p.pk: p
        for p in policy.persons(user).filter(pk__in={c for r in found for c in r.protects or ()})
    }
    events = {
        e.pk: e
        for e in policy.events(user).filter(pk__in={e for r in found for e in r.events or ()})
    }
    rows = []
    for r in found:
        tool = known.get(r.tool)
        seen = [events[e] for e in r.events or () if e in events]
        rows.append(
            Row(
                recommendation=r,
                title=tool.title if tool else r.tool,
                citation=tool.citation if tool else "",
                note=(tool.note or "") if tool else "",
                protects=[people[c] for c in r.protects or () if c in people],
                events=sorted(seen, key=lambda e: (e.occurred_at, e.pk)),
                unseen=len(r.events or ()) - len(seen),
            )
        )
    return rows


def _listed(request: HttpRequest, wanted: str) -> list[ToolRecommendation]:
    found = policy.recommendations(request.user).select_related("subject")
    if wanted != ALL:
        found = found.filter(status=wanted)
    rows = list(found.order_by("-recommended_at", "-id")[:LIMIT])
    who = reading.actor(request.user)
    entries = [
        {
            "action": "read",
            **who,
            "what": deciding.WHAT,
            "object_id": str(r.pk),
            "person_id": person_id,
            "detail": {"path": request.path, "list": "tool recommendations"},
        }
        for r in rows
        for person_id in dict.fromkeys([r.subject_id, *(r.protects or ())])
    ]
    if entries:
        log.record_many(entries)
    return rows


def _page(
    request: HttpRequest,
    wanted: str,
    *,
    form: DecisionForm | None = None,
    target: ToolRecommendation | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    found = _listed(request, wanted)
    if target is not None and target.pk not in {r.pk for r in found}:
        found.insert(0, target)  # the one whose form is sent back, whatever the filter
    rows = _rows(request.user, found)
    for row in rows:
        if target is not None and row.recommendation.pk == target.pk:
            row.form = form
    summary = []
    if form is not None and target is not None:
        ids = {"status": f"status-{target.pk}", "reason": f"reason-{target.pk}"}
        summary = [
            (ids[name], e) for name in ("status", "reason") for e in form.errors.get(name, ())
        ]
    return render(
        request,
        "web/tools/list.html",
        {
            "rows": rows,
            "filters": FILTERS,
            "wanted": wanted,
            "decides": deciding.may_decide(request.user),
            "form": form,
            "summary": summary,
            "error": error,
        },
        status=status,
    )


def _wanted(value: str) -> str:
    return value if value in {v for v, _ in FILTERS} else RecommendationStatus.RECOMMENDED


@login_required
def tools(request: HttpRequest) -> HttpResponse:
    """The force's recommendations of the status asked for (open ones by default)."""
    return _page(request, _wanted(request.GET.get("status", "")))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision on one recommendation: actioned, or declined with a reason."""
    shown = visible_or_404(deciding.visible_recommendation, request, pk, "No such recommendation")
    if not deciding.may_decide(request.user):
        raise PermissionDenied("not a role that decides recommendations")
    wanted = _wanted(request.POST.get("shown", ""))
    form = DecisionForm(request.POST)
    if "version" in form.errors:  # not from the page: nothing to check it against
        return _page(request, wanted, error="Reload the page and decide again.", status=400)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = deciding.decide(
                request.user,
                pk,
                data["status"],
                reason=data["reason"],
                expected_version=data["version"],
                path=request.path,
            )
        except RecommendationConflict:
            return _page(
                request,
                wanted,
                error=(
                    f"The recommendation of {_what(shown)} was changed by someone else while "
                    "you were looking: nothing was saved. Check it again below."
                ),
                status=409,
            )
        except RecommendationError as exc:
            message = f"{str(exc)[:1].upper()}{str(exc)[1:]}"
            if "reason" not in str(exc):  # not about this form's fields: already decided
                return _page(request, wanted, error=f"{message}: nothing was saved.", status=422)
            form.add_error("reason", message)
        else:
            messages.success(request, f"{_what(decided)}: {decided.get_status_display().lower()}")
            return redirect(f"{reverse('web:tools')}?status={wanted}")
    return _page(request, wanted, form=form, target=shown)


def _what(recommendation: ToolRecommendation | None) -> str:
    if recommendation is None:
        return "this tool"
    known = {t.id: t.title for t in catalogue.current().tools}
    return known.get(recommendation.tool, recommendation.tool)
