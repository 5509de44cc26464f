"""A record outside the user's access is a 404 on every page, as if there were no such record;
so is a page the user may not use."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from safeguard.accounts.reading import NotVisible

Found = TypeVar("Found")


def visible_or_404(
    find: Callable[..., Found], request: HttpRequest, pk: int, missing: str
) -> Found:
    """Return `find(request.user, pk, path=request.path)`, an accounts `visible_*` function
    (which logs a refused attempt); raise Http404(missing) when the user may not see it."""
    try:
        return find(request.user, pk, path=request.path)
    except NotVisible:
        raise Http404(missing) from None


def page_for(allowed: Callable[[Any], bool]) -> Callable[[Callable], Callable]:
    """Decorate a view that only reads: sign-in first; then the page is there only for a user
    `allowed(user)` (an accounts.policy question) lets see it, and a 404 to anyone else."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not allowed(request.user):
                raise Http404("No such page")
            return view(request, *args, **kwargs)

        return login_required(require_safe(checked))

    return decorate
