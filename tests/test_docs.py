"""Every setting and command a user meets is documented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_environment_setting_is_documented():
    read = set(re.findall(r"SAFEGUARD_[A-Z_]+", (ROOT / "src/safeguard/settings.py").read_text()))
    documented = (ROOT / "docs/operations.md").read_text()
    assert read, "settings.py reads no SAFEGUARD_ variable: the pattern is stale"
    assert sorted(v for v in read if f"`{v}`" not in documented) == []


def test_the_readme_shows_the_two_commands_first():
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:25])
    assert "make demo" in first_screen and "make test" in first_screen
