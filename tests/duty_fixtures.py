"""Records and tables for the duty tests: an item is built from its lines, a table from
its rows, so that each test shows the numbers it is about."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from postconv.duty import ConveyanceTable, FxTable, RateTable
from postconv.duty.tables import CONVEYANCE_COLUMNS, FX_COLUMNS, RATE_COLUMNS
from postconv.record import new_line, new_record

Line = tuple[str | None, str | None, str | None, str | None]  # origin, amount, currency, hts


def item(tracking: str | None = "EX123456789CN", *lines: Line,
         category: str | None = "sale_of_goods", declared: tuple[str, str] | None = None,
         posted: str | None = "2026-11-02T10:00:00+00:00", file: str = "in.xml",
         line: int = 3, dispatch: dict[str, str] | None = None) -> dict[str, Any]:
    """A record with content ``lines`` of (origin, amount, currency, hts)."""
    record = new_record()
    record.update(tracking_number=tracking, category=category, posted_at=posted,
                  dispatch=dispatch)
    if declared:
        record["declared_value"] = {"amount": Decimal(declared[0]), "currency": declared[1]}
    for number, (origin, amount, currency, hts) in enumerate(lines, start=1):
        content = new_line(number)
        content.update(country_of_origin=origin, hts_number=hts)
        if amount is not None:
            content["value"] = {"amount": Decimal(amount), "currency": currency}
        record["line_items"].append(content)
    record["source"].update(file=file, format="xml", item_index=0, line=line)
    return record


def write_csv(path: Path, columns: tuple[str, ...], rows: list[str]) -> Path:
    path.write_text(",".join(columns) + "\n" + "".join(r + "\n" for r in rows),
                    encoding="utf-8")
    return path


def rates(tmp_path: Path, *rows: str) -> RateTable:
    return RateTable.load(write_csv(tmp_path / "rates.csv", RATE_COLUMNS, list(rows)))


def fx(tmp_path: Path, *rows: str) -> FxTable:
    return FxTable.load(write_csv(tmp_path / "fx.csv", FX_COLUMNS, list(rows)))


def conveyances(tmp_path: Path, *rows: str) -> ConveyanceTable:
    return ConveyanceTable.load(write_csv(tmp_path / "conveyance.csv", CONVEYANCE_COLUMNS,
                                          list(rows)))
