"""Offender management pages: my caseload, the teams' caseloads, a manager's caseload and an
offender's record, with the forms that record what was done (issue 8).

Thin views over accounts (the policy, accounts.caseloads, accounts.managing): an offender,
a caseload or a page outside the user's access is a 404, the attempt logged. Only a police
force's offender managers and supervisors reach these pages (policy.sees_offenders). Every
listing of offenders and every showing of a record is an audited read; every recording an
audited write (accounts.managing), after which the record is shown again with its schedule
as recomputed.
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from safeguard.accounts import caseloads, managing, policy
from safeguard.accounts.acting import display_name
from safeguard.accounts.reading import NotVisible
from safeguard.clock import now
from safeguard.offenders import recording
from safeguard.records.ages import UK
from safeguard.web import offender_forms as of
from safeguard.web.access import page_for, visible_or_404
from safeguard.web.templatetags.errors import error_links

# Offenders a page of a caseload shows: a screenful, like the queue's.
PAGE_SIZE = 50

offender_page = page_for(policy.sees_offenders)


@offender_page
def my_caseload(request: HttpRequest) -> HttpResponse:
    """The offenders the user manages, soonest due first."""
    return _caseload(request, request.user, mine=True)


@offender_page
def manager_caseload(request: HttpRequest, user_id: int) -> HttpResponse:
    """A manager's caseload, for their team and supervisors (a 404 to anyone else)."""
    try:
        manager = caseloads.visible_manager(request.user, user_id, at=now(), path=request.path)
    except NotVisible:
        raise Http404("No such caseload") from None
    return _caseload(request, manager, mine=manager.pk == request.user.pk)


def _caseload(request: HttpRequest, manager, *, mine: bool) -> HttpResponse:
    at = now()
    sort = request.GET.get("sort", "")
    if sort not in {value for value, _ in caseloads.SORTS}:
        sort = caseloads.SORTS[0][0]
    found = caseloads.caseload(request.user, manager.pk, sort)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = caseloads.rows(
        request.user, list(page.object_list), at=at, path=request.path, listing="caseload"
    )
    figures, size = caseloads.size(request.user, manager.pk, at)
    return render(
        request,
        "web/offenders/caseload.html",
        {
            "manager": manager,
            "manager_name": display_name(manager),
            "mine": mine,
            "rows": rows,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "page_query": urlencode({"sort": sort}),
            "sorts": caseloads.SORTS,
            "sort": sort,
            "figures": figures,
            "size": size,
            "overdue_offenders": _late(figures),
        },
    )


def _late(figures: dict[str, int]) -> list[tuple[str, int]]:
    return [
        ("Visits overdue", figures["visits_overdue"]),
        ("Risk reviews overdue", figures["reviews_overdue"]),
        ("Notifications overdue", figures["notifications_overdue"]),
    ]


@offender_page
def teams(request: HttpRequest) -> HttpResponse:
    """Each team's managers, their caseloads against the ceiling and what is due and overdue;
    the alerts told to the user."""
    found = caseloads.teams(request.user, now())
    return render(
        request,
        "web/offenders/caseloads.html",
        {
            "teams": found,
            "told": caseloads.told(request.user, path=request.path),
            # Supervisors are told of what is overdue; offender managers are not.
            "is_told": not caseloads.holds_caseload(request.user),
        },
    )


@offender_page
def offender(request: HttpRequest, pk: int) -> HttpResponse:
    """An offender's record: who they are, their management, schedule and history."""
    try:
        record = managing.read_offender(request.user, pk, path=request.path)
    except NotVisible:
        raise Http404("No such offender") from None
    return render(request, "web/offenders/record.html", {"record": record})


# -- the forms -----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    pk: int,
    form: type[of.OffenderForm],
    save: Callable[..., object],
    template: str,
    done: Callable[[object], str],
    **context,
) -> HttpResponse:
    """Show a recording form for the offender, or record what was posted and go back to the
    record with a message; errors on their fields, with nothing saved."""
    shown = visible_or_404(managing.looked_at, request, pk, "No such offender")
    posted = request.POST if request.method == "POST" else None
    filled = form.made(posted, offender=shown, user=request.user)
    problems: list[str] = []
    if filled.is_bound and filled.is_valid():
        try:
            saved = save(request.user, pk, **filled.values(), path=request.path)
        except NotVisible:
            raise Http404("No such offender") from None
        except recording.Invalid as exc:
            problems = filled.domain_errors(exc.errors)
        else:
            messages.success(request, done(saved))
            return redirect("web:offender", pk=pk)
    return render(
        request,
        f"web/offenders/{template}",
        {
            "offender": shown,
            "form": filled,
            "errors": error_links(filled),
            "problem": " ".join(problems),
            **context,
        },
        status=400 if filled.errors or problems else 200,
    )


def _recording(
    form: type[of.OffenderForm],
    save: Callable[..., object],
    template: str,
    done: Callable[[object], str],
    doc: str,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A page that records one thing for an offender (the form, how it is saved, what the
    message says after)."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _form_page(request, pk, form, save, template, done)

    view.__doc__ = doc
    return view


record_visit = _recording(
    of.VisitForm,
    managing.record_visit,
    "visit.html",
    lambda v: f"Visit of {_when(v.at)} recorded: {v.get_outcome_display().lower()}",
    "Record a home visit made.",
)
record_review = _recording(
    of.ReviewForm,
    managing.record_review,
    "review.html",
    lambda r: f"{r.get_kind_display()} recorded: {r.get_level_display().lower()}",
    "Record a completed risk review.",
)
record_notification = _recording(
    of.NotificationForm,
    managing.record_notification,
    "notification.html",
    lambda n: f"{n.get_kind_display()} recorded as made on {_when(n.notified_at)}",
    "Record a notification the offender made.",
)
change_plan = _recording(
    of.PlanForm,
    managing.change_plan,
    "plan.html",
    lambda o: "Management plan changed",
    "Change the management plan, shown as it stands.",
)


@login_required
@require_http_methods(["GET", "POST"])
def notification_given(request: HttpRequest, pk: int, notification_id: int) -> HttpResponse:
    """Record one of the offender's pending notifications as made."""
    shown = visible_or_404(managing.visible_offender, request, pk, "No such offender")
    pending = managing.pending_notification(shown, notification_id)
    if pending is None:
        raise Http404("No such notification")

    def save(user, offender_id: int, **values):
        return managing.notification_given(user, offender_id, notification_id, **values)

    return _form_page(
        request,
        pk,
        of.NotifiedForm,
        save,
        "given.html",
        lambda n: f"{n.get_kind_display()} recorded as made on {_when(n.notified_at)}",
        notification=pending,
    )


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(UK):%-d %B %Y}" if moment is not None else ""
