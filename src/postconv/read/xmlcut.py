"""Cut an XML byte stream into runs of whole items, each parsed as one small document.

lxml builds a tree from a string about 40 % faster than through ``iterparse``, whose
event hooks cost on every element. So the XML reader reads a quarter of a mebibyte at a
time, cuts it before the last item start tag in it, and parses each run of items as a
document of its own: the document's prolog (everything before the first item: the root,
the message header, the wrappers), a line break, the run, and end tags for what the
prolog left open. Memory stays flat: one run (and its tree) is in memory at a time.

Exactness is kept by construction, not by hope:

- a cut is made only where the bytes read ``<Item`` (any prefix) followed by a space,
  ``/`` or ``>``. In a well-formed document without a DOCTYPE, ``<`` outside markup
  appears only inside comments, CDATA sections and processing instructions, so a cut that
  is not a real start tag leaves the run before it inside one of those, and that run
  does not parse;
- a run that does not parse is never used: the reader goes on with ``iterparse`` from the
  start of that run (prolog in front, lines counted on), so the items and line numbers
  are those of reading the whole document in one go, and so is the error, except where
  iterparse names it badly (an undefined entity: "no element found", line 0) and the
  run's own parse says what and where;
- a prolog that is not plain elements and text (a DOCTYPE, a comment, a CDATA section or
  a processing instruction before the first item) turns cutting off for the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from ..limits import MAX_ITEM_BYTES
from ..xmlsafe import Readable, open_elements

#: Bytes read at a time; a run is about this long.
BLOCK = 1 << 18
#: Look no further than this for the next item start: past it, iterparse reads on.
MAX_RUN = MAX_ITEM_BYTES
_NAME_END = frozenset(b" \t\r\n/>")
#: Lines in one run's document at most: libxml2 numbers elements exactly up to 65,535.
_MAX_LINES = 65_000
#: Spaces that put a run's first line at its own column (errors name line and column).
_MAX_PAD = 4096
#: A column not known (a line with non-ASCII text before the run starts on it).
UNKNOWN_COLUMN = -1


@dataclass(frozen=True, slots=True)
class Run:
    """A small document holding a run of whole items.

    ``first_line``: the line of the document where the run itself starts (elements above
    it belong to the prolog, already read); ``line_offset``: add it to a line of the
    document to get the line in the input; ``start``, ``end``: where the run's own bytes
    are in ``data``; ``column``: where they start on their line of the input (characters;
    :data:`UNKNOWN_COLUMN` after non-ASCII text on the line). A run that starts past
    column :data:`_MAX_PAD` is not padded to it: :attr:`unpadded` then says how far its
    document's first run line is shifted.
    """

    data: bytes
    first_line: int
    line_offset: int
    last: bool
    parse: bool = True
    start: int = 0
    end: int = 0
    column: int = 0

    @property
    def unpadded(self) -> int:
        """Columns to add on the run's first line for the input's (0: padded, or unknown)."""
        return self.column if self.column > _MAX_PAD else 0


class ResumeStream:
    """The bytes of a run that did not parse, then the rest of the input, for iterparse
    (the bytes held are handed out from an offset: never copied again with each read)."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = memoryview(head)
        self._at = 0
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        left = len(self._head) - self._at
        if left > 0:
            size = left if size < 0 else min(size, left)
            part = self._head[self._at:self._at + size].tobytes()
            self._at += size
            if self._at == len(self._head):
                self._head = memoryview(b"")
                self._at = 0
            return part
        return self._rest.read(size)


def _tag_start(data: bytes, at: int, size: int) -> int:
    """Where the start tag whose local name is the ``size`` bytes at ``at`` begins, or -1
    when those bytes are not such a name (``ItemId``, text, another element's prefix)."""
    after = at + size
    if after >= len(data) or data[after] not in _NAME_END:  # ("<Item" + "Id>" unread yet)
        return -1
    if at > 0 and data[at - 1] == 0x3C:  # "<"
        return at - 1
    if at > 0 and data[at - 1] == 0x3A:  # ":" after a prefix: back to its "<"
        lt = data.rfind(b"<", max(0, at - 256), at - 1)
        if lt >= 0 and _is_prefix(data[lt + 1:at - 1]):
            return lt
    return -1


def _is_prefix(prefix: bytes) -> bool:
    plain = prefix.replace(b"-", b"").replace(b".", b"").replace(b"_", b"")
    return bool(prefix) and prefix.isascii() and plain.isalnum() and not prefix[:1].isdigit()


def last_item_start(data: bytes, name: bytes, start: int = 0, end: int | None = None) -> int:
    """Where the last ``<name`` or ``<prefix:name`` start tag that begins after ``start``
    (and before ``end``) is, or -1."""
    end = len(data) if end is None else end
    while True:
        at = data.rfind(name, start, end)
        if at < 0:
            return -1
        tag = _tag_start(data, at, len(name))
        if tag > start:
            return tag
        end = at + len(name) - 1


def first_item_start(data: bytes, name: bytes) -> int:
    """Where the first ``<name`` or ``<prefix:name`` start tag is, or -1."""
    at = -1
    while True:
        at = data.find(name, at + 1)
        if at < 0:
            return -1
        tag = _tag_start(data, at, len(name))
        if tag >= 0:
            return tag


_BOM = b"\xef\xbb\xbf"


