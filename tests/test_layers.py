"""Layers only call downward (DESIGN.md): web/api/demo -> network -> intake, accounts
-> offenders -> safeguarding -> screening -> records -> audit. A module that imports from a
layer above its own fails here."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "safeguard"

# Higher numbers sit higher; an app may import from its own layer's apps and those below.
LAYER = {
    "audit": 0,
    "records": 1,
    "screening": 2,
    "safeguarding": 3,
    # Registered sexual and violent offenders: reads records, below accounts so that the
    # access policy can decide over offender records.
    "offenders": 4,
    "intake": 5,
    # Users and the access policy, which decides over every kind of record below it.
    "accounts": 5,
    # Network intelligence: reads records, and records what it finds about children through
    # intake, so that screening and duties follow as from any other source.
    "network": 6,
    # Imports of published data (data.police.uk): record through intake like any source.
    "importers": 6,
    "demo": 7,
    "web": 7,
    "api": 7,
}
# Project wiring every layer may use.
SHARED = {"clock", "collector", "rulefiles", "settings", "cli", "urls", "wsgi", "__main__"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m.split(".")[1] for m in found if m.startswith("safeguard.") and "." in m}


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if len(parts) > 1 and "migrations" not in parts:
            yield pytest.param(parts[0], path, id=str(path.relative_to(SRC)))


@pytest.mark.parametrize(("app", "path"), list(_modules()))
def test_imports_only_go_down(app, path):
    assert app in LAYER, f"{app} has no layer: add it to LAYER and docs/architecture.md"
    upward = {
        other
        for other in _imports(path) - SHARED
        if other not in LAYER or LAYER[other] > LAYER[app]
    }
    same_layer_other_app = {
        other
        for other in _imports(path) - SHARED
        if other in LAYER
        and LAYER[other] == LAYER[app]
        and other != app
        and {app, other} not in ({"demo", "web"}, {"demo", "api"}, {"web", "api"})
    }
    assert not upward, f"{path.name} in {app} imports from a layer above: {sorted(upward)}"
    assert not same_layer_other_app, f"{path.name} imports sideways: {sorted(same_layer_other_app)}"
