"""Signing in and out goes to the audit log: who, when, from where, and failures too."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from safeguard.audit import log
from safeguard.audit.vocabulary import Action

# The credentials' key that names who tried (never the password).
USERNAME = "username"


def _agency(user) -> str:
    membership = getattr(user, "membership", None)
    return membership.agency.code if membership is not None else ""


def _where(request) -> dict:
    if request is None:
        return {}
    return {"path": request.path, "address": request.META.get("REMOTE_ADDR", "")}


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def signed_in(sender, request, user, **kwargs) -> None:
    log.record(
        Action.SIGN_IN,
        user=user,
        username=user.get_username(),
        agency_code=_agency(user),
        detail={**_where(request), "backend": getattr(user, "backend", "")},
    )


@receiver(user_logged_out, dispatch_uid="audit-sign-out")
def signed_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    log.record(
        Action.SIGN_OUT,
        user=user,
        username=user.get_username(),
        agency_code=_agency(user),
        detail=_where(request),
    )


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    log.record(
        Action.SIGN_IN_FAILED,
        username=str(credentials.get(USERNAME, "")),
        detail=_where(request),
    )