class Cutter:
    """Reads ``stream`` and yields :class:`Run` documents in document order.

    The last run may be one not to parse (``parse`` false): the input cannot be cut (no
    item found, a prolog that is not plain, an item larger than :data:`MAX_RUN`), and
    iterparse reads on from there; so does it from a run that does not parse. Either way
    :meth:`resume` gives the stream to read on.
    """

    def __init__(self, stream: Readable, item: str) -> None:
        self._stream = stream
        self._name = item.encode("ascii") if item.isascii() and item != "*" else b""
        self._prolog = b""
        self._closing = b""
        self._pending = b""
        self._first = True
        #: input line and column (characters since its line break) where ``_pending`` starts
        self._line = 1
        self._column = 0

    def runs(self) -> Iterator[Run]:
        if not self._name:
            yield self._stop(b"")
            return
        name = self._name
        while True:
            # an item longer than a block: read as much again, not a block more each time
            block = self._stream.read(max(BLOCK, len(self._pending)))
            new_from = max(0, len(self._pending) - 300)
            self._pending += block
            if not self._prolog:
                first = first_item_start(self._pending, name) if block else -1
                if first < 0 and block and len(self._pending) <= MAX_RUN:
                    continue
                if first < 0 or not self._take_prolog(self._pending[:first]):
                    yield self._stop(self._pending)
                    return
                new_from = first
            while True:  # as many runs as the pending bytes give
                pending = self._pending
                floor = len(self._prolog) if self._first else 0
                cut, breaks = self._within_lines(pending, last_item_start(
                    pending, name, max(new_from, 1) - 1) if block else len(pending), floor)
                new_from = 0
                if not block and (cut == len(pending) or cut <= floor):
                    self._pending = b""
                    yield self._run(pending, last=True)
                    return
                if cut <= floor:
                    if len(pending) > MAX_RUN:
                        yield self._stop(pending)
                        return
                    break
                self._pending = pending[cut:]
                yield self._run(pending[:cut], last=False, breaks=breaks)

    def _within_lines(self, data: bytes, cut: int, floor: int) -> tuple[int, int]:
        """An earlier cut if the run up to ``cut`` has too many lines for libxml2 to
        number its elements exactly (past line 65,535 it may say one too many); and the
        line breaks before the cut."""
        budget = _MAX_LINES - (0 if self._first else self._prolog.count(b"\n") + 1)
        breaks = data.count(b"\n", 0, cut)
        while cut > floor and breaks > budget:
            earlier = last_item_start(data, self._name, floor, (cut + floor) // 2)
            if earlier <= floor:
                break
            cut = earlier
            breaks = data.count(b"\n", 0, cut)
        return cut, breaks

    def _stop(self, pending: bytes) -> Run:
        """Cutting ends here: iterparse reads ``pending`` (prolog in front) and the rest."""
        self._pending = b""
        return replace(self._run(pending, last=True), parse=False)

    def _take_prolog(self, prolog: bytes) -> bool:
        """Keep the prolog if it is plain elements and text; note what it leaves open."""
        text = prolog[len(_BOM):] if prolog.startswith(_BOM) else prolog
        if text.startswith(b"<?xml"):
            end = text.find(b"?>")
            text = text[end + 2:] if end > 0 else b"<?"
        if b"<!" in text or b"<?" in text:
            return False
        names = open_elements(prolog)
        if not names or not all(name.isascii() for name in names):
            return False
        self._prolog = prolog
        self._closing = "".join(f"</{name}>" for name in reversed(names)).encode("ascii")
        return True

    def _run(self, run: bytes, last: bool, breaks: int | None = None) -> Run:
        line, column = self._line, self._column
        if breaks is None:
            breaks = run.count(b"\n")
        tail = run[run.rfind(b"\n") + 1:]
        self._line += breaks
        before = column if not breaks else 0
        self._column = UNKNOWN_COLUMN if before < 0 or not tail.isascii() else before + len(tail)
        closing = b"" if last else self._closing
        if self._first:
            self._first = False
            return Run(run + closing, 1, 0, last, start=len(self._prolog), end=len(run))
        return self._document(run, line, column, last)

    def _document(self, run: bytes, line: int, column: int, last: bool) -> Run:
        """``run``, which starts at ``line`` and ``column`` of the input, as a document:
        the prolog, a line break and spaces up to that column, the run, end tags."""
        pad = b"\n" + (b" " * column if 0 <= column <= _MAX_PAD else b"")
        head = self._prolog + pad
        first_line = head.count(b"\n") + 1
        return Run(head + run + (b"" if last else self._closing), first_line,
                   line - first_line, last, start=len(head), end=len(head) + len(run),
                   column=column)

    def _without_closing(self, run: Run) -> bytes:
        """``run``'s document without the end tags added to it."""
        return run.data if run.last else run.data[:len(run.data) - len(self._closing)]

    def end_of(self, run: Run) -> tuple[int, int]:
        """(line, column) in ``run``'s document where the input's bytes end (and the end
        tags added to them begin); errors from there on are not the input's."""
        data = self._without_closing(run)
        tail = data[data.rfind(b"\n") + 1:]
        column = len(tail) if tail.isascii() else len(tail.decode("utf-8", "replace"))
        return data.count(b"\n") + 1, column + 1

    def resume(self, run: Run) -> ResumeStream:
        """``run`` without the end tags added to it, then the rest of the input."""
        return ResumeStream(self._without_closing(run) + self._pending, self._stream)
