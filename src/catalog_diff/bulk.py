"""Bulk loads and the cyclic garbage collector.

Parsing a catalog allocates hundreds of thousands of small objects, none of them part of
a cycle: the collector is paused while they are made (:func:`gc_paused`). Once the load
is over it would walk all of them again and again as they age (0.15 s and more after a
whole catalog). A process that loads, reports and exits, such as the command line, can
instead have every load end by moving what is alive out of the collector's sight
(:func:`freeze_after_loads`, :func:`gc.freeze`); garbage made afterwards is
still collected. A long-running program should leave that off:
frozen objects are never collected as cycles.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_freeze = False


def freeze_after_loads(on: bool = True) -> None:
    """End every later :func:`gc_paused` block with :func:`gc.freeze` (see above)."""
    global _freeze
    _freeze = on


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (the collector's state is restored)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _freeze:
            gc.freeze()
        if enabled:
            gc.enable()
