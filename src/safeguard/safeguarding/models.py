"""Duties and their history: referrals and the other actions owed to a child who may be a victim.

A Duty is opened by a rule (safeguarding/duties.yaml) for a person, because of an event or a
screening (its triggers). It moves through states (safeguarding/states.py), each step kept
as a Transition with who, when and why. A duty is never deleted; a duty no longer needed is
withdrawn, with a reason.
"""

from django.conf import settings
from django.db import models

from safeguard.records.models import Agency, Event, Person
from safeguard.safeguarding.vocabulary import Decision, Delivery, DutyKind, State
from safeguard.screening.models import Screening


class Duty(models.Model):
    """One duty owed to one person: a referral, a notification, a call or a request."""

    kind = models.CharField(max_length=40, choices=DutyKind.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="duties")
    # The agency that owes the duty (the police force whose record opened it) and the one it
    # goes to (the MASH of the child's home local authority; None when not known yet).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="duties_owed")
    receiver = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="duties_received"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, blank=True)
    # The fields of the child's record shared with the receiver.
    shared = models.JSONField(default=list, blank=True)
    # Adults only: whether they consented to an NRM referral (None: not asked yet).
    consent = models.BooleanField(null=True, blank=True)
    rule = models.CharField(max_length=64, help_text="The rule that opened it.")
    rules_version = models.CharField(max_length=100, help_text="Rules id, version and hash.")
    opened_at = models.DateTimeField()
    started_at = models.DateTimeField(help_text="When its clock started: the trigger's time.")
    due_at = models.DateTimeField(help_text="When its current step is due.")
    escalation = models.PositiveSmallIntegerField(default=0)  # 0 none, 1 supervisor, 2 again
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "duties"
        indexes = [
            models.Index(fields=["state", "due_at"], name="duty_due"),
            models.Index(fields=["person", "kind", "state"], name="duty_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person_id} ({self.state})"


class Trigger(models.Model):
    """What opened a duty, or was added to it while it was open: an event or a screening.

    `key` (rule, person, event or screening) is unique: processing the same event twice
    never opens a duty twice.
    """

    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="triggers")
    key = models.CharField(max_length=120, unique=True)
    rule = models.CharField(max_length=64)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT)
    screening = models.ForeignKey(Screening, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class Transition(models.Model):
    """One step of a duty: from which state to which, who took it, when and why."""

    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    by_name = models.CharField(max_length=200)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'opened'} -> {self.to_state} by {self.by_name}"
