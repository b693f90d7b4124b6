"""JSON parsed with orjson, under an address-space limit (``ulimit -v``) as well: a clean
:class:`MemoryError` where orjson would crash the process. The garbage-collector pause
around a load lives in :mod:`catalog_diff.process.gcpause`.
"""

from __future__ import annotations

import os
from typing import Any

import orjson

#: orjson does not check that the Python objects it makes were allocated: under an
#: address-space limit (``ulimit -v``, RLIMIT_AS) it crashes the process (SIGSEGV) where
#: the standard library would raise MemoryError. So before it parses, there must be room
#: for the worst case: this many bytes of objects per byte of JSON (``[[],[],...]`` makes
#: a 56-byte list of every 3 bytes), plus a margin for the interpreter.
_OBJECT_BYTES_PER_JSON_BYTE = 32
_MARGIN = 8 << 20
_statm: int | None = None


def _address_space_left() -> int | None:
    """Bytes of address space left under RLIMIT_AS; None without a limit (or a way to
    tell: the size in use is read from ``/proc/self/statm``, Linux only)."""
    global _statm
    try:
        import resource
    except ImportError:  # pragma: no cover - not on this platform
        return None
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        if _statm is None:
            _statm = os.open("/proc/self/statm", os.O_RDONLY)
        pages = int(os.pread(_statm, 64, 0).split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return soft - pages * os.sysconf("SC_PAGE_SIZE")


def ensure_room(size: int, what: str) -> None:
    """Raise :class:`MemoryError` (a clean one) when parsing ``size`` bytes of JSON might
    not fit in the address space left under ``ulimit -v``."""
    left = _address_space_left()
    need = size * _OBJECT_BYTES_PER_JSON_BYTE + _MARGIN
    if left is not None and need > left:
        raise MemoryError(
            f"{what}: {_mib(size)} of JSON may need {_mib(need)} of memory, and "
            f"{_mib(max(left, 0))} are left under the address-space limit (ulimit -v)"
        )


def _mib(count: int) -> str:
    return f"{count / (1 << 20):.1f} MiB"


def loads(data: bytes | bytearray | memoryview | str, what: str = "JSON") -> Any:
    """``orjson.loads``, after :func:`ensure_room` when an address-space limit is set."""
    if _limited:
        ensure_room(len(data), what)
    return orjson.loads(data)


def _has_limit() -> bool:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on this platform
        return False
    return resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY


#: Read once: a process does not raise its own limit.
_limited = _has_limit()
