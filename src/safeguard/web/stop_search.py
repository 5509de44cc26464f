"""The stop-and-search report's page and its CSV: by force and month, searches of children
aged 10 to 17, how many were for controlled drugs and how many ended in arrest, and the
referrals to children's services opened for them with their states (issue 7).

The figures are safeguarding.stop_search's, drawn by the partials the report command's page
uses (a chart as SVG, computed in safeguarding.stop_search_output, and a table), so the page
and `safeguard report stop-search` show the same. Who sees which forces is the access
policy's (accounts.policy.stop_search_forces): a police force's supervisors, safeguarding
leads, analysts and administrators their own force, an inspector every force; to anyone else
the page is not there (404). `?force=CODE` narrows the page and the CSV to one of the user's
forces; a force outside them is a 404, logged as refused. Counts only, no child named, but
each showing and each download is audited (a read, an export) for each force it covers.
"""

import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode

from safeguard.accounts import policy, reading
from safeguard.audit import log
from safeguard.clock import now
from safeguard.importers.models import ImportedFile
from safeguard.records.ages import UK
from safeguard.records.models import Agency
from safeguard.safeguarding import stop_search, stop_search_output
from safeguard.web.access import page_for

# How the audit log names what was read: each force's figures.
FORCE = "records.agency"
REPORT = "stop-search"
# data.police.uk's stop-and-search files (importers.ImportedFile.kind), whose licence's
# attribution is shown with figures made from them.
PUBLISHED_SEARCHES = "stop-and-search"

report_page = page_for(policy.sees_stop_search)


def chosen(request: HttpRequest) -> tuple[list[Agency], list[Agency], str]:
    """Return the forces the user may see, those the request covers, and the code asked for
    (`?force=`, "" for all of the user's); a force outside the user's is logged as refused
    and is a 404."""
    forces = list(policy.stop_search_forces(request.user))
    code = request.GET.get("force", "").strip()
    if not code:
        return forces, forces, ""
    found = [a for a in forces if a.code == code]
    if not found:
        log.record(
            "denied",
            **reading.actor(request.user),
            what=FORCE,
            object_id=code[:64],
            detail={"path": request.path, "report": REPORT, "reason": "outside the user's access"},
        )
        raise Http404("No such force")
    return forces, found, code


def _audit(request: HttpRequest, forces: list[Agency], action: str, **detail) -> None:
    """Log the action (a read, an export) of each force's figures."""
    who = reading.actor(request.user)
    log.record_many(
        [
            {
                "action": action,
                **who,
                "what": FORCE,
                "object_id": str(force.pk),
                "detail": {"path": request.path, "report": REPORT, "force": force.code, **detail},
            }
            for force in forces
        ]
    )


def attributions(forces: list[Agency]) -> list[str]:
    """The licence attributions of the published search files behind these forces' figures."""
    found = ImportedFile.objects.filter(agency__in=forces, kind=PUBLISHED_SEARCHES)
    return sorted(set(found.values_list("attribution", flat=True)))


@report_page
def report(request: HttpRequest) -> HttpResponse:
    """The report for the user's forces, or the one chosen: a chart and a table a force."""
    allowed, forces, code = chosen(request)
    figures = stop_search.report(forces)
    _audit(request, forces, "read")
    query = f"?{urlencode({'force': code})}" if code else ""
    return render(
        request,
        "web/stop_search/report.html",
        {
            "covering": forces[0].name if len(forces) == 1 else "All forces",
            "forces": stop_search_output.by_force(figures),
            # A choice only for a user with more than one force (an inspector).
            "force_options": [(a.code, a.name) for a in allowed] if len(allowed) > 1 else [],
            "chosen": code,
            "csv_url": reverse("web:stop-search-csv") + query,
            "attributions": attributions(forces) if figures else [],
            "made_at": formats.date_format(now().astimezone(UK), "j F Y, H:i"),
        },
    )


@report_page
def download(request: HttpRequest) -> HttpResponse:
    """The figures of the page as CSV, one row a force and month, audited as an export."""
    _, forces, code = chosen(request)
    out = io.StringIO()
    stop_search_output.write_csv(stop_search.report(forces), out)
    _audit(request, forces, "export", format="csv")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"stop-search-{code or 'all'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
