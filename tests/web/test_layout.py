"""One GOV.UK Frontend layout for every page, with its assets vendored and served by safeguard.

Every page extends web/base.html: the vendored stylesheet and scripts by static URL (nothing
from another origin), the skip link, <main id="main-content">, the service navigation, the
phase banner and the footer, all under the strict Content Security Policy with nothing inline.
The vendored stylesheet's fonts and images must resolve under STATIC_URL (the npm package's
CSS names them /assets/..., which scripts/vendor_frontend.py rewrites).
"""

import importlib.util
import json
import posixpath
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode

from safeguard.accounts.roles import Role
from safeguard.accounts.services import create_member
from safeguard.records.models import Agency
from safeguard.web.templatetags import navigation
from tests.accounts.test_protection_headers import assert_nothing_inline, assert_strict_policy

PASSWORD = "a long test password"
ROOT = Path(__file__).resolve().parents[2]
STYLESHEET = "vendor/govuk-frontend/govuk-frontend.min.css"
GOVUK_MODULE = "vendor/govuk-frontend/govuk-frontend.min.js"
HTMX = "vendor/htmx/htmx.min.js"
CHART = "vendor/chart.js/chart.umd.min.js"
CYTOSCAPE = "vendor/cytoscape/cytoscape.min.js"
INIT = "web/init.js"
APP_CSS = "web/app.css"
FAVICON = "web/favicon.ico"

