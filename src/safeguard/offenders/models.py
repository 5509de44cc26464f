"""Registered sexual and violent offenders: the offender, visits, risk reviews, notifications.

An offender is managed by one police force (`agency`) and linked to that force's person
record. Nothing here is deleted: every foreign key protects what it points to, and a record
that no longer applies changes its status (an offender removed from the register keeps their
visits and notifications on record). `Schedule` is derived: one row per offender, recomputed
by services.recompute() from the rules in schedule.yaml, so that pages and escalation read
it without computing; `OffenderAlert` is who was told of what was overdue, and when;
`SafeguardingAlert` a child found with an offender, and the duty it opened.
"""

from django.conf import settings
from django.db import models

from safeguard.offenders import vocabulary as v
from safeguard.records.models import Agency, Location, Person
from safeguard.safeguarding.models import Duty


class Offender(models.Model):
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="offender")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="offenders")
    reference = models.CharField(max_length=64)  # the force's (ViSOR) reference
    mappa_category = models.PositiveSmallIntegerField(choices=v.MappaCategory.choices)
    mappa_level = models.PositiveSmallIntegerField(
        choices=v.MappaLevel.choices, default=v.MappaLevel.SINGLE_AGENCY
    )
    # Risk: each measure's band, blank when not assessed (schedule.yaml says how they combine).
    rm2000 = models.CharField("Risk Matrix 2000", max_length=16, choices=v.Band.choices, blank=True)
    osp = models.CharField("OSP band", max_length=16, choices=v.Band.choices, blank=True)
    oasys_rosh = models.CharField(
        "OASys risk of serious harm", max_length=16, choices=v.Band.choices, blank=True
    )
    offender_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_offenders",
    )
    team = models.CharField(max_length=200, blank=True)  # the manager's team (its supervisors)
    registered_on = models.DateField()
    released_on = models.DateField(null=True, blank=True)  # the last release into the community
    notification_period_end = models.DateField(null=True, blank=True)  # null: indefinite
    status = models.CharField(max_length=16, choices=v.Status.choices, default=v.Status.ACTIVE)
    # The management plan: since 2017 it sets the visit frequency (null: the rules' default
    # for the risk level), and is itself reviewed.
    plan_visit_months = models.PositiveSmallIntegerField(null=True, blank=True)
    plan = models.TextField(blank=True)
    plan_review_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "reference"], name="offender_reference"),
            models.CheckConstraint(
                condition=models.Q(plan_visit_months__isnull=True)
                | models.Q(plan_visit_months__gte=1, plan_visit_months__lte=24),
                name="offender_plan_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.agency.code})"


class OrderCondition(models.Model):
    """One condition of an order the offender is subject to (SHPO, licence, notification...)."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="conditions")
    order = models.CharField(max_length=100)  # e.g. "Sexual Harm Prevention Order", "Licence"
    condition = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)  # null: until further order

    def __str__(self) -> str:
        return f"{self.order}: {self.condition[:60]}"


class Visit(models.Model):
    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="visits")
    at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=v.VisitOutcome.choices)
    announced = models.BooleanField()
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer_name = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["offender", "at"], name="visit_offender_at")]

    def __str__(self) -> str:
        return f"visit to offender {self.offender_id} at {self.at:%Y-%m-%d %H:%M} ({self.outcome})"


class RiskReview(models.Model):
    """A completed risk assessment; the bands it set are copied onto the offender."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=16, choices=v.ReviewKind.choices)
    completed_at = models.DateTimeField()
    level = models.CharField(max_length=16, choices=v.Band.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["offender", "completed_at"], name="review_offender_at")]

    def __str__(self) -> str:
        return f"{self.kind} review of offender {self.offender_id}: {self.level}"


class NotificationRecord(models.Model):
    """Something the offender must notify (Sexual Offences Act 2003 ss83-86), and whether they did.

    `trigger_at` is what starts the clock: release or conviction (initial), the change, the
    first day of a stay, the date a child joined the household, the departure (foreign travel,
    notified before it). `arranged_at`, for travel only, is when it was arranged (a trip
    arranged within 7 days may be notified 12 hours before). `notified_at` is null until the
    offender notifies in person.
    """

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=16, choices=v.NotificationKind.choices)
    trigger_at = models.DateTimeField()
    arranged_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the address notified, when there is one
    details = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["offender", "notified_at"], name="notif_offender_at")]

    def __str__(self) -> str:
        return f"{self.kind} notification of offender {self.offender_id}"


class Schedule(models.Model):
    """The offender's next dates, as last computed (services.recompute); never edited by hand."""

    offender = models.OneToOneField(
        Offender, primary_key=True, on_delete=models.PROTECT, related_name="schedule"
    )
    level = models.CharField(max_length=16, choices=v.Band.choices)
    visit_months = models.PositiveSmallIntegerField()
    plan_override = models.BooleanField()
    next_visit_due = models.DateField(null=True, blank=True)  # null: not visited (status)
    next_visit_suggested_at = models.DateTimeField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    renotification_due = models.DateField(null=True, blank=True)  # null: period ended
    notifications_overdue = models.PositiveSmallIntegerField(default=0)
    next_notification_deadline = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()
    rules = models.CharField(max_length=200)  # id, version and content hash of schedule.yaml

    class Meta:
        indexes = [
            models.Index(fields=["next_visit_due"], name="schedule_visit_due"),
            models.Index(fields=["review_due"], name="schedule_review_due"),
        ]

    def __str__(self) -> str:
        return f"schedule of offender {self.offender_id}"


class OffenderAlert(models.Model):
    """One user told that something of an offender's management is overdue, at a level.

    Level 1: the team's supervisors, once it is overdue; level 2: them again with every
    supervisor of the force, if it is still overdue the rules' `again_days` later. One per
    user, offender, kind, due date and level: recomputing tells no one twice. It clears
    itself when the thing is done (the due date moves on); it is never deleted.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offender_alerts"
    )
    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=v.AlertKind.choices)
    due = models.DateField()
    level = models.PositiveSmallIntegerField(choices=v.AlertLevel.choices, default=1)
    subject = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)  # null: not e-mailed (no address)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "offender", "kind", "due", "level"], name="offender_alert_once"
            )
        ]
        indexes = [
            # Escalation reads the open alerts only, however many have cleared.
            models.Index(
                fields=["offender", "kind"],
                condition=models.Q(cleared_at__isnull=True),
                name="offender_alert_open",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class SafeguardingAlert(models.Model):
    """A child under 18 found at an offender's address, in their household, or linked to them
    in a county line (alerts.py); one per offender and child.

    Raising it opens a duty in the safeguarding queue in the same transaction (`duty`: the
    referral it opened or joined; null while no duty rule takes it up). `reason` says what
    was found without naming the offender, since it is shown in the queue.
    """

    offender = models.ForeignKey(
        Offender, on_delete=models.PROTECT, related_name="safeguarding_alerts"
    )
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    child_age = models.PositiveSmallIntegerField(null=True, blank=True)  # when found
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    raised_at = models.DateTimeField()
    duty = models.ForeignKey(
        Duty, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offender", "child"], name="safeguarding_alert_once")
        ]

    def __str__(self) -> str:
        return f"offender {self.offender_id}: {self.reason}"
