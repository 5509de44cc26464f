"""Issuing, revoking and checking API tokens.

A token is `sg_<prefix>_<secret>`: the prefix (8 hex characters) finds the candidate rows,
and the SHA-256 of the whole token is compared with `hmac.compare_digest`. The token is
returned once by issue() and never stored.

Who may use a token: an active user, with a token not revoked; a user whose role needs a
second factor at sign-in (administrators, analysts, staff accounts:
accounts.second_factor.needs_second_factor) only if they have a confirmed authenticator.
A token is a password-strength secret that a program keeps, so it cannot give a second
factor per request; what stands in for it is that tokens are created only by an
administrator at the server's console, for a named program, and that such a user has
proved both factors when they set up their authenticator. A user who has not is refused.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from safeguard.accounts import second_factor
from safeguard.api.models import ApiToken
from safeguard.clock import now

PREFIX_LENGTH = 8
SCHEME = "sg"


@dataclass(frozen=True, slots=True)
class Issued:
    token: str  # shown once
    record: ApiToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _prefix(token: str) -> str | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or len(parts[1]) != PREFIX_LENGTH:
        return None
    return parts[1]


@transaction.atomic
def issue(username: str, name: str) -> Issued:
    """Create a token for the user; return it (the only time it exists in clear)."""
    if not name.strip():
        raise ValueError("a token needs a name: what program is it for?")
    user = get_user_model().objects.get(username=username)
    if not user.is_active:
        raise ValueError(f"{username} is not active")
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=prefix, key_hash=digest(token), created_at=now()
    )
    return Issued(token, record)


def revoke(prefix: str) -> int:
    """Revoke the live tokens with this prefix; return how many."""
    return ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).update(revoked_at=now())


def authenticate(token: str):
    """Return the user a token belongs to, or None (unknown, revoked, or not allowed)."""
    prefix = _prefix(token)
    if prefix is None:
        return None
    wanted = digest(token)
    for record in ApiToken.objects.filter(prefix=prefix).select_related("user"):
        if not hmac.compare_digest(record.key_hash, wanted):
            continue
        user = record.user
        if record.revoked_at is not None or not user.is_active:
            return None
        if second_factor.needs_second_factor(user) and not second_factor.confirmed_device(user):
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now())
        user.api_token = record
        return user
    return None
