"""Delivery: a submitted referral is sent to its receiver, and whether it arrived is recorded.

Submitting a referral queues it (services.take_steps). deliver() sends each queued one to
its receiving agency's referral address (Agency.referral_address: a secure e-mail inbox,
CJSM or the agency's own secure domain; the SMTP relay is configured in operations.md)
through Django's e-mail back end, with the referral document attached as PDF where the
duty has one (safeguarding/documents.py), and records it as sent, or as failed with the
reason: no receiver, no address, or the relay's refusal. A failed referral stays on record
as failed, for a person to send another way and record it (record_delivery), or to retry
(`safeguard duties deliver --retry-failed`). Acknowledgement is the receiver's step
(services: acknowledged).
"""

from collections import Counter
from datetime import datetime
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from safeguard.clock import now
from safeguard.safeguarding import documents
from safeguard.safeguarding.models import Duty
from safeguard.safeguarding.vocabulary import Delivery

CHUNK = 200


def deliver(*, retry_failed: bool = False, at: datetime | None = None) -> Counter:
    """Send every queued referral (and failed ones, if asked); return counts by outcome."""
    wanted = [Delivery.QUEUED] + ([Delivery.FAILED] if retry_failed else [])
    done: Counter = Counter()
    last = 0
    connection = get_connection()
    while True:
        duties = list(
            Duty.objects.filter(delivery__in=wanted, id__gt=last)
            .select_related("receiver")
            .order_by("id")[:CHUNK]
        )
        if not duties:
            return done
        last = duties[-1].pk
        for duty in duties:
            outcome, note = _send(duty, connection)
            record_delivery(duty, outcome, note=note, at=at)
            done[outcome] += 1


def _send(duty: Duty, connection) -> tuple[str, str]:
    """Send one referral; return the outcome and a note saying how, or why it failed."""
    if duty.receiver is None:
        return Delivery.FAILED, "no receiving agency is recorded (no MASH for the home area?)"
    address = duty.receiver.referral_address
    if not address:
        return Delivery.FAILED, f"{duty.receiver.name} has no referral address"
    title = duty.get_kind_display()
    message = EmailMessage(
        f"OFFICIAL-SENSITIVE: {title} SG-{duty.pk}",
        (
            f"{title} SG-{duty.pk} from {duty.agency.name}.\n\n"
            "The referral is attached. Please acknowledge it and record your decision; the "
            "referring officer is told of the outcome."
        ),
        settings.DEFAULT_FROM_EMAIL,
        [address],
        connection=connection,
    )
    if duty.kind in documents.DEFAULT_SHARED:
        message.attach(f"SG-{duty.pk}.pdf", documents.render_pdf(duty), "application/pdf")
    try:
        message.send()
    except (SMTPException, OSError) as exc:
        return Delivery.FAILED, f"the mail relay refused it: {exc}"[:500]
    return Delivery.SENT, f"e-mailed to {address}"


def record_delivery(
    duty: Duty, outcome: str, *, note: str = "", at: datetime | None = None
) -> Duty:
    """Record how a referral's delivery went: sent (by this system or another way) or failed."""
    if outcome not in (Delivery.SENT, Delivery.FAILED):
        raise ValueError(f"a delivery is sent or failed, not {outcome!r}")
    with transaction.atomic():
        duty = Duty.objects.select_for_update().get(pk=duty.pk)
        if duty.delivery == Delivery.ACKNOWLEDGED:
            return duty  # the receiver has it: nothing to record
        duty.delivery = outcome
        duty.delivery_note = note[:500]
        duty.delivered_at = (at or now()) if outcome == Delivery.SENT else None
        duty.version += 1
        duty.save(update_fields=["delivery", "delivery_note", "delivered_at", "version"])
    return duty
