"""The input syntaxes, one :class:`Syntax` row each in :data:`SYNTAXES`: how an input's
first bytes show the syntax, which dialect of it an input is, and which reader reads its
raw items with a dialect's layout. Detection and reading are derived from this table:
adding a syntax is a row here and its reader in :mod:`postconv.read`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ..errors import InputUnusable
from ..read import RawItem, ReadProblem
from ..sources import Input

if TYPE_CHECKING:
    from .engine import Dialect

#: The dialect to read the items from index n on as (see :func:`raw_items`).
Vary = Callable[[int], "Dialect"]
ProblemSink = Callable[[ReadProblem], None]
L = TypeVar("L")


@dataclass(frozen=True)
class Syntax:
    """One input syntax: see the module."""

    name: str
    #: whether the first bytes (made searchable as ASCII) are in this syntax
    looks_like: Callable[[bytes], bool]
    #: the dialect of this syntax the first bytes are, among the candidates, or None
    pick: Callable[[bytes, list[Dialect]], Dialect | None]
    #: the raw items of an input in a dialect of this syntax
    read: Callable[[Input, Dialect, ProblemSink, Vary | None], Iterator[RawItem]]


# possessive: a long name is matched once, never tried again at each of its characters
_XML_NAME = rb"[A-Za-z_][\w.\-]*+(?::[\w.\-]++)?+"
_ROOT = re.compile(rb"<(" + _XML_NAME + rb")[\s/>]")
_EDIFACT_START = re.compile(rb"\s*(UNA|UNB)")
_PROLOG_START = re.compile(rb"<\?|<!--|<!DOCTYPE")
_PROLOG_END = {b"<?": b"?>", b"<!--": b"-->", b"<!DOCTYPE": b">"}


def _decode_head(head: bytes) -> bytes:
    """Make the first bytes searchable as ASCII, whatever the XML encoding."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore")
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    if head[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16-le" if head[0] == 0x3C else "utf-16-be"
        return head.decode(codec, errors="ignore").encode("ascii", errors="ignore")
    return head


def _strip_prolog(text: bytes) -> bytes:
    """``text`` without processing instructions, comments and DOCTYPEs (one left open
    drops the rest). Linear: each end is looked for once, by ``find``."""
    kept = []
    at = 0
    while (start := _PROLOG_START.search(text, at)) is not None:
        kept.append(text[at:start.start()])
        end = text.find(_PROLOG_END[start.group()], start.end())
        if end < 0:
            return b"".join(kept)
        at = end + len(_PROLOG_END[start.group()])
    kept.append(text[at:])
    return b"".join(kept)


def _names_in(head: bytes) -> tuple[str | None, set[str]]:
    """The root element's local name and every element name seen in ``head``."""
    root = None
    names: set[str] = set()
    for match in _ROOT.finditer(_strip_prolog(head)):
        name = match.group(1).decode("ascii", errors="ignore").rpartition(":")[2]
        if root is None:
            root = name
        names.add(name)
    return root, names


def _pick_xml(text: bytes, dialects: list[Dialect]) -> Dialect | None:
    """By the root element first, then by the element names seen."""
    root, names = _names_in(text)
    for dialect in dialects:
        if root in dialect.detect_roots:
            return dialect
    for dialect in dialects:
        if names & set(dialect.detect_contains):
            return dialect
    return None


def _read_xml(source: Input, dialect: Dialect, problem: ProblemSink,
              vary: Vary | None) -> Iterator[RawItem]:
    from ..read.xml import read_items

    layout = dialect.xml_layout()
    return read_items(source.stream, layout,
                      _layouts(dialect, layout, vary, lambda d: d.xml_layout()))


def _read_edifact(source: Input, dialect: Dialect, problem: ProblemSink,
                  vary: Vary | None) -> Iterator[RawItem]:
    from ..read.edifact import EdifactLayout, read_interchange

    layout = EdifactLayout.from_dialect(dialect)
    return read_interchange(source.stream, layout, source.head, problem,
                            _layouts(dialect, layout, vary, EdifactLayout.from_dialect))


def _layouts(dialect: Dialect, layout: L, vary: Vary | None,
             layout_of: Callable[[Dialect], L]) -> Callable[[int], L] | None:
    """``vary`` as layouts: each dialect's made once, ``dialect``'s is ``layout``."""
    if vary is None:
        return None
    made = {id(dialect): layout}

    def layout_at(index: int) -> L:
        chosen = vary(index)
        found = made.get(id(chosen))
        if found is None:
            found = made[id(chosen)] = layout_of(chosen)
        return found

    return layout_at


#: Tried in this order; XML last, as it is what anything else is taken for.
SYNTAXES: dict[str, Syntax] = {s.name: s for s in (
    Syntax("edifact", lambda text: _EDIFACT_START.match(text) is not None,
           lambda text, dialects: dialects[0] if dialects else None, _read_edifact),
    Syntax("xml", lambda text: True, _pick_xml, _read_xml),
)}


def detect_dialect(head: bytes, candidates: Iterable[Dialect] | None = None) -> Dialect:
    """The dialect of an input, from its first bytes (see :data:`SYNTAXES`)."""
    from .engine import builtin_dialects

    dialects = list(builtin_dialects().values() if candidates is None else candidates)
    text = _decode_head(head)
    syntax = next(s for s in SYNTAXES.values() if s.looks_like(text))
    found = syntax.pick(text, [d for d in dialects if d.syntax == syntax.name])
    if found is not None:
        return found
    known = ", ".join(d.name for d in dialects)
    raise InputUnusable(
        f"unknown format (known dialects: {known}); force one with --dialect NAME, or write "
        "a dialect file for this layout (see README, 'Dialect files')")


def raw_items(source: Input, dialect: Dialect, problem: ProblemSink,
              vary: Vary | None = None) -> Iterator[RawItem]:
    """The raw items of ``source`` in ``dialect``, by the reader of its syntax.

    ``vary``: the dialect to read the items from index n on as (``dialect`` itself, or a
    projection of it, :meth:`~.engine.Dialect.only`, whose items are then a lookup: see
    :func:`postconv.read.xml.read_items`)."""
    return SYNTAXES[dialect.syntax].read(source, dialect, problem, vary)
