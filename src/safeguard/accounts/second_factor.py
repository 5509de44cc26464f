"""The second factor: who must give a code after their password, and the TOTP devices.

Administrators and analysts (and any account that can open the admin site) confirm an
authenticator app once, then give a code from it at every sign-in. Someone who signed in
through the force's identity provider (single sign-on) gave that provider's second factor
instead, so we do not ask again in that session.

A device is django-otp's TOTPDevice (RFC 6238: 6 digits, 30-second steps, one step of clock
drift either way; a code is accepted once; failures slow further tries down). A device is
"confirmed" once its owner has entered one valid code from it; only confirmed devices verify
a sign-in. An administrator resets a lost device by deleting it in the admin.
"""

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.roles import Role

# Roles that must give a second factor (issue #5): those who see or manage the most.
ROLES_NEEDING_SECOND_FACTOR = frozenset({Role.ADMINISTRATOR, Role.ANALYST})
# Set in the session when the user signed in through the identity provider.
SSO_SESSION_KEY = "safeguard_signed_in_by_sso"
SSO_BACKEND = "safeguard.accounts.oidc.ForceOIDCBackend"
DEVICE_NAME = "Authenticator app"


def signed_in_by_sso(session) -> bool:
    """Did this session sign in through the force's identity provider (and is SSO still on)?

    Both the mark our callback view leaves and the backend Django recorded at sign-in must
    say so: a later password sign-in in the same session replaces the backend.
    """
    if session is None or not getattr(settings, "OIDC_ENABLED", False):
        return False
    return bool(session.get(SSO_SESSION_KEY)) and session.get(BACKEND_SESSION_KEY) == SSO_BACKEND


def needs_second_factor(user, session=None) -> bool:
    """Must `user` give a second factor in this session before reaching any page?

    Yes for administrators and analysts (their `membership.role`) and for any staff or
    superuser account (the admin site shows everything); no for anyone else, and no for a
    session that signed in by single sign-on (`session` given), where the identity provider
    asked for its own.
    """
    if user is None or not user.is_authenticated:
        return False
    if signed_in_by_sso(session):
        return False
    if user.is_staff or user.is_superuser:
        return True
    try:
        role = user.membership.role
    except ObjectDoesNotExist:
        return False
    return role in ROLES_NEEDING_SECOND_FACTOR


def is_satisfied(request: HttpRequest) -> bool:
    """Has this request's user given every factor they need (or needs none)?"""
    user = request.user
    if not needs_second_factor(user, request.session):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def confirmed_device(user) -> TOTPDevice | None:
    """Return the user's confirmed authenticator, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def start_enrolment(user) -> TOTPDevice:
    """Return the unconfirmed device the user is setting up, making one on the first call.

    The same device (and secret) comes back until it is confirmed, so reloading the set-up
    page does not invalidate what the user has already scanned.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(request: HttpRequest, token: str) -> bool:
    """Confirm the device being set up with one valid code from it, and verify the session.

    Returns False (and confirms nothing) if the code is wrong, or if the user already has a
    confirmed device (replacing one takes an administrator).
    """
    user = request.user
    if confirmed_device(user) is not None:
        return False
    device = (
        TOTPDevice.objects.devices_for_user(user, confirmed=False)
        .select_for_update()
        .order_by("pk")
        .first()
    )
    if device is None or not device.verify_token(_digits(token)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
    _mark_verified(request, device)
    return True


@transaction.atomic
def verify(request: HttpRequest, token: str) -> bool:
    """Check a code against the user's confirmed device; on success, verify the session."""
    user = request.user
    device = (
        TOTPDevice.objects.devices_for_user(user, confirmed=True)
        .select_for_update()
        .order_by("pk")
        .first()
    )
    if device is None or not device.verify_token(_digits(token)):
        return False
    _mark_verified(request, device)
    return True


def _mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    # A new session key for the raised privilege, as at sign-in.
    request.session.cycle_key()
    otp_login(request, device)


def _digits(token: str) -> str:
    """Accept a code typed with spaces or dashes ("123 456")."""
    return "".join(ch for ch in str(token) if not ch.isspace() and ch != "-")


def secret_base32(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app takes it typed in (RFC 4648 base32)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class Provisioning:
    """What a user needs to add a device to an authenticator app."""

    uri: str  # otpauth://totp/...
    secret: str  # base32, for typing in
    qr_svg: str  # the URI as a QR code, an inline <svg> element (no script, no style)


def provisioning(device: TOTPDevice) -> Provisioning:
    """Return the otpauth URI, the base32 secret and a QR code of the URI for `device`."""
    uri = device.config_url
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, dark="#000", light="#fff", title="QR code of the set-up link")
    return Provisioning(uri=uri, secret=secret_base32(device), qr_svg=svg)


@transaction.atomic
def give_confirmed_device(user) -> TOTPDevice:
    """Replace the user's devices with one new, confirmed device (for the demo accounts)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
