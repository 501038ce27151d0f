"""XML reader: the item elements of a document, flattened to raw items, one at a time.

Elements are matched by local name, whatever their namespace or prefix; order inside an
item does not matter. Each item is freed as soon as it is flattened, so memory stays flat
however many items a file holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from ..xmlsafe import iterparse, release
from . import RawItem, Values


@dataclass(frozen=True, slots=True)
class XmlLayout:
    """Where a dialect's items, header and content pieces are (local names)."""

    item: str
    header: str | None = None
    line: str | None = None
    line_attribute: str | None = None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if tag[0] == "{" else tag


def _add(values: Values, key: str, text: str) -> None:
    found = values.get(key)
    if found is None:
        values[key] = [text]
    else:
        found.append(text)


def _flatten(element: Any, prefix: str, values: Values, lines: list[Values] | None,
             layout: XmlLayout) -> None:
    """Collect the texts and attributes below ``element`` by relative path."""
    for name, value in element.items():
        value = value.strip()
        if value:
            _add(values, f"{prefix}@{_local(name)}", value)
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        local = _local(tag)
        if lines is not None and layout.line is not None and (
            local == layout.line or layout.line == "*"
        ) and (layout.line_attribute is None or child.get(layout.line_attribute) is not None):
            piece: Values = {}
            _flatten(child, "", piece, None, layout)
            lines.append(piece)
            continue
        path = prefix + local
        text = child.text
        if text is not None:
            text = text.strip()
            if text:
                _add(values, path, text)
        if len(child) or child.attrib:
            _flatten(child, path + "/", values, lines, layout)


def read_items(stream: IO[bytes], layout: XmlLayout) -> Iterator[RawItem]:
    """Yield the raw items of an XML document in document order."""
    tags = [layout.item] if layout.header is None else [layout.item, layout.header]
    header: Values = {}
    index = 0
    for element in iterparse(stream, tags):
        local = _local(element.tag)
        if local == layout.item:
            values: Values = {}
            lines: list[Values] = []
            _flatten(element, "", values, lines, layout)
            yield RawItem(values, lines, index, element.sourceline, header)
            index += 1
        else:
            header = {}
            _flatten(element, "", header, None, layout)
        release(element)
