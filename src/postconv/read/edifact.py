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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress, repeat
from typing import IO, Any

from ..errors import InputUnusable
from ..limits import MAX_ITEM_PARTS, MAX_SEGMENT_CHARS
from . import DECIMAL_COMMA, RawItem, ReadProblem, Values, add_text

CHARSETS = {
    "UNOA": "ascii", "UNOB": "ascii", "UNOC": "iso-8859-1", "UNOD": "iso-8859-2",
    "UNOE": "iso-8859-5", "UNOF": "iso-8859-7", "UNOW": "utf-8", "UNOY": "utf-8",
}
DEFAULT_SERVICE = ":+.? '"
#: The release character of an interchange that uses none: one that no text decoded
#: strictly from its character set can hold (a lone surrogate).
NO_RELEASE = "\udfff"
CHUNK = 1 << 16

Segment = tuple[str, list[list[str]]]
#: How one segment is read: (element index, key of the whole element or None,
#: ((component index, key), ...)) for each element read, in order (all from 0)
Steps = tuple[tuple[int, str | None, tuple[tuple[int, str], ...]], ...]


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
    #: the tags of the segments an item's fields (and lines, if read) come from, with the
    #: item and line segments; None: any segment may matter
    item_tags: frozenset[str] | None = None

    @cached_property
    def plans(self) -> dict[str, Steps]:
        """``wanted`` by element, for reading: segment key → (element index from 0, key of
        all its components or None, ((component index from 0, key), ...)), in order."""
        plans = {}
        for segment, positions in (self.wanted or {}).items():
            wholes: dict[int, str] = {}
            parts: dict[int, set[tuple[int, str]]] = {}
            for element, component, key in positions:
                if component is None:
                    wholes[element - 1] = key
                else:
                    parts.setdefault(element - 1, set()).add((component - 1, key))
            plans[segment] = tuple((index, wholes.get(index), tuple(sorted(parts.get(index, ()))))
                                   for index in sorted({*wholes, *parts}))
        return plans

    @classmethod
    def from_dialect(cls, dialect: Any) -> EdifactLayout:
        """The layout of ``dialect`` (one without content pieces reads only the segments
        of its item fields: see :attr:`item_tags`)."""
        config = dialect.edifact
        qualifiers = {}
        for tag, where in config.get("qualifiers", {}).items():
            element, _, component = str(where).partition(".")
            qualifiers[tag] = (int(element), int(component or 1))
        wanted: dict[str, list[tuple[int, int | None, str]]] = {}
        item, line = dialect.layout["item"], dialect.layout["line"]
        specs = (*dialect.item_fields, *dialect.line_fields)
        item_tags = {item, line} if line else {item}
        for keys, in_items in ([k for spec in specs for k in spec.keys], True), \
                ([k for spec in dialect.header_fields for k in spec.keys], False):
            for key in keys:
                segment, _, position = key.rpartition("/")
                element, _, component = position.partition(".")
                if segment and element.isdigit() and (not component or component.isdigit()):
                    wanted.setdefault(segment, []).append(
                        (int(element), int(component) if component else None, key))
                    if in_items:
                        item_tags.update(part.partition("+")[0] for part in segment.split("/"))
        return cls(item, line, qualifiers, dict(config.get("nest", {})), wanted,
                   frozenset(item_tags))


@dataclass(frozen=True)
class Service:
    """The service characters of an interchange."""

    component: str
    element: str
    decimal: str
    release: str
    terminator: str


