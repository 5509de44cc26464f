"""Send a signed-in user who still owes their second factor to the code page, from any page."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, reverse

from safeguard.accounts import second_factor

# The pages a user who owes their second factor may still open (by URL name).
OPEN_BEFORE_SECOND_FACTOR = (
    "accounts:second-factor",
    "accounts:set-up-second-factor",
    "web:sign-out",
    "admin:logout",
    "web:favicon",
)
# The JSON API's paths (under the script prefix): authenticated by token, not by session.
API_PREFIX = "api/"


class SecondFactorMiddleware:
    """Redirect to the code page until the session has given the second factor it needs.

    Goes after django_otp's OTPMiddleware (which tells whether the session is verified).
    Static files, the code and set-up pages and signing out stay open, and so does the JSON
    API (/api/): it authenticates each request by its bearer token, not by the session, and
    a program cannot follow a redirect to a code page. Who may hold a token, a user who
    needs a second factor included, is decided there (safeguard/api/tokens.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_open(request.path) and not second_factor.is_satisfied(request):
            target = reverse("accounts:second-factor")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)


def _is_open(path: str) -> bool:
    """Is `path` (with any script prefix, as reverse() gives) open before the second factor?"""
    if path.startswith(get_script_prefix() + API_PREFIX):
        return True
    return path.startswith(settings.STATIC_URL) or path in {
        reverse(name) for name in OPEN_BEFORE_SECOND_FACTOR
    }
