"""Skim a run of items as bytes: how many items, and a few texts of each, without parsing.

For a run of items read as a lookup (a few values of each, see
:func:`postconv.read.xml.read_items`), parsing costs more than what is done with them:
the process of one part of a split input looks up the tracking numbers of the items
before its part (:mod:`postconv.split`). In a *plain* run — no comment, CDATA section,
processing instruction or DOCTYPE — every ``<`` of a well-formed document begins a tag
(it is not allowed in text or attribute values), so the tags can be found by their bytes
alone.

The skim answers only for such runs, and only when the answer is certain; anything else
(a nested item, a header element, a self-closing tag where depth matters, an entity or a
non-ASCII byte in a text it reads, a qualified name with two colons) gives None, and the
run is parsed as usual. Whether the run is well-formed the skim does not know: whoever
reads a lookup checks those bytes another way (a split input's process whose part holds
the run parses it and reports its errors, and the output stops there).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import Values

#: The rest of a start tag after its name: attributes (quoted values may hold ">").
_TAG_REST = re.compile(rb"""(?:[^>"']+|"[^"]*"|'[^']*')*>""")


#: A namespace prefix with its colon, as it may stand before a local name in a tag.
_NAME_ENDS = frozenset(b" \t\r\n>")
_PREFIX = re.compile(rb"[^\s<>/=\"':]+:")
_NOT_IN_NAMES = re.compile(rb"[\s<>/=\"']")


class Skimmer:
    """Finds the item elements of a plain run and the texts of some of their children.

    ``item``: the local name of an item; ``children``: (local name, key) of the direct
    children whose texts are wanted; ``stop``: names whose presence needs a real parse
    (the message header, which the items after it take in).
    """

    def __init__(self, item: str, children: Sequence[tuple[str, str]],
                 stop: Sequence[str] = ()) -> None:
        self.item = item.encode("ascii")
        self.keys = {name.encode("ascii"): key for name, key in children}
        self.stop = tuple(name.encode("ascii") for name in stop)
        names = sorted({self.item, *self.keys}, key=len, reverse=True)
        self._names = re.compile(b"(?:" + b"|".join(re.escape(n) for n in names)
                                 + rb")(?=[\s/>])")
        self._uniform_patterns: dict[bytes, re.Pattern[bytes]] = {}

    def items(self, data: bytes, start: int, end: int) -> list[tuple[Values, int]] | None:
        """The wanted texts of each item in ``data[start:end]`` and where its start tag
        is, or None when the bytes alone cannot tell for sure."""
        if not _plain(data, start, end) or any(
                data.find(name, start, end) >= 0 for name in self.stop):
            return None
        if len(self.keys) == 1:
            found = self._uniform(data, start, end)
            if found is not None:
                return found
        return self._tag_by_tag(data, start, end)

    def _uniform(self, data: bytes, start: int, end: int) -> list[tuple[Values, int]] | None:
        """The usual layout, found by a few scans in C: every item's first child is the one
        wanted child, with a plain text; one prefix throughout (or none); the names
        nowhere else in the run. None if any of that does not hold.

        Why that is certain: the run is cut before an item start tag, so its first tag
        gives the prefix. Each item start tag is matched with its child, and the next
        occurrence of the item's name after that must be its end tag and the one after
        that the next item's start tag (or none, at the end of the run): so no item is
        missed, none lies inside another, and (when the item's name is part of the
        child's) no other element has the child's name.
        """
        item, (child, key) = self.item, next(iter(self.keys.items()))
        name = data.find(item, start, start + 256)
        prefix = data[start + 1:name]
        if name < 0 or (prefix and not _PREFIX.fullmatch(prefix)):
            return None
        pattern, size = self._pattern(prefix), len(item)
        opening, closing = b"<" + prefix, b"</" + prefix
        found: list[tuple[Values, int]] = []
        at = start
        while at >= 0:
            position = at
            match = pattern.match(data, at, end)
            if match is None:
                return None
            close = data.find(item, match.end(), end)
            if (close < 0 or data[close - len(closing):close] != closing
                    or data[close + size] not in _NAME_ENDS):
                return None
            following = data.find(item, close + size, end)
            if following >= 0:
                at = following - len(opening)
                if data[at:following] != opening:
                    return None
            else:
                at = -1
            if item not in child and data.count(child, match.end(), close) != 0:
                return None
            value = _text(match.group(1))
            if value is None:
                return None
            found.append(({key: [value]} if value else {}, position))
        return found

    def _pattern(self, prefix: bytes) -> re.Pattern[bytes]:
        """An item start tag and its first child's text, with ``prefix`` on both names."""
        pattern = self._uniform_patterns.get(prefix)
        if pattern is None:
            item, child = re.escape(prefix + self.item), re.escape(prefix + next(iter(self.keys)))
            # attributes (a quoted value may hold ">" or "/"), not "/>"
            tag_end = rb"""(?:\s(?:[^<>"']++|"[^"<]*+"|'[^'<]*+')*+)?(?<!/)>"""
            pattern = self._uniform_patterns[prefix] = re.compile(
                rb"<" + item + tag_end + rb"\s*<" + child + tag_end + rb"([^<&]*)</" + child
                + rb"\s*>")
        return pattern

    def _tag_by_tag(self, data: bytes, start: int, end: int) -> list[tuple[Values, int]] | None:
        """Any other layout: every tag with a wanted name, judged where it stands."""
        item, keys = self.item, self.keys
        found: list[tuple[Values, int]] = []
        values: Values | None = None  # of the item being read, if inside one
        content = 0  # where the open item's content starts
        for match in self._names.finditer(data, start, end):
            at = match.start()
            before = data[at - 1] if at > start else 0
            if before == 0x3C:  # "<"
                closing, tag = False, at - 1
            elif before == 0x2F and data[at - 2] == 0x3C:  # "</"
                closing, tag = True, at - 2
            elif before == 0x3A:  # ":" ending a prefix, or text
                tag = data.rfind(b"<", start, at)
                closing = data[tag + 1] == 0x2F
                prefix = data[tag + 1 + closing:at]
                if tag < 0 or _NOT_IN_NAMES.search(prefix):
                    continue  # text, or an attribute value
                if not _PREFIX.fullmatch(prefix):
                    return None  # ":Item", "a:b:Item": not a name the skim can judge
            else:
                continue  # the name inside text or an attribute value
            name = match.group()
            if name == item:
                if closing:
                    if values is None:
                        return None
                    values = None
                    continue
                if values is not None:
                    return None  # an item inside an item: visited in the order of ends
                rest = _TAG_REST.match(data, match.end(), end)
                if rest is None:
                    return None
                found.append(({}, tag))
                if data[rest.end() - 2] != 0x2F:  # not "/>": the item has content
                    values = found[-1][0]
                    content = rest.end()
            elif values is not None and not closing:
                direct = _direct_child(data, content, tag)
                if direct is None:
                    return None
                if not direct:
                    continue
                rest = _TAG_REST.match(data, match.end(), end)
                if rest is None:
                    return None
                if data[rest.end() - 2] == 0x2F:  # an empty element: no text
                    continue
                text_end = data.find(b"<", rest.end(), end)
                if text_end < 0:
                    return None
                text = _text(data[rest.end():text_end])
                if text is None:
                    return None
                if text:
                    values.setdefault(keys[name], []).append(text)
        if values is not None:
            return None
        return found


def _text(raw: bytes) -> str | None:
    """A text as the parser gives it, stripped; None if the bytes alone cannot tell (an
    entity or character reference, a non-ASCII byte whose encoding is not known here)."""
    if not raw.isascii() or b"&" in raw:
        return None
    text = raw.decode("ascii")
    if "\r" in text:  # line ends as the parser gives them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _plain(data: bytes, start: int, end: int) -> bool:
    """No comment, CDATA section, DOCTYPE or processing instruction: every ``<`` of a
    well-formed run begins a tag. (``!`` and ``?`` are rare; ``<`` is everywhere.)"""
    for mark in (b"!", b"?"):
        at = data.find(mark, start, end)
        while at >= 0:
            if data[at - 1] == 0x3C:
                return False
            at = data.find(mark, at + 1, end)
    return True


def _direct_child(data: bytes, content: int, at: int) -> bool | None:
    """Whether a tag at ``at`` is a direct child of the element whose content starts at
    ``content``: every element opened in between is closed again. Nothing in between is
    the common case; a ``/>`` in between makes it unsure (it may be text), None."""
    opened = data.count(b"<", content, at)
    if not opened:
        return True
    if data.find(b"/>", content, at) >= 0:
        return None
    return opened == 2 * data.count(b"</", content, at)
