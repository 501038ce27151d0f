"""Writing the worksheet: CBP's ``.xlsx`` (Sheet1 and Page 2), CSV, JSON Lines; and the
exceptions and detail files.

A worksheet writer takes Page 2's rows as they come (:meth:`RowWriter.row`) and the
header once every row is known (:meth:`RowWriter.close`): the totals of Sheet1 are sums
over the rows. The ``.xlsx`` is written with XlsxWriter in constant memory (each row is
flushed as the next begins), so a month of millions of items needs no more memory than a
few.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any, Protocol

from ..errors import OutputTooLarge, OutputWriteError
from .compute import DutyRow, ItemDuty, month_name
from .tables import Party

#: Page 2's columns, verbatim from CBP's template.
PAGE2_COLUMNS = ("Carrier Code", "Flight/ Trip Number", "Tracking Number", "Arrival Port Code",
                 "Arrival Date", "Declared Value (USD)", "Country of Origin", "Tariff Rate",
                 "Duties Owed")
PAGE2_TITLE = "International Postal Package Items Containing Goods"
#: The worksheet formats (``-f``), and the file name endings that mean each.
WORKSHEET_FORMATS: dict[str, tuple[str, ...]] = {
    "xlsx": (".xlsx",),
    "csv": (".csv",),
    "jsonl": (".jsonl", ".ndjson"),
}
#: Excel's last row; Page 2's title and header take the first two.
EXCEL_ROWS = 1_048_576
_PAGE2_FIRST_ROW = 2
EXCEPTION_COLUMNS = ("tracking_number", "input", "line", "reason")
DETAIL_COLUMNS = ("tracking_number", "country_of_origin", "input", "line", "currency",
                  "amount", "fx_units_per_usd", "fx_kind", "fx_source", "fx_row",
                  "exportation_date", "exportation_date_from", "rate_row", "rate_source",
                  "value_usd", "tariff_rate", "duties_owed")


@dataclass
class Header:
    """Sheet1: who files, for which month, by which method, and the totals."""

    party: Party
    year: int | None
    month: int | None
    method: str
    shipment_value: Decimal
    package_count: int
    total_paid: Decimal
    #: the specific method's one amount per item, None when the rows hold several
    fixed_rate: Decimal | None = None


class RowWriter(Protocol):
    """``__init__(stream, scratch)``: ``scratch`` a folder for temporary files, removed
    with the run (and by the next run if this one is killed)."""

    def row(self, row: DutyRow) -> None: ...

    def close(self, header: Header) -> None: ...


@lru_cache(maxsize=4096)
def us_date(day: date) -> str:
    """M/D/YYYY, as CBP's example rows write dates (a run has few dates: kept)."""
    return f"{day.month}/{day.day}/{day.year}"


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``10``, ``7.5``."""
    return f"{value.normalize():f}"


@lru_cache(maxsize=4096)
def _tariff_text(tariff: Decimal, method: str) -> str:
    return f"{plain(tariff)}%" if method == "ad-valorem" else f"{tariff:.2f}"


def tariff_text(row: DutyRow) -> str:
    """``10%`` (ad valorem), or the USD amount per item (specific)."""
    return _tariff_text(row.tariff, row.method)


def _money(value: Decimal | None) -> str:
    """Two places: the values and duties are already rounded to the cent."""
    return "" if value is None else str(value)


def page2_cells(row: DutyRow) -> list[str]:
    """A row's nine cells as the CSV writes them."""
    c = row.conveyance
    return [c.carrier_code, c.flight_number, row.tracking_number, c.arrival_port,
            us_date(c.arrival_date), _money(row.value_usd), row.origin,
            _tariff_text(row.tariff, row.method), _money(row.duty)]


