"""`safeguard network`: analyse a criminal network's structure (docs/network.md)."""

import argparse
import json as jsonlib
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rich.console import Console
from rich.table import Table

from safeguard.intake.errors import RecordingRejected
from safeguard.network import (
    analysis,
    evaluation,
    exports,
    files,
    line_rules,
    roles,
    running,
    structure,
    targets,
)
from safeguard.network.models import AnalysisRun, Line
from safeguard.records.models import Agency


class Command(BaseCommand):
    help = (
        "Network intelligence. `analyse --edges FILE [--format edgelist|matrix] [--top N] "
        "[--json]` ranks the people of any network given as an edge list or an adjacency "
        "matrix by controller score, from its structure alone, with the reasons for each. "
        "`run [--from DATE] [--to DATE] [--agency CODE] [--no-record] [--json]` finds the "
        "county lines in the records, stores them with every person's part, and records each "
        "child's membership for the screening. `evaluate --labels PATH [--json]` scores the "
        "latest run against a demo world's ground truth. `export --line KEY [--run ID] --format "
        "graphml|i2|json [--out FILE]` writes a stored line for Gephi, i2 Analyst's Notebook "
        "or as JSON, unredacted: it is run by an administrator on the server."
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
        run = sub.add_parser("run", help="find the county lines in the records and store them")
        run.add_argument("--from", dest="start", type=_day, help="first day (YYYY-MM-DD)")
        run.add_argument("--to", dest="end", type=_day, help="last day (YYYY-MM-DD)")
        run.add_argument(
            "--agency",
            help="the police force recording the findings (default: each line's, the force "
            "holding most records of its deal phones)",
        )
        run.add_argument(
            "--no-record",
            action="store_true",
            help="store the lines but record nothing for the screening",
        )
        run.add_argument("--json", action="store_true", help="print the lines as JSON")
        evaluate = sub.add_parser("evaluate", help="score the latest run against ground truth")
        evaluate.add_argument("--labels", required=True, metavar="PATH", help="demo --labels file")
        evaluate.add_argument("--run", type=int, help="the run to score (default: the latest)")
        evaluate.add_argument("--json", action="store_true", help="print a JSON object")
        export = sub.add_parser(
            "export",
            help="write a stored line as GraphML (Gephi), an i2 Analyst's Notebook link CSV "
            "or JSON; every name shown (an administrator's command, not redacted)",
        )
        export.add_argument("--line", required=True, metavar="KEY", help="the line's key")
        export.add_argument(
            "--run", type=int, metavar="ID", help="the run (default: the latest finished)"
        )
        export.add_argument("--format", required=True, choices=exports.FORMATS)
        export.add_argument("--out", metavar="FILE", help="the file to write (default: stdout)")

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

    def _run(self, start, end, agency, no_record, json, **options):
        if start and end and end < start:
            raise CommandError("--to is before --from")
        by = None
        if agency:
            by = Agency.objects.filter(code=agency).first()
            if by is None:
                raise CommandError(f"--agency: no agency with the code {agency!r}")
        try:
            rules = line_rules.current()
        except line_rules.LinesError as exc:
            raise CommandError(str(exc)) from exc
        result = running.analyse(start, end, rules)
        summary = None
        try:
            with transaction.atomic():  # the run and what it records, or neither
                run = running.store(result, ran_by="safeguard network run", agency=by)
                if not no_record:
                    summary = running.record_findings(result, agency)
        except RecordingRejected as exc:
            raise CommandError(f"the findings could not be recorded: {exc}") from exc
        lines = list(run.lines.order_by("key"))
        if json:
            self.stdout.write(
                jsonlib.dumps(
                    {
                        "run": run.pk,
                        "rules": run.rules,
                        "nodes": run.nodes,
                        "edges": run.edges,
                        "lines": [exports.line_facts(line) for line in lines],
                        "recorded": summary.describe() if summary else "",
                    },
                    indent=2,
                )
            )
            return
        table = Table(
            title=f"network analysis {run.pk}: {run.nodes:,} nodes, {run.edges:,} edges",
            caption=f"rules {run.rules}",
        )
        for column in (
            "line",
            "deal phones",
            "origin",
            "targets",
            "forces",
            "people",
            "children",
            "active",
        ):
            table.add_column(column, overflow="fold")
        for line in lines:
            d = exports.line_facts(line)
            table.add_row(
                line.brand or line.key,
                ", ".join(p["number"] for p in line.deal_phones),
                line.origin,
                ", ".join(line.targets),
                ", ".join(line.force_areas),
                str(line.people),
                str(line.children),
                f"{d['first_seen'] or '?'} to {d['last_seen'] or '?'}",
            )
        self._print(table)
        if summary:
            self.stdout.write(f"recorded for the screening: {summary.describe()}")

    def _evaluate(self, labels, run, json, **options):
        try:
            truth = evaluation.read_labels(labels)
        except evaluation.LabelsError as exc:
            raise CommandError(str(exc)) from exc
        chosen = AnalysisRun.objects.filter(pk=run).first() if run else AnalysisRun.objects.first()
        if chosen is None:
            raise CommandError("no network analysis run: run `safeguard network run` first")
        figures = evaluation.evaluate(truth, chosen)
        if json:
            self.stdout.write(jsonlib.dumps(figures, indent=2))
            return
        self.stdout.write(
            f"run {figures['run']}: {figures['lines_found']} lines found, "
            f"{figures['lines_true']} true, {figures['lines_matched']} matched\n"
            f"line recovery (adjusted Rand index over {figures['records_judged']} person "
            f"records): {figures['line_ari']:.3f}\n"
            f"controllers ranked first in their line: {figures['controller_top1']:.0%}; "
            f"in the top 3: {figures['controller_top3']:.0%}\n"
            f"exploited children given the part of runner: "
            f"{figures['exploited_children_as_runners']} of {figures['exploited_child_records']} "
            f"records ({figures['children_as_runners_share']:.0%})"
        )

    def _export(self, line, run, format, out, **options):
        if run is None:
            chosen = targets.latest_run()
            if chosen is None:
                raise CommandError(
                    "no finished network analysis run: run `safeguard network run` first"
                )
        else:
            chosen = AnalysisRun.objects.filter(pk=run).first()
            if chosen is None:
                raise CommandError(f"--run: no network analysis run {run}")
        found = Line.objects.filter(run=chosen, key=line).select_related("run").first()
        if found is None:
            keys = list(chosen.lines.order_by("key").values_list("key", flat=True)[:20])
            raise CommandError(
                f"--line: no line {line!r} in network analysis run {chosen.pk} "
                f"(its lines: {', '.join(keys) or 'none'})"
            )
        drawing = exports.redact(found.drawing, None)  # the server's administrator sees all
        try:
            if format == "graphml":
                data = exports.graphml(found, drawing)
            elif format == "i2":
                data = exports.i2_csv(found, drawing).encode()
            else:
                data = (exports.as_json(found, drawing) + "\n").encode()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if out is None:
            self.stdout.write(data.decode(), ending="")
            return
        try:
            with open(out, "wb") as f:
                f.write(data)
        except OSError as exc:
            raise CommandError(f"--out: cannot write {out}: {exc.strerror}") from exc
        self.stdout.write(f"wrote line {found.key} of run {chosen.pk} as {format} to {out}")

    def _print(self, table: Table) -> None:
        # On a terminal, its own width; elsewhere (logs, tests) wide enough for every row.
        tty = sys.stdout.isatty()
        console = Console(
            force_terminal=tty, width=None if tty else 160, color_system="auto" if tty else None
        )
        with console.capture() as captured:
            console.print(table)
        self.stdout.write(captured.get(), ending="")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc
