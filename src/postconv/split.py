"""One input converted by several processes: which part of it each one converts.

Used by :func:`postconv.parallel.run_split`. The input is cut at byte offsets into as
many parts as there are processes (:func:`part_cuts`). Every process reads the input from
its start with the plain reader, exactly as one process would; an item belongs to the
part in which the reader's position lies when it starts on the item (the same in every
process: the same code reads the same bytes). A process reads the items before its part
as a lookup of what the run state needs (:attr:`~postconv.check.seen.RunState.fields`,
through the dialect projected on them, :meth:`~postconv.dialects.Dialect.only`; their
message headers through :meth:`~postconv.dialects.Mapper.skip`), converts its own, and
stops reading where the next part begins. So "already seen", header findings, errors and
the input's problems are those of one process, and the last process, which reads the
whole input, sees every problem of it. Each part records the index of its first item and
of the next part's, for the run to check that the parts join up.

This is the one place that knows what a process of a split input does; the pipeline
sees it as a :class:`~postconv.pipeline.Part`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .check.seen import RunState
from .dialects import Dialect, Mapper, raw_items
from .limits import Limits
from .pipeline import FIT_ITEMS
from .read import RawItem, ReadProblem
from .sources import Input

#: Record fields that come from elsewhere than the item's own fields: a run state that
#: reads one of them needs the whole item.
_NOT_FROM_ITEM = frozenset({"origin_post", "destination_post", "source", "compliance",
                            "line_items"})
#: What an item before a process's part costs it, as a share of converting the item: a
#: lookup of a few values (measured on bench/'s inputs: 0.14 for ITMATT XML, whose runs
#: of such items are skimmed as bytes, 0.15 for CUSITM EDIFACT).
READ_SHARE = 0.15
#: The end of the last part: past any input.
END = 1 << 62
#: Items read whole in every process, whatever its part (see :class:`SplitPart`).
FULL_ITEMS = FIT_ITEMS


def part_cuts(size: int, parts: int, read_share: float = READ_SHARE) -> list[int]:
    """Byte offsets ``[0, c1, …, end]`` that give ``parts`` processes the same work.

    Process k looks up the items before its part and converts its own: its time is
    ``c[k+1]·r + (c[k+1] - c[k])·(1 - r)`` with ``r`` the share a lookup costs. Equal times ``t``
    give ``c[k+1] = t + c[k]·(1 - r)``, a geometric series, so earlier parts are longer.
    """
    keep = 1.0 - read_share
    t = 1.0 / sum(keep ** i for i in range(parts))
    cuts, at = [0], 0.0
    for _ in range(parts - 1):
        at = t + at * keep
        cuts.append(int(size * at))
    return [*cuts, END]


def input_size(path: str) -> int:
    """The bytes the reader will be handed: the file's size, or for gzip the size it
    inflates to (its trailer holds it modulo 4 GiB: taken as at least the file's size)."""
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
        size = handle.seek(0, 2)
        if not gzipped or size < 18:
            return size
        handle.seek(-4, 2)
        inflated = int.from_bytes(handle.read(4), "little")
    while inflated < size:
        inflated += 1 << 32
    return inflated


class SplitPart:
    """A :class:`~postconv.pipeline.Part`: the items the reader starts on at positions
    from ``start`` to before ``end``; the ones before are read for the run ``state``, as a
    lookup of the fields it reads (the first :data:`FULL_ITEMS` whole, as the pipeline
    judges whether a forced dialect fits by them)."""

    def __init__(self, start: int, end: int, state: RunState, limits: Limits,
                 first: int | None = None) -> None:
        self.start, self.end = start, end
        self.state = state
        self.limits = limits
        fields = state.fields
        self.fields = None if fields is not None and fields & _NOT_FROM_ITEM else fields
        #: the indexes of this part's first item and of the next part's (None: not met);
        #: ``first`` given: the part starts at that item, wherever it is
        self.first = first
        self.stop: int | None = None
        self._lookups: dict[str, tuple[Dialect, Mapper | None]] = {}

    def read(self, source: Input, dialect: Dialect,
             problem: Callable[[ReadProblem], None]) -> Iterator[RawItem]:
        lookup = self._lookup(dialect)[0]

        def vary(index: int) -> Dialect:
            """Asked by the reader before it starts on an item (or a run of them): where it
            is then decides the item's part, in every process alike."""
            at = source.bytes_read()
            if self.first is None and at >= self.start:
                self.first = index
            if self.stop is None and at >= self.end:
                self.stop = index
            whole = index < FULL_ITEMS or (self.first is not None and index >= self.first)
            return dialect if whole else lookup

        items = raw_items(source, dialect, problem, vary)
        try:
            for raw in items:
                if self.stop is not None and raw.index >= self.stop:
                    return  # the next part's first item: the reading is done here
                yield raw
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def owns(self, index: int) -> bool:
        return self.first is not None and index >= self.first

    def pass_over(self, raw: RawItem, mapper: Mapper, name: str) -> None:
        mapper.skip(raw)
        light = self._lookup(mapper.dialect)[1]
        if light is None:
            return
        try:
            record, _ = light.map(raw, name)
            self.state.remember(record)
        except Exception:  # the process that owns the item rejects it
            pass

    def _lookup(self, dialect: Dialect) -> tuple[Dialect, Mapper | None]:
        """The dialect the items before the part are read as, and the mapper of the
        fields the run state reads (None: it keeps none), made once per dialect."""
        key = str(dialect.path)
        if key not in self._lookups:
            lookup = dialect if self.fields is None else dialect.only(self.fields)
            mapper = (None if self.fields == frozenset() else
                      lookup.mapper(self.limits.max_field_chars, self.limits.max_lines))
            self._lookups[key] = (lookup, mapper)
        return self._lookups[key]