class _Text:
    """A text stream over the output's bytes, for the csv module."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        self.csv = csv.writer(self.text, lineterminator="\r\n")

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


class CsvRows:
    """Page 2 as CSV: the nine headers verbatim; dates M/D/YYYY, money ``47.00``, ``10%``."""

    def __init__(self, stream: IO[bytes], scratch: str | None = None) -> None:
        self._out = _Text(stream)
        self._out.csv.writerow(PAGE2_COLUMNS)

    def row(self, row: DutyRow) -> None:
        self._out.csv.writerow(page2_cells(row))

    def close(self, header: Header) -> None:
        self._out.close()


class JsonRows:
    """Page 2 as JSON Lines: one object per row, dates ISO, decimals exact."""

    def __init__(self, stream: IO[bytes], scratch: str | None = None) -> None:
        self._stream = stream

    def row(self, row: DutyRow) -> None:
        from ..write.jsonl import dumps

        c = row.conveyance
        self._stream.write(dumps({
            "carrier_code": c.carrier_code, "flight_number": c.flight_number,
            "tracking_number": row.tracking_number, "arrival_port": c.arrival_port,
            "arrival_date": c.arrival_date.isoformat(), "declared_value_usd": row.value_usd,
            "country_of_origin": row.origin, "tariff_rate": row.tariff,
            "tariff_unit": "percent" if row.method == "ad-valorem" else "usd_per_item",
            "duties_owed": row.duty}, newline=True))

    def close(self, header: Header) -> None:
        pass


#: Sheet1, top to bottom: (label, what goes beside it). The labels are CBP's.
SHEET1_LABELS = (
    ("Qualified Party/Transportation Carrier", "name"),
    ("Qualified Payer/Transportation Carrier Tax Identification #", "tax_id"),
    ("Contact Person", "contact"),
    ("Contact Phone", "phone"),
    ("Contact Email", "email"),
    ("SCAC/ICAO", "scac_icao"),
    ("Month of Importation", "month"),
    ("Year of Importation", "year"),
    (None, None),
    ("Select Only One Calculation Method", None),
    ("Fixed Rate Calculation", "fixed_selected"),
    ("Fixed Rate", "fixed_rate"),
    ("Package Count", "fixed_count"),
    ("Total Amount Paid", "fixed_total"),
    (None, None),
    ("Shipment Value Calculation", "value_selected"),
    ("Shipment Value", "shipment_value"),
    ("Package Count", "value_count"),
    ("Total Amount Paid", "value_total"),
)


def sheet1_values(header: Header) -> dict[str, Any]:
    """What each Sheet1 label is filled with: only the chosen method's block."""
    party = header.party
    fixed = header.method == "specific"
    values: dict[str, Any] = {name: getattr(party, name) for name in
                              ("name", "tax_id", "contact", "phone", "email", "scac_icao")}
    values["month"] = month_name(header.year, header.month) if header.year and header.month \
        else None
    values["year"] = header.year
    block = "fixed" if fixed else "value"
    values[f"{block}_selected"] = "X"
    values[f"{block}_count"] = header.package_count
    values[f"{block}_total"] = header.total_paid
    if fixed:
        values["fixed_rate"] = header.fixed_rate
    else:
        values["shipment_value"] = header.shipment_value
    return values


