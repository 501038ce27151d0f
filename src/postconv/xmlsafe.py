"""The one XML parser factory of the project: entities, DTDs and the network are off.

Every XML parse in postconv goes through :func:`iterparse` here (a test asserts that no
other module builds a parser). A document with a DOCTYPE is refused outright: postal data
never needs one, and it is the door for entity expansion and external entities.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from lxml import etree

from .errors import InputUnusable, one_line
from .limits import MAX_ITEM_PARTS, MAX_NODE_BYTES

#: Raised for XML that is not well-formed; ``.position`` is (line, column).
XmlSyntaxError = etree.XMLSyntaxError


_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


def library_versions() -> tuple[str, str]:
    """The versions of lxml and of the libxml2 it runs on (``postconv --version``)."""
    return etree.__version__, ".".join(map(str, etree.LIBXML_VERSION))


def syntax_error_message(name: str, exc: Any) -> str:
    """One line for XML that is not well-formed: ``name:line:column: ...`` (libxml2's
    own text without the position lxml appends to it, which would say it twice)."""
    line, column = exc.position
    reason = one_line(_POSITION_SUFFIX.sub("", one_line(str(exc.msg))))
    return f"{name}:{line}:{column}: not well-formed XML: {reason}"


_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
             huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False)
#: For the small documents the XML reader cuts an input into (see read/xmlcut.py).
_DOCUMENT_PARSER = etree.XMLParser(remove_blank_text=True, **_SAFE)


def parse_document(data: bytes) -> Any:
    """The root of a small document held in memory, parsed like :func:`iterparse` does.

    A run of the reader holds whole items, a quarter of a mebibyte of them, so more
    elements than :data:`~postconv.limits.MAX_ITEM_PARTS` means one item that big: it is
    refused before its tree is built."""
    if len(data) > MAX_ITEM_PARTS and data.count(b"<") > MAX_ITEM_PARTS:
        raise _too_many_elements()
    root = etree.fromstring(data, _DOCUMENT_PARSER)
    _refuse_doctype(root.getroottree())
    return root


def etree_iterwalk(root: Any, tags: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """``("end", element)`` for the elements of a parsed tree with one of ``tags`` (Clark
    notation, ``{*}`` allowed), in the order iterparse gives them."""
    return etree.iterwalk(root, events=("end",), tag=list(tags))  # type: ignore[no-any-return]


def open_elements(prolog: bytes) -> list[str]:
    """The qualified names of the elements ``prolog`` (the start of a document) leaves
    open, outermost first; empty if it is not the start of a well-formed document."""
    parser = etree.XMLPullParser(events=("start", "end"), **_SAFE)
    names: list[str] = []
    try:
        parser.feed(prolog)
        for event, element in parser.read_events():
            if event == "start":  # (a prefix not bound stays in the tag, not in .prefix)
                local = element.tag.rpartition("}")[2]
                names.append(f"{element.prefix}:{local}" if element.prefix else local)
            else:
                names.pop()
    except etree.XMLSyntaxError:
        return []
    return names


def _parser_events(stream: Any, events: Sequence[str], tags: Sequence[str] | None,
                   keep_blank_text: bool = True) -> Any:
    """The project's only construction of an lxml parser."""
    return etree.iterparse(
        stream,
        events=tuple(events),
        tag=None if tags is None else [f"{{*}}{t}" for t in tags],
        remove_blank_text=not keep_blank_text,
        **_SAFE,
    )


class Readable(Protocol):
    """A binary stream, as far as a parser needs one."""

    def read(self, size: int = -1, /) -> bytes: ...


def _too_many_elements() -> InputUnusable:
    return InputUnusable(f"more than {MAX_ITEM_PARTS} tags in one item")


