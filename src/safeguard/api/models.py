"""API tokens: a key a program presents as `Authorization: Bearer <token>`.

Only the SHA-256 of a token is stored (`key_hash`); the token itself is printed once, when
an administrator creates it at the console (`safeguard api-token create`), and cannot be
shown again. `prefix` (the token's first characters, not secret) names it in lists and
narrows the lookup. A revoked token stays, with when it was revoked, so the audit log's
entries made with it still name it.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=200, help_text="What the token is for (the program).")
    prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name}, {self.user})"
