"""`safeguard network`: analyse a criminal network's structure (docs/network.md)."""

import json as jsonlib
import sys

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from safeguard.network import analysis, files, roles, structure


class Command(BaseCommand):
    help = (
        "Network intelligence. `analyse --edges FILE [--format edgelist|matrix] [--top N] "
        "[--json]` ranks the people of any network given as an edge list or an adjacency "
        "matrix by controller score, from its structure alone, with the reasons for each."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        analyse = sub.add_parser(
            "analyse", help="rank the people of a network file by controller score"
        )
        analyse.add_argument("--edges", required=True, metavar="FILE", help="the network file")
        analyse.add_argument(
            "--format",
            choices=files.FORMATS,
            help="the file's format (default: guessed from its first line)",
        )
        analyse.add_argument(
            "--top", type=int, default=20, metavar="N", help="show the first N (0: everyone)"
        )
        analyse.add_argument("--json", action="store_true", help="print a JSON list")

    def handle(self, *args, action: str, **options):
        getattr(self, "_" + action)(**options)

    def _analyse(self, edges: str, format: str | None, top: int, json: bool, **options):
        if top < 0:
            raise CommandError("--top must be 0 (everyone) or more")
        try:
            network = files.read(edges, format)
            rules = roles.current()
        except (files.NetworkFileError, roles.RolesError) as exc:
            raise CommandError(str(exc)) from exc
        graph = structure.build(network)
        ranked = analysis.analyse(graph, rules)
        shown = ranked[:top] if top else ranked
        if json:
            self.stdout.write(jsonlib.dumps([r.as_dict() for r in shown], indent=2))
            return
        table = Table(
            title=f"{edges}: {graph.vcount():,} people, {graph.ecount():,} ties",
            caption=f"controller score by {rules.label} (docs/network.md)",
        )
        table.add_column("rank", justify="right")
        table.add_column("node", overflow="fold")
        table.add_column("score", justify="right")
        table.add_column("reasons", overflow="fold")
        for r in shown:
            table.add_row(str(r.rank), r.node, f"{r.controller_score:.3f}", "\n".join(r.reasons))
        self._print(table)

    def _print(self, table: Table) -> None:
        # On a terminal, its own width; elsewhere (logs, tests) wide enough for every row.
        tty = sys.stdout.isatty()
        console = Console(
            force_terminal=tty, width=None if tty else 160, color_system="auto" if tty else None
        )
        with console.capture() as captured:
            console.print(table)
        self.stdout.write(captured.get(), ending="")