class XlsxRows:
    """CBP's workbook: ``Sheet1`` (header and totals) and ``Page 2`` (one row per item and
    origin), in constant memory. Dates are dates shown M/D/YYYY, money numbers shown
    ``$#,##0.00``, rates percentages."""

    def __init__(self, stream: IO[bytes], scratch: str | None = None) -> None:
        import xlsxwriter

        # constant memory keeps each sheet's rows in a named temporary file that only a
        # successful close removes: in ``scratch``, a failed or killed run leaves none
        self._book = xlsxwriter.Workbook(stream, {"constant_memory": True,
                                                  "in_memory": False, "tmpdir": scratch})
        self._where = getattr(stream, "name", "the worksheet")
        self._sheet1 = self._book.add_worksheet("Sheet1")
        self._page2 = self._book.add_worksheet("Page 2")
        book = self._book
        self._date = book.add_format({"num_format": "m/d/yyyy"})
        self._usd = book.add_format({"num_format": "$#,##0.00"})
        self._bold = book.add_format({"bold": True})
        self._percents: dict[int, Any] = {}
        self._page2.write_string(0, 0, PAGE2_TITLE, self._bold)
        for column, title in enumerate(PAGE2_COLUMNS):
            self._page2.write_string(1, column, title, self._bold)
        self._page2.set_column(0, 8, 16)
        self._next = _PAGE2_FIRST_ROW

    def _percent(self, rate: Decimal) -> Any:
        """``0%``, ``0.0%``, …: as many places as the rate has (7.5 % shows 7.5%)."""
        places = len(plain(rate).partition(".")[2])
        if places not in self._percents:
            pattern = "0%" if not places else "0." + "0" * places + "%"
            self._percents[places] = self._book.add_format({"num_format": pattern})
        return self._percents[places]

    def row(self, row: DutyRow) -> None:
        if self._next >= EXCEL_ROWS:
            raise OutputTooLarge(f"Page 2 would pass Excel's {EXCEL_ROWS:,} rows: select one "
                             "month with --month, or give fewer inputs (or write -f csv)")
        sheet, r, c = self._page2, self._next, row.conveyance
        sheet.write_string(r, 0, c.carrier_code)
        sheet.write_string(r, 1, c.flight_number)
        sheet.write_string(r, 2, row.tracking_number)
        sheet.write_string(r, 3, c.arrival_port)
        sheet.write_datetime(r, 4, c.arrival_date, self._date)
        if row.value_usd is not None:
            sheet.write_number(r, 5, row.value_usd, self._usd)
        sheet.write_string(r, 6, row.origin)
        if row.method == "ad-valorem":
            sheet.write_number(r, 7, row.tariff / 100,
                               self._percent(row.tariff))
        else:
            sheet.write_number(r, 7, row.tariff, self._usd)
        sheet.write_number(r, 8, row.duty, self._usd)
        self._next += 1

    def close(self, header: Header) -> None:
        values = sheet1_values(header)
        sheet = self._sheet1
        sheet.set_column(0, 0, 58)
        sheet.set_column(1, 1, 24)
        sheet.write_string(0, 0, "International Mail Duty Worksheet", self._bold)
        for offset, (label, name) in enumerate(SHEET1_LABELS):
            r = offset + 2
            if label is None:
                continue
            sheet.write_string(r, 0, label, self._bold if name in (
                None, "fixed_selected", "value_selected") else None)
            value = values.get(name) if name else None
            if value is None:
                continue
            if isinstance(value, Decimal):
                sheet.write_number(r, 1, value, self._usd)
            elif isinstance(value, int):
                sheet.write_number(r, 1, value)
            else:
                sheet.write_string(r, 1, str(value))
        from xlsxwriter.exceptions import XlsxFileError

        try:
            self._book.close()
        except (OSError, XlsxFileError) as exc:  # a full disk while the zip is written
            raise OutputWriteError(f"{self._where}: write error: {exc}") from None


#: ``-f``'s writer for each worksheet format.
ROW_WRITERS: dict[str, Callable[[IO[bytes], str], RowWriter]] = {
    "xlsx": XlsxRows, "csv": CsvRows, "jsonl": JsonRows,
}


class ExceptionsWriter:
    """``--exceptions``: one line per item with goods that could not be computed."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._out = _Text(stream)
        self._out.csv.writerow(EXCEPTION_COLUMNS)

    def item(self, item: ItemDuty) -> None:
        self._out.csv.writerow([item.tracking_number or "", item.input,
                                "" if item.line is None else item.line, item.reason])

    def close(self) -> None:
        self._out.close()


class DetailWriter:
    """``--detail``: each Page 2 row with where its numbers came from."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._out = _Text(stream)
        self._out.csv.writerow(DETAIL_COLUMNS)

    def row(self, row: DutyRow) -> None:
        parts = row.parts

        def each(cell: Callable[[Any], Any]) -> str:
            return "; ".join(str(cell(p)) for p in parts)

        self._out.csv.writerow([
            row.tracking_number, row.origin, row.input, "" if row.line is None else row.line,
            each(lambda p: p.currency), each(lambda p: p.amount),
            each(lambda p: p.fx.row.units_per_usd if p.fx else 1),
            each(lambda p: p.fx.row.kind if p.fx else "none (USD)"),
            each(lambda p: p.fx.row.source if p.fx else ""),
            each(lambda p: p.fx.row.where if p.fx else ""),
            row.exportation_date.isoformat() if row.exportation_date else "",
            row.exportation_from or "", row.rate.where, row.rate.source,
            _money(row.value_usd), tariff_text(row), _money(row.duty)])

    def close(self) -> None:
        self._out.close()
