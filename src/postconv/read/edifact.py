"""Streaming UN/EDIFACT reader (ISO 9735 syntax): interchange → raw items, one at a time.

Service string advice (``UNA``) or the defaults; the release character; segment
terminators with or without line breaks (line breaks are not data and are dropped,
so segments split across lines are joined); the character set from the ``UNB`` syntax
identifier; several messages per interchange. An item is every segment from one item
segment (``CNI``) to the next item segment or ``UNT``; a line group (``GID``) inside it
becomes a content piece. ``UNT`` segment counts and ``UNZ`` message counts are checked.

Keys: ``TAG+QUALIFIER/e`` (every component of element ``e``, 1-based after the tag)
and ``TAG+QUALIFIER/e.c`` (one component). Where a segment's qualifier sits is a
dialect setting (``[edifact] qualifiers``); a segment that ``nest``s under another is
keyed below the latest one of those (``NAD+CZ/COM+TE/1.1``).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ..errors import InputUnusable
from . import RawItem, ReadProblem, Values

CHARSETS = {
    "UNOA": "ascii", "UNOB": "ascii", "UNOC": "iso-8859-1", "UNOD": "iso-8859-2",
    "UNOE": "iso-8859-5", "UNOF": "iso-8859-7", "UNOW": "utf-8", "UNOY": "utf-8",
}
DEFAULT_SERVICE = ":+.? '"
CHUNK = 1 << 16
MAX_SEGMENT_CHARS = 1 << 20

Segment = tuple[str, list[list[str]]]


@dataclass(frozen=True)
class EdifactLayout:
    """What a dialect says about its EDIFACT message: item and line segments, qualifiers."""

    item: str = "CNI"
    line: str | None = "GID"
    qualifiers: dict[str, tuple[int, int]] = field(default_factory=dict)
    nest: dict[str, str] = field(default_factory=dict)
    #: segment key → the (element, component or None, key) the dialect reads from it;
    #: None: keep everything (no dialect given)
    wanted: dict[str, list[tuple[int, int | None, str]]] | None = None

    @classmethod
    def from_dialect(cls, dialect: Any, fields: Collection[str] | None = None) -> EdifactLayout:
        """The layout of ``dialect``; with ``fields``, reading only those item fields."""
        config = dialect.edifact
        qualifiers = {}
        for tag, where in config.get("qualifiers", {}).items():
            element, _, component = str(where).partition(".")
            qualifiers[tag] = (int(element), int(component or 1))
        wanted: dict[str, list[tuple[int, int | None, str]]] = {}
        specs = ((*dialect.item_fields, *dialect.line_fields) if fields is None
                 else dialect.item_specs(fields))
        for spec in (*specs, *dialect.header_fields):
            for key in spec.keys:
                segment, _, position = key.rpartition("/")
                element, _, component = position.partition(".")
                if segment and element.isdigit() and (not component or component.isdigit()):
                    wanted.setdefault(segment, []).append(
                        (int(element), int(component) if component else None, key))
        return cls(dialect.layout["item"], dialect.layout["line"], qualifiers,
                   dict(config.get("nest", {})), wanted)


@dataclass(frozen=True)
class Service:
    """The service characters of an interchange."""

    component: str
    element: str
    decimal: str
    release: str
    terminator: str


def service_of(head: str) -> tuple[Service, int]:
    """The service characters (from UNA or the defaults) and where the data starts."""
    text = head.lstrip("\ufeff \r\n\t")
    offset = len(head) - len(text)
    if text.startswith("UNA") and len(text) >= 9:
        chars = text[3:9]
        return Service(chars[0], chars[1], chars[2], chars[3], chars[5]), offset + 9
    c = DEFAULT_SERVICE
    return Service(c[0], c[1], c[2], c[3], c[5]), offset


def charset_of(head: bytes) -> str:
    """The Python codec for the UNB syntax identifier (UNOA, UNOC, UNOY, ...)."""
    text = head[:4096].decode("latin-1")
    at = text.find("UNB")
    if at < 0:
        raise InputUnusable("EDIFACT interchange without a UNB segment")
    identifier = text[at + 4:at + 8]
    if identifier not in CHARSETS:
        raise InputUnusable(f"unsupported EDIFACT syntax identifier {identifier!r} "
                            f"(known: {', '.join(CHARSETS)})")
    return CHARSETS[identifier]


def _unescape(text: str, release: str) -> str:
    """Drop each release character and keep the character it releases."""
    out = []
    escaped = False
    for char in text:
        if escaped or char != release:
            out.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(out)


def _split_released(text: str, separator: str, release: str) -> list[str]:
    """Split on ``separator`` where not released; release characters are kept."""
    if release not in text:
        return text.split(separator)
    parts = []
    start = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == release:
            index += 2
            continue
        if char == separator:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def parse_segment(text: str, service: Service) -> Segment:
    """``NAD+CZ+++Jane`` → ``("NAD", [["CZ"], [""], [""], ["Jane"]])``."""
    release = service.release
    if release not in text:  # the common case: plain splits
        head, *rest = text.split(service.element)
        component = service.component
        return head, [element.split(component) for element in rest]
    elements = _split_released(text, service.element, release)
    parsed = []
    for element in elements[1:]:
        components = _split_released(element, service.component, release)
        if release in element:
            components = [_unescape(c, release) for c in components]
        parsed.append(components)
    return elements[0], parsed


def _segment_end(text: str, start: int, terminator: str, release: str) -> int:
    """Index of the next terminator at or after ``start`` that is not released, or -1."""
    end = text.find(terminator, start)
    while end >= 0:
        run = 0
        back = end - 1
        while back >= start and text[back] == release:
            run += 1
            back -= 1
        if run % 2 == 0:
            return end
        end = text.find(terminator, end + 1)
    return -1


def segments(stream: IO[bytes], head: bytes) -> Iterator[Segment]:
    """The segments of an interchange, decoded, one at a time, in bounded memory."""
    for body, service in segment_texts(stream, head):
        yield parse_segment(body, service)


def segment_texts(stream: IO[bytes], head: bytes) -> Iterator[tuple[str, Service]]:
    """The text of each segment, not yet split into elements, with the service characters."""
    decoder = codecs.getincrementaldecoder(charset_of(head))(errors="strict")
    service: Service | None = None
    pending = ""
    while True:
        chunk = stream.read(CHUNK)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise InputUnusable(f"bytes not valid for the declared character set: {exc.reason}"
                                ) from None
        if "\r" in text or "\n" in text:
            text = text.replace("\r", "").replace("\n", "")
        pending += text
        if service is None:
            if len(pending) < 9 and chunk:
                continue
            service, start = service_of(pending)
            pending = pending[start:]
        terminator, release = service.terminator, service.release
        start = 0
        while True:
            end = pending.find(terminator, start)
            if end > start and pending[end - 1] == release:  # perhaps released: look closer
                end = _segment_end(pending, start, terminator, release)
            if end < 0:
                break
            body = pending[start:end].strip(" \t")
            start = end + 1
            if body:
                yield body, service
        pending = pending[start:]
        if len(pending) > MAX_SEGMENT_CHARS:
            raise InputUnusable(f"a segment longer than {MAX_SEGMENT_CHARS} characters")
        if not chunk:
            if pending.strip():
                raise InputUnusable("interchange ends inside a segment (truncated)")
            return


#: The elements of a segment: each split into components, or (``plain``: a segment
#: without release characters) the element's text, split only where it is read.
Elements = list[list[str]] | list[str]


def _key(tag: str, elements: Elements, layout: EdifactLayout, plain: str = "") -> str:
    """``TAG+QUALIFIER`` as dialects name segments; ``plain``: the component separator of
    unsplit elements."""
    where = layout.qualifiers.get(tag)
    if where is None:
        return tag
    element, component = where
    try:
        components = elements[element - 1]
        qualifier = (components.split(plain) if isinstance(components, str)
                     else components)[component - 1]
    except IndexError:
        return tag
    return f"{tag}+{qualifier}" if qualifier else tag


def _store_wanted(values: Values, wanted: list[tuple[int, int | None, str]],
                  elements: Elements, plain: str = "") -> None:
    """Store only the positions a dialect reads (the fast path)."""
    count = len(elements)
    for element, component, key in wanted:
        if element > count:
            continue
        found_element = elements[element - 1]
        components = (found_element.split(plain) if isinstance(found_element, str)
                      else found_element)
        if component is None:
            texts = [t for c in components if (t := c.strip())]
        elif component <= len(components) and (text := components[component - 1].strip()):
            texts = [text]
        else:
            continue
        if texts:
            found = values.get(key)
            if found is None:
                values[key] = texts
            else:
                found.extend(texts)


def _store(values: Values, key: str, elements: list[list[str]],
           layout: EdifactLayout | None = None) -> None:
    if layout is not None and layout.wanted is not None:
        wanted = layout.wanted.get(key)
        if wanted:
            _store_wanted(values, wanted, elements)
        return
    for e, components in enumerate(elements, start=1):
        texts = [c.strip() for c in components]
        present = [t for t in texts if t]
        if not present:
            continue
        whole = f"{key}/{e}"
        found = values.get(whole)
        if found is None:
            values[whole] = present
        else:
            found.extend(present)
        for c, text in enumerate(texts, start=1):
            if text:
                part = f"{key}/{e}.{c}"
                found = values.get(part)
                if found is None:
                    values[part] = [text]
                else:
                    found.append(text)


def _nested(parents: dict[str, str], parent: str | None, tag: str, key: str) -> str:
    """The key of a segment below the latest segment of its ``[edifact] nest`` parent."""
    if parent is not None and parent in parents:
        return f"{parents[parent]}/{key}"
    parents[tag] = key
    return key


def _store_in_item(item: RawItem, piece: Values | None, parents: dict[str, str],
                   parent: str | None, tag: str, key: str,
                   wanted: dict[str, list[tuple[int, int | None, str]]], elements: Elements,
                   plain: str = "") -> None:
    """Store what the dialect reads of a segment of an item (or of its current piece)."""
    positions = wanted.get(_nested(parents, parent, tag, key))
    if positions is not None:
        _store_wanted(piece if piece is not None else item.values, positions, elements, plain)


def _check_count(elements: list[list[str]], actual: int, code: str, tag: str, what: str,
                 where: str, report: Callable[[ReadProblem], None]) -> None:
    """Compare a control count (UNT segments, UNZ messages) with what was read."""
    declared = elements[0][0] if elements and elements[0] else ""
    if declared != str(actual):
        report(ReadProblem(code, f"{tag} says {declared or 'nothing'} {what}, the {where} "
                                 f"has {actual} (truncated?)"))


def read_interchange(stream: IO[bytes], layout: EdifactLayout, head: bytes = b"",
                     problem: Callable[[ReadProblem], None] | None = None,
                     skim: tuple[Callable[[int], bool], EdifactLayout] | None = None,
                     ) -> Iterator[RawItem]:
    """Yield the raw items of an EDIFACT interchange in order.

    ``skim``: ``(owns, lighter)``: items whose index ``owns`` refuses keep only what the
    ``lighter`` layout reads (see :func:`postconv.read.xml.read_items`).
    """
    report = problem or (lambda p: None)
    owns, lighter = skim if skim is not None else (None, layout)
    reading = layout
    # in a skimmed item, only these segments are split into elements at all
    needed = {layout.item, layout.line, "UNB", "UNH", "UNT", "UNZ"}
    for key in lighter.wanted or ():
        needed.update(part.partition("+")[0] for part in key.split("/"))
    if needed & {*layout.nest, *layout.nest.values()}:  # nesting matters for what is read
        needed.update(layout.nest, layout.nest.values())
    qualifiers, nest, line_tag = layout.qualifiers, layout.nest, layout.line
    interchange: Values = {}
    header: Values = {}
    item: RawItem | None = None
    piece: Values | None = None
    parents: dict[str, str] = {}
    index = 0
    in_message = False
    message_segments = 0
    messages = 0
    closed = False
    # segments that start or end something; any other segment of an item without release
    # characters is split into components only where the dialect reads it
    structural = {"UNB", "UNH", "UNT", "UNZ", layout.item, layout.line}
    for number, (body, service) in enumerate(segment_texts(stream, head), start=1):
        if in_message:
            message_segments += 1
        if reading is not layout and item is not None and body[:3] not in needed \
                and body.split(service.element, 1)[0] not in needed:
            continue  # a segment of an item another worker converts, not needed here
        wanted = reading.wanted
        if item is not None and wanted is not None and service.release not in body:
            tag, *texts = body.split(service.element)
            if tag not in structural:
                plain = service.component
                key = tag if tag not in qualifiers else _key(tag, texts, layout, plain)
                _store_in_item(item, piece, parents, nest.get(tag), tag, key, wanted, texts,
                               plain)
                continue
        tag, elements = parse_segment(body, service)
        if tag == "UNB":
            _store(interchange, "UNB", elements, layout)
            continue
        if tag == "UNH":
            if in_message:
                report(ReadProblem("EDIFACT_MESSAGE_UNTERMINATED",
                                   f"message {messages} has no UNT before the next UNH"))
            in_message = True
            message_segments = 1
            messages += 1
            header = dict(interchange)
            _store(header, "UNH", elements, layout)
            continue
        if tag in ("UNT", "UNZ"):
            if item is not None:
                yield item
                index += 1
                item = None
                piece = None
            if tag == "UNT":
                _check_count(elements, message_segments, "EDIFACT_SEGMENT_COUNT_MISMATCH",
                             "UNT", "segments", "message", report)
                in_message = False
            else:
                _check_count(elements, messages, "EDIFACT_MESSAGE_COUNT_MISMATCH", "UNZ",
                             "messages", "interchange", report)
                closed = True
            continue
        if tag == layout.item:
            if item is not None:
                yield item
                index += 1
            item = RawItem({}, [], index, number, header)
            piece = None
            parents = {}
            reading = layout if owns is None or owns(index) else lighter
            key = _key(tag, elements, layout)
            _store(item.values, key, elements, reading)
            continue
        if item is None:
            _store(header, _key(tag, elements, layout), elements, layout)
            continue
        key = tag if tag not in qualifiers else _key(tag, elements, layout)
        if tag == line_tag:
            piece = {}
            item.lines.append(piece)
        if wanted is None:
            _store(piece if piece is not None else item.values,
                   _nested(parents, nest.get(tag), tag, key), elements)
        else:
            _store_in_item(item, piece, parents, nest.get(tag), tag, key, wanted, elements)
    if item is not None:
        yield item
    if not closed:
        report(ReadProblem("EDIFACT_INTERCHANGE_TRUNCATED",
                           "the interchange ends without UNZ (truncated)"))
