"""Benchmark: the graph of the records at scale (build, lines, roles), and igraph against networkx.

A synthetic graph (bench/network_world.py: a population with homes, households, family,
phones and their contacts, events and places, and county lines planted in it), made as
`network.graph` Nodes and Ties with no database, seeded, so every run measures the same graph.

- large:   about 200,000 nodes and 1,000,000 merged edges. Timed separately, in one process:
           graph.build(nodes, ties, weights); lines.detect(rg, rules); the roles, as
           running.analyse_graph(rg, rules, recorded=False) does them after detect
           (line_roles.score for each line found, then the legal tools of each person).
           Without a database the records' evidence is empty (evidence.recorded reads the
           events): drugs found, journeys, missing episodes and intelligence reports count
           nothing, and ages come from dates of birth. Each step's seconds, and its CPU
           seconds (what it takes on a core of its own, when the machine is shared). Peak
           memory: the process's maximum resident set (ru_maxrss) after each step. Then
           detect's parts and the lines' structure (line_roles.structure_within: betweenness,
           k-core and constraint of each line's projection) again, each alone, to show where
           the time goes, and how much of what was planted was found (lines, and each planted
           part given its role). Target of issue 6: build + lines + roles under 120 s on 2
           cores. Each run is its own process.
- memory:  the same steps once more in another process under tracemalloc, for the peak of
           the Python heap in each step (tracemalloc slows allocation, so these timings are
           shown but are not the figures; igraph's own memory, in C, is not traced).
- compare: about 100,000 merged edges from the same generator (fewer people and lines).
           The same computations in igraph (our code: graph.build, lines.deal_phones,
           lines.communities, lines._hops, and line_roles.projection with igraph's
           betweenness, the betweenness part of line_roles.structure_within) and in networkx
           (small functions below, mirroring them): building the graph from the same ties
           (graph.merge in both, the cycle collector paused in both), the fan-out of deal
           phones (degree and local clustering of the contact subgraph), communities (igraph
           Leiden, modularity, best of 3 runs of 2 iterations, as lines.communities; networkx
           has no Leiden of its own, so Louvain, seeded, best of 3, each run to the end),
           the breadth-first hops around each line's deal phones, and betweenness in each
           line's projection (its people alone). Each step is run --repeats times, the
           fastest kept; the results of the two are compared. Target: networkx at least 10
           times slower.

It prints the figures and writes them to bench/results/network-<timestamp>.json with the
machine and its load average (the machine may be shared). It is not a test: it passes or
fails nothing. networkx is a benchmark-only dependency (the `bench` extra of pyproject.toml);
without it the script stops at once and says how to install it.

    .venv/bin/python bench/network.py                               # 2 large runs, compare
    .venv/bin/python bench/network.py --people 20000 --lines 8 --runs 1 --repeats 1
    .venv/bin/python bench/network.py --runs 0 --no-memory          # the comparison alone
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import machine  # bench/machine.py

HERE = Path(__file__).resolve().parent
SEED = 2019
TARGET_S = 120
TARGET_RATIO = 10
NETWORKX = "3.6.1"
MISSING = (
    "bench/network.py needs networkx {want} for its comparison: install the bench extra "
    "(pip install -e '.[bench]', or pip install networkx=={want}) into this Python ({python})"
)


def _setup() -> None:
    """Load Django: the role scoring imports the records' models (never queried here)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    import django

    django.setup()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, repeats: int = 1):
    """Return the fastest of `repeats` runs: its seconds, its CPU seconds, and the result.

    CPU seconds (this process's, user and system) are what the step would take alone on an
    idle machine (everything here runs on one core); the seconds are what it took.
    """
    best, out = None, None
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        out = fn()
        took = (time.perf_counter() - started, time.process_time() - cpu)
        best = took if best is None or took[0] < best[0] else best
    return best[0], best[1], out


# -- the large graph ------------------------------------------------------------------------


def score_lines(rg, rules, found):
    """Score every found line's people and give the legal tools, as running.analyse_graph does
    after detect with recorded=False (no events: `records` is empty)."""
    from safeguard.network import line_roles, running

    records: dict = {}
    every_deal = {v for line in found for v in line.deal_phones}
    scored = [line_roles.score(rg, line, rules, records, every_deal) for line in found]
    for line in scored:
        for person in line.people:
            person.tools = running.disruption_tools(line, person, rules, records.get(person.vertex))
    return scored


