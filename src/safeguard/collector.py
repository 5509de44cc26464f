"""Pausing Python's cyclic garbage collector over work that makes many objects and no cycles.

Making hundreds of thousands of small objects (a world's people, a chunk of screenings, a
graph's merged ties) that live on to the end of the work triggers collection after
collection, and each older one walks every object alive again: up to half the time of the
work. Reference counting still frees everything as usual meanwhile.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause the collector for the block, then restore it as it was.

    The young objects are looked over once at the end, here, rather than by whatever
    allocates next (the same collection, not left to be counted against other work).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)
