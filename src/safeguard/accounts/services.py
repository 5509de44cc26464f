"""Creating accounts with their agency and role."""

from django.contrib.auth import get_user_model
from django.db import transaction

from safeguard.accounts.models import Membership
from safeguard.accounts.roles import Role
from safeguard.records.models import Agency


@transaction.atomic
def create_member(
    username: str, password: str, agency: Agency, role: Role, *, team: str = "", email: str = ""
) -> Membership:
    """Create a user who belongs to `agency` with `role`; administrators get admin access."""
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return Membership.objects.create(user=user, agency=agency, role=role, team=team)