def work_large(people: int, lines_n: int, seed: int, memory: bool) -> dict:
    _setup()
    from network_world import generate

    from safeguard.network import graph, line_roles, line_rules, lines

    rules = line_rules.current()
    load_start = machine.load()
    started = time.perf_counter()
    world = generate(people, lines_n, seed)
    generated_s = time.perf_counter() - started
    out: dict = {
        "generate_s": generated_s,
        "rss_after_generate_mib": _rss_mib(),
        "world": world.counts(),
        "steps": {},
    }
    if memory:
        tracemalloc.start()

    def step(name: str, fn):
        if memory:
            tracemalloc.reset_peak()
        took, cpu, result = _timed(fn)
        out["steps"][name] = {"s": took, "cpu_s": cpu, "rss_after_mib": _rss_mib()}
        if memory:
            out["steps"][name]["python_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        return result

    rg = step("build", lambda: graph.build(world.nodes, world.ties, rules.edges.weights))
    found = step("lines", lambda: lines.detect(rg, rules))
    scored = step("roles", lambda: score_lines(rg, rules, found))
    if memory:
        tracemalloc.stop()
    out["load_after_timed"] = machine.load()
    out["graph"] = {
        "nodes": rg.graph.vcount(),
        "edges": rg.graph.ecount(),
        "ties": len(world.ties),
        "edges_by_kind": dict(Counter(rg.graph.es["kind"])),
    }
    members = [len(line.members) for line in found]
    persons = [len(s.people) for s in scored]
    out["found"] = {
        "lines": len(found),
        "deal_phones": sum(len(line.deal_phones) for line in found),
        "members": _spread(members),
        "people": _spread(persons),
        "people_scored": sum(persons),
        "roles": dict(Counter(p.role for s in scored for p in s.people)),
        "with_tools": sum(1 for s in scored for p in s.people if p.tools),
    }
    out["planted"] = recovered(world, rg, scored)
    if not memory:
        # Where the time goes: detect's parts and the line betweenness, each alone.
        parts: dict = {}
        parts["deal_phones"], _, deal = _timed(lambda: lines.deal_phones(rg, rules))
        parts["group_deal_phones"], _, groups = _timed(
            lambda: lines.group_deal_phones(rg, deal, rules)
        )
        parts["communities"], _, _ = _timed(lambda: lines.communities(rg, rules))
        parts["hops"], _, _ = _timed(
            lambda: [
                lines._hops(rg.graph, p, rules.groups.max_hops, rules.groups.hub_degree)
                for p in groups
            ]
        )
        parts["structure_within"], _, _ = _timed(
            lambda: [line_roles.structure_within(rg, line) for line in found]
        )
        out["parts_s"] = parts
    out["load_start"], out["load_end"] = load_start, machine.load()
    return out


def _spread(values: list[int]) -> dict:
    if not values:
        return {"min": 0, "median": 0, "max": 0, "total": 0}
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
        "total": sum(values),
    }


def recovered(world, rg, scored) -> dict:
    """Return how much of what was planted the analysis found: lines, and each planted part
    given that role in the found line that holds most of the line's deal phones."""
    holder: dict[int, int] = {}
    for i, s in enumerate(scored):
        for v in s.line.deal_phones:
            holder[v] = i
    parts = {"controller": 0, "lieutenant": 0, "runner": 0, "cuckooed_resident": 0, "user": 0}
    given = dict.fromkeys(parts, 0)
    found_lines = 0
    for planted in world.lines:
        held = Counter(holder.get(rg.index[k]) for k in planted.deal_phones)
        held.pop(None, None)
        truth = {planted.controller: "controller"}
        truth |= dict.fromkeys(planted.lieutenants, "lieutenant")
        truth |= dict.fromkeys(planted.runners, "runner")
        truth |= dict.fromkeys(planted.residents, "cuckooed_resident")
        truth |= dict.fromkeys(planted.users, "user")
        for role in truth.values():
            parts[role] += 1
        if not held:
            continue
        found_lines += 1
        line = scored[held.most_common(1)[0][0]]
        role_of = {rg.nodes[p.vertex].key: p.role for p in line.people}
        for key, role in truth.items():
            given[role] += role_of.get(key) == role
    return {
        "lines": len(world.lines),
        "lines_found": found_lines,
        "parts": parts,
        "given_the_planted_role": given,
    }


