"""Who a user works for and what they do: the facts the access policy decides on."""

from django.conf import settings
from django.db import models

from safeguard.accounts.roles import Role
from safeguard.records.models import Agency


class Membership(models.Model):
    """A user's agency and role. One per user: a person with two jobs has two accounts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=32, choices=Role.choices)
    team = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.agency.code})"
