"""The `safeguard` console command: Django's management commands with the project's settings."""

import os
import sys

# The commands a user of safeguard reaches for, with what each does. Every other Django
# command still works (`safeguard help` lists them all).
COMMANDS = {
    "migrate": "create or update the database tables (run once after install or upgrade)",
    "serve": "serve the web application with gunicorn (default http://127.0.0.1:8000)",
    "demo": "generate and load the synthetic county-lines demo world, make demo accounts, serve",
    "import": "load POLE bundles (JSON Lines files or folders of CSV files), all or nothing",
    "import-police-uk": "import data.police.uk stop-and-search, street crime and outcomes files",
    "import-offenders": "import a force's offender register export (CSV files), all or nothing",
    "report": "print a report: stop-search (children searched, arrested and referred, by month)",
    "export": "write every record back out as a POLE bundle (JSON Lines or CSV)",
    "screening": "check the indicator catalogue, re-screen every child, evaluate (docs/rules.md)",
    "duties": "apply the duty rules, escalate late duties, print the inspection figures",
    "offenders": "recompute offenders' visit, review and notification dates; escalate; count",
    "network": "rank the people of a criminal network file by controller score, with reasons",
    "audit": "verify the hash-chained audit log; show who looked at a person's record",
    "api-token": "create, list or revoke a JSON API token (shown once, stored hashed)",
    "createsuperuser": "create an administrator account",
    "check": "run the system checks (rules files, settings); CI runs it with --fail-level WARNING",
}


def usage() -> str:
    """Return the top-level help text."""
    width = max(len(name) for name in COMMANDS)
    lines = [
        "usage: safeguard COMMAND [options]",
        "",
        "safeguard: victim-first safeguarding and county-lines intelligence.",
        "",
        "commands:",
        *(f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()),
        "",
        "`safeguard COMMAND --help` explains a command's options;",
        "`safeguard help` lists every command, including Django's own.",
        "",
        "environment: SAFEGUARD_DATABASE_URL (default sqlite file in var/), SAFEGUARD_VAR_DIR,",
        "SAFEGUARD_SECRET_KEY, SAFEGUARD_DEBUG; see docs/operations.md.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run a management command with safeguard's settings."""
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    from django.core.management import execute_from_command_line

    argv[0] = "safeguard"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
