"""The safeguarding queue: the referrals and duties waiting for a step, soonest due first.

Police see what their force owes (to make, or waiting for the receiver); a partner agency
sees what it has received and not yet decided. Each row offers its side's next steps
(accounts.acting; a duty no agency receives, such as a custody call, is marked as done in
one step), decided on the version shown: if someone else moved the duty meanwhile,
the step is refused with a conflict message and nothing is overwritten.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguard.accounts import acting, policy
from safeguard.accounts.reading import NotVisible, audit_listed
from safeguard.clock import now
from safeguard.safeguarding.models import Duty, Trigger
from safeguard.safeguarding.states import AWAITING, ConflictError, TransitionError
from safeguard.safeguarding.vocabulary import Decision, State

# Rows a page of the queue shows, soonest due first: a screenful to work through, and the
# page's cost (rendered rows, audited reads) stays flat however long the queue grows.
PAGE_SIZE = 50
# The decisions a receiver records from the queue (the NRM's grounds decisions on its page).
QUEUE_DECISIONS = (Decision.ACCEPTED, Decision.NO_FURTHER_ACTION)


@dataclass(frozen=True)
class Row:
    duty: Duty
    left: timedelta  # negative when overdue
    actions: tuple[tuple[str, str], ...]  # (state, label) the user may take now
    found: tuple[str, ...] = ()  # what its triggers found, in words (an offender alert)

    @property
    def overdue(self) -> bool:
        return self.left < timedelta(0)

    @property
    def time_left(self) -> str:
        return time_left(self.left)


def time_left(left: timedelta) -> str:
    """Return the time to a deadline in words: "5 hours left", "3 days overdue"."""
    hours = abs(left.total_seconds()) / 3600
    span = f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"
    return f"{span} overdue" if left < timedelta(0) else f"{span} left"


# The triggers that say in words what they found (an offender alert: never who the offender
# is), shown in the row: one query for the page.
FOUND = Prefetch(
    "triggers", queryset=Trigger.objects.exclude(reason="").order_by("at", "id"), to_attr="found"
)
# What the queue posts as `to` to mark a duty no agency receives as done (acting.finish).
DONE = "done"


def _actions(user, duty: Duty) -> tuple[tuple[str, str], ...]:
    if acting.may_finish(user, duty):
        return ((DONE, "Mark as done"),)
    allowed = acting.steps_for(user, duty)
    nexts = {
        State.DRAFT: ((State.SUBMITTED, "Mark as made"),),
        State.SUBMITTED: ((State.ACKNOWLEDGED, "Acknowledge"),),
        State.ACKNOWLEDGED: ((State.DECISION_RECORDED, "Record decision"),),
    }.get(duty.state, ())
    return tuple((to, label) for to, label in nexts if to in allowed)


@login_required
def queue(request: HttpRequest, status: int = 200) -> HttpResponse:
    waiting = (
        policy.duties(request.user)
        .filter(state__in=AWAITING)
        .select_related("person", "receiver", "agency")
        .prefetch_related(FOUND)
        .order_by("due_at", "id")
    )
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    duties = list(page.object_list)
    audit_listed(request.user, duties, what="safeguarding.duty", path=request.path, listing="queue")
    moment = now()
    rows = [
        Row(d, d.due_at - moment, _actions(request.user, d), tuple(t.reason for t in d.found))
        for d in duties
    ]
    return render(
        request,
        "web/queue.html",
        {
            "rows": rows,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "decisions": [(d.value, d.label) for d in QUEUE_DECISIONS],
        },
        status=status,
    )


@login_required
@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    version = request.POST.get("version", "")
    to = request.POST.get("to", "")
    expected = int(version) if version.isdigit() else -1
    try:
        if to == DONE:
            duty = acting.finish(request.user, pk, expected_version=expected, path=request.path)
        else:
            duty = acting.step(
                request.user,
                pk,
                to,
                decision=request.POST.get("decision", "") if to == State.DECISION_RECORDED else "",
                reason=request.POST.get("reason", "")[:2000],
                expected_version=expected,
                path=request.path,
            )
    except NotVisible:
        raise Http404("No such referral") from None
    except ConflictError:
        messages.error(
            request,
            f"SG-{pk} was changed by someone else while you were looking: nothing was saved. "
            "Check it again below.",
        )
        return queue(request, status=409)
    except (TransitionError, acting.NotYourStep) as exc:
        messages.error(request, f"SG-{pk}: {exc}")
        return queue(request, status=422)
    done = "done and closed" if to == DONE else duty.get_state_display().lower()
    messages.success(request, f"SG-{duty.pk}: {done}")
    return redirect("web:queue")
