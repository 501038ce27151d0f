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

from ..record import LINE, RECORD, Field, Record

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _guard(text: Any) -> str:
    if text is None:
        return ""
    cell = str(text)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


# Each column: its header name and how its cell is made, as a Python expression over the
# record ``r`` (or the line item ``li``). ``G(...)``: free text, guarded against formulas
# (and None → ""); ``P(...)``: a code, number or date as text (None → ""). The columns of
# the record's fields come from its table (see :data:`postconv.record.RECORD`); those the
# run fills in (status, findings, where the item was) are declared here.
_CELL = {"text": "G", "plain": "P"}


def _columns(fields: tuple[Field, ...], of: str, prefix: str = "") -> list[tuple[str, str]]:
    columns: list[tuple[str, str]] = []
    for f in fields:
        value = f"{of}[{f.name!r}]"
        if f.group and f.kind == "object" and f.mapped:
            columns += _columns(f.fields, value, prefix + f.prefix)
        elif f.csv is None:
            continue
        elif f.kind == "money":
            name = prefix + (f.column or f.name)
            columns += [(name, f"P({value}['amount']) if {value} else ''"),
                        (f"{name}_currency", f"P({value}['currency']) if {value} else ''")]
        elif f.kind == "text_list":
            columns.append((prefix + (f.column or f.name),
                            f"{_CELL[f.csv]}(' | '.join({value}) or None)"))
        else:
            columns.append((prefix + (f.column or f.name), f"{_CELL[f.csv]}({value})"))
    return columns


_RUN_COLUMNS: list[tuple[str, str]] = [
    ("status", "P(r['compliance']['status'])"),
    ("profile", "P(r['compliance']['profile'])"),
    ("finding_codes", "';'.join(sorted({f['code'] for f in r['compliance']['findings']}))"),
    # what is missing where, for a spreadsheet: CODE@field, in the record's order
    ("findings", "';'.join(f['code'] + '@' + f['field'] if f['field'] else f['code'] "
                 "for f in r['compliance']['findings'])"),
    ("source_file", "G(r['source']['file'])"),
    ("source_line", "P(r['source']['line'])"),
    ("item_index", "P(r['source']['item_index'])"),
]
ITEM_COLUMNS: list[tuple[str, str]] = _columns(RECORD, "r") + _RUN_COLUMNS
LINE_COLUMNS: list[tuple[str, str]] = _columns(LINE, "li")

#: The fixed CSV header, documented in the README.
HEADER = [name for name, _ in ITEM_COLUMNS] + [name for name, _ in LINE_COLUMNS]
_EMPTY_LINE = [""] * len(LINE_COLUMNS)


def _cells(argument: str, columns: list[tuple[str, str]]) -> Callable[[Any], list[str]]:
    """One function making a row's cells from ``columns`` (a call per cell, per column,
    per row would cost four times the writing itself)."""
    body = ",\n        ".join(expression for _, expression in columns)
    source = f"def cells({argument}):\n    return [\n        {body},\n    ]\n"
    namespace: dict[str, Any] = {"G": _guard, "P": _plain}
    exec(compile(source, "<postconv csv>", "exec"), namespace)
    function: Callable[[Any], list[str]] = namespace["cells"]
    return function


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


_item_cells = _cells("r", ITEM_COLUMNS)
_line_cells = _cells("li", LINE_COLUMNS)


class CsvRowsWriter:
    """RFC 4180 quoting, UTF-8, ``\\n`` line ends: the rows (a CSV body, no header)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text, lineterminator="\n")

    def append_body(self, source: IO[bytes], records: int) -> None:
        """Append the rows another writer of this format wrote."""
        self._text.flush()
        shutil.copyfileobj(source, self._text.buffer, 1 << 20)

    def write(self, record: Record) -> None:
        item = _item_cells(record)
        lines = record["line_items"]
        if not lines:
            self._csv.writerow(item + _EMPTY_LINE)
        for line in lines:
            self._csv.writerow(item + _line_cells(line))

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class CsvWriter(CsvRowsWriter):
    """A CSV document: the header, then the rows."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(stream)
        self._csv.writerow(HEADER)
