"""A Jinja2 sandbox whose templates cannot grow without bound.

Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` keeps a template from
reaching Python's internals or changing the data, but not from using all the memory or
time there is: ``{{ "x" * 10**10 }}``, ``{% set ns.s = ns.s ~ ns.s %}`` in a loop, loops
nested ten deep, ``"x"|center(10**10)``. :class:`BoundedSandbox` also bounds:

- every loop: all ``for`` loops of one rendering take at most :data:`MAX_ITERATIONS`
  steps in all (each loop's iterable is counted as it is walked; recursive loops too),
  and ``range`` gives at most :data:`MAX_RANGE` numbers;
- every value a template computes: a string, list or mapping made by ``*``, ``+``, ``~``,
  ``%``, a filter or a method call weighs at most :data:`MAX_VALUE` (characters, plus one
  per item, counted through nested lists), checked *before* it is made where it could
  grow (repetition, padding, replacement, joining) and for whatever is turned into text;
  ``**`` makes numbers of at most :data:`MAX_POWER_BITS` bits;
- the work: the values those operations make weigh :data:`MAX_WORK` in all, so that a
  string grown a little at a time in a loop (each step copying it) stays cheap too;
- the output: rendering stops past :data:`MAX_OUTPUT` characters (:func:`render_bounded`).

Exceeding any of them raises :class:`jinja2.sandbox.SecurityError` naming the limit.
``lipsum`` (which writes text of any length) is not offered.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import jinja2.sandbox
from jinja2 import nodes, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment

#: Loop steps of one rendering, all loops together.
MAX_ITERATIONS = 1_000_000
#: Numbers ``range`` gives at most (Jinja2's own sandbox limit: OverflowError past it).
MAX_RANGE = jinja2.sandbox.MAX_RANGE
#: The weight of one computed value: characters, plus one per item of a list or mapping.
MAX_VALUE = 4_000_000
#: The weight of all the values one rendering computes.
MAX_WORK = 256_000_000
#: The characters of one rendering.
MAX_OUTPUT = 16 * 1024 * 1024
#: The size of a number ``**`` may make.
MAX_POWER_BITS = 4096

#: Filters that neither turn their value into text nor make it larger than it is.
_NOT_GROWING = frozenset(
    {
        "abs",
        "attr",
        "bool",
        "count",
        "d",
        "default",
        "dictsort",
        "first",
        "float",
        "groupby",
        "int",
        "items",
        "last",
        "length",
        "list",
        "map",
        "max",
        "min",
        "random",
        "reject",
        "rejectattr",
        "reverse",
        "round",
        "select",
        "selectattr",
        "sort",
        "unique",
    }
)
#: A number of seven digits or more in a format: a width or precision past the limit.
_HUGE_WIDTH = re.compile(r"\d{7,}")


def weight(value: object, limit: int = MAX_VALUE) -> int:
    """Characters of the strings in ``value`` plus one per item of its lists and
    mappings, nested; stops counting once past ``limit``."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item) + 1
            if total <= limit:
                stack.extend(item)
        elif isinstance(item, Mapping):
            total += len(item) + 1
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        else:
            total += 1
        if total > limit:
            return total
    return total


def _refuse(what: str, size: float, limit: int, unit: str = "characters") -> None:
    if size > limit:
        raise SecurityError(f"{what} would be larger than {limit:,} {unit} (the limit)")


def _repeat_weight(left: object, right: object) -> float | None:
    """The weight of ``left * right`` for a sequence and a count, else None."""
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            return weight(seq) * max(count, 0)
    return None


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with loops, values and output bounded (see the module)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.iterations = 0
        self.work = 0
        self.globals.pop("lipsum", None)
        given = self.finalize  # the caller's own (a plain function), applied after the check

        def finalize(value: object) -> object:
            checked = self._finalize(value)
            return given(checked) if given is not None else checked

        self.finalize = finalize

    # ---- loops ---------------------------------------------------------------------

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template's tree, with every loop's iterable counted as it is walked."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = self._counted_call(loop.iter)
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "loop" and call.args:
                call.args[0] = self._counted_call(call.args[0])  # a recursive loop's next level
        for concat in list(tree.find_all(nodes.Concat)):
            concat.nodes = [
                nodes.Call(
                    nodes.EnvironmentAttribute("bounded_concat"), list(concat.nodes), [], None, None
                )
            ]
        return tree

    @staticmethod
    def _counted_call(iterable: nodes.Node) -> nodes.Call:
        return nodes.Call(nodes.EnvironmentAttribute("counted"), [iterable], [], None, None)

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """The items of ``iterable``, each one step of the rendering's loop budget."""
        for item in iterable:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise SecurityError(
                    f"the template's loops took more than {MAX_ITERATIONS:,} steps (the limit)"
                )
            yield item

    # ---- values --------------------------------------------------------------------

    def spend(self, what: str, size: float) -> None:
        """Refuse a value over :data:`MAX_VALUE`, or one that takes the rendering's work
        past :data:`MAX_WORK`."""
        _refuse(what, size, MAX_VALUE)
        self.work += int(size)
        if self.work > MAX_WORK:
            raise SecurityError(
                f"the template computed more than {MAX_WORK:,} characters in all (the limit)"
            )

    @property
    def bounded_concat(self) -> Callable[..., str]:
        @pass_eval_context
        def concat(eval_ctx: EvalContext, *values: object) -> str:
            self.spend("a ~ concatenation", sum(weight(v) for v in values))
            return markup_join(values) if eval_ctx.autoescape else str_join(values)

        return concat

    def _finalize(self, value: object) -> object:
        if not isinstance(value, str | int | float):
            _refuse("a value written out", weight(value), MAX_VALUE)
        return value

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            size = _repeat_weight(left, right)
            if size is not None:
                self.spend("a * repetition", size)
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                _refuse("a ** power", abs(left).bit_length() * right, MAX_POWER_BITS, "bits")
        elif operator == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                self.spend("a + concatenation", weight(left) + weight(right))
        elif operator == "%" and isinstance(left, str):
            if _HUGE_WIDTH.search(left):
                raise SecurityError("a % format with a width or precision past the limit")
            self.spend("a % format", weight(left) + weight(right))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        method = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):  # the only methods that make text from arguments
            name = getattr(method, "__name__", "")
            __self.spend(f"str.{name}()", _str_method_size(owner, name, args, kwargs))
        return super().call(__context, __obj, *args, **kwargs)


