"""XML reader: the item elements of a document, flattened to raw items, one at a time.

Elements are matched by local name, whatever their namespace or prefix; order inside an
item does not matter. Each item is freed as soon as it is flattened, so memory stays flat
however many items a file holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ..xmlsafe import (
    NodeGuard,
    XmlSyntaxError,
    etree_iterwalk,
    iterparse,
    parse_document,
    raising_failure,
    release,
)
from . import RawItem, Values, add_text
from .xmlcut import Cutter, Run
from .xmlskim import Skimmer


@dataclass(slots=True)
class Node:
    """One element path a dialect reads: its key, and what to take from the element."""

    path: str
    key: str = ""
    text: bool = False
    attributes: bool = False
    children: dict[str, Node] | None = None
    attribute_names: list[str] = field(default_factory=list)


#: What the walk does with a child element: (key of its text or None, the attributes
#: it reads as (local name, key) or None, table of its own children or None).
Entry = tuple[str | None, tuple[tuple[str, str], ...] | None, "Table | None"]
Table = dict[str, Entry]


@dataclass(frozen=True, slots=True)
class Wanted:
    """The keys a dialect reads below one element, as a tree of local names.

    The walk looks each child up by local name: an element no key passes through is
    skipped whole, text is taken only where a key names it, attributes only where a key
    names one.
    """

    root: Node

    @classmethod
    def of(cls, keys: Iterable[str]) -> Wanted:
        root = Node("", children={})
        for key in keys:
            element, _, attribute = key.partition("@")
            element = element.rstrip("/")
            node = root
            for name in element.split("/") if element else []:
                if node.children is None:
                    node.children = {}
                if name not in node.children:
                    node.children[name] = Node(f"{node.path}{name}/", f"{node.path}{name}")
                node = node.children[name]
            if attribute:
                node.attributes = True
                if attribute not in node.attribute_names:
                    node.attribute_names.append(attribute)
            elif element:
                node.text = True
        return cls(root)

    @property
    def table(self) -> Table:
        """The children of the root as the walk reads them (plain tuples: this is hot)."""
        return _table(self.root)


def _table(node: Node) -> Table:
    return {
        name: (child.key if child.text else None,
               tuple((a, f"{child.path}@{a}") for a in child.attribute_names) or None,
               _table(child) if child.children is not None else None)
        for name, child in (node.children or {}).items()
    }


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
    item_table: Table = field(init=False)
    line_table: Table = field(init=False)
    header_table: Table = field(init=False)

    #: When the item keys are a few texts of direct children: lxml selectors for them.
    item_selectors: tuple[str, ...] | None = field(init=False)

    def __post_init__(self) -> None:
        table = self.item_keys.table
        object.__setattr__(self, "item_table", table)
        object.__setattr__(self, "line_table", self.line_keys.table)
        object.__setattr__(self, "header_table", self.header_keys.table)
        leaves = (self.line is None and not self.item_keys.root.attributes and 0 < len(table) <= 4
                  and all(a is None and c is None for _, a, c in table.values()))
        object.__setattr__(self, "item_selectors",
                           tuple(f"{{*}}{name}" for name in table) if leaves else None)


def _local(tag: str) -> str:
    return tag[tag.index("}") + 1:] if tag[0] == "{" else tag


def _attributes(element: Any, prefix: str, values: Values) -> None:
    for name, value in element.items():
        value = value.strip()
        if value:
            add_text(values, f"{prefix}@{_local(name)}", value)


def _wanted_attributes(element: Any, wanted: tuple[tuple[str, str], ...],
                       values: Values) -> None:
    """The attributes a dialect reads, by local name (a namespaced one is looked for
    only when the plain name is absent)."""
    for name, key in wanted:
        value = element.get(name)
        if value is None:
            value = next((v for n, v in element.items() if n[0] == "{" and _local(n) == name),
                         None)
            if value is None:
                continue
        value = value.strip()
        if value:
            add_text(values, key, value)


def _flatten(element: Any, table: Table, values: Values, lines: list[Values] | None,
             layout: XmlLayout) -> None:
    """Collect the wanted texts and attributes below ``element`` by relative path.

    The hot loop of the XML path: it runs once per element, so it avoids helper calls
    and touches only what the dialect reads. Content pieces (``lines``) are recognised
    at any depth below the item.
    """
    for child in element:
        entry = table.get(child.tag)
        if entry is None:
            tag = child.tag
            if tag.__class__ is not str:
                continue
            if tag[0] == "{":
                tag = tag[tag.index("}") + 1:]
                entry = table.get(tag)
            if entry is None:
                if lines is not None:
                    _piece_or_deeper(child, tag, values, lines, layout)
                continue
        key, attributes, children = entry
        if key is not None:
            text = child.text
            if text is not None:
                text = text.strip()
                if text:
                    found = values.get(key)
                    if found is None:
                        values[key] = [text]
                    else:
                        found.append(text)
        if attributes is not None:
            _wanted_attributes(child, attributes, values)
        if children is not None:
            _flatten(child, children, values, lines, layout)


def _pick(element: Any, table: Table, selectors: tuple[str, ...], values: Values) -> None:
    """The texts of a few direct children, found by lxml (in C) instead of by a visit of
    every child: for items read as a lookup (see :func:`read_items`)."""
    for child in element.iterchildren(*selectors):
        text = child.text
        if text is not None:
            text = text.strip()
            if text:
                tag = child.tag
                key = table[tag[tag.index("}") + 1:] if tag[0] == "{" else tag][0]
                assert key is not None
                add_text(values, key, text)


def _piece_or_deeper(child: Any, tag: str, values: Values, lines: list[Values],
                     layout: XmlLayout) -> None:
    """A content piece becomes a line; other unknown elements may hold pieces deeper down."""
    line_tag = layout.line
    if line_tag is not None and (tag == line_tag or line_tag == "*") and (
        layout.line_attribute is None or child.get(layout.line_attribute) is not None
    ):
        piece: Values = {}
        if layout.line_keys.root.attributes:
            _attributes(child, "", piece)
        _flatten(child, layout.line_table, piece, None, layout)
        lines.append(piece)
    elif line_tag is not None and len(child):
        _flatten(child, _EMPTY, values, lines, layout)


_EMPTY: Table = {}


#: The layout to read the items from index n on (see :func:`read_items`).
Vary = Callable[[int], XmlLayout]


def read_items(stream: IO[bytes], layout: XmlLayout, vary: Vary | None = None,
               cut: bool = True) -> Iterator[RawItem]:
    """Yield the raw items of an XML document in document order.

    The document is parsed in runs of whole items (see :mod:`.xmlcut`); where it cannot
    be, iterparse reads on, with the same result (``cut=False``: iterparse alone, the
    reference the tests hold the runs to).

    ``vary``: the layout to read the items from index n on, asked before each run and
    each item (``layout`` reads the header, and is the answer of a plain reading). An
    item read with another layout is a *lookup*: a few of its values, its errors looked
    for by whoever asks for it another way, so a run of such items is skimmed as bytes
    where that is certain (see :mod:`.xmlskim`) instead of parsed.
    """
    reader = _Items(layout, vary)
    guard = NodeGuard(stream)
    cutter = Cutter(guard, layout.item if cut else "*")
    with raising_failure(guard):
        yield from _runs(reader, cutter)


def _runs(reader: _Items, cutter: Cutter) -> Iterator[RawItem]:
    """The items of every run the cutter gives, parsed or skimmed (see :func:`read_items`)."""
    for run in cutter.runs():
        if reader.vary is not None and run.parse and run.first_line > 1 and not run.last:
            found = reader.skim(run)
            if found is not None:
                yield from found
                continue
        if (yield from _read(reader, cutter, run)):
            return


def _read(reader: _Items, cutter: Cutter, run: Run) -> Generator[RawItem, None, bool]:
    """The items of ``run``, parsed; if it does not parse, iterparse reads on from there to
    the end of the input (then True: the input is read)."""
    failure = None
    if run.parse:
        try:
            root = parse_document(run.data)
        except XmlSyntaxError as exc:
            failure = exc
        else:
            yield from reader.of_tree(root, run)
            return False
    try:
        yield from reader.of(iterparse(cutter.resume(run), reader.tags), run, True)
    except XmlSyntaxError as exc:
        # iterparse names some errors badly (an undefined entity: "no element found",
        # line 0); the run's own error is the one to give when it lies inside the run
        inside = failure is not None and failure.position < cutter.end_of(run)
        raise _shifted(failure if inside else exc, run) from None
    return True


class _Items:
    """Turns item and header elements into raw items, counting items across runs."""

    def __init__(self, layout: XmlLayout, vary: Vary | None) -> None:
        self.layout = layout
        self.vary = vary
        self.tags = [layout.item] if layout.header is None else [layout.item, layout.header]
        self._skimmers: dict[int, Skimmer | None] = {}
        self.header: Values = {}
        self.index = 0

    def skim(self, run: Run) -> list[RawItem] | None:
        """The items of a run read as a lookup (see :func:`read_items`), taken from its
        bytes; None when the run is to be parsed (not a lookup, or the bytes alone cannot
        tell)."""
        vary, first = self.vary, self.index
        assert vary is not None
        lookup = vary(first)
        if lookup is self.layout:
            return None
        if id(lookup) not in self._skimmers:
            self._skimmers[id(lookup)] = _skimmer(self.layout, lookup)
        skimmer = self._skimmers[id(lookup)]
        found = skimmer.items(run.data, run.start, run.end) if skimmer is not None else None
        if not found or any(vary(first + n) is not lookup for n in range(1, len(found))):
            return None  # (every item of a skimmed run is read as the same lookup)
        header = self.header
        self.index = first + len(found)  # (not written from here, so not located)
        return [RawItem(values, [], first + n, None, header)
                for n, (values, _) in enumerate(found)]

    def of_tree(self, root: Any, run: Run) -> Iterator[RawItem]:
        """The items of one parsed run. Where every item and header is a child of the
        element the prolog left open (the usual case), they are its children in order;
        otherwise the elements are visited in the order their ends come, as iterparse
        does."""
        parent = root
        tags = [f"{{*}}{t}" for t in self.tags]
        matches = list(root.iter(*tags))
        if matches:
            parent = matches[-1].getparent()
        if parent is not None and all(m.getparent() is parent for m in matches):
            return self.of(iter(matches), run, False)
        return self.of((e for _, e in etree_iterwalk(root, tags)), run, True)

    def of(self, elements: Iterable[Any], run: Run, releasing: bool) -> Iterator[RawItem]:
        layout = self.layout
        item_tag = layout.item
        item_root = layout.item_keys.root
        vary = self.vary
        offset, first_line = run.line_offset, run.first_line
        for element in elements:
            if _local(element.tag) == item_tag:
                index = self.index
                values: Values = {}
                lines: list[Values] = []
                lookup = layout if vary is None else vary(index)
                if lookup is layout:
                    if item_root.attributes:
                        _attributes(element, "", values)
                    _flatten(element, layout.item_table, values, lines, layout)
                elif lookup.item_selectors is not None:
                    _pick(element, lookup.item_table, lookup.item_selectors, values)
                else:
                    if lookup.item_keys.root.attributes:
                        _attributes(element, "", values)
                    if lookup.item_table:
                        _flatten(element, lookup.item_table, values, None, lookup)
                yield RawItem(values, lines, index, element.sourceline + offset, self.header)
                self.index = index + 1
            elif element.sourceline >= first_line:  # a header of the prolog is read once
                self.header = {}
                _flatten(element, layout.header_table, self.header, None, layout)
            if releasing:
                release(element)


def _skimmer(layout: XmlLayout, lookup: XmlLayout) -> Skimmer | None:
    """A skimmer for the items read with ``lookup``, if it reads only texts of direct
    children (or nothing) and the names are plain ASCII."""
    table = lookup.item_table
    if lookup.item_selectors is None and (table or lookup.item_keys.root.attributes):
        return None
    names = [layout.item, *table, *([layout.header] if layout.header else [])]
    if not all(name.isascii() and name != "*" for name in names):
        return None
    return Skimmer(layout.item, [(name, entry[0] or "") for name, entry in table.items()],
                   [layout.header] if layout.header else [])


_LINE = re.compile(r"\bline (\d+)")


def _shifted(exc: Any, run: Run) -> Any:
    """``exc`` with the lines of the run moved to where they are in the input."""
    line, column = exc.position
    if line == run.first_line and run.unpadded:  # the run starts far out on its line
        column += run.unpadded
    elif not run.line_offset:
        return exc

    def moved(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return f"line {number + run.line_offset if number >= run.first_line else number}"

    return XmlSyntaxError(_LINE.sub(moved, str(exc.msg)), exc.code,
                          line + run.line_offset if line >= run.first_line else line, column)
