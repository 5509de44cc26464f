"""Single sign-on through the force's identity provider (OpenID Connect), when configured.

Only a user who already exists here, and is active, signs in this way: the identity provider
says who the person is (the claim named by SAFEGUARD_OIDC_USERNAME_CLAIM, `preferred_username`
by default, matched to our username; or `email`, matched to our e-mail address), and their
membership here says what they may see. No account is ever created from a sign-in.

The identity provider asks for its own second factor (the force must require it), so a
session that signed in this way is not asked for ours (accounts.second_factor).
"""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from safeguard.accounts.second_factor import SSO_SESSION_KEY

log = logging.getLogger(__name__)


class ForceOIDCBackend(OIDCAuthenticationBackend):
    """Match the identity provider's user to an existing, active user; never create one."""

    @staticmethod
    def username_claim() -> str:
        return settings.OIDC_USERNAME_CLAIM

    def describe_user_by_claims(self, claims: dict) -> str:
        claim = self.username_claim()
        return f"{claim} {claims.get(claim)!r}"

    def verify_claims(self, claims: dict) -> bool:
        value = claims.get(self.username_claim())
        return isinstance(value, str) and bool(value.strip())

    def filter_users_by_claims(self, claims: dict):
        claim = self.username_claim()
        value = claims.get(claim)
        active = self.UserModel.objects.filter(is_active=True)
        if not isinstance(value, str) or not value.strip():
            return self.UserModel.objects.none()
        if claim == "email":
            return active.filter(email__iexact=value.strip())
        return active.filter(**{self.UserModel.USERNAME_FIELD: value.strip()})

    def get_userinfo(self, access_token, id_token, payload):
        """The user-info claims, over the (verified) ID token's.

        Some providers put the username only in the ID token (Entra ID's userinfo endpoint
        has no `preferred_username`), so both are read; they must be about the same subject.
        """
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the user-info and the ID token name different subjects")
        return {**payload, **userinfo}

    def create_user(self, claims: dict):
        # OIDC_CREATE_USER is False, so this is never reached; refuse in case it ever were.
        raise SuspiciousOperation("single sign-on does not create accounts")

    def verify_token(self, token, **kwargs):
        """Check the signature and nonce (as the library does) and that it was issued to us.

        The library does not check the audience; an ID token (the one with a nonce) must name
        this client, and so must any other signed token that names an audience at all.
        """
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        if "nonce" in kwargs or audience is not None:
            audiences = [audience] if isinstance(audience, str) else list(audience or [])
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("the token was not issued to this client")
        return payload


class ForceCallbackView(OIDCAuthenticationCallbackView):
    """The identity provider's return: sign in, and mark the session as signed in by SSO."""

    @property
    def failure_url(self) -> str:
        return reverse("web:sign-in") + "?sso=failed"

    def login_success(self):
        response = super().login_success()
        self.request.session[SSO_SESSION_KEY] = True
        log.info("signed in by single sign-on: %s", self.user.get_username())
        return response