# -- networkx, mirroring graph.py, lines.py and line_roles.py ---------------------------------


def nx_build(nodes, ties, weights):
    """graph.build in networkx: the same merge (graph.merge), with the garbage collector
    paused as build pauses it, into a MultiGraph keyed by the tie's kind."""
    import networkx as nx

    from safeguard import collector
    from safeguard.network.graph import merge, weight_of

    node_list = list(nodes)
    index = {n.key: i for i, n in enumerate(node_list)}
    with collector.paused():
        merged = merge(index, ties)
        graph = nx.MultiGraph()
        graph.add_nodes_from(
            (i, {"key": n.key, "kind": n.kind, "label": n.label}) for i, n in enumerate(node_list)
        )
        graph.add_edges_from(
            (
                a,
                b,
                kind,
                {
                    "count": v[0],
                    "first": v[1].isoformat() if v[1] else None,
                    "last": v[2].isoformat() if v[2] else None,
                    "sources": tuple(v[3]),
                    "weight": weight_of(kind, v[0], weights),
                },
            )
            for (a, b, kind), v in merged.items()
        )
    return graph, node_list


def nx_deal_phones(graph, node_list, rules) -> dict[int, str]:
    """lines.deal_phones in networkx: recorded deal lines, then the fan-out of the contacts."""
    import networkx as nx

    found: dict[int, str] = {}
    cfg = rules.deal_lines
    phones = [v for v, kind in graph.nodes(data="kind") if kind == "phone"]
    if cfg.recorded:
        for v in phones:
            facts = node_list[v].facts
            if facts.get("deal_line"):
                found[v] = "recorded as a deal line" + (
                    f" ({facts['line_name']})" if facts.get("line_name") else ""
                )
            elif facts.get("line_name"):
                found[v] = f"recorded with the line name {facts['line_name']}"
    contacts = nx.Graph()
    contacts.add_nodes_from(graph)
    contacts.add_edges_from((a, b) for a, b, kind in graph.edges(keys=True) if kind == "contact")
    degree = contacts.degree
    busy = [v for v in phones if degree[v] >= cfg.fan_out.min_contacts]
    if busy:
        clustering = nx.clustering(contacts, busy)
        for v in busy:
            c = clustering[v]
            if v not in found and c <= cfg.fan_out.max_clustering:
                found[v] = (
                    f"in contact with {degree[v]} numbers, {c:.0%} of whose pairs contact each "
                    "other: the fan-out of bulk marketing texts"
                )
    return found


def nx_communities(graph, rules, seed: int = SEED, starts: int = 3) -> tuple[list[int], float]:
    """lines.communities in networkx: Louvain (no Leiden in networkx), best of `starts`."""
    import networkx as nx

    best = None
    for i in range(starts):
        parts = nx.community.louvain_communities(
            graph, weight="weight", resolution=rules.groups.resolution, seed=seed + i
        )
        quality = nx.community.modularity(
            graph, parts, weight="weight", resolution=rules.groups.resolution
        )
        if best is None or quality > best[1]:
            best = (parts, quality)
    membership = [0] * graph.number_of_nodes()
    for k, part in enumerate(best[0]):
        for v in part:
            membership[v] = k
    return membership, best[1]


def nx_hops(graph, seeds: list[int], most: int, hub: int) -> dict[int, int]:
    """lines._hops in networkx: breadth first, hubs reached but not passed through."""
    seen = {s: 0 for s in seeds}
    frontier = list(seeds)
    for depth in range(1, most + 1):
        if depth > 1:
            frontier = [v for v in frontier if graph.degree(v) <= hub]
        reached = []
        for u in frontier:
            for v in graph.adj[u]:
                if v not in seen:
                    seen[v] = depth
                    reached.append(v)
        frontier = reached
        if not frontier:
            break
    return seen


def _clique_at_most() -> int:
    """The rules' cap on tying everyone at one phone or address to each other (lines.yaml)."""
    from safeguard.network import line_rules

    return line_rules.current().groups.clique_at_most


