"""postconv.duty.sheets: the .xlsx read back with openpyxl (sheets, labels, number formats,
totals), the CSV and JSON Lines rows, and Excel's row limit."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from duty_fixtures import fx, item, rates
from postconv.duty import PAGE2_COLUMNS, DutyCalculator, Party, Worksheet, conveyance
from postconv.duty import sheets as sheets_module
from postconv.duty.sheets import JsonRows, XlsxRows
from postconv.errors import OutputTooLarge

PARTY = Party("Example Air Cargo LLC", "12-3456789", "Jane Filer", "+1 555 0100",
              "duty@example.com", "EXAC")


def workbook(tmp_path: Path, *records: dict[str, Any], method: str = "ad-valorem",
             rate_rows: tuple[str, ...] = ("*,2025-01-01,,,10,,s", "BR,2025-01-01,,,50,,s",
                                           "FR,2025-01-01,,,7.5,,s"),
             party: Party = PARTY) -> Any:
    calculator = DutyCalculator(rates(tmp_path, *rate_rows), fx(tmp_path),
                                conveyance("AB", "123", "4701", date(2025, 5, 2)), method)
    path = tmp_path / "worksheet.xlsx"
    with open(path, "wb") as stream:
        sheet = Worksheet(calculator, XlsxRows(stream))
        for record in records:
            sheet.add(record)
        sheet.rows.close(sheet.header(party))
    return openpyxl.load_workbook(path)


def column_b(book: Any) -> dict[str, Any]:
    """Sheet1's values by label (of the two method blocks', the second's)."""
    return {a: b for a, b in book["Sheet1"].iter_rows(values_only=True) if a}


def block(book: Any, title: str) -> list[Any]:
    """The three values of a method block: its rate or value, count, total."""
    rows = [r for r in book["Sheet1"].iter_rows(values_only=True)]
    start = next(n for n, r in enumerate(rows) if r[0] == title)
    return [r[1] for r in rows[start + 1:start + 4]]


def test_workbook_as_cbps_template(tmp_path: Path) -> None:
    book = workbook(tmp_path,
                    item("EX123456789CN", ("GB", "47", "USD", None), ("FR", "23", "USD", None)),
                    item("LS987654321HK", ("BR", "45", "USD", None)))
    assert book.sheetnames == ["Sheet1", "Page 2"]
    header = column_b(book)
    assert header["Qualified Party/Transportation Carrier"] == "Example Air Cargo LLC"
    assert header["Qualified Payer/Transportation Carrier Tax Identification #"] == "12-3456789"
    assert header["Contact Person"] == "Jane Filer"
    assert header["Contact Phone"] == "+1 555 0100"
    assert header["Contact Email"] == "duty@example.com"
    assert header["SCAC/ICAO"] == "EXAC"
    assert header["Month of Importation"] == "May"
    assert header["Year of Importation"] == 2025
    assert header["Shipment Value Calculation"] == "X"
    assert header["Fixed Rate Calculation"] is None
    assert header["Shipment Value"] == 115  # 47 + 23 + 45
    assert header["Total Amount Paid"] == pytest.approx(4.70 + 1.73 + 22.50)
    labels = [a for a, _ in book["Sheet1"].iter_rows(values_only=True) if a]
    assert labels.index("Select Only One Calculation Method") < labels.index(
        "Fixed Rate Calculation") < labels.index("Shipment Value Calculation")
    assert labels.count("Package Count") == 2
    values = {a: c for a, c in ((r[0].value, r[1]) for r in book["Sheet1"].iter_rows())}
    assert values["Shipment Value"].number_format == "$#,##0.00"
    assert block(book, "Fixed Rate Calculation") == [None, None, None]
    assert block(book, "Shipment Value Calculation")[:2] == [115, 2]

    page2 = list(book["Page 2"].iter_rows())
    assert page2[0][0].value == "International Postal Package Items Containing Goods"
    assert tuple(c.value for c in page2[1]) == PAGE2_COLUMNS
    first = page2[2]
    assert [c.value for c in first] == ["AB", "123", "EX123456789CN", "4701",
                                        datetime(2025, 5, 2), 47, "GB", 0.1, 4.7]
    assert [c.number_format for c in first][4:] == ["m/d/yyyy", "$#,##0.00", "General",
                                                    "0%", "$#,##0.00"]
    second = page2[3]
    assert (second[7].value, second[7].number_format) == (0.075, "0.0%")
    assert second[8].value == pytest.approx(1.73)  # 23 × 7.5 % = 1.725 → 1.73 (half up)
    assert len(page2) == 5


def test_the_numbers_in_the_file_are_the_decimals(tmp_path: Path) -> None:
    """No float touches a value: the cell holds the decimal's own digits."""
    import zipfile

    workbook(tmp_path, item("RR1", ("FR", "23", "USD", None)))
    with zipfile.ZipFile(tmp_path / "worksheet.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<v>23.00</v>" in xml and "<v>1.73</v>" in xml and "<v>0.075</v>" in xml


def test_specific_method_fills_the_fixed_rate_block(tmp_path: Path) -> None:
    book = workbook(tmp_path, item("RR1", ("FR", "23", "USD", None)),
                    item("RR2", ("DE", "5", "USD", None)), method="specific",
                    rate_rows=("*,2025-01-01,,,10,80,band",))
    header = column_b(book)
    assert header["Fixed Rate Calculation"] == "X"
    assert block(book, "Fixed Rate Calculation") == [80, 2, 160]
    assert header["Shipment Value Calculation"] is None
    assert block(book, "Shipment Value Calculation") == [None, None, None]
    rows = list(book["Page 2"].iter_rows(values_only=True))[2:]
    assert [(r[2], r[7], r[8]) for r in rows] == [("RR1", 80, 80), ("RR2", 80, 80)]


def test_missing_party_fields_stay_blank(tmp_path: Path) -> None:
    header = column_b(workbook(tmp_path, item("RR1", ("FR", "1", "USD", None)),
                               party=Party(name="Only A Name")))
    assert header["Qualified Party/Transportation Carrier"] == "Only A Name"
    assert header["Contact Email"] is None


def test_excel_row_limit_is_an_error_before_the_file(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets_module, "EXCEL_ROWS", 4)  # title, header, two rows
    with pytest.raises(OutputTooLarge, match="would pass Excel's 4 rows: select one month with "
                                         "--month, or give fewer inputs"):
        workbook(tmp_path, *(item(f"RR{n}", ("FR", "1", "USD", None)) for n in range(3)))


def test_jsonl_rows_are_exact(tmp_path: Path) -> None:
    import json

    calculator = DutyCalculator(rates(tmp_path, "*,2025-01-01,,,7.5,,s"), fx(tmp_path),
                                conveyance("AB", "123", "4701", date(2025, 5, 2)))
    out = io.BytesIO()
    sheet = Worksheet(calculator, JsonRows(out))
    sheet.add(item("RR1", ("FR", "23", "USD", None)))
    (row,) = [json.loads(line, parse_float=Decimal) for line in out.getvalue().splitlines()]
    assert row == {"carrier_code": "AB", "flight_number": "123", "tracking_number": "RR1",
                   "arrival_port": "4701", "arrival_date": "2025-05-02",
                   "declared_value_usd": Decimal("23.00"), "country_of_origin": "FR",
                   "tariff_rate": Decimal("7.5"), "tariff_unit": "percent",
                   "duties_owed": Decimal("1.73")}
    assert b'"declared_value_usd":23.00' in out.getvalue()
