"""Copy the front-end packages safeguard uses from unpacked npm tarballs into the repository.

Downloads nothing. Fetch and unpack the packages yourself, then point this script at them:

    cd /tmp && npm pack govuk-frontend@5 htmx.org@2 chart.js@4 cytoscape@3 axe-core@4
    mkdir govuk htmx chart cy axe
    tar xzf govuk-frontend-5.*.tgz -C govuk && tar xzf htmx.org-2.*.tgz -C htmx
    tar xzf chart.js-4.*.tgz -C chart && tar xzf cytoscape-3.*.tgz -C cy
    tar xzf axe-core-4.*.tgz -C axe
    python scripts/vendor_frontend.py --govuk /tmp/govuk/package --htmx /tmp/htmx/package \
        --chartjs /tmp/chart/package --cytoscape /tmp/cy/package --axe /tmp/axe/package

It writes the folder of each package given afresh (its old copy is removed first; the
folders of packages not given are left as they are), each with the package's VERSION and
LICENSE. Only what a page uses is copied:

- govuk-frontend: dist/govuk/govuk-frontend.min.css, dist/govuk/govuk-frontend.min.js (an ES
  module) and dist/govuk/assets/ (fonts, images, manifest).
- htmx: dist/htmx.min.js.
- chart.js: dist/chart.umd.min.js (the supervisor's dashboard draws its charts with it).
- cytoscape: dist/cytoscape.min.js (the network pages draw a line's people, phones and
  addresses with it).
- axe-core: axe.min.js, for the browser tests only, so it goes to tests/browser/vendor/
  rather than to the served static files.

The precompiled GOV.UK stylesheet refers to its fonts and images by absolute paths
(url(/assets/fonts/...)), which would ask the server's root, not STATIC_URL. The copy here
rewrites them relative to the stylesheet (url(assets/fonts/...)), so they resolve to
STATIC_URL + "vendor/govuk-frontend/assets/..." whatever STATIC_URL is. The source-map
comments are dropped: the maps are not vendored, and a browser's tools would ask for them.
Update vendor/README.md with the versions after running it.
"""

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "safeguard" / "web" / "static" / "vendor"
TEST_VENDOR = ROOT / "tests" / "browser" / "vendor"

