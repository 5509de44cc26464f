"""Home page: what the system holds (the role pages arrive with issue #5)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safeguard.records.services import record_counts


def home(request: HttpRequest) -> HttpResponse:
    """Show how many records of each kind are loaded, by agency kind."""
    return render(request, "web/home.html", {"counts": record_counts()})
