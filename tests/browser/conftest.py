"""Browser tests: Debian's Chromium, driven by Playwright, against a real running server.

The server is pytest-django's `live_server` (a threaded WSGI server in this process, on the
test database: tests using it get `transactional_db`, flushed after each test). Chromium is
the system's (CHROMIUM, default /usr/bin/chromium), never a test tool's own download, which
does not work offline; if it is missing the tests fail, saying how to install it.

Each test gets fresh browser contexts (no cookie or storage shared between tests), each
watched for Content Security Policy violations: any one fails the test.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.helpers import csp_violations, watch_csp

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# DESIGN.md, "Stack": what Debian's Chromium needs to run headless in a container, quietly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000  # a page of ours that takes longer is a failure, not a wait


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the tests of a module.

    Playwright's sync API keeps an asyncio event loop running in this thread from start()
    to stop(), and Django refuses ORM calls from a thread with a running loop
    (SynchronousOnlyOperation): but our ORM calls here (building records, checking what a
    page did, flushing the database after a test) are plain synchronous code that only
    shares the thread with that loop, so DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly as
    long as the loop runs (the live server's threads have no loop and are not affected).
    The browser lives for a module, not the whole session, so that the loop and the
    variable end with the module's browser tests instead of carrying on into every test
    collected after them; a launch costs under a second.
    """
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: run `make chromium` (as root), "
            "or `sudo apt-get install chromium`, or set CHROMIUM to its path.",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Return a function opening a page in a new context (its own cookies: another person).

    The context's relative URLs go to the live server. Its Content Security Policy
    violations fail the test when it ends, if no check_page() has failed it sooner.
    """
    contexts = []

    def _open():
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        watch_csp(context)
        contexts.append(context)
        return context.new_page()

    yield _open
    found = [v for context in contexts for v in csp_violations(context)]
    for context in contexts:
        context.close()
    if found:
        pytest.fail(
            "the Content Security Policy blocked something:\n  " + "\n  ".join(found),
            pytrace=False,
        )


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context."""
    return new_page()
