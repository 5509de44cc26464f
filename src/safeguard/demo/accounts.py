"""One demo account per role, so that every view of the system can be tried out.

Passwords are random on every run and exist only as hashes in the database and in what
the demo command prints: nothing secret is kept in the repository. The roles that must give a
second factor (accounts.second_factor: the administrator and the analyst) get a new, confirmed
authenticator (TOTP) secret on every run too, printed next to the password so that a person
can add it to an authenticator app.
"""

import secrets
from dataclasses import dataclass

from axes.utils import reset as reset_lockout
from django.contrib.auth import get_user_model
from django.db import transaction

from safeguard.accounts import second_factor
from safeguard.accounts.models import Membership
from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.records.models import Agency

# The agency each demo role works for: police roles and the cross-cutting ones in the force
# whose lines the demo is about; the MASH worker in the city's children's services; the
# school lead in a school of the city.
AGENCY_FOR_ROLE: dict[Role, str] = {
    Role.OFFICER: "merseyside",
    Role.CUSTODY_SERGEANT: "merseyside",
    Role.SAFEGUARDING_LEAD: "merseyside",
    Role.MASH_WORKER: "liverpool_childrens_services",
    Role.SCHOOL_SAFEGUARDING_LEAD: "school_mersey_heights",
    Role.ANALYST: "merseyside",
    Role.OFFENDER_MANAGER: "merseyside",
    Role.SUPERVISOR: "merseyside",
    Role.INSPECTOR: "merseyside",
    Role.ADMINISTRATOR: "merseyside",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    agency: str
    password: str
    created: bool
    # The base32 TOTP secret for an authenticator app; "" for roles asked for no second factor.
    totp_secret: str = ""


def username_for(role: Role) -> str:
    """Return the demo username of a role (demo-officer, demo-mash-worker, ...)."""
    return "demo-" + role.value.replace("_", "-")


def create_account(role: Role, password: str | None, *, team: str = "") -> Membership:
    """Create the demo account of `role` in its agency (AGENCY_FOR_ROLE), in `team` if given.

    Its e-mail address is one the e-mail back end can write to (the console in the demo), so
    that escalations reach the demo supervisor by e-mail as well as in the application. A
    password of None is unusable until ensure_accounts() gives it one (the demo offender
    manager, made with its team when the world's offenders are loaded).
    """
    username = username_for(role)
    agency = Agency.objects.get(code=AGENCY_FOR_ROLE[role])
    # create_user (under create_member) makes None an unusable password.
    return create_member(
        username, password, agency, role, team=team, email=f"{username}@demo.invalid"
    )


@transaction.atomic
def ensure_accounts() -> list[DemoAccount]:
    """Create the demo account of every role, or give an existing one a new password.

    An existing account's sign-in lockout, if any, is lifted. An account that must give a
    second factor also gets a new confirmed TOTP device (any older one is removed), so that
    it can sign in with the secret printed now.

    Returns:
        Each account with its new password (and TOTP secret), in the order of
        accounts.roles.Role.
    """
    users = get_user_model()
    accounts = []
    for role in Role:
        username = username_for(role)
        password = secrets.token_urlsafe(12)
        agency = Agency.objects.get(code=AGENCY_FOR_ROLE[role])
        user = users.objects.filter(username=username).first()
        created = user is None
        if created:
            user = create_account(role, password).user
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
            reset_lockout(username=username)  # a new password: any lockout from before ends
        secret = ""
        if second_factor.needs_second_factor(user):
            secret = second_factor.secret_base32(second_factor.give_confirmed_device(user))
        accounts.append(DemoAccount(username, role, agency.code, password, created, secret))
    return accounts