# The npm tarball of govuk-frontend carries no licence file (package.json says "MIT"); this
# is the repository's LICENSE.txt (github.com/alphagov/govuk-frontend), used only when the
# tarball has none of its own.
GOVUK_FRONTEND_LICENCE = """\
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

# url(/assets/...), url("/assets/...") or url('/assets/...') in the stylesheet.
ABSOLUTE_ASSET_URL = re.compile(r"""url\((["']?)/assets/""")
SOURCE_MAP_COMMENT = re.compile(r"\s*/[*/]# sourceMappingURL=[^\n]*?(\*/)?\s*$")


class VendorError(Exception):
    pass


def _package(path: Path, name: str, major: int) -> dict:
    manifest = path / "package.json"
    if not manifest.is_file():
        raise VendorError(f"{path} is not an unpacked npm package (no package.json)")
    package = json.loads(manifest.read_text())
    if package.get("name") != name:
        raise VendorError(f"{path} holds {package.get('name')!r}, not {name!r}")
    if not str(package.get("version", "")).startswith(f"{major}."):
        raise VendorError(f"{name} {package.get('version')} is not version {major}.x")
    return package


def _licence(path: Path) -> str | None:
    for candidate in ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "LICENCE.txt"):
        if (path / candidate).is_file():
            return (path / candidate).read_text()
    return None


def _fresh(directory: Path) -> Path:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return directory


def strip_source_map(text: str) -> str:
    return SOURCE_MAP_COMMENT.sub("\n", text)


def relative_asset_urls(css: str) -> str:
    """Point the stylesheet's absolute /assets/ URLs at assets/ beside it."""
    return ABSOLUTE_ASSET_URL.sub(lambda m: f"url({m.group(1)}assets/", css)


def vendor_govuk_frontend(path: Path, vendor: Path = VENDOR) -> str:
    package = _package(path, "govuk-frontend", 5)
    dist = path / "dist" / "govuk"
    out = _fresh(vendor / "govuk-frontend")
    css = relative_asset_urls(strip_source_map((dist / "govuk-frontend.min.css").read_text()))
    if "/assets/" in re.sub(r"url\((['\"]?)assets/", "", css):
        raise VendorError("the stylesheet still has an absolute /assets/ URL after rewriting")
    (out / "govuk-frontend.min.css").write_text(css)
    js = strip_source_map((dist / "govuk-frontend.min.js").read_text())
    (out / "govuk-frontend.min.js").write_text(js)
    shutil.copytree(dist / "assets", out / "assets")
    (out / "VERSION").write_text(package["version"] + "\n")
    (out / "LICENSE").write_text(_licence(path) or GOVUK_FRONTEND_LICENCE)
    return package["version"]


def vendor_htmx(path: Path, vendor: Path = VENDOR) -> str:
    package = _package(path, "htmx.org", 2)
    licence = _licence(path)
    if licence is None:
        raise VendorError(f"{path} has no LICENSE file")
    out = _fresh(vendor / "htmx")
    js = strip_source_map((path / "dist" / "htmx.min.js").read_text())
    (out / "htmx.min.js").write_text(js)
    (out / "VERSION").write_text(package["version"] + "\n")
    (out / "LICENSE").write_text(licence)
    return package["version"]


def _single_file(path: Path, name: str, major: int, source: str, out: Path) -> str:
    """Copy one built file of a package (without its source-map comment) and its licence."""
    package = _package(path, name, major)
    licence = _licence(path)
    if licence is None:
        raise VendorError(f"{path} has no LICENSE file")
    out = _fresh(out)
    js = strip_source_map((path / source).read_text())
    (out / Path(source).name).write_text(js)
    (out / "VERSION").write_text(package["version"] + "\n")
    (out / "LICENSE").write_text(licence)
    return package["version"]


def vendor_chartjs(path: Path, vendor: Path = VENDOR) -> str:
    return _single_file(path, "chart.js", 4, "dist/chart.umd.min.js", vendor / "chart.js")


def vendor_cytoscape(path: Path, vendor: Path = VENDOR) -> str:
    return _single_file(path, "cytoscape", 3, "dist/cytoscape.min.js", vendor / "cytoscape")


def vendor_axe(path: Path, vendor: Path = TEST_VENDOR) -> str:
    return _single_file(path, "axe-core", 4, "axe.min.js", vendor / "axe-core")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--govuk", type=Path, help="the unpacked govuk-frontend package")
    parser.add_argument("--htmx", type=Path, help="the unpacked htmx.org package")
    parser.add_argument("--chartjs", type=Path, help="the unpacked chart.js package")
    parser.add_argument("--cytoscape", type=Path, help="the unpacked cytoscape package")
    parser.add_argument("--axe", type=Path, help="the unpacked axe-core package")
    args = parser.parse_args(argv)
    if not (args.govuk or args.htmx or args.chartjs or args.cytoscape or args.axe):
        parser.error("give at least one of --govuk, --htmx, --chartjs, --cytoscape, --axe")
    try:
        if args.govuk:
            print(f"govuk-frontend {vendor_govuk_frontend(args.govuk)} -> {VENDOR}")
        if args.htmx:
            print(f"htmx.org {vendor_htmx(args.htmx)} -> {VENDOR}")
        if args.chartjs:
            print(f"chart.js {vendor_chartjs(args.chartjs)} -> {VENDOR}")
        if args.cytoscape:
            print(f"cytoscape {vendor_cytoscape(args.cytoscape)} -> {VENDOR}")
        if args.axe:
            print(f"axe-core {vendor_axe(args.axe)} -> {TEST_VENDOR}")
    except VendorError as error:
        print(f"vendor_frontend: {error}", file=sys.stderr)
        return 1
    print("Now record the versions in", VENDOR / "README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
