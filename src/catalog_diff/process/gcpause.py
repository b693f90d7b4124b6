"""The cyclic garbage collector during a load.

Parsing a catalog allocates hundreds of thousands of small objects, none of them part of
a cycle: the collector is paused while they are made (:func:`gc_paused`). Once the load
is over it would walk all of them again and again as they age. A process that loads,
reports and exits, such as the command line, can instead have every load end by moving
what is alive out of the collector's sight (:func:`freeze_after_loads`,
:func:`gc.freeze`); garbage made afterwards is still collected. A long-running program
should leave that off: frozen objects are never collected as cycles.

Why (benchmarks/README.md, tuning log): pausing the collector while parsing was part of
the step that took a whole-snapshot load (all tags) from 8.2 s to 3.9 s; ending each load
with :func:`gc.freeze` took it from 2.24 s to 2.08 s (the collector walked every object of
a loaded catalog, 0.15 s and more, after each load). The collector is not left off for the
whole command: deepdiff leaves cycles behind (17 KB for every same-hash pair it describes).
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
