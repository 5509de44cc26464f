"""Importing data.police.uk files: each file in one transaction, all of it or none.

A file is read row by row (memory does not grow with the file beyond what one recording
keeps: the keys of the records it stored), each row turned into records
(police_uk_rows) and recorded through intake, so that every search of a child is screened
and its duties opened like any other encounter. A bad row is reported with its file, line,
column and reason, every bad row of the file at once, and nothing of the file is stored.
The file itself is kept as an ImportedFile with the licence's attribution.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from pydantic import ValidationError

from safeguard import clock, collector
from safeguard.importers import police_uk_files as files
from safeguard.importers import police_uk_format
from safeguard.importers import police_uk_rows as rows_
from safeguard.importers.models import CrimeOutcome, ImportedFile
from safeguard.intake.recording import Recorder, Summary
from safeguard.intake.schema import AgencyIn
from safeguard.records import vocabulary as v
from safeguard.records.models import Agency, Event

CHUNK = 1000
# The apps whose tables an import writes: records, what the pipeline sets off, the files.
WRITTEN = ("records", "screening", "safeguarding", "importers")


@dataclass
class FileResult:
    """What importing one file did."""

    path: Path
    kind: str
    force: str
    rows: int = 0
    summary: Summary = field(default_factory=Summary)
    outcomes_new: int = 0
    outcomes_joined: int = 0
    repeated: int = 0
    seen_before: bool = False
    other_words: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{self.rows} rows ({self.kind}, {self.force})", self.summary.describe()]
        if self.kind == files.OUTCOMES:
            parts.append(f"outcomes: {self.outcomes_new} new, {self.outcomes_joined} joined")
        if self.repeated:
            parts.append(f"{self.repeated} crime row(s) repeated word for word, recorded once")
        if self.other_words:
            words = ", ".join(f"{w!r} ({n})" for w, n in sorted(self.other_words.items()))
            parts.append(f"outcomes not in police_uk.yaml, kept as written: {words}")
        if self.seen_before:
            parts.append("this file was imported before")
        return "; ".join(parts)


def force_of(path: Path, given: str | None) -> str:
    """Return the force id of a file: from its name, else `given` (--force); they must agree."""
    fmt = police_uk_format.current()
    named = files.named(path).force
    chosen = None
    if given:
        chosen = fmt.force_of_name(given)
        if chosen is None:
            raise files.FileProblem(
                f"--force {given!r} is not a data.police.uk force (one of: "
                + ", ".join(sorted(fmt.forces))
                + ")"
            )
    if named is not None:
        if named not in fmt.forces:
            raise files.FileProblem(f"{path.name}: {named!r} is not a data.police.uk force")
        if chosen is not None and chosen != named:
            raise files.FileProblem(f"{path.name}: named for {named}, but --force says {chosen}")
        return named
    if chosen is None:
        raise files.FileProblem(
            f"{path.name}: the name does not say the force (YYYY-MM-force-kind.csv): give --force"
        )
    return chosen


def paths_of(arguments: list[str]) -> list[Path]:
    """Return the CSV files named, folders expanded to their .csv files in name order."""
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        elif path.is_file():
            found.append(path)
        else:
            raise files.FileProblem(f"{argument}: no such file or folder")
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_rows(path: Path) -> int:
    """Lines after the header (for a progress bar; quoted line breaks count extra)."""
    with path.open("rb") as handle:
        return max(
            sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1, 0
        )


def import_file(
    path: Path,
    force: str | None = None,
    *,
    by: str = "",
    progress: Callable[[int], None] | None = None,
) -> FileResult:
    """Import one file in one transaction; raise RecordingRejected (nothing stored) or
    files.FileProblem (nothing read) when it cannot be."""
    fmt = police_uk_format.current()
    force_id = force_of(path, force)
    kind, data = files.rows(path, files.named(path).kind)
    result = FileResult(path, kind, force_id)
    agency = fmt.forces[force_id]
    ctx = rows_.Context(
        agency=agency.code,
        force_name=agency.name,
        territorial=not agency.national,
        fmt=fmt,
    )
    digest = sha256_of(path)
    # Python's cycle collector is paused while the file is imported: it ran a collection
    # every few thousand records made, full ones over every live object (the recorder's
    # keys among them), and a Metropolitan month took a fifth longer. Importing a file
    # leaves no cycles to collect: reference counting frees everything, as before.
    with collector.paused(), transaction.atomic():
        recorder = Recorder(source=path.name)
        if not Agency.objects.filter(code=agency.code).exists():  # stored at once
            recorder.add(
                AgencyIn(
                    code=agency.code,
                    kind=v.AgencyKind.POLICE_FORCE,
                    name=agency.name,
                    jurisdiction=(
                        v.Jurisdiction.UK if agency.national else v.Jurisdiction.ENGLAND_WALES
                    ),
                )
            )
        agency_id = Agency.objects.filter(code=agency.code).values_list("id", flat=True).first()
        record = _file_record(path, digest, kind, agency_id, fmt, by, result)
        outcomes: list[tuple[rows_.Outcome, int]] = []
        crimes: set[str] = set()
        for row in _watched(data, progress):
            result.rows += 1
            if row.problem:
                recorder.error(row.line, "row", row.problem)
                continue
            try:
                if kind == files.STOP_AND_SEARCH:
                    made = rows_.stop_search(row, ctx)
                    _other_word(result, row, fmt)
                elif kind == files.STREET:
                    made = rows_.street(row, ctx)
                    if row.cells["crime id"].strip():
                        crimes.add(row.cells["crime id"].strip())
                else:
                    outcomes.append((rows_.outcome(row), row.line))
                    if len(outcomes) >= CHUNK and not recorder.errors:
                        result.outcomes_new += _store_outcomes(outcomes, record, agency_id)
                        outcomes = []
                    continue
            except rows_.RowError as exc:
                recorder.error(row.line, exc.column, exc.reason)
                continue
            except ValidationError as exc:
                for problem in exc.errors():
                    where = ".".join(map(str, problem["loc"])) or "row"
                    recorder.error(row.line, where, problem["msg"])
                continue
            for made_record in made:
                recorder.add(made_record, row.line)
        result.repeated = ctx.repeated
        if outcomes and not recorder.errors:
            result.outcomes_new += _store_outcomes(outcomes, record, agency_id)
        result.summary = recorder.finish()  # raises RecordingRejected: all rolls back
        if kind == files.OUTCOMES:
            result.outcomes_joined = _join_outcomes(agency_id, file=record)
        elif kind == files.STREET:
            result.outcomes_joined = _join_outcomes(agency_id, crimes=crimes)
        _finish_record(record, result)
    _refresh_statistics()
    return result


def _refresh_statistics() -> None:
    """On PostgreSQL, ANALYZE each table the import wrote that changed by more than a tenth
    since its statistics were gathered (autovacuum's own threshold).

    Without statistics the planner takes the store for a small one, and the next file's
    look-ups (its refs, the children's histories for screening) scan whole tables: on the
    Metropolitan Police's 11 months, each file took longer than the one before, the last
    over three times as long a row as the first. Autovacuum would gather them, but only
    in its own time (a minute or more after the commit, if it is on at all), by which time
    the next file is half imported. A table that changed less is left to autovacuum.
    """
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for name in WRITTEN for m in apps.get_app_config(name).get_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
            " WHERE s.relname = ANY(%s)"
            " AND s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0)",
            [tables],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _watched(data: Iterator[files.Row], progress) -> Iterator[files.Row]:
    for n, row in enumerate(data, 1):
        yield row
        if progress is not None and n % 500 == 0:
            progress(500)


def _other_word(result: FileResult, row: files.Row, fmt) -> None:
    outcome = row.cells["outcome"].strip()
    if outcome and outcome not in fmt.outcomes:
        result.other_words[outcome] = result.other_words.get(outcome, 0) + 1


def _file_record(path, digest, kind, agency_id, fmt, by, result) -> ImportedFile:
    """The file's record, made first (outcomes point at it), filled in at the end."""
    record = ImportedFile.objects.filter(agency_id=agency_id, sha256=digest).first()
    if record is not None:
        result.seen_before = True
        return record
    return ImportedFile.objects.create(
        agency_id=agency_id,
        kind=kind,
        name=path.name,
        sha256=digest,
        month=files.named(path).month or "",
        rows=0,
        attribution=fmt.attribution,
        licence=f"{fmt.licence} ({fmt.licence_url})",
        format_version=fmt.version,
        imported_at=clock.now(),
        imported_by=by,
    )


def _finish_record(record: ImportedFile, result: FileResult) -> None:
    if result.seen_before:
        return
    record.rows = result.rows
    record.summary = {
        "created": dict(result.summary.created),
        "unchanged": dict(result.summary.unchanged),
        "outcomes": result.outcomes_new,
        "repeated": result.repeated,
    }
    record.save(update_fields=["rows", "summary"])


def _store_outcomes(found: list[tuple[rows_.Outcome, int]], record, agency_id) -> int:
    """Store the outcomes not stored before (a key once, at its first line); return how many."""
    stored = set(
        CrimeOutcome.objects.filter(
            agency_id=agency_id, crime_id__in={o.crime_id for o, _ in found}
        ).values_list("crime_id", "month", "outcome_type")
    )
    rows = []
    for o, line in found:
        key = (o.crime_id, o.month, o.outcome_type)
        if key not in stored:
            stored.add(key)
            rows.append(
                CrimeOutcome(
                    agency_id=agency_id,
                    crime_id=o.crime_id,
                    month=o.month,
                    outcome_type=o.outcome_type,
                    file=record,
                    line=line,
                )
            )
    CrimeOutcome.objects.bulk_create(rows)
    return len(rows)


def _join_outcomes(agency_id: int, *, file: ImportedFile | None = None, crimes=None) -> int:
    """Point each outcome not yet joined at its crime's report, where that is recorded."""
    waiting = CrimeOutcome.objects.filter(agency_id=agency_id, event__isnull=True)
    if file is not None:
        waiting = waiting.filter(file=file)
    ids = set(waiting.values_list("crime_id", flat=True))
    if crimes is not None:
        ids &= crimes
    ordered = sorted(ids)
    report = Event.objects.filter(
        agency_id=agency_id,
        source_ref=Concat(Value(rows_.crime_ref("")), OuterRef("crime_id")),
    )
    joined = 0
    for start in range(0, len(ordered), CHUNK):
        joined += (
            waiting.filter(crime_id__in=ordered[start : start + CHUNK])
            .filter(Exists(report))
            .update(event_id=Subquery(report.values("id")[:1]))
        )
    return joined
