"""A record outside the user's access is a 404 on every page, as if there were no such record."""

from collections.abc import Callable
from typing import TypeVar

from django.http import Http404, HttpRequest

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