class NodeGuard:
    """The bytes of ``stream`` for a parser, ended early as soon as one node would be too
    big to hold: more than :data:`~postconv.limits.MAX_NODE_BYTES` without a ``<`` (one
    text, one tag with all its attributes, or the space between two elements), or, with
    ``count_tags``, more than :data:`~postconv.limits.MAX_ITEM_PARTS` tags since
    :meth:`next_item` (one item's elements, read ahead by a block at most).

    libxml2 builds a node whole before anyone sees it (a tag of a million attributes
    takes hundreds of megabytes), so the bytes are looked at before it gets them, with
    a few calls in C per piece of at most :data:`_PIECE` bytes. The stream then ends
    where the bytes stop being taken, as a truncated file would, so that every item
    before is read; :attr:`failure` says why, and the reader raises it in place of the
    parser's complaint about the end.
    """

    _PIECE = 1 << 18  # < MAX_NODE_BYTES: a gap inside one piece is never too long

    def __init__(self, stream: Readable, count_tags: bool = False) -> None:
        self._stream = stream
        self._since = 0  # bytes since the last "<"
        self._count = count_tags
        self.tags = 0
        self.position = 0
        self.failure: InputUnusable | None = None

    def read(self, size: int = -1, /) -> bytes:
        if self.failure is not None:
            return b""
        if 0 <= size <= self._PIECE:
            return self._checked(self._stream.read(size))
        pieces = []
        wanted = size if size >= 0 else 1 << 62
        while wanted > 0:
            piece = self._checked(self._stream.read(min(wanted, self._PIECE)))
            if not piece:
                break
            pieces.append(piece)
            wanted -= len(piece)
        return b"".join(pieces)

    def _checked(self, data: bytes) -> bytes:
        """``data`` if it keeps within the caps, else the part before it breaks one."""
        if not data:
            return data
        last = data.rfind(b"<")
        if last < 0:
            if self._since + len(data) > MAX_NODE_BYTES:
                return self._refuse(data, MAX_NODE_BYTES - self._since, _NODE_TOO_BIG)
            self._since += len(data)
        else:
            first = data.find(b"<")
            if self._since + first > MAX_NODE_BYTES:
                return self._refuse(data, MAX_NODE_BYTES - self._since, _NODE_TOO_BIG)
            if self._count:
                self.tags += data.count(b"<")
                if self.tags > MAX_ITEM_PARTS:
                    return self._refuse(data, 0, _TOO_MANY_TAGS)
            self._since = len(data) - last - 1
        self.position += len(data)
        return data

    def _refuse(self, data: bytes, keep: int, why: str) -> bytes:
        kept = data[:max(0, keep)]
        self.position += len(kept)
        self.failure = InputUnusable(f"{why} (at byte {self.position + 1})")
        return kept

    def next_item(self) -> None:
        """An item ended: count its successor's tags from here."""
        self.tags = 0


_NODE_TOO_BIG = (f"an XML node over {MAX_NODE_BYTES} bytes (a text, a tag with its "
                 "attributes, or the space between elements)")
_TOO_MANY_TAGS = f"more than {MAX_ITEM_PARTS} tags in one item (or between two items)"


@contextmanager
def raising_failure(guard: NodeGuard) -> Iterator[None]:
    """Where a parser reads ``guard``: the reason its bytes ended early, raised in place
    of the parser's complaint about the end (or after a parse that ended quietly)."""
    try:
        yield
    except etree.XMLSyntaxError:
        if guard.failure is not None:
            raise guard.failure from None
        raise
    if guard.failure is not None:
        raise guard.failure


def iterparse(stream: Readable, tags: Sequence[str]) -> Iterator[Any]:
    """Yield each element whose local name is in ``tags`` when it ends.

    Raises :class:`InputUnusable` for a DOCTYPE, a node too big (see :class:`NodeGuard`)
    or an item of more than :data:`~postconv.limits.MAX_ITEM_PARTS` elements (counted as
    the bytes are read, so before the item is held whole); lxml's ``XMLSyntaxError``
    passes through so the caller can report line and column.
    """
    guard = NodeGuard(stream, count_tags=True)
    # the reader drops blank text between elements: fewer nodes to build, never a value
    events = _parser_events(guard, ("end",), tags, keep_blank_text=False)
    checked = False
    with raising_failure(guard):
        for _event, element in events:
            guard.next_item()
            if not checked:
                _refuse_doctype(element.getroottree())
                checked = True
            yield element
    if not checked and events.root is not None:
        _refuse_doctype(events.root.getroottree())


def iterparse_events(stream: Any, events: Sequence[str] | None = None) -> Iterator[
        tuple[str, Any]]:
    """``(event, element)`` pairs for every element, as xmlschema's lazy mode wants them
    (namespace events, ``start-ns``, pass as the tuples they are)."""
    guard = NodeGuard(stream)
    parser = _parser_events(guard, events or ("end",), None)
    checked = False
    with raising_failure(guard):
        for event, element in parser:
            if not checked and not isinstance(element, tuple):
                _refuse_doctype(element.getroottree())
                checked = True
            yield event, element


def _refuse_doctype(tree: Any) -> None:
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise InputUnusable("a DOCTYPE is not allowed in postal data (entities and DTDs "
                            "are refused)")


def release(element: Any) -> None:
    """Free an element handled by a reader, and the siblings before it, to keep memory flat."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
