"""What every page needs to know about signing in."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def sign_in(request: HttpRequest) -> dict[str, str]:
    """The single sign-on link for the sign-in page, or "" when single sign-on is off."""
    if not getattr(settings, "OIDC_ENABLED", False):
        return {"sso_sign_in_url": ""}
    return {"sso_sign_in_url": reverse("oidc_authentication_init")}
