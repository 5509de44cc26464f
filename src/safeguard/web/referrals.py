"""Referrals: a referral's page and document, a partner agency's inbox, and "my referrals".

Nothing here decides who may see or do what: a referral is reached only through
accounts.acting.visible_duty (policy.duties; outside the user's scope it is a 404 and the
attempt is logged), the steps a user's side may take come from accounts.acting, and what each
side sees of it comes from accounts.referrals (a receiving agency: what the referral shares).
Every read is audited; every step is decided on the version shown, and a stale one is
refused (409) with nothing saved.
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safeguard.accounts import acting, policy
from safeguard.accounts import referrals as seeing
from safeguard.accounts.reading import NotVisible, audit_listed, audited
from safeguard.clock import now
from safeguard.records.ages import age_on
from safeguard.safeguarding import documents, services, states
from safeguard.safeguarding.models import Duty, Transition
from safeguard.safeguarding.vocabulary import Decision, DutyKind, State
from safeguard.web.access import visible_or_404
from safeguard.web.queue import time_left

LIMIT = 200
MAX_REASON = 2000
# The inbox's filters: (label, states), in the order the tabs are shown.
INBOX_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "new": ("New", (State.SUBMITTED,)),
    "acknowledged": ("Acknowledged", (State.ACKNOWLEDGED,)),
    "decided": ("Decided", (State.DECISION_RECORDED, State.CLOSED)),
    "rejected": ("Rejected", (State.REJECTED,)),
}
# The outcome a receiver records, as the referrer learns it.
OUTCOMES = (State.DECISION_RECORDED, State.REJECTED)


# -- what the user may do ----------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One thing the user may do to a referral now, drawn as one form."""

    name: str  # the form's "action": make, consent, withdraw, close, acknowledge, ...
    label: str
    to: str = ""  # the state it moves the duty to ("" for consent)
    decision: str = ""  # a fixed decision (accept)
    decisions: tuple[tuple[str, str], ...] = ()  # the decisions to choose from
    reason: str = ""  # "required", "optional" or "" (no reason asked)
    reason_label: str = ""
    reason_missing: str = ""  # the error when a required reason is not given
    warning: bool = False  # drawn as a warning button (withdraw, reject)

    @property
    def has_fields(self) -> bool:
        return bool(self.decisions or self.reason or self.name == "consent")


def _decisions(duty: Duty) -> tuple[tuple[str, str], ...]:
    """The decisions the domain rules (safeguarding.states) allow on this duty now.

    "Done" is left out: it is for the duties police carry out themselves, which have no
    receiver to record it.
    """
    found = []
    for decision in Decision:
        if decision == Decision.DONE:
            continue
        try:
            states.check(
                duty.kind,
                duty.state,
                State.DECISION_RECORDED,
                decision=decision,
                decided=duty.decision,
            )
        except states.TransitionError:
            continue
        found.append((decision.value, decision.label))
    return tuple(found)


def actions_for(user, duty: Duty) -> tuple[Action, ...]:
    """Return what the user's side may do to the duty in its state (accounts.acting)."""
    allowed = acting.steps_for(user, duty)
    nexts = states.NEXT.get(duty.state, frozenset()) & allowed
    found: list[Action] = []
    asks_consent = services.needs_consent(duty) and duty.consent is None
    if duty.state == State.DRAFT and State.SUBMITTED in nexts and asks_consent:
        found.append(
            Action(
                "consent",
                "Record their consent",
                reason="optional",
                reason_label="Note (optional)",
            )
        )
    elif acting.may_finish(user, duty):
        # No agency receives it: made, decided "done" and closed at once (acting.finish).
        found.append(Action("done", "Mark as done", to=State.CLOSED))
    elif duty.state == State.DRAFT and State.SUBMITTED in nexts:
        found.append(Action("make", "Mark as made", to=State.SUBMITTED))
    if duty.state == State.SUBMITTED and State.ACKNOWLEDGED in nexts:
        found.append(Action("acknowledge", "Acknowledge", to=State.ACKNOWLEDGED))
    decisions = _decisions(duty) if State.DECISION_RECORDED in nexts else ()
    if (Decision.ACCEPTED.value, Decision.ACCEPTED.label) in decisions:
        found.append(
            Action("accept", "Accept", to=State.DECISION_RECORDED, decision=Decision.ACCEPTED)
        )
    if decisions:
        found.append(
            Action(
                "decide",
                "Record the outcome" if duty.kind != DutyKind.NRM_REFERRAL else "Record decision",
                to=State.DECISION_RECORDED,
                decisions=decisions,
                reason="optional",
                reason_label="Note (optional)",
            )
        )
    if State.REJECTED in nexts:
        found.append(
            Action(
                "reject",
                "Reject",
                to=State.REJECTED,
                reason="required",
                reason_label="Why are you rejecting it?",
                reason_missing="Enter why you are rejecting it",
                warning=True,
            )
        )
    # Closed once nothing more is to be decided (an NRM referral with positive reasonable
    # grounds waits for its conclusive grounds decision).
    if State.CLOSED in nexts and duty.state == State.DECISION_RECORDED and not _decisions(duty):
        found.append(
            Action(
                "close", "Close", to=State.CLOSED, reason="optional", reason_label="Note (optional)"
            )
        )
    if State.WITHDRAWN in nexts:
        found.append(
            Action(
                "withdraw",
                "Withdraw",
                to=State.WITHDRAWN,
                reason="required",
                reason_label="Why is it withdrawn?",
                reason_missing="Enter why it is withdrawn",
                warning=True,
            )
        )
    return tuple(found)