def ig_betweenness_within(rg, line) -> dict[int, float]:
    """The betweenness part of line_roles.structure_within: in the line's projection."""
    from safeguard.network import line_roles

    people, sub = line_roles.projection(rg, line, _clique_at_most())
    values = sub.betweenness(directed=False)
    top = max(values, default=0.0) or 1.0
    return {people[i]: v / top for i, v in enumerate(values)}


def nx_projection(graph, node_list, members: set[int]):
    """line_roles.projection in networkx: the line's people, tied when a tie joins them, their
    phones contact each other, they use the same phone or are tied to the same address."""
    import networkx as nx

    people = sorted(v for v in members if node_list[v].kind == "person")
    at = {p: i for i, p in enumerate(people)}
    holders: dict[int, set[int]] = {}
    pairs: set[tuple[int, int]] = set()
    for p in people:
        for other in graph.adj[p]:
            if other in at:
                pairs.add((min(at[p], at[other]), max(at[p], at[other])))
            elif other in members and node_list[other].kind != "person":
                holders.setdefault(other, set()).add(at[p])
    for thing, who in holders.items():
        if node_list[thing].kind == "phone":
            for far, kinds in graph.adj[thing].items():
                if "contact" in kinds and far in holders:
                    who = who | holders[far]
        ordered = sorted(who)
        if len(ordered) <= _clique_at_most():
            pairs.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :])
        else:
            hub = min(ordered)
            pairs.update((min(hub, b), max(hub, b)) for b in ordered if b != hub)
    sub = nx.Graph()
    sub.add_nodes_from(range(len(people)))
    sub.add_edges_from(sorted(pairs))
    return people, sub


def nx_betweenness_within(graph, node_list, members: set[int]) -> dict[int, float]:
    """ig_betweenness_within in networkx: betweenness in the line's projection, scaled to 1."""
    import networkx as nx

    people, sub = nx_projection(graph, node_list, members)
    values = nx.betweenness_centrality(sub, normalized=False)
    top = max(values.values(), default=0.0) or 1.0
    return {people[i]: v / top for i, v in values.items()}


def _networkx_leiden() -> str:
    """Return what networkx's own leiden_communities does (it dispatches to backends only)."""
    import networkx as nx

    try:
        nx.community.leiden_communities(nx.path_graph(3), seed=1)
    except NotImplementedError as exc:
        return f"NotImplementedError: {exc}"
    return "available"


