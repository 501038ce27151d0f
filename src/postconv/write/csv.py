"""CSV: one row per line item, the item's fields repeated; a fixed, documented header.

Free-text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) are prefixed with ``'``. Decimals are text with
the digits given. Items without lines get one row with empty line columns.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from typing import IO, Any

from ..record import Record

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _guard(text: Any) -> str:
    if text is None:
        return ""
    cell = str(text)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _party(party: str) -> list[tuple[str, Callable[[Record], str]]]:
    def field(name: str, guard: bool = True) -> Callable[[Record], str]:
        convert = _guard if guard else _plain
        return lambda r: convert(r[party][name])

    return [
        (f"{party}_name", field("name")),
        (f"{party}_company", field("company")),
        (f"{party}_address", lambda r: _guard(" | ".join(r[party]["address_lines"]) or None)),
        (f"{party}_city", field("city")),
        (f"{party}_state", field("state")),
        (f"{party}_postal_code", field("postal_code")),
        (f"{party}_country", field("country", guard=False)),
        (f"{party}_phone", field("phone")),
        (f"{party}_email", field("email")),
        (f"{party}_tax_id", field("tax_id")),
    ]


def _money(name: str) -> list[tuple[str, Callable[[Record], str]]]:
    return [
        (name, lambda r: _plain(r[name]["amount"]) if r[name] else ""),
        (f"{name}_currency", lambda r: _plain(r[name]["currency"]) if r[name] else ""),
    ]


ITEM_COLUMNS: list[tuple[str, Callable[[Record], str]]] = [
    ("tracking_number", lambda r: _guard(r["tracking_number"])),
    ("mail_class", lambda r: _plain(r["mail_class"])),
    ("mail_category", lambda r: _plain(r["mail_category"])),
    ("category", lambda r: _plain(r["category"])),
    ("category_explanation", lambda r: _guard(r["category_explanation"])),
    ("posted_at", lambda r: _plain(r["posted_at"])),
    ("posting_office", lambda r: _guard(r["posting_office"])),
    ("origin_post", lambda r: _guard(r["origin_post"])),
    ("destination_post", lambda r: _guard(r["destination_post"])),
    *_party("shipper"),
    *_party("consignee"),
    ("gross_weight_kg", lambda r: _plain(r["gross_weight_kg"])),
    *_money("declared_value"),
    *_money("postal_charges"),
    *_money("insured_value"),
    ("invoice", lambda r: _guard(r["documents"]["invoice"])),
    ("comments", lambda r: _guard(r["comments"])),
    ("status", lambda r: _plain(r["compliance"]["status"])),
    ("profile", lambda r: _plain(r["compliance"]["profile"])),
    ("finding_codes", lambda r: ";".join(
        sorted({f["code"] for f in r["compliance"]["findings"]}))),
    ("source_file", lambda r: _guard(r["source"]["file"])),
    ("source_line", lambda r: _plain(r["source"]["line"])),
    ("item_index", lambda r: _plain(r["source"]["item_index"])),
]

LINE_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("line_number", lambda li: _plain(li["line_number"])),
    ("description", lambda li: _guard(li["description"])),
    ("quantity", lambda li: _plain(li["quantity"])),
    ("net_weight_kg", lambda li: _plain(li["net_weight_kg"])),
    ("value", lambda li: _plain(li["value"]["amount"]) if li["value"] else ""),
    ("value_currency", lambda li: _plain(li["value"]["currency"]) if li["value"] else ""),
    ("hts_number", lambda li: _plain(li["hts_number"])),
    ("country_of_origin", lambda li: _plain(li["country_of_origin"])),
]

#: The fixed CSV header, documented in the README.
HEADER = [name for name, _ in ITEM_COLUMNS] + [name for name, _ in LINE_COLUMNS]
_EMPTY_LINE = [""] * len(LINE_COLUMNS)


class CsvWriter:
    """RFC 4180 quoting, UTF-8, ``\\n`` line ends, header first."""

    def __init__(self, stream: IO[bytes], fragment: bool = False) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.writer(self._text, lineterminator="\n")
        if not fragment:
            self._csv.writerow(HEADER)

    def write_encoded(self, source: IO[bytes], records: int) -> None:
        """Append rows another writer of this format encoded as a fragment."""
        self._text.flush()
        shutil.copyfileobj(source, self._text.buffer, 1 << 20)

    def write(self, record: Record) -> None:
        item = [get(record) for _, get in ITEM_COLUMNS]
        lines = record["line_items"]
        if not lines:
            self._csv.writerow(item + _EMPTY_LINE)
        for line in lines:
            self._csv.writerow(item + [get(line) for _, get in LINE_COLUMNS])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()