class ActionForm(forms.Form):
    """What one action posts: the version it was decided on, and its decision or reason."""

    version = forms.IntegerField(min_value=1)
    decision = forms.CharField(required=False)
    reason = forms.CharField(required=False, max_length=MAX_REASON)
    consent = forms.ChoiceField(required=False, choices=[("yes", "Yes"), ("no", "No")])

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["reason"].error_messages["max_length"] = (
            f"Keep it to {MAX_REASON} characters or fewer"
        )

    def clean(self):
        data = super().clean()
        action = self.action
        if action.reason == "required" and not (data.get("reason") or "").strip():
            self.add_error("reason", action.reason_missing)
        if action.decisions and data.get("decision") not in dict(action.decisions):
            self.add_error("decision", "Select the decision")
        if action.name == "consent" and data.get("consent") not in ("yes", "no"):
            self.add_error("consent", "Select whether they consent to the referral")
        return data


# -- the referral's page -----------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Duty:
    return visible_or_404(acting.visible_duty, request, pk, "No such referral")


def _audit(request: HttpRequest, duty: Duty, action: str = "read", **detail) -> None:
    audited(request.user, action, duty, what=acting.WHAT, path=request.path, detail=detail)


def _page(request, duty: Duty, *, status=200, problem="", failed="", form=None) -> HttpResponse:
    view = seeing.seen(request.user, duty)
    _audit(request, duty, parts=sorted(view.parts))
    moment = now()
    shown = [(a, form if a.name == failed else None) for a in actions_for(request.user, duty)]
    return render(
        request,
        "web/referrals/referral.html",
        {
            "duty": duty,
            "seen": view,
            "actions": shown,
            "awaiting": duty.state in states.AWAITING,
            "overdue": duty.due_at < moment,
            "time_left": time_left(duty.due_at - moment),
            "consent_asked": services.needs_consent(duty),
            "problem": problem,
            # The failed action's errors, linked to its fields ({action}-{field}: _action.html).
            "errors": [
                (f"{failed}-{name}", error)
                for name, errors in (form.errors.items() if form is not None else ())
                for error in errors
            ],
            "failed": failed,
            "form": form,
        },
        status=status,
    )