def service_of(head: str) -> tuple[Service, int]:
    """The service characters (from UNA or the defaults) and where the data starts.

    Separators that collide (the same character for two of them) or a decimal mark that
    is neither ``.`` nor ``,`` would give garbage fields: such a UNA is refused."""
    text = head.lstrip("\ufeff \r\n\t")
    offset = len(head) - len(text)
    if text.startswith("UNA") and len(text) >= 9:
        chars = text[3:9]
        release = chars[3] if chars[3] != " " else NO_RELEASE  # a space: none is used
        service = Service(chars[0], chars[1], chars[2], release, chars[5])
        separators = [service.component, service.element, service.terminator]
        if release != NO_RELEASE:
            separators.append(release)
        if len(set(separators)) < len(separators) or service.decimal not in ".," \
                or service.decimal in separators:
            raise InputUnusable(f"UNA {chars!r}: service characters that collide (component, "
                                "element, release and terminator must differ; the decimal "
                                "mark is . or ,)")
        return service, offset + 9
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


#: A released release character, held while the other release characters are dropped
#: (like NO_RELEASE, a character no decoded text can hold).
_HELD = "\udffe"


def _unescape(text: str, release: str) -> str:
    """Drop each release character and keep the character it releases (pairs first: in a
    run of them, each pair is one released release character)."""
    return text.replace(release * 2, _HELD).replace(release, "").replace(_HELD, release)


def _split_released(text: str, separator: str, release: str) -> list[str]:
    """Split on ``separator`` where not released; release characters are kept."""
    parts = text.split(separator)
    if release + separator in text:
        parts = _join_released(parts, separator, release)
    return parts


def parse_segment(text: str, service: Service) -> Segment:
    """``NAD+CZ+++Jane`` → ``("NAD", [["CZ"], [""], [""], ["Jane"]])``."""
    release, component = service.release, service.component
    if release not in text:  # the common case: plain splits
        head, *rest = text.split(service.element)
        return head, [element.split(component) for element in rest]
    head, *rest = _split_released(text, service.element, release)
    parsed = []
    for element in rest:
        if release not in element:
            parsed.append(element.split(component))
            continue
        components = _split_released(element, component, release)
        parsed.append([_unescape(c, release) if release in c else c for c in components])
    return head, parsed


def _ends_released(text: str, release: str) -> bool:
    """Whether ``text`` ends in an odd run of release characters (releasing what follows)."""
    return text.endswith(release) and (len(text) - len(text.rstrip(release))) % 2 == 1


def _join_released(pieces: list[str], separator: str, release: str) -> list[str]:
    """Join again the pieces of a split at a separator (or terminator) that was released.

    Linear however many there are: each run of pieces to join is joined once."""
    ends = compress(range(len(pieces)), map(str.endswith, pieces, repeat(release)))
    joined: list[str] = []
    copied = 0  # the pieces before this are in ``joined``
    last = len(pieces) - 1
    for first in ends:
        if first < copied or first == last or not _ends_released(pieces[first], release):
            continue
        end = first + 1  # join up to the first piece that does not end released
        while end < last and _ends_released(pieces[end], release):
            end += 1
        joined += pieces[copied:first]
        joined.append(separator.join(pieces[first:end + 1]))
        copied = end + 1
    if not copied:
        return pieces
    joined += pieces[copied:]
    return joined


#: Control characters (but tab; line breaks are dropped before): never data, refused as
#: XML refuses them, never copied into a record.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def segment_texts(stream: IO[bytes], head: bytes) -> Iterator[tuple[list[str], Service]]:
    """The texts of the segments, not yet split into elements, in bounded memory: a list
    for each block read (one generator step per block, not per segment), with the
    service characters.

    Bytes not valid for the character set, or a control character, end the interchange
    there: the segments before are still given, then the error is raised."""
    codec = charset_of(head)
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    service: Service | None = None
    pending = ""
    while True:
        chunk = stream.read(CHUNK)
        failure = None
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            text = exc.object[:exc.start].decode(codec)
            failure = InputUnusable(f"bytes not valid for the declared character set: "
                                    f"{exc.reason}")
        control = _CONTROL.search(text)
        if control is not None:
            text = text[:control.start()]
            failure = InputUnusable(f"control character U+{ord(control.group()):04X} in the "
                                    "data")
        if "\r" in text or "\n" in text:
            text = text.replace("\r", "").replace("\n", "")
        if service is None:
            pending += text
            if len(pending) < 9 and chunk:
                continue
            service, start = service_of(pending)
            text, pending = pending[start:], ""
        terminator, release = service.terminator, service.release
        # only the new text is split (a long segment is not split again with each block)
        pieces = text.split(terminator)
        pieces[0] = pending + pieces[0]
        if release + terminator in pending[-1:] + text:
            pieces = _join_released(pieces, terminator, release)
        pending = pieces.pop()  # the segment not yet ended
        if len(pending) > MAX_SEGMENT_CHARS:
            raise InputUnusable(f"a segment longer than {MAX_SEGMENT_CHARS} characters")
        texts = [body for piece in pieces if (body := piece.strip(" \t"))]
        if texts:
            yield texts, service
        if failure is not None:
            raise failure
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


