"""Screenings and professional judgements: immutable records of what was concluded, and why.

A new Screening is stored only when a child's result changes, so a child's screenings are
the history of their level; none is ever edited or deleted. A Judgement is a person's
decision to raise or lower a level, kept beside the automatic result, never in place of it.
"""

import hashlib
import json

from django.conf import settings
from django.db import models

from safeguard.records.models import Event, Person


class Level(models.TextChoices):
    NONE = "none", "No concern"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ImmutableError(Exception):
    """Raised on an attempt to change or delete a stored screening or judgement."""


class Immutable(models.Model):
    """A record that is written once: saving it again or deleting it is refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableError(f"{type(self).__name__} {self.pk} is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{type(self).__name__} {self.pk} is never deleted")


class Screening(Immutable):
    """The result of screening one person record at one moment under one catalogue."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="screenings")
    screened_at = models.DateTimeField(help_text="The moment the facts were taken as of.")
    created_at = models.DateTimeField()
    score = models.FloatField()
    level = models.CharField(max_length=8, choices=Level.choices)
    # Each fired indicator: id, title, points, weight, band, factor, event_ids, link_ids, reason.
    indicators = models.JSONField(default=list)
    vulnerabilities = models.JSONField(default=list)
    catalogue = models.CharField(max_length=100, help_text="Catalogue id and version.")
    catalogue_hash = models.CharField(max_length=64)
    trigger_event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        max_length=64,
        help_text="SHA-256 of what a change is judged on (outcome_digest): a re-screen "
        "stores a new screening only when it differs from the latest one's.",
    )

    class Meta:
        indexes = [
            models.Index(fields=["person", "-screened_at", "-id"], name="screening_latest"),
            models.Index(fields=["level", "-screened_at"], name="screening_level"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.level} ({self.score}) at {self.screened_at:%Y-%m-%d}"


def outcome_digest(
    level: str,
    score: float,
    indicators: list[dict],
    vulnerabilities: list[dict],
    catalogue_hash: str,
) -> str:
    """Return the digest of a screening's outcome: its level, score, and each fired rule's
    points and evidence under one catalogue; not the moment, nor the wording of the reasons."""

    def summary(fired: list[dict]) -> list:
        return [[f["id"], f["points"], list(f["event_ids"]), list(f["link_ids"])] for f in fired]

    outcome = [level, round(score, 2), summary(indicators), summary(vulnerabilities)]
    text = json.dumps([*outcome, catalogue_hash], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Judgement(Immutable):
    """A professional judgement that raises or lowers a screening's level, with a reason."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="judgements")
    level = models.CharField(max_length=8, choices=Level.choices)
    reason = models.TextField()
    made_by_name = models.CharField(max_length=200)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    made_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.made_by_name}: {self.level} ({self.made_at:%Y-%m-%d})"