def _conflict(pk: int) -> str:
    return (
        f"SG-{pk} was changed by someone else while you were looking: nothing was saved. "
        "Check it again below and decide again."
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral: the duty, why it was opened, its history, and what the user may do now."""
    duty = _visible(request, pk)
    if request.method == "GET":
        return _page(request, duty)
    name = request.POST.get("action", "")
    version = request.POST.get("version", "")
    if not version.isdigit() or int(version) != duty.version:
        return _page(request, duty, status=409, problem=_conflict(pk))
    action = {a.name: a for a in actions_for(request.user, duty)}.get(name)
    if action is None:
        problem = f"SG-{pk} cannot be changed that way by you now: nothing was saved."
        return _page(request, duty, status=422, problem=problem)
    form = ActionForm(request.POST, action=action)
    if not form.is_valid():
        return _page(request, duty, status=400, failed=name, form=form)
    data = form.cleaned_data
    try:
        if action.name == "consent":
            notify = acting.record_consent(
                request.user,
                pk,
                data["consent"] == "yes",
                note=data["reason"].strip(),
                expected_version=data["version"],
                path=request.path,
            )
            done = (
                "consent recorded"
                if notify is None
                else (f"withdrawn: the Home Office is notified without their name (SG-{notify.pk})")
            )
        elif action.name == "done":
            acting.finish(request.user, pk, expected_version=data["version"], path=request.path)
            done = "done and closed"
        else:
            moved = acting.step(
                request.user,
                pk,
                action.to,
                reason=data["reason"].strip(),
                decision=(
                    (action.decision or data["decision"])
                    if action.to == State.DECISION_RECORDED
                    else ""
                ),
                expected_version=data["version"],
                path=request.path,
            )
            done = moved.get_state_display().lower()
            if moved.decision and action.to == State.DECISION_RECORDED:
                done += f": {moved.get_decision_display().lower()}"
    except NotVisible:
        raise Http404("No such referral") from None
    except states.ConflictError:
        return _page(request, _visible(request, pk), status=409, problem=_conflict(pk))
    except (states.TransitionError, acting.NotYourStep) as exc:
        return _page(request, _visible(request, pk), status=422, problem=f"SG-{pk}: {exc}")
    messages.success(request, f"SG-{pk}: {done}")
    if request.POST.get("next") == "inbox":
        return redirect("web:inbox")
    return redirect("web:referral", pk=pk)


# -- the referral document ---------------------------------------------------------------

STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def _allow_its_style(response: HttpResponse, html: str) -> None:
    """Let this one response's own <style> block(s) apply, by hash, and nothing else.

    What django-csp's csp_update decorator does for a fixed policy, for a hash known only
    once the document is rendered; the site-wide policy is unchanged.
    """
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in STYLE_BLOCK.findall(html)
    ]
    if hashes:
        response._csp_update = {"style-src": hashes}


def _documented(request: HttpRequest, pk: int) -> Duty:
    duty = _visible(request, pk)
    if duty.kind not in documents.DEFAULT_SHARED:
        raise Http404("No document is made for this kind of duty")
    return duty


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral document as the receiving agency gets it, printable."""
    duty = _documented(request, pk)
    html = documents.render_html(duty)
    _audit(request, duty, document="html", shared=list(documents.shared_groups(duty)))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    _allow_its_style(response, html)
    return response


@login_required
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral document as a PDF download, logged as an export."""
    duty = _documented(request, pk)
    pdf = documents.render_pdf(duty)
    _audit(request, duty, "export", format="pdf", shared=list(documents.shared_groups(duty)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="SG-{duty.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# -- the inbox and "my referrals" ----------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    duty: Duty
    child: str
    received_at: datetime | None
    time_left: str
    overdue: bool
    actions: tuple[Action, ...]

    @property
    def prefix(self) -> str:
        """Makes the ids of this row's form fields unique on the page."""
        return f"sg{self.duty.pk}-"


def _audit_list(request: HttpRequest, duties: list[Duty], listing: str) -> None:
    audit_listed(request.user, duties, what=acting.WHAT, path=request.path, listing=listing)


def _child_words(duty: Duty) -> str:
    """The child as the inbox names them: by name only where the referral shares identity
    (every row is a referral the user's agency received, so policy allows what it shares)."""
    if "identity" in seeing.shared_by(duty):
        p = duty.person
        return f"{p.given_name} {p.family_name}".strip() or f"Record {p.source_ref}"
    age = age_on(duty.person.date_of_birth, now())
    return "Not named" + (f" (aged {age})" if age is not None else "")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The referrals the user's agency received, newest first, by state."""
    who = policy.viewer(request.user)
    received = policy.duties(request.user).filter(receiver_id=who.agency_id if who else None)
    counts = dict(received.values_list("state").annotate(n=Count("id")).order_by())
    chosen = request.GET.get("state", "")
    if chosen not in INBOX_FILTERS:
        chosen = ""
    if chosen:
        received = received.filter(state__in=INBOX_FILTERS[chosen][1])
    duties = list(
        received.select_related("person", "agency", "receiver")
        .annotate(
            received_at=Max("transitions__at", filter=Q(transitions__to_state=State.SUBMITTED))
        )
        .order_by("-received_at", "-id")[:LIMIT]
    )
    _audit_list(request, duties, "inbox")
    moment = now()
    rows = [
        InboxRow(
            duty=d,
            child=_child_words(d),
            received_at=d.received_at,
            time_left=time_left(d.due_at - moment) if d.state in states.AWAITING else "",
            overdue=d.state in states.AWAITING and d.due_at < moment,
            actions=actions_for(request.user, d),
        )
        for d in duties
    ]
    tabs = [("", "All", sum(counts.values()))] + [
        (key, label, sum(counts.get(s, 0) for s in wanted))
        for key, (label, wanted) in INBOX_FILTERS.items()
    ]
    return render(
        request,
        "web/referrals/inbox.html",
        {
            "rows": rows,
            "tabs": tabs,
            "chosen": chosen,
            "receives": bool(who and who.partner),
            "limit": LIMIT,
        },
    )


@dataclass(frozen=True)
class MadeRow:
    duty: Duty
    made_at: datetime
    acknowledged_at: datetime | None
    outcome: Transition | None  # the receiver's decision or rejection


@login_required
def my_referrals(request: HttpRequest) -> HttpResponse:
    """The referrals this user made (marked as made), and what the receiver decided."""
    duties = list(
        policy.duties(request.user)
        .filter(transitions__by=request.user, transitions__to_state=State.SUBMITTED)
        .select_related("person", "receiver")
        .annotate(
            made_at=Max(
                "transitions__at",
                filter=Q(transitions__by=request.user, transitions__to_state=State.SUBMITTED),
            )
        )
        .prefetch_related("transitions")
        .order_by("-made_at", "-id")[:LIMIT]
    )
    _audit_list(request, duties, "my referrals")
    rows = []
    for d in duties:
        steps = list(d.transitions.all())  # in order: Transition.Meta.ordering
        acknowledged = [t.at for t in steps if t.to_state == State.ACKNOWLEDGED]
        outcomes = [t for t in steps if t.to_state in OUTCOMES]
        rows.append(
            MadeRow(
                duty=d,
                made_at=d.made_at,
                acknowledged_at=acknowledged[-1] if acknowledged else None,
                outcome=outcomes[-1] if outcomes else None,
            )
        )
    return render(request, "web/referrals/my_referrals.html", {"rows": rows, "limit": LIMIT})