def _store_steps(values: Values, steps: Steps, elements: Elements, plain: str = "") -> None:
    """Store the texts a dialect reads of one segment (see :attr:`EdifactLayout.plans`)."""
    count = len(elements)
    for index, whole, parts in steps:
        if index >= count:
            return
        element = elements[index]
        if isinstance(element, str):
            if plain not in element:  # one component, the usual case: no split, no lists
                if text := element.strip():
                    if whole is not None:
                        add_text(values, whole, text)
                    if parts and parts[0][0] == 0:
                        add_text(values, parts[0][1], text)
                continue
            components = element.split(plain)
        else:
            components = element
        if whole is not None:
            for text in components:
                if text := text.strip():
                    add_text(values, whole, text)
        for component, key in parts:
            if component < len(components) and (text := components[component].strip()):
                add_text(values, key, text)


def _store(values: Values, key: str, elements: list[list[str]],
           layout: EdifactLayout | None = None) -> None:
    if layout is not None and layout.wanted is not None:
        steps = layout.plans.get(key)
        if steps:
            _store_steps(values, steps, elements)
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


def _check_count(elements: list[list[str]], actual: int, code: str, tag: str, what: str,
                 where: str, report: Callable[[ReadProblem], None]) -> None:
    """Compare a control count (UNT segments, UNZ messages) with what was read."""
    declared = elements[0][0] if elements and elements[0] else ""
    if declared != str(actual):
        report(ReadProblem(code, f"{tag} says {declared or 'nothing'} {what}, the {where} "
                                 f"has {actual} (truncated?)"))


def _needed(layout: EdifactLayout, lookup: EdifactLayout) -> set[str]:
    """The segments read at all in an item read as ``lookup`` (see :func:`read_interchange`)."""
    needed = {layout.item, "UNB", "UNH", "UNT", "UNZ", *(lookup.item_tags or ())}
    if needed & {*layout.nest, *layout.nest.values()}:  # nesting matters for what is read
        needed.update(layout.nest, layout.nest.values())
    return needed


