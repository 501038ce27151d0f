"""One input converted by several processes: what each of them reads of it.

Used by :func:`postconv.parallel.run_split` only. Items go in chunks; a process owns
every ``workers``-th chunk (:class:`Share`) and converts those; the items of the others
it reads only as far as the run state needs, so that "already seen in this run" is exact
in every chunk: the record fields the checker's run state reads
(:attr:`~postconv.check.seen.RunState.fields`), through the dialect projected on them
(:meth:`~postconv.dialects.Dialect.only`), their message headers taken in by the mapper
(:meth:`~postconv.dialects.Mapper.skip`). XML runs of such items are skimmed as bytes
where that is certain (:mod:`postconv.read.xmlskim`).

This is the one place that knows what a process of a split input does; the pipeline sees
it as a :class:`~postconv.pipeline.Part`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .check.seen import RunState
from .dialects import Dialect, Mapper, raw_items
from .limits import Limits
from .read import RawItem, ReadProblem
from .sources import Input

#: Record fields that come from elsewhere than the item's own fields: a run state that
#: reads one of them needs the whole item.
_NOT_FROM_ITEM = frozenset({"origin_post", "destination_post", "source", "compliance",
                            "line_items"})


@dataclass(frozen=True)
class Share:
    """One process's part of an input: every ``workers``-th chunk of ``chunk`` items,
    from chunk number ``worker``."""

    worker: int
    workers: int
    chunk: int = 512

    def owns(self, index: int) -> bool:
        return (index // self.chunk) % self.workers == self.worker


class SplitPart:
    """A :class:`~postconv.pipeline.Part`: the items of ``share`` converted, the others
    read for the run ``state`` only."""

    def __init__(self, share: Share, state: RunState, limits: Limits) -> None:
        self.owns: Callable[[int], bool] = share.owns
        self.state = state
        self.limits = limits
        fields = state.fields
        self.fields = None if fields is not None and fields & _NOT_FROM_ITEM else fields
        self._lighter: dict[str, tuple[Dialect, Mapper | None]] = {}

    def _light(self, dialect: Dialect) -> tuple[Dialect, Mapper | None]:
        """The dialect the others' items are read with, and its mapper (None: no state)."""
        light = self._lighter.get(str(dialect.path))
        if light is None:
            lighter = dialect if self.fields is None else dialect.only(self.fields)
            mapper = (None if self.fields == frozenset() else
                      lighter.mapper(self.limits.max_field_chars, self.limits.max_lines))
            light = self._lighter[str(dialect.path)] = (lighter, mapper)
        return light

    def read(self, source: Input, dialect: Dialect,
             problem: Callable[[ReadProblem], None]) -> Iterator[RawItem]:
        return raw_items(source, dialect, problem, (self.owns, self._light(dialect)[0]))

    def pass_over(self, raw: RawItem, mapper: Mapper, name: str) -> None:
        mapper.skip(raw)
        light = self._light(mapper.dialect)[1]
        if light is None:
            return
        try:
            record, _ = light.map(raw, name)
            self.state.remember(record)
        except Exception:  # the process that owns the item rejects it
            pass
