"""Readers: bytes → raw items, one at a time. They know syntax, not meaning.

A raw item is a flat map from a *key* to the texts found under it — an XML path of local
names (``Sender/Address/Line``, ``TotalValue/@currency``) or an EDIFACT segment address
(``MOA+39/1.2``) — plus the same for each content piece. Dialect files name these keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Values = dict[str, list[str]]

#: A header key a reader sets when the message writes its decimal numbers with a comma
#: (EDIFACT's service string advice says so); the mapper then reads ``0,885`` as 0.885.
DECIMAL_COMMA = "@decimal-comma"


def add_text(values: Values, key: str, text: str) -> None:
    """One more text under ``key`` (hot loops of the readers have this inline)."""
    found = values.get(key)
    if found is None:
        values[key] = [text]
    else:
        found.append(text)


@dataclass(slots=True)
class RawItem:
    """One postal item as read: texts by key, content pieces, and where it was found."""

    values: Values
    lines: list[Values]
    index: int
    line: int | None
    header: Values = field(default_factory=dict)


@dataclass(slots=True)
class ReadProblem:
    """Something wrong with the input as a whole that is not fatal (e.g. a count mismatch)."""

    code: str
    message: str
