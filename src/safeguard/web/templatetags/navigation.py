"""The service navigation: the pages a signed-in user's role uses.

A template tag rather than a context processor, so that no setting has to change:

    {% load navigation %}
    {% service_navigation as items %}
    {% for item in items %}<a href="{{ item.url }}">{{ item.label }}</a>{% endfor %}

Only pages that exist are listed. The role pages of issue #5 add their (label, URL name)
pairs to ROLE_PAGES; tests/web/test_layout.py checks that every name resolves. Sign out is
not here: it is a POST, drawn as a form by web/base.html.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse

from safeguard.accounts.roles import Role

register = template.Library()

# Every signed-in user, whatever their role.
EVERYONE: tuple[tuple[str, str], ...] = (("Home", "web:home"),)

# More pages for each role, in the order they are listed, after EVERYONE's.
ROLE_PAGES: dict[str, tuple[tuple[str, str], ...]] = {role: () for role in Role}
# Finding a child: every role that sees person-level records (accounts.policy).
for _role in (
    Role.OFFICER,
    Role.CUSTODY_SERGEANT,
    Role.SAFEGUARDING_LEAD,
    Role.ANALYST,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
    Role.MASH_WORKER,
    Role.SCHOOL_SAFEGUARDING_LEAD,
):
    ROLE_PAGES[_role] = (("Find a child", "web:search"), ("Safeguarding queue", "web:queue"))
# Recording an encounter with a child: the police roles of accounts.recording.ENCOUNTER_ROLES.
for _role in (Role.OFFICER, Role.CUSTODY_SERGEANT, Role.SAFEGUARDING_LEAD, Role.SUPERVISOR):
    ROLE_PAGES[_role] += (("Record an encounter", "web:record-encounter"),)
# Charging reviews: who makes them in custody, and who signs them off.
for _role in (Role.CUSTODY_SERGEANT, Role.SUPERVISOR, Role.SAFEGUARDING_LEAD):
    ROLE_PAGES[_role] += (("Charging reviews", "web:charging-reviews"),)
# Legal tool recommendations: who decides them (accounts.deciding).
for _role in (Role.SAFEGUARDING_LEAD, Role.SUPERVISOR, Role.ANALYST):
    ROLE_PAGES[_role] += (("Tools", "web:tools"),)
# A partner agency's inbox (web/referrals.py): the partner roles of accounts.policy, the
# Single Competent Authority's users included (a partner role at its agency).
for _role in (Role.MASH_WORKER, Role.SCHOOL_SAFEGUARDING_LEAD):
    ROLE_PAGES[_role] += (("Inbox", "web:inbox"),)
# The referrals an officer made, and what the receiving agency decided.
for _role in (Role.OFFICER, Role.CUSTODY_SERGEANT, Role.SAFEGUARDING_LEAD):
    ROLE_PAGES[_role] += (("My referrals", "web:my-referrals"),)
# The dashboard's figures (web/dashboard.py): who may see them (accounts.policy.sees_aggregates)
# of a police force, and inspectors.
for _role in (
    Role.SUPERVISOR,
    Role.SAFEGUARDING_LEAD,
    Role.ANALYST,
    Role.INSPECTOR,
    Role.ADMINISTRATOR,
):
    ROLE_PAGES[_role] += (("Dashboard", "web:dashboard"),)


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
    return EVERYONE + ROLE_PAGES.get(role, ())


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
