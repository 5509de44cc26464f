"""The supervisor's dashboard: how well the victim-first duties are done, in figures and charts.

Supervisors, safeguarding leads, analysts and administrators of a police force see their
force's figures; an inspector sees every force's together, or one force's, chosen in a
filter. Only users who may see figures (accounts.policy.sees_aggregates) reach the page;
to anyone else it is not there (404). The figures are counts (safeguarding.performance,
and for offender management offenders.caseloads: the forces' offenders on the register,
what of their management is overdue now, and how many managers hold more than the ceiling):
nothing on the page names or identifies a child, so reading it is not audited as a read of
person-level records. Links to the lists behind the figures are offered only to police,
who may open those lists; never to an inspector.

Each chart's figures are a GOV.UK table in the page, the accessible source of truth that
works without JavaScript; web/dashboard.js draws a chart above each table marked
`data-chart`, with Chart.js (vendored), and folds the table away under "Show the figures
as a table".
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safeguard.accounts import policy
from safeguard.accounts.roles import Role
from safeguard.clock import now
from safeguard.offenders import caseloads
from safeguard.offenders.models import Offender
from safeguard.records import vocabulary as rv
from safeguard.records.models import Agency
from safeguard.safeguarding import performance
from safeguard.safeguarding.vocabulary import Decision, DutyKind, State
from safeguard.screening.models import Level

ALL_FORCES = ""


class FilterForm(forms.Form):
    """What the figures cover: the period, and (for an inspector) which force."""

    weeks = forms.TypedChoiceField(
        label="Period",
        choices=[(w, f"Last {w} weeks") for w in performance.WEEKS],
        coerce=int,
        required=False,
        empty_value=performance.WEEKS[0],
        error_messages={"invalid_choice": "Select a period of 12, 26 or 52 weeks"},
    )
    force = forms.ChoiceField(
        label="Force",
        required=False,
        error_messages={"invalid_choice": "Select a force from the list"},
    )

    def __init__(self, *args, forces: list[Agency] | None = None, **kwargs):
        # The page draws each field with its name as its id (the error summary links there).
        super().__init__(*args, auto_id="%s", **kwargs)
        if forces is None:
            del self.fields["force"]
        else:
            self.fields["force"].choices = [(ALL_FORCES, "All forces")] + [
                (a.code, a.name) for a in forces
            ]


@dataclass(frozen=True)
class Scope:
    """Whose figures a user sees: forces to choose from (inspectors) or their own force."""

    forces: list[Agency]
    choose: bool  # an inspector chooses among every force
    links: bool  # the user may open the lists behind the figures (police)


def scope(user) -> Scope | None:
    """Return whose figures this user may see, or None: the page is not there for them.

    Police roles that see figures see their own force's; an inspector sees every police
    force's. A partner agency's user who may see figures has no dashboard yet.
    """
    who = policy.viewer(user)
    if who is None or not policy.sees_aggregates(user):
        return None
    if who.role == Role.INSPECTOR:
        forces = list(Agency.objects.filter(kind=rv.AgencyKind.POLICE_FORCE).order_by("name"))
        return Scope(forces, choose=True, links=False)
    if who.police:
        return Scope(list(Agency.objects.filter(pk=who.agency_id)), choose=False, links=True)
    return None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the figures for the user's scope over the period chosen."""
    seen = scope(request.user)
    if seen is None:
        raise Http404("No such page")
    form = FilterForm(
        request.GET if request.GET else None, forces=seen.forces if seen.choose else None
    )
    valid = not form.is_bound or form.is_valid()
    chosen = form.cleaned_data if form.is_bound and valid else {}
    weeks = chosen.get("weeks") or performance.WEEKS[0]
    force = chosen.get("force") or ALL_FORCES
    forces = [a for a in seen.forces if a.code == force] if force else seen.forces
    context: dict = {
        "form": form,
        "scope": seen,
        "covering": forces[0].name if len(forces) == 1 else "All forces",
        "period_options": [
            {
                "id": "weeks" if i == 0 else f"weeks-{w}",
                "value": w,
                "label": f"{w} weeks",
                "checked": w == weeks,
            }
            for i, w in enumerate(performance.WEEKS)
        ],
        "force_options": [
            {"value": value, "label": label, "checked": value == force}
            for value, label in form.fields["force"].choices
        ]
        if seen.choose
        else [],
    }
    if not valid:
        return render(request, "web/dashboard/page.html", context)
    at = now()
    figures = performance.figures([a.pk for a in forces], weeks, at)
    context |= {
        "offender_figures": _offender_figures(forces, at),
        "figures": figures,
        "weeks": weeks,
        "referrals": [(DutyKind(k).label, figures.referrals[k]) for k in performance.REFERRALS],
        "overdue": [(DutyKind(k).label, figures.overdue[k]) for k in performance.REFERRALS],
        "levels": _levels(figures.children),
        "decisions": _decisions(figures.decisions),
    }
    return render(request, "web/dashboard/page.html", context)


def _offender_figures(forces: list[Agency], at) -> dict[str, int]:
    """The forces' offender management, counted: no offender named."""
    offenders = Offender.objects.filter(agency__in=forces)
    ceiling = caseloads.ceiling()
    return caseloads.counts(offenders, at) | {
        "ceiling": ceiling,
        "managers_over_ceiling": caseloads.managers_over(offenders, ceiling),
    }


def _levels(children: dict[str, int]) -> list[tuple[str, int]]:
    """The children encountered by their latest screening, highest concern first."""
    order = [Level.HIGH, Level.MEDIUM, Level.LOW, Level.NONE]
    rows = [(Level(level).label, children.get(level, 0)) for level in order]
    return rows + [("Not screened", children.get(performance.NOT_SCREENED, 0))]


def _decisions(found: dict[str, dict[str, int]]) -> list[tuple[str, list[tuple[str, int]]]]:
    """Each kind of referral with its receivers' decisions, in words."""
    return [
        (
            DutyKind(kind).label,
            [
                ("Rejected" if what == State.REJECTED else Decision(what).label, n)
                for what, n in counts.items()
            ],
        )
        for kind, counts in found.items()
    ]
