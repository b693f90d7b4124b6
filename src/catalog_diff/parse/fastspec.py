"""The fast constructor of :class:`~catalog_diff.model.snapshot.Spec` the parser uses.

Why (benchmarks/README.md, tuning log): a ``Spec`` built by setting its slots
(:func:`make_spec`) takes 0.42 us against 0.93 us for the frozen dataclass's
``__init__``; with the memo look-ups inline in the spec parser
(:func:`~catalog_diff.parse.specs.spec_parser`), a whole-snapshot load (all tags) went
from 1.95 s to 1.72 s. A whole catalog builds
hundreds of thousands of specs.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model.snapshot import Spec


def _spec_maker() -> Callable[
    [
        str,
        tuple[str, ...],
        str,
        str,
        str,
        str,
        tuple[str, ...],
        tuple[str, ...],
        str,
        tuple[str, ...],
        tuple[tuple[str, object], ...],
    ],
    Spec,
]:
    """A constructor of :class:`Spec` taking every field in order, positionally, that
    sets the slots directly. A frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` once per field, which makes it twice as slow, and a whole
    catalog builds hundreds of thousands of specs. Same object, same checks-free
    contract as ``Spec(...)`` with every argument given."""
    new = object.__new__
    (
        hash_,
        versions,
        compiler,
        os,
        platform,
        target,
        variants,
        stacks,
        raw_compiler,
        raw_variants,
        extra,
    ) = (getattr(Spec, name).__set__ for name in Spec.__slots__)

    def make(
        h: str,
        ve: tuple[str, ...],
        c: str,
        o: str,
        p: str,
        t: str,
        va: tuple[str, ...],
        st: tuple[str, ...],
        rc: str,
        rv: tuple[str, ...],
        ex: tuple[tuple[str, object], ...],
    ) -> Spec:
        spec = new(Spec)
        hash_(spec, h)
        versions(spec, ve)
        compiler(spec, c)
        os(spec, o)
        platform(spec, p)
        target(spec, t)
        variants(spec, va)
        stacks(spec, st)
        raw_compiler(spec, rc)
        raw_variants(spec, rv)
        extra(spec, ex)
        return spec

    return make


#: ``make_spec(hash, versions, compiler, os, platform, target, variants, stacks,
#: raw_compiler, raw_variants, extra)``: see :func:`_spec_maker`.
make_spec = _spec_maker()
