"""Duties and their history: referrals and the other actions owed to a child who may be a victim.

A Duty is opened by a rule (safeguarding/duties.yaml) for a person, because of an event, a
screening or an offender alert (its triggers). It moves through states (safeguarding/states.py),
each step kept as a Transition with who, when and why. A duty is never deleted; a duty no
longer needed is withdrawn, with a reason.
"""

from django.conf import settings
from django.db import models

from safeguard.records.models import Agency, Event, Person
from safeguard.safeguarding.vocabulary import (
    Decision,
    Delivery,
    Disposal,
    DutyKind,
    RecommendationStatus,
    ReviewDecision,
    State,
)
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
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_note = models.CharField(max_length=500, blank=True)  # why it failed, or how sent
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
    # The team of the owing agency that does it; its supervisors are told when it is late.
    team = models.CharField(max_length=200, blank=True)
    # Optimistic locking: a step names the version it was decided on; a step taken on an
    # older version (someone else moved the duty meanwhile) is refused, not merged.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "duties"
        indexes = [
            models.Index(fields=["state", "due_at"], name="duty_due"),
            models.Index(fields=["person", "kind", "state"], name="duty_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person_id} ({self.state})"


class Trigger(models.Model):
    """What opened a duty, or was added to it while it was open: an event, a screening, or
    an offender alert (neither: its key names it, `reason` says what it found).

    `key` (rule, person, event, screening or alert) is unique: processing the same event
    twice never opens a duty twice.
    """

    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="triggers")
    key = models.CharField(max_length=120, unique=True)
    rule = models.CharField(max_length=64)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT)
    screening = models.ForeignKey(Screening, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField()
    # What a trigger that is neither an event nor a screening found, in words that every
    # user who sees the duty may read (an offender alert never names the offender).
    reason = models.TextField(blank=True)

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


class Notification(models.Model):
    """A message to one user in the application (and by e-mail): an escalation, an alert.

    It clears itself when what it is about moves on (a duty takes its next step); it is
    never deleted, so that who was told, and when, stays on record.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    duty = models.ForeignKey(
        Duty, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    level = models.PositiveSmallIntegerField(default=1)  # the escalation it announces
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_because = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "cleared_at"], name="notification_open")]
        constraints = [
            # One notification per user, duty and escalation level: escalating is idempotent.
            models.UniqueConstraint(
                fields=["user", "duty", "level"], name="notification_once_per_level"
            )
        ]

    def __str__(self) -> str:
        return self.subject


class ChargingReview(models.Model):
    """The charging review of a child with signs of exploitation, before any charge or caution.

    The staged questions of the CPS legal guidance on suspects who may be victims of
    trafficking or slavery, with the s45 Modern Slavery Act 2015 elements for a child
    (safeguarding/charging.py applies the block; docs/rules.md gives the sources). One review
    authorises at most one charge or caution (`event`).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="charging_reviews")
    source_ref = models.CharField(max_length=200)
    source_hash = models.CharField(max_length=64, blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="charging_reviews")
    proposed = models.CharField(max_length=24, choices=Disposal.choices)
    offence = models.CharField(max_length=300)
    # What the reviewer saw: the person's screening and NRM status when the review was made.
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nrm_status = models.CharField(max_length=300, blank=True)
    # The evidence as it stood when the review was completed (screened then, not stored): a
    # charge later than new evidence needs a new review.
    level_seen = models.CharField(max_length=8, blank=True)
    indicators_seen = models.JSONField(default=list, blank=True)
    # Stage 1: is there reason to believe the suspect is a victim of trafficking or slavery?
    reason_to_believe_victim = models.BooleanField()
    # Stage 2: is there clear evidence of a credible common-law defence of duress?
    duress = models.BooleanField()
    # Stage 3: the s45(4) elements for a child, and whether Schedule 4 excludes the offence.
    under_18_at_offence = models.BooleanField()
    direct_consequence = models.BooleanField(
        help_text="The act was done as a direct consequence of being a victim of exploitation."
    )
    reasonable_person = models.BooleanField(
        help_text="A reasonable person in the same situation, with the child's relevant "
        "characteristics, would do that act."
    )
    schedule_4 = models.CharField(
        max_length=64, blank=True, help_text="The Schedule 4 entry excluding the offence, if any."
    )
    # Stage 4: is prosecution (or a caution) in the public interest?
    public_interest = models.BooleanField()
    notes = models.JSONField(default=dict, blank=True)  # a note per question, where given
    decision = models.CharField(max_length=24, choices=ReviewDecision.choices)
    rationale = models.TextField()
    reviewer_name = models.CharField(max_length=200)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charging_reviews_made",
    )
    completed_at = models.DateTimeField()
    # A decision to charge or caution despite signs of exploitation needs a supervisor.
    supervisor_name = models.CharField(max_length=200, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charging_reviews_signed",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # Set when the review authorises a charge or caution: which one, and whether the child
    # had signs of exploitation then (counted for inspection).
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="charging_review"
    )
    despite_indicators = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source_ref"], name="charging_review_source_unique"
            )
        ]
        indexes = [models.Index(fields=["person", "completed_at"], name="review_person")]

    def __str__(self) -> str:
        return f"Charging review of {self.person_id}: {self.get_decision_display()}"


class ToolRecommendation(models.Model):
    """A legal tool the system recommends against an exploiter, or to protect a child.

    Opened by a condition of the tools catalogue (safeguarding/tools.yaml) with the reasons
    in words and the events behind them; a person then records it as actioned, or declined
    with a reason. `key` (tool, subject, trigger) is unique: recommending is idempotent.
    """

    key = models.CharField(max_length=160, unique=True)
    tool = models.CharField(max_length=64)
    catalogue = models.CharField(max_length=100, help_text="Catalogue id, version and hash.")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="tool_recommendations"
    )
    subject = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="tool_recommendations"
    )
    # The children the tool would protect (person ids), and the events it rests on.
    protects = models.JSONField(default=list, blank=True)
    events = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list)
    recommended_at = models.DateTimeField()
    status = models.CharField(
        max_length=16,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.RECOMMENDED,
    )
    status_reason = models.TextField(blank=True)
    status_by_name = models.CharField(max_length=200, blank=True)
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["status", "tool"], name="recommendation_status")]

    def __str__(self) -> str:
        return f"{self.tool} for {self.subject_id} ({self.status})"
