"""The audit log: who read or wrote what, when and why, as an append-only hash chain.

Each Entry carries a gapless sequence number and the hash of the one before it, so an edit,
a deletion in the middle or an insertion shows when the chain is walked (verify.py). Entries
are written only by log.record() / log.record_many(), which hold the chain's lock. Saving an
existing entry or deleting one is refused here, and by database triggers below the ORM
(migration 0002; maintenance.py says how a test flush or an archival gets past them).
"""

from django.conf import settings
from django.db import models

from safeguard.audit.vocabulary import Action


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete an audit entry through the ORM."""


class Entry(models.Model):
    """One thing done: a read, a write, an export, a refusal, a sign-in or sign-out."""

    seq = models.PositiveBigIntegerField(unique=True, help_text="1, 2, 3... with no gaps.")
    at = models.DateTimeField()
    # The user, while the account exists; `username` keeps the name as it was then.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (user, at) index below serves it
    )
    username = models.CharField(max_length=150, blank=True)
    agency_code = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    what = models.CharField(
        max_length=100, blank=True, help_text='A model label: "records.person".'
    )
    object_id = models.CharField(max_length=100, blank=True)
    # The person the entry concerns, for "who looked at this child" (no foreign key: the
    # log sits below the records and outlives them).
    person_id = models.BigIntegerField(null=True, blank=True)
    purpose = models.TextField(blank=True)
    # The page path, the API route, the fields shown, the reason for a refusal...
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["person_id", "at"], name="audit_person_at"),
            models.Index(fields=["user", "at"], name="audit_user_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"audit entry {self.seq} is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"audit entry {self.seq} is never deleted")