def work_compare(people: int, lines_n: int, seed: int, repeats: int) -> dict:
    _setup()
    import igraph
    import networkx as nx
    from network_world import generate

    from safeguard.network import graph, line_rules, lines

    rules = line_rules.current()
    load_start = machine.load()
    world = generate(people, lines_n, seed)
    weights = rules.edges.weights
    hops_cfg = (rules.groups.max_hops, rules.groups.hub_degree)
    steps: dict = {}

    def both(name: str, ours, theirs):
        ig_s, ig_cpu, ig = _timed(ours, repeats)
        nx_s, nx_cpu, nxr = _timed(theirs, repeats)
        steps[name] = {
            "igraph_s": ig_s,
            "networkx_s": nx_s,
            "ratio": nx_s / ig_s,
            "igraph_cpu_s": ig_cpu,
            "networkx_cpu_s": nx_cpu,
        }
        return ig, nxr

    rg, (nxg, node_list) = both(
        "build",
        lambda: graph.build(world.nodes, world.ties, weights),
        lambda: nx_build(world.nodes, world.ties, weights),
    )
    deal, nx_deal = both(
        "fan_out",
        lambda: lines.deal_phones(rg, rules),
        lambda: nx_deal_phones(nxg, node_list, rules),
    )
    ig_members, (nx_members, nx_q) = both(
        "communities", lambda: lines.communities(rg, rules), lambda: nx_communities(nxg, rules)
    )
    groups = lines.group_deal_phones(rg, deal, rules)
    ig_hops, nx_hop = both(
        "hops",
        lambda: [lines._hops(rg.graph, p, *hops_cfg) for p in groups],
        lambda: [nx_hops(nxg, p, *hops_cfg) for p in groups],
    )
    found = lines.detect(rg, rules)
    ig_b, nx_b = both(
        "betweenness",
        lambda: [ig_betweenness_within(rg, line) for line in found],
        lambda: [nx_betweenness_within(nxg, node_list, line.members) for line in found],
    )
    ig_total = sum(s["igraph_s"] for s in steps.values())
    nx_total = sum(s["networkx_s"] for s in steps.values())
    ig_q = rg.graph.modularity(ig_members, weights="weight", resolution=rules.groups.resolution)
    diffs = [abs(a[v] - b[v]) for a, b in zip(ig_b, nx_b, strict=True) for v in a]
    same_top = sum(
        max(a, key=lambda v: (a[v], -v)) == max(b, key=lambda v: (b[v], -v))
        for a, b in zip(ig_b, nx_b, strict=True)
        if a
    )
    return {
        "graph": {
            "nodes": rg.graph.vcount(),
            "edges": rg.graph.ecount(),
            "ties": len(world.ties),
            "networkx_edges": nxg.number_of_edges(),
        },
        "lines_found": len(found),
        "line_members": _spread([len(line.members) for line in found]),
        "steps": steps,
        "igraph_total_s": ig_total,
        "networkx_total_s": nx_total,
        "ratio": nx_total / ig_total,
        "same": {
            "deal_phones": deal == nx_deal,
            "hops": ig_hops == nx_hop,
            "communities_igraph_leiden": len(set(ig_members)),
            "communities_networkx_louvain": len(set(nx_members)),
            "modularity_igraph_leiden": ig_q,
            "modularity_networkx_louvain": nx_q,
            "betweenness_max_difference": max(diffs, default=0.0),
            "betweenness_same_top_person": f"{same_top} of {sum(1 for a in ig_b if a)}",
        },
        "networkx_leiden": _networkx_leiden(),
        "versions": {"igraph": igraph.__version__, "networkx": nx.__version__},
        "repeats": repeats,
        "load_start": load_start,
        "load_end": machine.load(),
    }


# -- orchestration ----------------------------------------------------------------------------


def worker(mode: str, args) -> None:
    if mode == "compare":
        result = work_compare(args.compare_people, args.compare_lines, args.seed, args.repeats)
    else:
        result = work_large(args.people, args.lines, args.seed, memory=mode == "memory")
    result["peak_rss_mib"] = _rss_mib()
    print(json.dumps(result))


