"""What every route needs: who is asking, under the access policy, and their name."""

from ninja.errors import HttpError

from safeguard.accounts import policy


def viewer(request) -> policy.Viewer:
    """The token's user as the policy sees them; 403 without a membership."""
    who = policy.viewer(request.auth)
    if who is None:
        raise HttpError(403, "your account belongs to no agency")
    return who


def name(user) -> str:
    return user.get_full_name() or user.get_username()
