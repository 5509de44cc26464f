"""The service navigation: the pages a signed-in user's role uses.

A template tag rather than a context processor, so that no setting has to change:

    {% load navigation %}
    {% service_navigation as items %}
    {% for item in items %}<a href="{{ item.url }}">{{ item.label }}</a>{% endfor %}

Only pages that exist are listed: those of the user's role (ROLE_PAGES), then those the access
policy lets the user use (CHECKED_PAGES). The role pages of issue #5 add their (label, URL name)
pairs to ROLE_PAGES; tests/web/test_layout.py checks that every name resolves. Sign out is
not here: it is a POST, drawn as a form by web/base.html.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from safeguard.accounts import caseloads, deciding, policy, recording, reviewing
from safeguard.accounts.roles import Role

register = template.Library()

# Every signed-in user, whatever their role.
EVERYONE: tuple[tuple[str, str], ...] = (("Home", "web:home"),)

# More pages for each role, in the order they are listed, after EVERYONE's.
ROLE_PAGES: dict[str, tuple[tuple[str, str], ...]] = {role: () for role in Role}
# Each page is listed for the roles the access modules let use it, named here from those
# modules so that the menu and the access rules cannot drift apart.
# Finding a child and the queue: every role that sees person-level records.
for _role in policy.POLICE_ROLES | policy.PARTNER_ROLES:
    ROLE_PAGES[_role] = (("Find a child", "web:search"), ("Safeguarding queue", "web:queue"))
for _label, _name, _roles in (
    ("Record an encounter", "web:record-encounter", recording.ENCOUNTER_ROLES),
    # Who makes charging reviews in custody, and who signs them off.
    ("Charging reviews", "web:charging-reviews", {Role.CUSTODY_SERGEANT} | reviewing.SIGNERS),
    ("Tools", "web:tools", deciding.DECIDERS),
    # A partner agency's inbox: the Single Competent Authority's users included (a partner
    # role at its agency).
    ("Inbox", "web:inbox", policy.PARTNER_ROLES),
    # The referrals an officer made, and what the receiving agency decided.
    ("My referrals", "web:my-referrals", recording.ENCOUNTER_ROLES - {Role.SUPERVISOR}),
    ("Dashboard", "web:dashboard", policy.AGGREGATE_ROLES),
    # County lines: the network analysis, its targets and its drawings.
    ("Network", "web:network", policy.NETWORK_ROLES),
):
    for _role in _roles:
        ROLE_PAGES[_role] += ((_label, _name),)


# Pages that a role alone does not decide (the kind of the user's agency does too): listed
# when the access policy's question for the page, asked of the user, says they may use it.
CHECKED_PAGES: tuple[tuple[str, str, Callable[[Any], bool]], ...] = (
    # Children searched, arrested and referred: police figures, and an inspector's.
    ("Stop and search", "web:stop-search-report", policy.sees_stop_search),
    # Offender management: a police force's offender managers hold a caseload; they and
    # their supervisors see the teams' caseloads.
    ("My caseload", "web:offenders", caseloads.holds_caseload),
    ("Caseloads", "web:caseloads", policy.sees_offenders),
)


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url: str
    current: bool


def pages_for(user) -> tuple[tuple[str, str], ...]:
    """The (label, URL name) pairs listed for this user: none when signed out."""
    if not getattr(user, "is_authenticated", False):
        return ()
    membership = getattr(user, "membership", None)  # a superuser may have none
    role = membership.role if membership is not None else None
    checked = tuple((label, name) for label, name, may in CHECKED_PAGES if may(user))
    return EVERYONE + ROLE_PAGES.get(role, ()) + checked


@register.simple_tag(takes_context=True)
def service_navigation(context) -> list[NavigationItem]:
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else None
    return [
        NavigationItem(label=label, url=reverse(name), current=name == current)
        for label, name in pages_for(user)
    ]
