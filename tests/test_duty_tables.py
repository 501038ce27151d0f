"""postconv.duty.tables: the rates, FX, conveyance and party files, and every way one of
them is wrong (exit 78 with file and line, 66 when missing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from duty_fixtures import conveyances, fx, rates, write_csv
from postconv.duty import FxTable, Party, RateTable
from postconv.duty.tables import RATE_COLUMNS, conveyances_from
from postconv.errors import ConfigInvalid, InputNotFound, UsageError


@pytest.mark.parametrize(("row", "problem"), [
    ("XX,2026-01-01,,,10,,s", "origin 'XX' is not an ISO 3166-1 alpha-2 country code or *"),
    ("CN,2026-01-01,,,-5,,s", "ad_valorem_percent -5 is negative"),
    ("CN,2026-01-01,,,ten,,s", "ad_valorem_percent 'ten' is not a decimal number"),
    ("CN,2026-02-01,2026-01-31,,10,,s", "the range ends (2026-01-31) before it starts "
                                        "(2026-02-01)"),
    ("CN,01/02/2026,,,10,,s", "valid_from '01/02/2026' is not a date (YYYY-MM-DD)"),
    ("CN,2026-01-01,,6,10,,s", "hts_prefix '6' is not 2 to 10 digits"),
    ("CN,2026-01-01,,,,,s", "neither ad_valorem_percent nor specific_usd is given"),
    ("CN,2026-01-01,,,10,s", "6 cells, the header has 7"),
])
def test_bad_rate_rows(tmp_path: Path, row: str, problem: str) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        rates(tmp_path, "*,2026-01-01,,,10,,fine", row)
    assert str(caught.value).startswith(f"{tmp_path / 'rates.csv'}:3: invalid rates file: ")
    assert problem in str(caught.value)


def test_overlapping_rates_are_refused_with_both_lines(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        rates(tmp_path, "CN,2026-01-01,2026-06-30,6109,10,,a", "CN,2026-07-01,,,20,,b",
              "CN,2026-06-01,2026-12-31,6109,12,,c")
    assert str(caught.value) == (
        f"{tmp_path / 'rates.csv'}:4: invalid rates file: overlaps line 2 (origin CN, "
        "hts_prefix 6109, both valid on 2026-06-01): one row must apply")
    # an open range overlaps everything after it
    with pytest.raises(ConfigInvalid, match="overlaps line 2"):
        rates(tmp_path, "*,2026-01-01,,,10,,a", "*,2027-01-01,,,20,,b")
    # the same dates for another origin or prefix are not an overlap
    table = rates(tmp_path, "CN,2026-01-01,,,10,,a", "CN,2026-01-01,,61,12,,b",
                  "*,2026-01-01,,,5,,c")
    assert len(table.rows) == 3


def test_a_header_that_is_not_the_documented_one(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("origin,from,to,rate\nCN,2026-01-01,,10\n", encoding="utf-8")
    with pytest.raises(ConfigInvalid, match=r"rates.csv:1: invalid rates file: the header "
                                            r"must be origin,valid_from,"):
        RateTable.load(path)


def test_columns_in_any_order_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("\ufeff" + ",".join(reversed(RATE_COLUMNS)) + "\ncbp,,7.5,6109,,2026-01-01,cn"
                    "\n", encoding="utf-8")
    (row,) = RateTable.load(path).rows
    assert (row.origin, row.hts_prefix, row.ad_valorem_percent, row.source) == (
        "CN", "6109", Decimal("7.5"), "cbp")


def test_missing_files_are_66(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match="no such rates file"):
        RateTable.load(tmp_path / "nope.csv")
    with pytest.raises(InputNotFound, match="no such FX file"):
        FxTable.load(tmp_path / "nope.csv")
    with pytest.raises(InputNotFound, match="no such party file"):
        Party.load(tmp_path / "nope.toml")


@pytest.mark.parametrize(("row", "problem"), [
    ("EUX,2026-10-01,2026-12-31,0.8,quarterly,s", "currency 'EUX' is not an ISO 4217 code"),
    ("EUR,2026-10-01,2026-12-31,0,quarterly,s", "units_per_usd must be a number above zero"),
    ("EUR,2026-10-01,2026-12-31,0.8,monthly,s", "kind 'monthly' is not one of quarterly, daily"),
    ("EUR,2026-12-01,2026-10-31,0.8,daily,s", "the range ends (2026-10-31) before it starts"),
    ("EUR,2026-12-01,2027-01-31,0.8,quarterly,s", "overlaps line 2 (quarterly EUR"),
])
def test_bad_fx_rows(tmp_path: Path, row: str, problem: str) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        fx(tmp_path, "EUR,2026-10-01,2026-12-31,0.8,quarterly,q4", row)
    assert str(caught.value).startswith(f"{tmp_path / 'fx.csv'}:3: invalid FX file: ")
    assert problem in str(caught.value)


def test_fx_daily_and_quarterly_of_one_currency_may_share_dates(tmp_path: Path) -> None:
    table = fx(tmp_path, "EUR,2026-10-01,2026-12-31,0.8,quarterly,q",
               "EUR,2026-11-05,2026-11-05,0.9,daily,d")
    rate = table.rate("EUR", date(2026, 11, 5))
    assert rate is not None and rate.row.kind == "daily" and rate.quarterly.source == "q"
    assert table.rate("EUR", date(2027, 1, 1)) is None


@pytest.mark.parametrize(("row", "problem"), [
    ("RR1,A,1,4701,2026-11-24,", "carrier code 'A' is not a 2-character IATA"),
    ("RR1,AB,1,470,2026-11-24,", "arrival port '470' is not a 4-digit CBP port code"),
    ("RR1,AB,,4701,2026-11-24,", "the flight/trip number is empty"),
    ("RR1,AB,1,4701,2026-11-24,2026-11-25", "departure date 2026-11-25 is after the arrival"),
    ("RR1,AB,1,4701,,", "arrival_date '' is not a date"),
    (",AB,1,4701,2026-11-24,", "the key (tracking number, receptacle or dispatch id) is empty"),
    ("RR0,AB,1,4701,2026-11-24,", "key RR0 is also on line 2"),
])
def test_bad_conveyance_rows(tmp_path: Path, row: str, problem: str) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        conveyances(tmp_path, "RR0,AB,1,4701,2026-11-24,", row)
    assert str(caught.value).startswith(f"{tmp_path / 'conveyance.csv'}:3: invalid "
                                        "conveyance file: ")
    assert problem in str(caught.value)


def test_conveyance_without_departure_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", ("key", "carrier_code", "flight_number",
                                          "arrival_port", "arrival_date"),
                     ["RR1,ab,77,4701,2026-11-24"])
    table = conveyances_from(path)
    found = table.find("RR1")  # type: ignore[union-attr]
    assert found is not None and found.carrier_code == "AB" and found.departure_date is None


def test_run_conveyance_options(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs --port, --arrival-date too"):
        conveyances_from(None, "AB", "1")
    with pytest.raises(UsageError, match="no conveyance"):
        conveyances_from(None)
    with pytest.raises(UsageError, match="exclude each other"):
        conveyances_from(tmp_path / "c.csv", "AB")
    with pytest.raises(UsageError, match="not a 4-digit CBP port code"):
        conveyances_from(None, "AB", "1", "47", date(2026, 11, 24))


def test_party_file(tmp_path: Path) -> None:
    path = tmp_path / "party.toml"
    path.write_text('[party]\nname = "Air Co"\ntax_id = "12-3"\n', encoding="utf-8")
    party = Party.load(path)
    assert party.name == "Air Co" and party.missing == ["contact", "phone", "email",
                                                        "scac_icao"]
    path.write_text('[party]\nname = "Air Co"\nfax = "1"\n', encoding="utf-8")
    with pytest.raises(ConfigInvalid, match=r"party.toml:3: invalid party file: unknown key "
                                            r"'fax'"):
        Party.load(path)
    path.write_text('[party\n', encoding="utf-8")
    with pytest.raises(ConfigInvalid, match=r"party.toml:1: invalid party file"):
        Party.load(path)
    path.write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigInvalid, match=r"one \[party\] table"):
        Party.load(path)


def test_the_sample_tables_load() -> None:
    """What README's worked example reads (samples/duty/) is valid."""
    from conftest import SAMPLES

    assert len(RateTable.load(SAMPLES / "duty" / "rates.csv").rows) >= 5
    assert FxTable.load(SAMPLES / "duty" / "fx.csv").rate("JPY", date(2026, 11, 1)) is not None
    assert conveyances_from(SAMPLES / "duty" / "conveyance.csv")
    assert not Party.load(SAMPLES / "duty" / "party.toml").missing
