"""What every browser test does on a page: sign in, watch the policy, screenshot, axe.

The fixtures that open pages are in conftest.py; these helpers act on a Playwright `Page`
whose context conftest.py has set up (a base URL on the live server, the CSP watch).

- `sign_in(page, username)`: the sign-in form, then the code page for a `device`.
- `check_page(page, name)`: a screenshot, the accessibility check and the CSP check of the
  page as it is now: call it on every page a journey visits.
- `screenshot(page, name)`, `check_accessibility(page)`, `assert_no_csp_violation(page)`:
  the three parts, for a test that needs only one.
"""

import os
import re
from datetime import date, timedelta
from pathlib import Path
from weakref import WeakKeyDictionary

import pytest
from django_otp.oath import totp
from playwright.sync_api import BrowserContext, Page

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.clock import now
from safeguard.records.ages import UK
from safeguard.records.models import Agency

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long test password"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what a public-sector service must meet.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
FAILING_IMPACTS = frozenset({"serious", "critical"})


def artifacts() -> Path:
    """The folder screenshots go to (SAFEGUARD_TEST_ARTIFACTS; var/ is not committed)."""
    configured = os.environ.get("SAFEGUARD_TEST_ARTIFACTS")
    folder = Path(configured) if configured else ROOT / "var" / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- people --------------------------------------------------------------------------------


def member(username: str, role: Role, agency: str = "lancs"):
    """Create a user of `agency` with `role` (password PASSWORD) and return the user."""
    return create_member(username, PASSWORD, Agency.objects.get(code=agency), role).user


def born_aged(years: int) -> date:
    """A date of birth that makes a person `years` old today, and for some weeks yet."""
    today = now().astimezone(UK).date()
    return date(today.year - years - 1, today.month, 1) + timedelta(days=62)


def code_for(device) -> str:
    """The code the user's authenticator app would show now (RFC 6238, as django-otp checks)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def sign_in(page: Page, username: str, password: str = PASSWORD, *, device=None) -> None:
    """Sign in on the sign-in page; with `device`, give its code on the code page too."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.wait_for_url(re.compile(r"/account/code/"))
        page.get_by_label("Code").fill(code_for(device))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


# --- the Content Security Policy --------------------------------------------------------------

_VIOLATIONS: WeakKeyDictionary[BrowserContext, list[str]] = WeakKeyDictionary()
_REPORT = "__safeguardCspViolation"
# Added to every document of the context by the DevTools protocol, before the page's own
# scripts; like Playwright's own injected code it is not an inline script, so the policy
# under test neither blocks it nor has to allow it.
_LISTEN = f"""
document.addEventListener("securitypolicyviolation", (e) => window.{_REPORT}(
  `${{e.effectiveDirective}} blocked ${{e.blockedURI || "inline"}} at ${{e.sourceFile}}:` +
  `${{e.lineNumber}} ${{e.sample}}`));
"""


def watch_csp(context: BrowserContext) -> list[str]:
    """Collect every Content Security Policy violation in `context`'s pages.

    Two witnesses, since either may miss one: Chromium's console message ("... violates the
    following Content Security Policy directive ...") and the page's
    `securitypolicyviolation` events.
    """
    found = _VIOLATIONS.setdefault(context, [])

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text} ({message.location.get('url', '')})")

    context.on("console", console)
    context.expose_binding(_REPORT, lambda source, text: found.append(f"event: {text}"))
    context.add_init_script(_LISTEN)
    return found


def csp_violations(context: BrowserContext) -> list[str]:
    return _VIOLATIONS.get(context, [])


def assert_no_csp_violation(page: Page) -> None:
    """Fail if any page of this page's context has broken the Content Security Policy."""
    found = csp_violations(page.context)
    if found:
        pytest.fail(
            "the Content Security Policy blocked something:\n  " + "\n  ".join(found),
            pytrace=False,
        )


# --- screenshots and accessibility ------------------------------------------------------------


