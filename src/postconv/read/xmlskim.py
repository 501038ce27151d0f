"""Skim a run of items as bytes: how many items, and a few texts of each, without parsing.

A worker that converts part of a shared input (see :mod:`postconv.parallel`) still needs
the other items' tracking numbers, but parsing them costs more than it then does with
them. In a *plain* run — no comment, CDATA section, processing instruction or DOCTYPE —
every ``<`` of a well-formed document begins a tag (it is not allowed in text or
attribute values), so the tags can be found by their bytes alone.

The skim answers only for such runs, and only when the answer is certain; anything else
(a nested item, a header element, a self-closing tag where depth matters, an entity or a
non-ASCII byte in a text it reads, a qualified name with two colons) gives None, and the
run is parsed as usual. Whether the run is well-formed the skim does not know: the
worker that owns the run's items parses it and reports its errors, and the parent stops
the output there (:func:`postconv.parallel.run_split`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import Values

#: The rest of a start tag after its name: attributes (quoted values may hold ">").
_TAG_REST = re.compile(rb"""(?:[^>"']+|"[^"]*"|'[^']*')*>""")


#: A namespace prefix with its colon, as it may stand before a local name in a tag.
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

    def items(self, data: bytes, start: int, end: int) -> list[tuple[Values, int]] | None:
        """The items in ``data[start:end]`` as (values, newlines before the item's start
        tag, counted from ``start``), or None when the bytes alone cannot tell for sure."""
        for breaker in (b"<!", b"<?", *self.stop):
            if data.find(breaker, start, end) >= 0:
                return None
        item, keys = self.item, self.keys
        found: list[tuple[Values, int]] = []
        values: Values | None = None  # of the item being read, if inside one
        content = 0  # where the open item's content starts
        lines, counted = 0, start
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
                lines += data.count(b"\n", counted, tag)
                counted = tag
                found.append(({}, lines))
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
                raw = data[rest.end():text_end]
                if not raw.isascii() or b"&" in raw:
                    return None
                text = raw.decode("ascii")
                if "\r" in text:  # line ends as the parser gives them
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                text = text.strip()
                if text:
                    key = keys[name]
                    texts = values.get(key)
                    if texts is None:
                        values[key] = [text]
                    else:
                        texts.append(text)
        if values is not None:
            return None
        return found


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