def _run(mode: str, args) -> dict:
    command = [sys.executable, __file__, "--worker", mode, "--seed", str(args.seed)]
    command += ["--people", str(args.people), "--lines", str(args.lines)]
    command += ["--compare-people", str(args.compare_people)]
    command += ["--compare-lines", str(args.compare_lines), "--repeats", str(args.repeats)]
    # Django wants a folder for its secret key; nothing else is written there.
    var = tempfile.mkdtemp(prefix="sg-bench-var-")
    env = {**os.environ, "SAFEGUARD_VAR_DIR": var}
    try:
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stderr)
        raise
    finally:
        shutil.rmtree(var, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _require_networkx() -> str:
    try:
        import networkx
    except ImportError:
        sys.exit(MISSING.format(want=NETWORKX, python=sys.executable))
    if networkx.__version__ != NETWORKX:
        print(f"note: networkx {networkx.__version__}, not {NETWORKX} as pinned", flush=True)
    return networkx.__version__


def _machine(networkx_version: str) -> dict:
    import igraph

    return machine.describe(igraph=igraph.__version__, networkx=networkx_version)


def _print_large(i: int, r: dict) -> None:
    s, gr, f, p = r["steps"], r["graph"], r["found"], r["planted"]
    total = s["build"]["s"] + s["lines"]["s"] + s["roles"]["s"]
    cpu = s["build"]["cpu_s"] + s["lines"]["cpu_s"] + s["roles"]["cpu_s"]
    met = "met" if total < TARGET_S else "not met"
    print(
        f"large run {i}: {gr['nodes']:,} nodes, {gr['edges']:,} edges ({gr['ties']:,} ties "
        f"merged); generated in {r['generate_s']:.0f} s (not timed); load {r['load_start']} -> "
        f"{r['load_end']}\n"
        f"  build {s['build']['s']:7.1f} s   lines {s['lines']['s']:7.1f} s   roles "
        f"{s['roles']['s']:7.1f} s   total {total:.1f} s: under {TARGET_S} s {met}\n"
        f"  CPU   {s['build']['cpu_s']:7.1f} s   lines {s['lines']['cpu_s']:7.1f} s   roles "
        f"{s['roles']['cpu_s']:7.1f} s   total {cpu:.1f} s (this process alone)\n"
        f"  peak memory {r['peak_rss_mib']:,.0f} MiB (after generating "
        f"{r['rss_after_generate_mib']:,.0f}, build {s['build']['rss_after_mib']:,.0f}, lines "
        f"{s['lines']['rss_after_mib']:,.0f}, roles {s['roles']['rss_after_mib']:,.0f})\n"
        f"  {f['lines']} lines found ({p['lines_found']} of {p['lines']} planted), "
        f"{f['people_scored']:,} people scored (a line: median {f['people']['median']}, max "
        f"{f['people']['max']}; members median {f['members']['median']}, max "
        f"{f['members']['max']}); roles {f['roles']}\n"
        f"  parts, each alone: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["parts_s"].items()),
        flush=True,
    )


def _print_compare(r: dict) -> None:
    gr = r["graph"]
    print(
        f"compare: {gr['nodes']:,} nodes, {gr['edges']:,} edges, {r['lines_found']} lines; "
        f"fastest of {r['repeats']}; load {r['load_start']} -> {r['load_end']}",
        flush=True,
    )
    for name, s in r["steps"].items():
        print(
            f"  {name:12} igraph {s['igraph_s']:8.3f} s   networkx {s['networkx_s']:8.3f} s   "
            f"{s['ratio']:6.1f}x"
        )
    met = "met" if r["ratio"] >= TARGET_RATIO else "not met"
    print(
        f"  {'total':12} igraph {r['igraph_total_s']:8.3f} s   networkx "
        f"{r['networkx_total_s']:8.3f} s   {r['ratio']:6.1f}x: at least {TARGET_RATIO}x {met}\n"
        f"  same results: {r['same']}\n  networkx's own Leiden: {r['networkx_leiden']}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=91_000, help="people of the large graph")
    parser.add_argument("--lines", type=int, default=30, help="lines planted in the large graph")
    parser.add_argument("--runs", type=int, default=2, help="timed runs of the large graph")
    yes_no = argparse.BooleanOptionalAction
    parser.add_argument("--memory", action=yes_no, default=True, help="the tracemalloc pass")
    parser.add_argument("--compare", action=yes_no, default=True, help="igraph and networkx")
    parser.add_argument("--compare-people", type=int, default=8_800)
    parser.add_argument("--compare-lines", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3, help="of each compared step")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--worker", choices=("large", "memory", "compare"))
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args)
        return
    networkx_version = _require_networkx()
    info = _machine(networkx_version)
    settings = {k: v for k, v in vars(args).items() if k != "worker"}
    settings |= {"target_s": TARGET_S, "target_ratio": TARGET_RATIO}
    out = HERE / "results" / f"network-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    print(", ".join(f"{k} {v}" for k, v in info.items() if k != "system"), flush=True)
    results: dict = {"large": [], "memory": None, "compare": None}

    def write() -> None:
        # Written after each part, so that a long run interrupted keeps what it measured.
        out.write_text(json.dumps({"machine": info, "settings": settings, **results}, indent=2))

    for i in range(1, args.runs + 1):
        r = _run("large", args)
        results["large"].append(r)
        _print_large(i, r)
        write()
    if args.memory:
        m = _run("memory", args)
        results["memory"] = m
        print(
            "memory pass (tracemalloc; its timings are slowed): "
            + ", ".join(
                f"{k} {v['s']:.1f} s, Python heap peak {v['python_peak_mib']:,.0f} MiB"
                for k, v in m["steps"].items()
            )
            + f"; peak resident {m['peak_rss_mib']:,.0f} MiB",
            flush=True,
        )
        write()
    if args.compare:
        results["compare"] = _run("compare", args)
        _print_compare(results["compare"])
    info["load_average_end"] = machine.load()
    write()
    print(f"written to {out}")


if __name__ == "__main__":
    main()
