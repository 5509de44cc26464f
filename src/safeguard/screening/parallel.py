"""Re-screening many children in several processes, one chunk of children at a time each.

Screening is Python work (reading rows into facts, applying the rules), so one process
uses one core however many the machine has. A full re-screen (`safeguard screening run`)
splits the children into services' chunks and hands them to a pool of forked worker
processes. Each worker reads and screens its chunk outside any transaction, then stores
what changed in one short transaction of its own: on SQLite one writer holds the lock at
a time (for milliseconds), on PostgreSQL they write side by side.

A chunk is stored or not as a whole. If a worker fails, the chunks already stored stay
stored: a re-screen only adds results that differ from the latest, so running it again
finishes the job and repeats nothing.
"""

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime

from django.db import connection, connections

from safeguard.screening import services


def available_cores() -> int:
    """Return the number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> str | None:
    """Return why worker processes cannot be used here, or None when they can."""
    if connection.in_atomic_block:
        return "inside a transaction, which other processes could not see"
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return "the database is in this process's memory"
    if "fork" not in multiprocessing.get_all_start_methods():
        return "this platform cannot fork"
    return None


def rescreen(
    moments: Mapping[int, datetime],
    *,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> Counter[str]:
    """Screen each person as of their moment in `workers` processes; store what changed.

    Returns how many screenings were stored, by level. With one worker, or where workers
    cannot be used (can_fork), the chunks are screened in this process.
    """
    if workers <= 1 or can_fork() is not None:
        stored = services.rescreen(moments, progress=progress)
        return Counter(s.level for s in stored)
    ids = sorted(moments)
    tasks = [
        {pk: moments[pk] for pk in ids[start : start + services.CHUNK]}
        for start in range(0, len(ids), services.CHUNK)
    ]
    # A forked worker must not share the parent's database connection: each opens its own.
    connections.close_all()
    levels: Counter[str] = Counter()
    with multiprocessing.get_context("fork").Pool(min(workers, len(tasks))) as pool:
        for done, stored in pool.imap_unordered(_work, tasks):
            levels.update(stored)
            if progress is not None:
                progress(done)
    return levels


def _work(moments: dict[int, datetime]) -> tuple[int, Counter[str]]:
    """Screen one chunk in a worker; return its size and the levels of what was stored."""
    stored = services.rescreen(moments)
    return len(moments), Counter(s.level for s in stored)
