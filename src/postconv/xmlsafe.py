"""The one XML parser factory of the project: entities, DTDs and the network are off.

Every XML parse in postconv goes through :func:`iterparse` here (a test asserts that no
other module builds a parser). A document with a DOCTYPE is refused outright: postal data
never needs one, and it is the door for entity expansion and external entities.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from lxml import etree

from .errors import InputUnusable

#: Raised for XML that is not well-formed; ``.position`` is (line, column).
XmlSyntaxError = etree.XMLSyntaxError


_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


def syntax_error_message(name: str, exc: Any) -> str:
    """One line for XML that is not well-formed: ``name:line:column: ...`` (libxml2's
    own text without the position lxml appends to it, which would say it twice)."""
    line, column = exc.position
    reason = _POSITION_SUFFIX.sub("", str(exc.msg).strip())
    return f"{name}:{line}:{column}: not well-formed XML: {reason}"


_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
             huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False)
#: For the small documents the XML reader cuts an input into (see read/xmlcut.py).
_DOCUMENT_PARSER = etree.XMLParser(remove_blank_text=True, **_SAFE)


def parse_document(data: bytes) -> Any:
    """The root of a small document held in memory, parsed like :func:`iterparse` does."""
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


def iterparse(stream: Readable, tags: Sequence[str]) -> Iterator[Any]:
    """Yield each element whose local name is in ``tags`` when it ends.

    Raises :class:`InputUnusable` for a DOCTYPE; lxml's ``XMLSyntaxError`` passes through
    so the caller can report line and column.
    """
    # the reader drops blank text between elements: fewer nodes to build, never a value
    events = _parser_events(stream, ("end",), tags, keep_blank_text=False)
    checked = False
    for _event, element in events:
        if not checked:
            _refuse_doctype(element.getroottree())
            checked = True
        yield element
    if not checked and events.root is not None:
        _refuse_doctype(events.root.getroottree())


def iterparse_events(stream: Any, events: Sequence[str] | None = None) -> Iterator[
        tuple[str, Any]]:
    """``(event, element)`` pairs for every element, as xmlschema's lazy mode wants them."""
    parser = _parser_events(stream, events or ("end",), None)
    checked = False
    for event, element in parser:
        if not checked:
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
