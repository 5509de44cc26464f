"""Delivery of submitted referrals to the receiving agency, and its status."""

from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail

from safeguard.records.models import Agency
from safeguard.safeguarding import delivery, services
from safeguard.safeguarding.models import Duty
from tests.safeguarding.test_duties import WORLD, _event


@pytest.fixture
def submitted(record) -> Duty:
    record(*WORLD)
    Agency.objects.filter(code="blackpool-cs").update(referral_address="mash@blackpool.example")
    record(_event("A1", "arrest", "2025-03-07T18:00:00Z", ("KID", "suspect")))
    duty = Duty.objects.get()
    services.move(duty, "submitted", by_name="PC Jones")
    duty.refresh_from_db()
    assert duty.delivery == "queued"
    return duty


def test_a_submitted_referral_is_sent_to_its_receiver_with_the_document(submitted):
    assert delivery.deliver() == {"sent": 1}
    [email] = mail.outbox
    assert email.to == ["mash@blackpool.example"]
    assert f"SG-{submitted.pk}" in email.subject and "OFFICIAL-SENSITIVE" in email.subject
    [(name, content, kind)] = email.attachments
    assert (name, kind) == (f"SG-{submitted.pk}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    submitted.refresh_from_db()
    assert submitted.delivery == "sent" and submitted.delivered_at is not None
    assert delivery.deliver() == {}  # sent once


def test_a_receiver_without_an_address_is_a_failed_delivery_with_the_reason(submitted):
    Agency.objects.filter(code="blackpool-cs").update(referral_address="")
    assert delivery.deliver() == {"failed": 1}
    submitted.refresh_from_db()
    assert submitted.delivery == "failed"
    assert "has no referral address" in submitted.delivery_note
    assert not mail.outbox
    # Fixed, it goes on a retry; not without one.
    Agency.objects.filter(code="blackpool-cs").update(referral_address="mash@blackpool.example")
    assert delivery.deliver() == {}
    assert delivery.deliver(retry_failed=True) == {"sent": 1}


def test_a_relay_refusal_is_recorded_as_failed(submitted, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise SMTPRecipientsRefused({"mash@blackpool.example": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert delivery.deliver() == {"failed": 1}
    submitted.refresh_from_db()
    assert "the mail relay refused it" in submitted.delivery_note


def test_an_acknowledged_referral_keeps_its_acknowledgement(submitted):
    services.move(submitted, "acknowledged", by_name="MASH duty worker")
    delivery.record_delivery(submitted, "sent", note="by hand")
    submitted.refresh_from_db()
    assert submitted.delivery == "acknowledged"
    with pytest.raises(ValueError, match="sent or failed"):
        delivery.record_delivery(submitted, "queued")
