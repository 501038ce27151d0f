"""XML reader: the item elements of a document, flattened to raw items, one at a time.

Elements are matched by local name, whatever their namespace or prefix; order inside an
item does not matter. Each item is freed as soon as it is flattened, so memory stays flat
however many items a file holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ..xmlsafe import iterparse, release
from . import RawItem, Values


@dataclass(frozen=True, slots=True)
class Wanted:
    """The keys a dialect reads below one element, split for a fast walk.

    Only these are collected: the walk never descends into an element no key passes
    through, and reads attributes only of elements a key names an attribute of.
    """

    leaves: frozenset[str]
    containers: frozenset[str]
    attribute_owners: frozenset[str]

    @classmethod
    def of(cls, keys: Iterable[str]) -> Wanted:
        leaves, containers, owners = set(), set(), set()
        for key in keys:
            element, _, attribute = key.partition("@")
            element = element.rstrip("/")
            if attribute:
                owners.add(element)
            else:
                leaves.add(element)
            parts = element.split("/") if element else []
            for end in range(1, len(parts) + (1 if attribute else 0)):
                containers.add("/".join(parts[:end]))
        return cls(frozenset(leaves), frozenset(containers), frozenset(owners))


@dataclass(frozen=True, slots=True)
class XmlLayout:
    """Where a dialect's items, header and content pieces are, and which keys it reads."""

    item: str
    header: str | None = None
    line: str | None = None
    line_attribute: str | None = None
    item_keys: Wanted = field(default_factory=lambda: Wanted.of([]))
    line_keys: Wanted = field(default_factory=lambda: Wanted.of([]))
    header_keys: Wanted = field(default_factory=lambda: Wanted.of([]))


def _local(tag: str) -> str:
    return tag[tag.index("}") + 1:] if tag[0] == "{" else tag


def _attributes(element: Any, prefix: str, values: Values) -> None:
    for name, value in element.items():
        value = value.strip()
        if value:
            key = f"{prefix}@{_local(name)}"
            found = values.get(key)
            if found is None:
                values[key] = [value]
            else:
                found.append(value)


def _flatten(element: Any, prefix: str, values: Values, wanted: Wanted,
             lines: list[Values] | None, layout: XmlLayout) -> None:
    """Collect the wanted texts and attributes below ``element`` by relative path.

    The hot loop of the XML path: it runs once per element, so it avoids helper calls
    and touches only what the dialect reads.
    """
    leaves, containers, owners = wanted.leaves, wanted.containers, wanted.attribute_owners
    line_tag = layout.line if lines is not None else None
    for child in element:
        tag = child.tag
        if tag.__class__ is not str:
            continue
        if tag[0] == "{":
            tag = tag[tag.index("}") + 1:]
        if line_tag is not None and (tag == line_tag or line_tag == "*") and (
            layout.line_attribute is None or child.get(layout.line_attribute) is not None
        ):
            piece: Values = {}
            if "" in layout.line_keys.attribute_owners:
                _attributes(child, "", piece)
            _flatten(child, "", piece, layout.line_keys, None, layout)
            lines.append(piece)  # type: ignore[union-attr]
            continue
        path = prefix + tag
        if path in leaves:
            text = child.text
            if text is not None:
                text = text.strip()
                if text:
                    found = values.get(path)
                    if found is None:
                        values[path] = [text]
                    else:
                        found.append(text)
        if path in owners:
            _attributes(child, path + "/", values)
        if path in containers:
            _flatten(child, path + "/", values, wanted, lines, layout)


def read_items(stream: IO[bytes], layout: XmlLayout) -> Iterator[RawItem]:
    """Yield the raw items of an XML document in document order."""
    tags = [layout.item] if layout.header is None else [layout.item, layout.header]
    header: Values = {}
    index = 0
    item_keys = layout.item_keys
    for element in iterparse(stream, tags):
        local = _local(element.tag)
        if local == layout.item:
            values: Values = {}
            lines: list[Values] = []
            if "" in item_keys.attribute_owners:
                _attributes(element, "", values)
            _flatten(element, "", values, item_keys, lines, layout)
            yield RawItem(values, lines, index, element.sourceline, header)
            index += 1
        else:
            header = {}
            _flatten(element, "", header, layout.header_keys, None, layout)
        release(element)
