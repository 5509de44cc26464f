"""Escalation: a duty past its deadline is put in front of the team's supervisor, then again.

A duty's `next_escalation_at` is set when it is opened (its rule's `escalate.first` after the
deadline) and when its clock restarts (on submission, for the receiver's step). escalate()
raises each duty whose moment has come one level: level 1 tells the supervisors of the
team that owes it; level 2 (the rule's `escalate.again` later) tells them again with the
agency's safeguarding leads. Each is a Notification in the application, and each user told
gets one e-mail per run listing them, through Django's e-mail back end. Notifications clear
themselves when the duty moves on (clear(), called by services.move). Running escalate()
twice tells no one twice.
"""

from collections import Counter
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import transaction

from safeguard.clock import now
from safeguard.records.ages import UK
from safeguard.safeguarding import rules as duty_rules
from safeguard.safeguarding.models import Duty, Notification
from safeguard.safeguarding.states import AWAITING

LAST_LEVEL = 2
CHUNK = 500
# The roles told (accounts.roles.Role values; accounts sits above this layer, which reads
# its memberships through the user model).
SUPERVISOR, SAFEGUARDING_LEAD = "supervisor", "safeguarding_lead"


def escalate(at: datetime | None = None) -> Counter:
    """Escalate every open duty whose escalation moment has passed; return counts by level."""
    at = at or now()
    done: Counter = Counter()
    told: list[Notification] = []
    while True:
        with transaction.atomic():
            due = list(
                Duty.objects.select_for_update()
                .filter(state__in=AWAITING, next_escalation_at__lte=at, escalation__lt=LAST_LEVEL)
                .select_related("person")
                .order_by("next_escalation_at", "id")[:CHUNK]
            )
            if not due:
                break
            told += _escalate_chunk(due, at)
        for duty in due:
            done[duty.escalation] += 1
    _send(told)
    return done


def _escalate_chunk(duties: list[Duty], at: datetime) -> list[Notification]:
    rules = duty_rules.current()
    recipients = _recipients({(d.agency_id, d.team) for d in duties})
    notes: list[Notification] = []
    for duty in duties:
        duty.escalation += 1
        rule = rules.rule(duty.rule)
        if duty.escalation < LAST_LEVEL and rule is not None:
            duty.next_escalation_at = rule.escalate.again.after(duty.next_escalation_at)
        else:
            duty.next_escalation_at = None
        subject, body = _message(duty, at)
        for user_id in recipients[(duty.agency_id, duty.team)][duty.escalation]:
            notes.append(
                Notification(
                    user_id=user_id,
                    duty=duty,
                    level=duty.escalation,
                    subject=subject,
                    body=body,
                    created_at=at,
                )
            )
    Duty.objects.bulk_update(duties, ["escalation", "next_escalation_at"])
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return notes


def _recipients(teams: set[tuple[int, str]]) -> dict[tuple[int, str], dict[int, list[int]]]:
    """Return, per (agency, team), the user ids told at each level.

    Level 1: the team's supervisors (all the agency's supervisors when the team has none of
    its own); level 2: those and the agency's safeguarding leads.
    """
    agencies = {agency for agency, _ in teams}
    members = list(
        get_user_model()
        .objects.filter(
            membership__agency_id__in=agencies,
            membership__role__in=[SUPERVISOR, SAFEGUARDING_LEAD],
            is_active=True,
        )
        .values_list("membership__agency_id", "membership__team", "membership__role", "id")
    )
    found: dict[tuple[int, str], dict[int, list[int]]] = {}
    for agency, team in teams:
        supervisors = [u for a, _, r, u in members if a == agency and r == SUPERVISOR]
        own = [
            u for a, t, r, u in members if a == agency and r == SUPERVISOR and team and t == team
        ]
        leads = [u for a, _, r, u in members if a == agency and r == SAFEGUARDING_LEAD]
        first = own or supervisors
        found[(agency, team)] = {1: first, 2: list(dict.fromkeys(first + leads))}
    return found


def _message(duty: Duty, at: datetime) -> tuple[str, str]:
    title = duty.get_kind_display()
    late = "again: still" if duty.escalation > 1 else "now"
    due = duty.due_at.astimezone(UK).strftime("%-d %b %Y %H:%M")
    subject = f"Overdue ({late}): {title} SG-{duty.pk}, due {due}"
    body = (
        f"{title} SG-{duty.pk} ({duty.get_state_display().lower()}) was due by {due} and is "
        f"{late} overdue. It is escalated to you as a supervisor of the team that owes it "
        f"({duty.team or 'no team recorded'}). Open it in safeguard to see what is needed; "
        "this message clears itself when the duty moves on."
    )
    return subject, body


def _send(notes: list[Notification]) -> None:
    """E-mail each user told in this run once, listing what was escalated to them.

    One message per user and run, not per duty: a supervisor told of forty late referrals
    at once reads one list, not forty messages. Users without an address are told in the
    application only.
    """
    if not notes:
        return
    pending = Notification.objects.filter(
        duty_id__in={n.duty_id for n in notes}, emailed_at__isnull=True, cleared_at__isnull=True
    ).order_by("user_id", "level", "duty_id")
    by_user: dict[int, list[Notification]] = {}
    for note in pending:
        by_user.setdefault(note.user_id, []).append(note)
    emailed = send_lists(
        {user: [n.subject for n in mine] for user, mine in by_user.items()},
        many="{n} overdue duties escalated to you",
        intro=(
            "These duties are past their deadlines and are escalated to you as a supervisor or "
            "safeguarding lead of the agency that owes them. Each clears itself when the duty "
            "moves on."
        ),
    )
    Notification.objects.filter(pk__in=[n.pk for user in emailed for n in by_user[user]]).update(
        emailed_at=now()
    )


def send_lists(lists: dict[int, list[str]], *, many: str, intro: str) -> set[int]:
    """E-mail each user once, listing what reached them; return the users e-mailed.

    Shared by every escalation that tells people by e-mail (the offenders' too: a layer
    above may call this one).

    Args:
        lists: per user id, the subject of each thing that reached them, in order.
        many: the subject of a message listing several, with `{n}` for how many (a message
            of one thing takes that thing's subject).
        intro: the paragraph above the list.

    Returns:
        The ids of the users e-mailed: those with an address. The rest are told in the
        application only.
    """
    users = get_user_model().objects.filter(pk__in=[u for u, items in lists.items() if items])
    emails = dict(users.filter(email__gt="").values_list("pk", "email"))
    messages = [
        EmailMessage(
            items[0] if len(items) == 1 else many.format(n=len(items)),
            intro + "\n\n" + "\n".join(f"- {item}" for item in items),
            settings.DEFAULT_FROM_EMAIL,
            [emails[user]],
        )
        for user, items in lists.items()
        if items and user in emails
    ]
    if messages:
        get_connection().send_messages(messages)
    return {user for user, items in lists.items() if items and user in emails}


def clear(duty: Duty, at: datetime, because: str) -> int:
    """Clear the open notifications about a duty that has moved on; return how many."""
    return Notification.objects.filter(duty=duty, cleared_at__isnull=True).update(
        cleared_at=at, cleared_because=because
    )
