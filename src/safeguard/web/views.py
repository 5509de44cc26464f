"""Home page: what the system holds; and /favicon.ico, for whoever asks for it there."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from safeguard.records.services import record_counts, record_counts_by_agency


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show how many records of each kind are loaded, and from which agencies.

    Counts only: no person-level data here, so no access decision or audit is needed.
    """
    return render(
        request,
        "web/home.html",
        {"counts": record_counts(), "agencies": record_counts_by_agency()},
    )


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Send a request for /favicon.ico to the icon's static file.

    Pages name the icon in <head>; browsers still ask the site's root for it where a
    response is not a page (a PDF, the API's JSON), and would log a 404.
    """
    return redirect(static("web/favicon.ico"))