# Where a page loads something from: <script src>, <link href>, <img src>, CSS url().
ASSET_REFERENCE = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?([^\"'\s>]+)"
    r"|url\(\s*[\"']?([^\"')]+)",
    re.IGNORECASE,
)
CSS_URL = re.compile(r"url\(\s*([\"']?)([^\"')]+)\1\s*\)")


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def no_throttle(settings):
    """Wrong codes are not slowed down here (second_factor's growing wait)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _sign_in_page(client):
    return client.get(reverse("web:sign-in"))


def _sign_in_page_with_error(client):
    get_user_model().objects.create_user("officer", password=PASSWORD)
    return client.post(reverse("web:sign-in"), {"username": "officer", "password": "wrong"})


def _sign_in_page_with_nothing_entered(client):
    return client.post(reverse("web:sign-in"), {"username": "", "password": ""})


def _home_page(client):
    client.force_login(get_user_model().objects.create_user("officer", password=PASSWORD))
    return client.get(reverse("web:home"))


def _search_page(client, police):
    create_member("pc-search", PASSWORD, Agency.objects.get(code=police), Role.OFFICER)
    client.force_login(get_user_model().objects.get(username="pc-search"))
    return client.get(reverse("web:search"), {"q": "<i>nobody</i>"})


def _second_factor_member(client, police):
    create_member("analyst", PASSWORD, Agency.objects.get(code=police), Role.ANALYST)
    client.post(reverse("web:sign-in"), {"username": "analyst", "password": PASSWORD})


def _set_up_page(client, police):
    _second_factor_member(client, police)
    return client.get(reverse("accounts:set-up-second-factor"))


def _set_up_page_with_error(client, police):
    _second_factor_member(client, police)
    return client.post(reverse("accounts:set-up-second-factor"), {"code": "12"})


def _code_page(client, police):
    from safeguard.accounts.second_factor import give_confirmed_device

    _second_factor_member(client, police)
    give_confirmed_device(get_user_model().objects.get(username="analyst"))
    return client.get(reverse("accounts:second-factor"))


def _code_page_with_error(client, police):
    _code_page(client, police)
    return client.post(reverse("accounts:second-factor"), {"code": ""})


def _lockout_page(client):
    get_user_model().objects.create_user("officer", password=PASSWORD)
    for _ in range(5):
        response = client.post(reverse("web:sign-in"), {"username": "officer", "password": "x"})
    assert response.status_code == 429
    return response


def _encounter_officer(client, police):
    create_member("pc-encounter", PASSWORD, Agency.objects.get(code=police), Role.OFFICER)
    client.force_login(get_user_model().objects.get(username="pc-encounter"))


def _encounter_form(client, police):
    _encounter_officer(client, police)
    return client.get(reverse("web:record-encounter"))


_ENCOUNTER = {
    "token": "0" * 32,
    "kind": "missing_episode",
    "when_day": "10",
    "when_month": "2",
    "when_year": "2025",
    "when_time": "21:00",
    "place_kind": "street",
    "place_name": "<i>the park</i>",
    "given_name": "Sam",
    "dob_day": "1",
    "dob_month": "1",
    "dob_year": "2012",
}


def _encounter_form_with_errors(client, police):
    _encounter_officer(client, police)
    wrong = {**_ENCOUNTER, "kind": "", "when_day": "31", "place_force": police}
    return client.post(reverse("web:record-encounter"), wrong)


def _encounter_outcome(client, police):
    _encounter_officer(client, police)
    saved = client.post(reverse("web:record-encounter"), {**_ENCOUNTER, "place_force": police})
    return client.get(saved["Location"])


def _referral_page(client, police):
    from tests.web.builders import member
    from tests.web.test_referrals import arrested_child

    duty = arrested_child()
    member(client, Role.OFFICER, "lancs", "pc-referral")
    return client.get(reverse("web:referral", args=[duty.pk]))


def _referral_page_with_error(client, police):
    from tests.web.builders import member, signed_in
    from tests.web.test_referrals import act, arrested_child

    duty = arrested_child()
    act(signed_in(Role.OFFICER, "lancs", "pc-referral"), duty, "make")
    member(client, Role.MASH_WORKER, "blackpool-cs", "mash-referral")
    return act(client, duty, "reject", reason="   ")


def _inbox_page(client, police):
    from tests.web.builders import member, signed_in
    from tests.web.test_referrals import arrested_child

    duty = arrested_child()
    officer = signed_in(Role.OFFICER, "lancs", "pc-referral")
    officer.post(reverse("web:referral", args=[duty.pk]), {"action": "make", "version": 1})
    member(client, Role.MASH_WORKER, "blackpool-cs", "mash-inbox")
    return client.get(reverse("web:inbox"))


def _my_referrals_page(client, police):
    from tests.web.builders import member
    from tests.web.test_referrals import arrested_child

    duty = arrested_child()
    member(client, Role.OFFICER, "lancs", "pc-referral")
    client.post(reverse("web:referral", args=[duty.pk]), {"action": "make", "version": 1})
    return client.get(reverse("web:my-referrals"))


def _charging_page(name):
    def build(client, police):
        from tests.web import test_charging

        return getattr(test_charging, name)(client, police)

    return build


def _tools_page(name):
    def build(client, police):
        from tests.web import test_tools

        return getattr(test_tools, name)(client, police)

    return build


def _offenders_page(name):
    def build(client, police):
        from tests.web import test_offenders

        return getattr(test_offenders, name)(client, police)

    return build


def _dashboard_page(role):
    def build(client, police):
        create_member(f"dash-{role}", PASSWORD, Agency.objects.get(code=police), role)
        client.force_login(get_user_model().objects.get(username=f"dash-{role}"))
        return client.get(reverse("web:dashboard"), {"weeks": "26"})

    return build


def _stop_search_page(role):
    def build(client, police):
        from tests.web.builders import member

        member(client, role, police, f"stop-search-{role}")
        return client.get(reverse("web:stop-search-report"))

    return build


PAGES = {
    "charging review form": _charging_page("form_page"),
    "charging review form, with errors": _charging_page("form_page_with_errors"),
    "a charging review": _charging_page("review_page"),
    "charging reviews": _charging_page("reviews_page"),
    "legal tools": _tools_page("tools_page"),
    "legal tools, decline without a reason": _tools_page("tools_page_with_error"),
    "sign in": lambda client, police: _sign_in_page(client),
    "sign in, wrong password": lambda client, police: _sign_in_page_with_error(client),
    "sign in, nothing entered": lambda client, police: _sign_in_page_with_nothing_entered(client),
    "home": lambda client, police: _home_page(client),
    "find a child": _search_page,
    "set up the second factor": _set_up_page,
    "set up the second factor, wrong code": _set_up_page_with_error,
    "enter the code": _code_page,
    "enter the code, no code": _code_page_with_error,
    "locked out": lambda client, police: _lockout_page(client),
    "record an encounter": _encounter_form,
    "record an encounter, with errors": _encounter_form_with_errors,
    "an encounter recorded": _encounter_outcome,
    "a referral": _referral_page,
    "a referral, reject without a reason": _referral_page_with_error,
    "a partner agency's inbox": _inbox_page,
    "my referrals": _my_referrals_page,
    "dashboard": _dashboard_page(Role.SUPERVISOR),
    "dashboard, inspector": _dashboard_page(Role.INSPECTOR),
    "stop and search report": _stop_search_page(Role.SUPERVISOR),
    "my caseload": _offenders_page("caseload_page"),
    "caseloads": _offenders_page("caseloads_page"),
    "an offender's record": _offenders_page("record_page"),
    "record a visit": _offenders_page("visit_form"),
    "record a visit, with errors": _offenders_page("visit_form_with_errors"),
    "record a risk review, with errors": _offenders_page("review_form_with_errors"),
    "record a notification, with errors": _offenders_page("notification_form_with_errors"),
    "record a notification as made": _offenders_page("notified_form"),
    "change the plan, with errors": _offenders_page("plan_form_with_errors"),
    "stop and search report, inspector": _stop_search_page(Role.INSPECTOR),
}


@pytest.fixture(params=sorted(PAGES))
def page(request, client, police, no_throttle):
    response = PAGES[request.param](client, police)
    assert response.status_code in (200, 400, 429), request.param
    assert response.templates[0].name != "web/base.html"
    return response


def test_every_page_uses_the_base_layout(page):
    assert "web/base.html" in {t.name for t in page.templates}


def test_every_page_loads_the_vendored_assets_by_static_url(page):
    html = page.content.decode()
    assert f'<link rel="stylesheet" href="{static(STYLESHEET)}">' in html
    assert f'<link rel="stylesheet" href="{static(APP_CSS)}">' in html
    assert f'<script type="module" src="{static(INIT)}"></script>' in html
    assert f'<script defer src="{static(HTMX)}"></script>' in html
    assert f'<link rel="icon" sizes="48x48" href="{static(FAVICON)}">' in html


def test_no_page_loads_anything_from_another_origin(page):
    html = page.content.decode()
    references = [next(filter(None, groups)) for groups in ASSET_REFERENCE.findall(html)]
    assert references, "the page loads nothing?"
    for reference in references:
        assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", reference, re.IGNORECASE), reference
        assert reference.startswith(static("")), reference


def test_every_page_has_the_govuk_template_landmarks(page):
    html = page.content.decode()
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert '<body class="govuk-template__body"' in html
    # The skip link is the first thing in the body, and leads to <main>.
    body = html.split("<body", 1)[1].split(">", 1)[1].lstrip()
    assert body.startswith('<a href="#main-content" class="govuk-skip-link"')
    assert html.count('id="main-content"') == 1
    assert re.search(r'<main class="govuk-main-wrapper" id="main-content">', html)
    assert 'class="govuk-service-navigation__service-name"' in html
    assert re.search(r'govuk-service-navigation__link">\s*safeguard\s*</a>', html)
    assert re.search(r'govuk-phase-banner__content__tag">\s*Beta\s*<', html)
    assert 'class="govuk-footer"' in html and "Open Government Licence v3.0" in html


def test_every_page_has_the_strict_policy_and_nothing_inline(page):
    assert_strict_policy(page)
    assert_nothing_inline(page)


def test_every_error_summary_link_leads_to_a_field_on_the_page(page):
    html = page.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.DOTALL)
    if summary is None:
        assert "govuk-form-group--error" not in html
        return
    targets = re.findall(r'<a href="#([^"]+)"', summary.group(0))
    assert targets
    for target in targets:
        # A text input, radio or checkbox (<input>), a <textarea> or a <select>.
        field = rf'<(?:input|textarea|select)\b[^>]*\bid="{re.escape(target)}"'
        assert re.search(field, html), target
    assert 'aria-invalid="true"' in html and "govuk-error-message" in html
    assert page.context["form"].errors
    assert "<title>Error: " in html


# --- the service navigation ----------------------------------------------------------------


def test_signed_out_pages_have_no_navigation(client, db):
    html = client.get(reverse("web:sign-in")).content.decode()
    assert 'aria-label="Menu"' not in html
    assert reverse("web:sign-out") not in html


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MASH_WORKER, Role.INSPECTOR])
def test_the_navigation_lists_the_role_pages_and_sign_out(client, police, role):
    user = create_member("member", PASSWORD, Agency.objects.get(code=police), role).user
    client.force_login(user)
    html = client.get(reverse("web:home")).content.decode()
    nav = re.search(r'<nav aria-label="Menu".*?</nav>', html, re.DOTALL).group(0)
    links = re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)"', nav)
    assert links == [reverse(name) for _, name in navigation.pages_for(user)]
    assert re.search(rf'href="{reverse("web:home")}" aria-current="page"', nav)
    # Sign out is a POST with the CSRF token (Django's LogoutView refuses GET).
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', nav, re.DOTALL)
    assert form.group(1) == reverse("web:sign-out")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)


def test_a_user_without_a_membership_sees_the_pages_everyone_uses(client, db):
    user = get_user_model().objects.create_user("nobody", password=PASSWORD)
    assert navigation.pages_for(user) == navigation.EVERYONE


def test_every_navigation_page_exists():
    pages = set(navigation.EVERYONE)
    for role in Role:
        pages |= set(navigation.ROLE_PAGES[role])
    pages |= {(label, name) for label, name, _ in navigation.CHECKED_PAGES}
    for label, name in pages:
        assert label and reverse(name)


def test_htmx_requests_carry_the_csrf_token(client, db):
    client.force_login(get_user_model().objects.create_user("officer", password=PASSWORD))
    response = client.get(reverse("web:home"))
    match = re.search(r"<body[^>]*hx-headers='([^']+)'", response.content.decode())
    token = json.loads(match.group(1))["X-CSRFToken"]
    assert token == response.context["csrf_token"]


def test_htmx_is_told_to_add_no_inline_style_and_to_evaluate_nothing(client, db):
    html = client.get(reverse("web:sign-in")).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'", html).group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert ".htmx-indicator" in Path(finders.find(APP_CSS)).read_text()


# --- the vendored files --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        STYLESHEET,
        GOVUK_MODULE,
        HTMX,
        INIT,
        APP_CSS,
        FAVICON,
        "web/favicon.svg",
        "vendor/govuk-frontend/assets/manifest.json",
    ],
)
def test_the_assets_are_found_and_served(client, db, name):
    assert finders.find(name), name
    response = client.get(static(name))
    assert response.status_code == 200, name
    served = b"".join(response.streaming_content)
    assert served == Path(finders.find(name)).read_bytes()


@pytest.mark.parametrize("role", [None, Role.ANALYST])  # an analyst before the second factor
def test_favicon_ico_at_the_root_leads_to_the_icon(client, police, role):
    if role is not None:
        client.force_login(
            create_member("icon", PASSWORD, Agency.objects.get(code=police), role).user
        )
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == static(FAVICON)
    assert client.get(response["Location"]).status_code == 200


def _stylesheet_urls() -> list[str]:
    css = Path(finders.find(STYLESHEET)).read_text()
    return [url for _, url in CSS_URL.findall(css) if not url.startswith("data:")]


def test_the_stylesheet_has_no_absolute_asset_url_left():
    css = Path(finders.find(STYLESHEET)).read_text()
    assert "/assets/" not in re.sub(r"url\(([\"']?)assets/", "", css)
    urls = _stylesheet_urls()
    assert urls, "the stylesheet names no fonts or images?"
    for url in urls:
        assert not url.startswith("/") and "//" not in url, url


def test_every_url_in_the_stylesheet_names_a_served_file(client, db):
    base = posixpath.dirname(STYLESHEET)
    for url in _stylesheet_urls():
        name = posixpath.normpath(posixpath.join(base, url.split("?")[0].split("#")[0]))
        assert finders.find(name), f"{url} -> {name} is not a static file"
        assert client.get(static(name)).status_code == 200, name


def test_the_fonts_are_among_the_stylesheets_urls():
    urls = _stylesheet_urls()
    assert any(url.endswith(".woff2") for url in urls)
    assert any(url.endswith("govuk-crest.svg") for url in urls)


def test_init_imports_the_vendored_module_and_sets_the_body_classes_first():
    init = Path(finders.find(INIT)).read_text()
    module = re.search(r'import \{ initAll \} from "([^"]+)";', init).group(1)
    name = posixpath.normpath(posixpath.join(posixpath.dirname(INIT), module))
    assert name == GOVUK_MODULE and finders.find(name)
    assert "export" in Path(finders.find(GOVUK_MODULE)).read_text()[-300:]  # an ES module
    classes = init.index('classList.add("js-enabled", "govuk-frontend-supported")')
    assert classes < init.index("initAll();")


@pytest.mark.parametrize(
    ("folder", "major"),
    [
        ("vendor/govuk-frontend", "5."),
        ("vendor/htmx", "2."),
        ("vendor/chart.js", "4."),
        ("vendor/cytoscape", "3."),
    ],
)
def test_each_vendored_package_has_its_version_and_licence(folder, major):
    version = Path(finders.find(f"{folder}/VERSION")).read_text().strip()
    assert version.startswith(major)
    assert Path(finders.find(f"{folder}/LICENSE")).read_text().strip()
    readme = Path(finders.find("vendor/README.md")).read_text()
    assert version in readme


def test_axe_core_is_vendored_for_the_tests_and_never_served():
    folder = ROOT / "tests" / "browser" / "vendor" / "axe-core"
    version = (folder / "VERSION").read_text().strip()
    assert version.startswith("4.")
    assert "Mozilla Public License" in (folder / "LICENSE").read_text()
    assert "axe.run" in (folder / "axe.min.js").read_text()
    assert version in Path(finders.find("vendor/README.md")).read_text()
    assert finders.find("vendor/axe-core/axe.min.js") is None


def test_no_source_map_is_asked_for():
    for name in (STYLESHEET, GOVUK_MODULE, HTMX, CHART, CYTOSCAPE):
        assert "sourceMappingURL" not in Path(finders.find(name)).read_text(), name


# --- scripts/vendor_frontend.py ------------------------------------------------------------


@pytest.fixture(scope="module")
def vendor_frontend():
    spec = importlib.util.spec_from_file_location(
        "vendor_frontend", ROOT / "scripts" / "vendor_frontend.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_rewrites_absolute_asset_urls(vendor_frontend):
    css = (
        '@font-face{src:url("/assets/fonts/a.woff2") format("woff2"),url(/assets/fonts/a.woff)}'
        ".x{background:url('/assets/images/c.svg')}.y{background:url(data:image/png;base64,AA)}"
    )
    assert vendor_frontend.relative_asset_urls(css) == (
        '@font-face{src:url("assets/fonts/a.woff2") format("woff2"),url(assets/fonts/a.woff)}'
        ".x{background:url('assets/images/c.svg')}.y{background:url(data:image/png;base64,AA)}"
    )
    assert vendor_frontend.strip_source_map("a{}\n/*# sourceMappingURL=x.css.map */") == "a{}\n"
    assert vendor_frontend.strip_source_map("f();//# sourceMappingURL=x.js.map") == "f();\n"


def _fake_package(path: Path, name: str, version: str) -> Path:
    path.mkdir(parents=True)
    (path / "package.json").write_text(json.dumps({"name": name, "version": version}))
    return path


def test_the_script_vendors_only_what_is_served(tmp_path, vendor_frontend):
    govuk = _fake_package(tmp_path / "govuk", "govuk-frontend", "5.99.0")
    dist = govuk / "dist" / "govuk"
    (dist / "assets" / "fonts").mkdir(parents=True)
    (dist / "assets" / "fonts" / "a.woff2").write_bytes(b"font")
    (dist / "govuk-frontend.min.css").write_text(
        "a{src:url(/assets/fonts/a.woff2)}/*# sourceMappingURL=govuk-frontend.min.css.map */"
    )
    (dist / "govuk-frontend.min.js").write_text("export{x};//# sourceMappingURL=m.js.map")
    (dist / "all.bundle.js").write_text("not served")
    out = tmp_path / "vendor"
    assert vendor_frontend.vendor_govuk_frontend(govuk, out) == "5.99.0"
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "govuk-frontend/LICENSE",
        "govuk-frontend/VERSION",
        "govuk-frontend/assets/fonts/a.woff2",
        "govuk-frontend/govuk-frontend.min.css",
        "govuk-frontend/govuk-frontend.min.js",
    ]
    css = (out / "govuk-frontend" / "govuk-frontend.min.css").read_text()
    assert css.strip() == "a{src:url(assets/fonts/a.woff2)}"
    assert "MIT" in (out / "govuk-frontend" / "LICENSE").read_text()

    htmx = _fake_package(tmp_path / "htmx", "htmx.org", "2.9.9")
    (htmx / "dist").mkdir()
    (htmx / "dist" / "htmx.min.js").write_text("var htmx;")
    (htmx / "LICENSE").write_text("Zero-Clause BSD")
    assert vendor_frontend.vendor_htmx(htmx, out) == "2.9.9"
    assert (out / "htmx" / "LICENSE").read_text() == "Zero-Clause BSD"
    assert (out / "htmx" / "VERSION").read_text() == "2.9.9\n"

    chart = _fake_package(tmp_path / "chart", "chart.js", "4.9.9")
    (chart / "dist").mkdir()
    (chart / "dist" / "chart.umd.min.js").write_text("var Chart;\n//# sourceMappingURL=c.map")
    (chart / "dist" / "chart.js").write_text("not served")
    (chart / "LICENSE.md").write_text("MIT")
    assert vendor_frontend.vendor_chartjs(chart, out) == "4.9.9"
    assert sorted(p.name for p in (out / "chart.js").iterdir()) == [
        "LICENSE",
        "VERSION",
        "chart.umd.min.js",
    ]
    assert (out / "chart.js" / "chart.umd.min.js").read_text().strip() == "var Chart;"


def test_the_script_refuses_another_package_or_major_version(tmp_path, vendor_frontend):
    wrong = _fake_package(tmp_path / "old", "govuk-frontend", "4.8.0")
    with pytest.raises(vendor_frontend.VendorError, match="not version 5"):
        vendor_frontend.vendor_govuk_frontend(wrong, tmp_path / "vendor")
    other = _fake_package(tmp_path / "other", "left-pad", "5.0.0")
    with pytest.raises(vendor_frontend.VendorError, match="not 'govuk-frontend'"):
        vendor_frontend.vendor_govuk_frontend(other, tmp_path / "vendor")
    assert vendor_frontend.main(["--govuk", str(tmp_path / "missing")]) == 1


def test_next_is_kept_through_the_sign_in_form(client, db):
    html = client.get(reverse("web:sign-in") + "?" + urlencode({"next": "/x/"})).content.decode()
    assert '<input type="hidden" name="next" value="/x/">' in html


def test_the_username_given_is_escaped_when_the_sign_in_page_is_shown_again(client, db):
    hostile = '"><script>alert(1)</script>'
    html = client.post(reverse("web:sign-in"), {"username": hostile, "password": "x"})
    html = html.content.decode()
    assert hostile not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
