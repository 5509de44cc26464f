"""Finding a child and reading their record: the search page and the child's page.

Both ask accounts (the policy, search, reading) and render what comes back: nothing here
decides who may see what. A child outside the user's access is a 404, as if there were no
such record (the attempt is logged by accounts.reading). The full record is read for a
purpose, asked once per session and child and kept in the session.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safeguard.accounts import reading, recording, search
from safeguard.accounts.roles import Role
from safeguard.audit import log
from safeguard.web.access import visible_or_404

PURPOSES = "purposes"  # session key: {person id: purpose}
MAX_QUERY = 200
LOOKS = 500  # the latest looks listed


@login_required
def find(request: HttpRequest) -> HttpResponse:
    """Search by name, date of birth, phone number or postcode, within the user's access."""
    text = request.GET.get("q", "")[:MAX_QUERY].strip()
    hits = search.search(request.user, text, path=request.path) if text else []
    return render(
        request,
        "web/children/search.html",
        {
            "q": text,
            "hits": hits,
            "records_encounters": recording.may_record_encounters(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def child(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's record: ask why (once per session and child), then show what may be seen."""
    person = visible_or_404(reading.visible_person, request, pk, "No such record")
    purposes = request.session.get(PURPOSES, {})
    if request.method == "POST":
        purpose = request.POST.get("purpose", "").strip()[:500]
        if not purpose:
            return render(
                request,
                "web/children/purpose.html",
                {"person": person, "error": "Enter why you need to see this record"},
                status=400,
            )
        purposes[str(pk)] = purpose
        request.session[PURPOSES] = purposes
        return redirect("web:child", pk=pk)
    purpose = purposes.get(str(pk))
    if not purpose:
        return render(request, "web/children/purpose.html", {"person": person})
    record = reading.read_child(request.user, pk, purpose=purpose, path=request.path)
    return render(
        request,
        "web/children/child.html",
        {
            "record": record,
            "purpose": purpose,
            "records_encounters": recording.may_record_encounters(request.user),
        },
    )


@login_required
def who_looked(request: HttpRequest, pk: int) -> HttpResponse:
    """For an administrator: who looked at this child's record, when, and why."""
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.role != Role.ADMINISTRATOR:
        raise Http404("No such page")
    person = visible_or_404(reading.visible_person, request, pk, "No such record")
    entries = list(log.who_looked_at(pk)[:LOOKS])
    # Looking at who looked is itself a look, logged after the list is read.
    log.record(
        "read",
        **reading.actor(request.user),
        what="audit.entry",
        object_id=str(pk),
        person_id=pk,
        purpose="who looked at this record",
        detail={"path": request.path},
    )
    return render(request, "web/children/who_looked.html", {"person": person, "entries": entries})
