"""Every cap of postconv in one place: how much of one input a run takes before it says no.

A hostile or broken input must never exhaust the machine: each way an input can grow (its
bytes, its items, one field, one item's lines, one XML node, one EDIFACT segment) has a
cap here. :class:`Limits` holds the ones a user sets (command-line options); the others
are structural bounds far above any real postal data, and keep the memory of one item
bounded whatever the input.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bytes of one input after decompression (``--max-input-bytes``): a gzip bomb stops here.
MAX_INPUT_BYTES = 4 * 1024**3
#: Items of one input (``--max-items``).
MAX_ITEMS = 10_000_000
#: Characters of one field value (``--max-field-chars``); longer is null with a finding.
MAX_FIELD_CHARS = 4096
#: Findings listed per item (``--max-findings``).
MAX_FINDINGS = 200
#: Content lines of one item kept in its record (``--max-lines``): a CN 23 has a few, the
#: record at most this many; the rest are dropped with a ``TOO_MANY_LINES`` finding.
MAX_LINES = 999

#: XML: bytes without a ``<`` (one text, one tag with all its attributes, or the space
#: between two elements). libxml2 stops a single text at 10 MB; this stops it, and a tag
#: of a million attributes, long before its tree fills the memory.
MAX_NODE_BYTES = 1 << 20
#: XML: bytes of one item (with what precedes it since the item before).
MAX_ITEM_BYTES = 8 << 20
#: Elements of one XML item, segments of one EDIFACT item: beyond this an item is refused
#: (exit 65) before it is held whole. Well above MAX_LINES lines of any layout.
MAX_ITEM_PARTS = 100_000
#: EDIFACT: characters of one segment.
MAX_SEGMENT_CHARS = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The caps a user sets for a run (see the module for what each bounds)."""

    max_input_bytes: int = MAX_INPUT_BYTES
    max_items: int = MAX_ITEMS
    max_field_chars: int = MAX_FIELD_CHARS
    max_findings: int = MAX_FINDINGS
    max_lines: int = MAX_LINES