def _str_method_size(text: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> float:
    """How large the result of a str method could be."""
    size = weight(text) + weight(args) + weight(kwargs)
    if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        return max(size, args[0])
    if name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        old, new = args[0], args[1]
        hits = text.count(old) if old else len(text) + 1
        return len(text) + hits * max(len(new) - len(old), 0)
    if name == "join" and args:
        items = args[0]
        count = len(items) if isinstance(items, list | tuple | str) else 0
        return weight(items) + len(text) * count
    if name == "expandtabs":
        tab = args[0] if args and isinstance(args[0], int) else 8
        return len(text) + text.count("\t") * tab
    if name in ("format", "format_map") and _HUGE_WIDTH.search(text):
        return float("inf")
    return size


def _growth(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> float:
    """How large a growing filter's result could be, from its arguments (the value first)."""
    value = args[0] if args else ""
    rest = list(args[1:])

    def arg(i: int, key: str, default: Any) -> Any:
        return rest[i] if len(rest) > i else kwargs.get(key, default)

    text_weight = weight(value)
    if name == "center":
        width = arg(0, "width", 80)
        return max(text_weight, width if isinstance(width, int) else 0)
    if name == "indent":
        width = arg(0, "width", 4)
        step = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        lines = str(value).count("\n") + 1 if isinstance(value, str) else 1
        return text_weight + lines * step
    if name == "replace":
        old, new = arg(0, "old", ""), arg(1, "new", "")
        if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
            hits = value.count(old) if old else len(value) + 1
            return len(value) + hits * max(len(new) - len(old), 0)
        return text_weight
    if name == "join":
        sep = arg(0, "d", "")
        count = len(value) if isinstance(value, list | tuple | str) else 0
        return text_weight + (len(sep) if isinstance(sep, str) else 0) * count
    if name in ("batch", "slice"):
        size = arg(0, "linecount" if name == "batch" else "slices", 1)
        return text_weight + (size if isinstance(size, int) else 0)
    if name == "wordwrap":
        wrap = arg(3, "wrapstring", "\n")
        return text_weight * (1 + (len(wrap) if isinstance(wrap, str) else 1))
    if name == "sum":
        return text_weight * 2
    if name == "format":
        if isinstance(value, str) and _HUGE_WIDTH.search(value):
            return float("inf")
        return text_weight + weight(rest) + weight(kwargs)
    return text_weight


def bound_filters(env: BoundedSandbox) -> None:
    """Wrap every filter of ``env`` that could turn a large value into text or grow it."""
    for name, original in list(env.filters.items()):
        if name not in _NOT_GROWING:
            env.filters[name] = _bounded_filter(env, name, original)


def _bounded_filter(
    env: BoundedSandbox, name: str, original: Callable[..., Any]
) -> Callable[..., Any]:
    passes = getattr(original, "jinja_pass_arg", None)

    @functools.wraps(original)  # keeps jinja_pass_arg: the context is passed as before
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = args[1:] if passes is not None else args
        if name in ("join", "sum") and values and not isinstance(values[0], str):
            values = (list(values[0]), *values[1:])  # materialised once, to be weighed
            args = (*args[: len(args) - len(values)], *values)
        env.spend(f"the {name} filter's result", _growth(name, values, kwargs))
        return original(*args, **kwargs)

    return bounded


def render_bounded(template: Any, data: Mapping[str, Any]) -> str:
    """The template rendered piece by piece, stopped past :data:`MAX_OUTPUT` characters."""
    out: list[str] = []
    size = 0
    for piece in template.generate(data):
        size += len(piece)
        if size > MAX_OUTPUT:
            raise SecurityError(f"the output is larger than {MAX_OUTPUT:,} characters (the limit)")
        out.append(piece)
    return "".join(out)


__all__ = [
    "MAX_ITERATIONS",
    "MAX_OUTPUT",
    "MAX_RANGE",
    "MAX_VALUE",
    "MAX_WORK",
    "BoundedSandbox",
    "bound_filters",
    "render_bounded",
    "weight",
]
