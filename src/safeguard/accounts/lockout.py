"""The client address the sign-in lockout (django-axes) counts failures against."""

from django.http import HttpRequest


def forwarded_client_ip(request: HttpRequest) -> str | None:
    """Return the address the force's TLS proxy saw the request come from.

    Used only behind that proxy (SAFEGUARD_BEHIND_TLS_PROXY=1), where REMOTE_ADDR is the
    proxy's own address. The proxy appends the client's address to X-Forwarded-For, so the
    right-most entry is the one it wrote; entries to its left came from the client and could
    be anything. Without the header, the proxy's address is used: the lockout then counts
    per username alone, which is stricter, never looser.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    return entries[-1] if entries else request.META.get("REMOTE_ADDR")
