"""Score a stored run against a world's ground truth (`safeguard demo --labels`).

Line recovery: the adjusted Rand index between the true line of each person record and the
line the run put it in, over every record that is in a true line or in a found one (a
record in neither says nothing). Role accuracy: for each true line, the found line holding
most of its deal-line numbers (else most of its records); where its controller ranks by
controller score there (in the top 1 and the top 3); the share of the exploited children
given the part of runner; and each true role against the role given. The truth is never
read by the analysis itself.
"""

import json
from collections import Counter, defaultdict
from pathlib import Path

import igraph

from safeguard.network.graph import phone_key
from safeguard.network.models import AnalysisRun, LineMember
from safeguard.records.models import Person


class LabelsError(ValueError):
    """A labels file that cannot be used."""


def read_labels(path: Path | str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise LabelsError(f"{path}: cannot be read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise LabelsError(f"{path}: line {exc.lineno}: not JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or "lines" not in data or "people" not in data:
        raise LabelsError(f"{path}: not a demo world's labels (no lines or people)")
    return data


def evaluate(labels: dict, run: AnalysisRun) -> dict:
    """Return the figures of a run against the labels (plain data, for JSON)."""
    ids = {(a, r): i for i, a, r in Person.objects.values_list("id", "agency__code", "source_ref")}
    true_line: dict[int, str] = {}
    true_role: dict[int, str] = {}
    exploited: set[int] = set()
    for person in labels["people"]:
        for rec in person["records"]:
            pid = ids.get((rec["agency"], rec["ref"]))
            if pid is None:
                continue
            true_role[pid] = person["role"]
            if person["line"]:
                true_line[pid] = person["line"]
            if person.get("exploited_child"):
                exploited.add(pid)
    found_line: dict[int, str] = {}
    given_role: dict[int, str] = {}
    best: dict[int, float] = {}
    members = LineMember.objects.filter(line__run=run).select_related("line")
    rank: dict[tuple[str, int], int] = {}
    for m in members.iterator():
        top = max(m.scores.values(), default=0.0)
        for pid in m.records:
            rank[(m.line.key, pid)] = m.controller_rank
            if pid not in best or top > best[pid]:
                best[pid], found_line[pid], given_role[pid] = top, m.line.key, m.role
    judged = sorted(set(true_line) | set(found_line))
    ari = _ari([true_line.get(i, "-") for i in judged], [found_line.get(i, "-") for i in judged])
    # A true line matches the found line holding most of its deal-line numbers, else the one
    # holding most of its people's records.
    by_number = {
        phone_key(p["number"]): line.key for line in run.lines.all() for p in line.deal_phones
    }
    matched: dict[str, str] = {}
    for line in labels["lines"]:
        numbers = Counter(
            by_number[k]
            for d in line.get("deal_line_phones", [])
            if (k := phone_key(d["number"])) in by_number
        )
        records = [i for i, lid in true_line.items() if lid == line["id"]]
        votes = numbers or Counter(found_line[i] for i in records if i in found_line)
        if votes:
            matched[line["id"]] = votes.most_common(1)[0][0]
    controller_rank = {}
    for line in labels["lines"]:
        found = matched.get(line["id"])
        recs = [ids.get((r["agency"], r["ref"])) for r in line["controller"]["records"]]
        ranks = [rank[(found, i)] for i in recs if i is not None and (found, i) in rank]
        controller_rank[line["id"]] = min(ranks) if ranks else None
    in_graph = [i for i in exploited if i in found_line]
    as_runner = [i for i in exploited if given_role.get(i) == "runner"]
    confusion: dict[str, Counter] = defaultdict(Counter)
    for pid in judged:
        confusion[true_role.get(pid, "not in the truth")][given_role.get(pid, "not in a line")] += 1
    lines_n = len(labels["lines"])
    ranks = [r for r in controller_rank.values() if r is not None]
    return {
        "run": run.pk,
        "records_judged": len(judged),
        "line_ari": round(ari, 4),
        "lines_true": lines_n,
        "lines_found": run.lines.count(),
        "lines_matched": len(matched),
        "controller_top1": sum(1 for r in ranks if r == 1) / lines_n if lines_n else 0.0,
        "controller_top3": sum(1 for r in ranks if r <= 3) / lines_n if lines_n else 0.0,
        "controller_rank": controller_rank,
        "exploited_child_records": len(exploited),
        "exploited_children_in_a_line": len(in_graph),
        "exploited_children_as_runners": len(as_runner),
        "children_as_runners_share": round(len(as_runner) / len(exploited), 4)
        if exploited
        else 0.0,
        "roles": {t: dict(c) for t, c in sorted(confusion.items())},
    }


def _ari(a: list[str], b: list[str]) -> float:
    """Adjusted Rand index; 1.0 for two identical groupings even when each is one group (the
    formula's 0/0), as scikit-learn counts it."""
    if not a:
        return 0.0
    if len({(x, y) for x, y in zip(a, b, strict=True)}) == len(set(a)) == len(set(b)):
        return 1.0
    codes_a = {x: i for i, x in enumerate(sorted(set(a)))}
    codes_b = {x: i for i, x in enumerate(sorted(set(b)))}
    return igraph.compare_communities(
        [codes_a[x] for x in a], [codes_b[x] for x in b], method="adjusted_rand"
    )
