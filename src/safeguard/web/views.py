"""Home page: what the system holds (the role pages arrive with issue #5)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
