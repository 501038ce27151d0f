"""postconv.duty.compute: rows per item and origin and rate, FX by 19 CFR 159.34, rate
specificity, exceptions. Every expected number here is computed by hand in the comment."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from duty_fixtures import conveyances, fx, item, rates
from postconv.duty import DutyCalculator, Party, Worksheet, conveyance, to_cent
from postconv.duty.sheets import CsvRows, page2_cells

NOV = conveyance("AB", "123", "4701", date(2026, 11, 24))
ANY_10 = "*,2026-01-01,,,10,,any"


def calc(tmp_path: Path, *rate_rows: str, fx_rows: tuple[str, ...] = (),
         conv: object = NOV, method: str = "ad-valorem",
         month: tuple[int, int] | None = None) -> DutyCalculator:
    return DutyCalculator(rates(tmp_path, *(rate_rows or (ANY_10,))), fx(tmp_path, *fx_rows),
                          conv, method, month)  # type: ignore[arg-type]


def test_cbp_example_rows(tmp_path: Path) -> None:
    """CBP's three example rows (GB where CBP writes UK): 47 × 10 % = 4.70, 23 × 10 % =
    2.30, 45 × 50 % = 22.50; a parcel of two origins is two rows."""
    calculator = DutyCalculator(
        rates(tmp_path, "GB,2025-01-01,,,10,,ex", "FR,2025-01-01,,,10,,ex",
              "BR,2025-01-01,,,50,,ex"),
        fx(tmp_path),
        conveyances(tmp_path, "EX123456789CN,AB,123,4701,2025-05-02,",
                    "LS987654321HK,ABCD,AB645397645,2304,2025-05-03,"))
    out = io.BytesIO()
    sheet = Worksheet(calculator, CsvRows(out))
    sheet.add(item("EX123456789CN", ("GB", "47", "USD", None), ("FR", "23", "USD", None),
                   posted="2025-05-01"))
    sheet.add(item("LS987654321HK", ("BR", "45.00", "USD", None), posted="2025-05-01"))
    sheet.rows.close(sheet.header(Party()))
    assert out.getvalue().decode().splitlines() == [
        "Carrier Code,Flight/ Trip Number,Tracking Number,Arrival Port Code,Arrival Date,"
        "Declared Value (USD),Country of Origin,Tariff Rate,Duties Owed",
        "AB,123,EX123456789CN,4701,5/2/2025,47.00,GB,10%,4.70",
        "AB,123,EX123456789CN,4701,5/2/2025,23.00,FR,10%,2.30",
        "ABCD,AB645397645,LS987654321HK,2304,5/3/2025,45.00,BR,50%,22.50",
    ]
    assert sheet.totals.package_count == 2
    assert sheet.totals.shipment_value == Decimal("115.00")
    assert sheet.totals.total_paid == Decimal("29.50")


QUARTER = "EUR,2026-10-01,2026-12-31,0.80,quarterly,Q4"


@pytest.mark.parametrize(("daily", "posted", "usd", "kind"), [
    # 100 EUR / 0.80 = 125.00: no daily row for the date
    (None, "2026-11-05", "125.00", "quarterly"),
    # daily 0.83: |0.83 - 0.80| / 0.80 = 3.75 % < 5 %: the quarterly rate stands
    ("EUR,2026-11-05,2026-11-05,0.83,daily,d", "2026-11-05", "125.00", "quarterly"),
    # daily 0.84: exactly 5 % off: the daily rate, 100 / 0.84 = 119.0476… → 119.05
    ("EUR,2026-11-05,2026-11-05,0.84,daily,d", "2026-11-05", "119.05", "daily"),
    # daily 0.76: 5 % below: the daily rate, 100 / 0.76 = 131.578… → 131.58
    ("EUR,2026-11-05,2026-11-05,0.76,daily,d", "2026-11-05", "131.58", "daily"),
    # a daily row for another date does not apply
    ("EUR,2026-11-06,2026-11-06,0.60,daily,d", "2026-11-05", "125.00", "quarterly"),
    # a daily row whose range runs over the weekend covers it (31 USC 5151)
    ("EUR,2026-11-06,2026-11-08,0.60,daily,d", "2026-11-08", "166.67", "daily"),
])
def test_fx_quarterly_unless_daily_differs_by_five_percent(
        tmp_path: Path, daily: str | None, posted: str, usd: str, kind: str) -> None:
    rows = (QUARTER, daily) if daily else (QUARTER,)
    result = calc(tmp_path, fx_rows=rows).item(item("RR1", ("FR", "100", "EUR", None),
                                                    posted=posted))
    assert result is not None and not result.problems
    (row,) = result.rows
    assert row.value_usd == Decimal(usd)
    assert row.parts[0].fx is not None and row.parts[0].fx.row.kind == kind
    assert row.exportation_date == date.fromisoformat(posted)
    assert row.exportation_from == "posting date"


def test_departure_date_is_the_date_of_exportation(tmp_path: Path) -> None:
    conv = conveyance("AB", "1", "4701", date(2026, 11, 24), date(2026, 11, 5))
    result = calc(tmp_path, fx_rows=(QUARTER, "EUR,2026-11-05,2026-11-05,0.84,daily,d"),
                  conv=conv).item(item("RR1", ("FR", "100", "EUR", None), posted="2026-11-01"))
    assert result is not None
    (row,) = result.rows
    assert (row.exportation_date, row.exportation_from) == (date(2026, 11, 5), "departure date")
    assert row.value_usd == Decimal("119.05")


def test_missing_currency_rate_is_an_exception_never_a_guess(tmp_path: Path) -> None:
    result = calc(tmp_path, fx_rows=(QUARTER, "CHF,2026-11-05,2026-11-05,0.9,daily,d")).item(
        item("RR1", ("FR", "100", "CHF", None)))
    assert result is not None and not result.rows
    assert result.problems == ["no quarterly CHF rate for 2026-11-02 (the date of exportation)"]


@pytest.mark.parametrize(("origin", "hts", "percent", "why"), [
    ("CN", "6109100012", "25", "exact origin, longest prefix"),
    ("CN", "6110000000", "22", "exact origin, the shorter prefix that matches"),
    ("CN", "9503000000", "20", "exact origin over * with a prefix"),
    ("CN", None, "20", "no HTS number: only rows without a prefix match"),
    ("DE", "6109100012", "15", "* with the prefix over * without"),
    ("DE", "9503000000", "10", "* for any line"),
])
def test_rate_specificity(tmp_path: Path, origin: str, hts: str | None, percent: str,
                          why: str) -> None:
    table = rates(tmp_path, ANY_10, "*,2026-01-01,,6109,15,,", "CN,2026-01-01,,,20,,",
                  "CN,2026-01-01,,61,22,,", "CN,2026-01-01,,6109,25,,",
                  "CN,2025-01-01,2025-12-31,6109,99,,old")
    row = table.find(origin, date(2026, 11, 24), hts)
    assert row is not None and row.ad_valorem_percent == Decimal(percent), why


def test_rate_by_arrival_date(tmp_path: Path) -> None:
    table = rates(tmp_path, "*,2026-02-24,2026-07-23,,10,,s122", "*,2026-07-24,,,12,,hts")
    assert table.find("FR", date(2026, 7, 23), None).source == "s122"  # type: ignore[union-attr]
    assert table.find("FR", date(2026, 7, 24), None).source == "hts"  # type: ignore[union-attr]
    assert table.find("FR", date(2026, 2, 23), None) is None


def test_multi_origin_item_one_row_per_origin_and_rate(tmp_path: Path) -> None:
    """CN 10 + 5 EUR (one rate) → 15 / 0.80 = 18.75 at 20 % = 3.75; CN 6109 8 EUR → 10.00
    at 25 % = 2.50 (same origin, another rate: its own row); DE 20 EUR → 25.00 at 10 %."""
    result = calc(tmp_path, ANY_10, "CN,2026-01-01,,,20,,", "CN,2026-01-01,,6109,25,,",
                  fx_rows=(QUARTER,)).item(item(
                      "RR1", ("CN", "10", "EUR", "9503000000"), ("DE", "20", "EUR", None),
                      ("CN", "5", "EUR", None), ("CN", "8", "EUR", "6109100012")))
    assert result is not None and not result.problems
    assert [(r.origin, r.value_usd, r.tariff, r.duty) for r in result.rows] == [
        ("CN", Decimal("18.75"), Decimal("20"), Decimal("3.75")),
        ("DE", Decimal("25.00"), Decimal("10"), Decimal("2.50")),
        ("CN", Decimal("10.00"), Decimal("25"), Decimal("2.50")),
    ]


def test_rounding_is_half_up_to_the_cent(tmp_path: Path) -> None:
    """11.00 × 7.5 % = 0.825 → 0.83 (half even would give 0.82); 10.005 USD → 10.01."""
    assert to_cent(Decimal("10.005")) == Decimal("10.01")
    result = calc(tmp_path, "*,2026-01-01,,,7.5,,").item(item("RR1", ("FR", "11", "USD", None)))
    assert result is not None
    assert result.rows[0].duty == Decimal("0.83")
    assert page2_cells(result.rows[0])[-2:] == ["7.5%", "0.83"]


def test_documents_are_not_dutiable(tmp_path: Path) -> None:
    assert calc(tmp_path).item(item("RR1", (None, None, None, None),
                                    category="documents")) is None


def test_declared_value_stands_in_for_one_origin(tmp_path: Path) -> None:
    result = calc(tmp_path).item(item("RR1", ("FR", None, None, None), ("FR", None, None, None),
                                      declared=("30", "USD")))
    assert result is not None and not result.problems
    assert [(r.value_usd, r.duty) for r in result.rows] == [(Decimal("30"), Decimal("3.00"))]


@pytest.mark.parametrize(("record", "reason"), [
    (item("RR1", (None, "10", "USD", None)), "line 1: no country of origin"),
    (item("RR1"), "no content lines: no country of origin"),
    (item("RR1", ("FR", "10", "USD", None), ("FR", None, None, None)), "line 2: no value"),
    (item("RR1", ("FR", None, None, None), ("DE", None, None, None), declared=("30", "USD")),
     "no value: no content line has one, and the declared value cannot be shared between "
     "origins or rates"),
    (item("RR1", ("FR", None, None, None)), "no value: no content line has one"),
    (item("RR1", ("FR", "10", None, None)), "the value has no currency"),
    (item("RR1", ("XK", "10", "USD", None)), "line 1: no rate for origin XK on 2026-11-24, "
                                             "no HTS number"),
    (item(None, ("FR", "10", "USD", None)), "no tracking number"),
    (item("RR1", ("FR", "10", "EUR", None), posted=None),
     "no date of exportation (no departure date, no posting date) to convert EUR"),
])
def test_exceptions(tmp_path: Path, record: dict[str, object], reason: str) -> None:
    result = calc(tmp_path, "FR,2026-01-01,,,10,,", "DE,2026-01-01,,,10,,",
                  fx_rows=(QUARTER,)).item(record)
    assert result is not None
    assert result.rows == [] and result.reason == reason


def test_an_item_is_listed_whole_or_not_at_all(tmp_path: Path) -> None:
    """One line without a rate: the lines that have one give no row either."""
    result = calc(tmp_path, "FR,2026-01-01,,,10,,").item(
        item("RR1", ("FR", "10", "USD", None), ("DE", "10", "USD", None)))
    assert result is not None and result.rows == []
    assert result.problems == ["line 2: no rate for origin DE on 2026-11-24, no HTS number"]


def test_conveyance_by_tracking_then_receptacle_then_dispatch(tmp_path: Path) -> None:
    table = conveyances(tmp_path, "RR1,AA,1,4701,2026-11-24,", "REC9,BB,2,4702,2026-11-25,",
                        "DISP7,CC,3,4703,2026-11-26,2026-11-20")
    calculator = calc(tmp_path, conv=table)

    def carrier(tracking: str, dispatch: dict[str, str] | None) -> str | None:
        result = calculator.item(item(tracking, ("FR", "1", "USD", None), dispatch=dispatch))
        assert result is not None
        return result.rows[0].conveyance.carrier_code if result.rows else result.reason

    both = {"dispatch_id": "DISP7", "receptacle_id": "REC9"}
    assert carrier("RR1", both) == "AA"
    assert carrier("RR2", both) == "BB"
    assert carrier("RR2", {"dispatch_id": "DISP7", "receptacle_id": "X"}) == "CC"
    assert carrier("RR2", None) == ("no conveyance (no row for its tracking number, "
                                    "receptacle or dispatch)")


def test_another_month_than_the_one_chosen_is_an_exception(tmp_path: Path) -> None:
    result = calc(tmp_path, month=(2026, 10)).item(item("RR1", ("FR", "1", "USD", None)))
    assert result is not None
    assert result.reason == "arrived 2026-11-24, not in --month 2026-10"


def test_specific_method_one_row_per_item_at_the_highest_band(tmp_path: Path) -> None:
    """Specific duty is per item: an item of a $80 and a $200 origin owes $200 (never less
    than one of its origins); the value is shown when it can be computed."""
    calculator = calc(tmp_path, "*,2025-08-29,2026-02-23,,10,80,band<16",
                      "CN,2025-08-29,2026-02-23,,30,200,band>25",
                      conv=conveyance("AB", "1", "4701", date(2025, 11, 24)), method="specific")
    result = calculator.item(item("RR1", ("FR", "10", "USD", None), ("CN", "5", "USD", None)))
    assert result is not None and not result.problems
    (row,) = result.rows
    assert (row.origin, row.tariff, row.duty, row.value_usd) == (
        "CN", Decimal("200"), Decimal("200.00"), Decimal("15.00"))
    assert page2_cells(row)[-2:] == ["200.00", "200.00"]
    # the value is "if applicable": an item whose value cannot be computed still owes
    no_fx = calculator.item(item("RR2", ("FR", "10", "EUR", None)))
    assert no_fx is not None and not no_fx.problems
    assert no_fx.rows[0].value_usd is None and no_fx.rows[0].duty == Decimal("80.00")
    # after the specific option ended, the rates have no specific_usd: an exception
    later = calc(tmp_path, ANY_10, method="specific").item(item("RR3", ("FR", "1", "USD", None)))
    assert later is not None and "has no specific_usd" in later.reason