def read_interchange(stream: IO[bytes], layout: EdifactLayout, head: bytes = b"",
                     problem: Callable[[ReadProblem], None] | None = None,
                     vary: Callable[[int], EdifactLayout] | None = None,
                     ) -> Iterator[RawItem]:
    """Yield the raw items of an EDIFACT interchange in order.

    ``vary``: the layout to read the items from index n on, asked at each item (see
    :func:`postconv.read.xml.read_items`); in an item read with another layout than
    ``layout`` (a lookup), the segments it does not read are passed over unparsed.
    """
    report = problem or (lambda p: None)
    needed: set[str] = set()  # in a lookup, only these segments are read at all
    lookup: EdifactLayout | None = None
    qualifiers, nest, line_tag = layout.qualifiers, layout.nest, layout.line
    # segments that start or end something; any other segment of an item without release
    # characters is split into components only where the dialect reads it
    structural = {"UNB", "UNH", "UNT", "UNZ", layout.item, line_tag}
    interchange: Values = {}
    header: Values = {}
    item: RawItem | None = None
    values: Values = {}  # where the segments of the item go now: the item or its piece
    piece: Values | None = None
    parents: dict[str, str] = {}
    wanted = layout.wanted
    plans = layout.plans
    skimming = False  # in an item read as a lookup
    odd_tags = False
    index = number = message_start = messages = 0
    in_message = closed = False
    blocks = segment_texts(stream, head)
    while True:
        try:
            texts, service = next(blocks)
        except StopIteration:
            break
        except InputUnusable as exc:  # where: after the segments read
            raise InputUnusable(f"segment {number + 1}: {exc}") from None
        if item is not None and number - (item.line or 0) > MAX_ITEM_PARTS:
            raise InputUnusable(f"segment {number}: more than {MAX_ITEM_PARTS} segments in "
                                f"item {index}")
        if service.decimal == "," and DECIMAL_COMMA not in interchange:
            interchange[DECIMAL_COMMA] = [","]
        separator, plain, release = service.element, service.component, service.release
        for body in texts:
            number += 1
            if skimming and body[:3] not in needed \
                    and (not odd_tags or body.split(separator, 1)[0] not in needed):
                continue  # a segment of a lookup, not needed here
            if item is not None and wanted is not None and release not in body:
                tag, *elements = body.split(separator)
                if tag not in structural:  # the hot path: inline, split only where read
                    key = tag if tag not in qualifiers else _key(tag, elements, layout, plain)
                    parent = nest.get(tag)
                    if parent is not None and parent in parents:
                        key = f"{parents[parent]}/{key}"
                    else:
                        parents[tag] = key
                    steps = plans.get(key)
                    if steps is not None:
                        _store_steps(values, steps, elements, plain)
                    continue
            tag, parsed = parse_segment(body, service)
            if tag == "UNB":
                _store(interchange, "UNB", parsed, layout)
                continue
            if tag == "UNH":
                if in_message:
                    report(ReadProblem("EDIFACT_MESSAGE_UNTERMINATED",
                                       f"message {messages} has no UNT before the next UNH"))
                in_message = True
                message_start = number
                messages += 1
                header = dict(interchange)
                _store(header, "UNH", parsed, layout)
                continue
            if tag in ("UNT", "UNZ"):
                if item is not None:
                    yield item
                    index += 1
                    item = None
                    skimming = False
                if tag == "UNT":
                    _check_count(parsed, number - message_start + 1,
                                 "EDIFACT_SEGMENT_COUNT_MISMATCH", "UNT", "segments", "message",
                                 report)
                    in_message = False
                else:
                    _check_count(parsed, messages, "EDIFACT_MESSAGE_COUNT_MISMATCH", "UNZ",
                                 "messages", "interchange", report)
                    closed = True
                continue
            if tag == layout.item:
                if item is not None:
                    yield item
                    index += 1
                item = RawItem({}, [], index, number, header)
                values = item.values
                piece = None
                parents = {}
                reading = layout if vary is None else vary(index)
                wanted, plans = reading.wanted, reading.plans
                skimming = reading is not layout and reading.item_tags is not None
                if skimming and reading is not lookup:
                    lookup = reading
                    needed = _needed(layout, reading)
                    # a tag that is not three characters long (no standard one is) needs
                    # a closer look
                    odd_tags = any(len(tag) != 3 for tag in needed if tag)
                _store(values, _key(tag, parsed, layout), parsed, reading)
                continue
            if item is None:
                _store(header, _key(tag, parsed, layout), parsed, layout)
                continue
            key = tag if tag not in qualifiers else _key(tag, parsed, layout)
            if tag == line_tag:
                values = piece = {}
                item.lines.append(piece)
            if wanted is None:
                _store(values, _nested(parents, nest.get(tag), tag, key), parsed)
            else:
                steps = plans.get(_nested(parents, nest.get(tag), tag, key))
                if steps is not None:
                    _store_steps(values, steps, parsed)
    if item is not None:
        yield item
    if not closed:
        report(ReadProblem("EDIFACT_INTERCHANGE_TRUNCATED",
                           "the interchange ends without UNZ (truncated)"))