def screenshot(page: Page, name: str) -> Path:
    """Write a full-page PNG of `page` as `<artifacts>/<name>.png` and return its path."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
    path = artifacts() / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_RUN_AXE = """tags => axe.run(document, {
  runOnly: {type: "tag", values: tags},
  resultTypes: ["violations"],
}).then(result => result.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  targets: v.nodes.map(n => n.target.join(" ")),
  nodes: v.nodes.map(n => ({html: n.html, summary: n.failureSummary || ""})),
})))"""
# GOV.UK Frontend's conditional reveal sets aria-expanded on the radio that reveals a question:
# invalid for role radio in ARIA 1.2, so axe fails it (aria-allowed-attr, critical), but kept
# on purpose by the GOV.UK Design System because screen readers announce it and research with
# their users found it helps (alphagov/govuk-frontend#979, a documented known issue, #1280).
# Exactly that is let through: a govuk-radios__input whose only fault is aria-expanded.
_CONDITIONAL_RADIO = re.compile(r'^<input class="govuk-radios__input"[^>]*\baria-controls="')


def _known(violation: dict, node: dict) -> bool:
    faults = [line.strip() for line in node["summary"].splitlines()[1:] if line.strip()]
    return (
        violation["id"] == "aria-allowed-attr"
        and bool(_CONDITIONAL_RADIO.match(node["html"]))
        and bool(faults)
        and all(f.startswith("ARIA attribute is not allowed: aria-expanded=") for f in faults)
    )


def check_accessibility(page: Page) -> list[dict]:
    """Run axe-core (WCAG 2.2 AA rules) on the page; fail on a serious or critical violation.

    axe is vendored for the tests and never served, so it is put into the page here. Not
    with `page.add_script_tag`: that adds an inline <script>, which our policy rightly
    blocks. `page.evaluate` of the file's source runs it through the DevTools protocol,
    which a page's Content Security Policy does not govern, so the check needs no loosening
    of the policy (no `bypass_csp` context) and still sees the page exactly as served.
    Returns the minor and moderate violations, for a test that wants to look at them. One
    known finding of GOV.UK Frontend's own script is let through: see _known().
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = []
    for v in page.evaluate(_RUN_AXE, list(AXE_TAGS)):
        kept = [
            (target, node)
            for target, node in zip(v["targets"], v.pop("nodes"), strict=True)
            if not _known(v, node)
        ]
        if kept:
            violations.append(v | {"targets": [target for target, _ in kept]})
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if failing:
        lines = [f"axe found {len(failing)} serious or critical violation(s) on {page.url}:"]
        for v in failing:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            lines.extend(f"    at {target}" for target in v["targets"])
        pytest.fail("\n".join(lines), pytrace=False)
    return violations


def check_page(page: Page, name: str) -> None:
    """Screenshot the page as `name`, then fail on a CSP violation or an accessibility one."""
    page.wait_for_load_state()
    screenshot(page, name)
    assert_no_csp_violation(page)
    check_accessibility(page)


# --- reading pages ----------------------------------------------------------------------------

_TABLE = """caption => {
  const text = (cell) => cell.textContent.replace(/\\s+/g, " ").trim();
  const table = Array.from(document.querySelectorAll("table")).find(
    (t) => t.caption && text(t.caption).startsWith(caption));
  return table ? Array.from(table.rows).map((row) => Array.from(row.cells).map(text)) : null;
}"""


def table(page: Page, caption: str) -> list[list[str]]:
    """The rows (header row included) of the table whose caption starts with `caption`, as
    the text of their cells; from the page's DOM, so a table that a script has folded away
    under a closed details element (the dashboard's, under its charts) is read all the same."""
    rows = page.evaluate(_TABLE, caption)
    assert rows is not None, f"no table captioned {caption!r} on {page.url}"
    return rows


def row(rows: list[list[str]], header: str) -> list[str]:
    """The cells after the header of the one row of `rows` whose first cell is `header`."""
    [found] = [r for r in rows if r and r[0] == header]
    return found[1:]
