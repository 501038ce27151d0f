"""The duty of one item: its worksheet rows, or the reasons it cannot be computed.

An item is listed whole or not at all: if any of its rows cannot be computed it becomes
an exception with no rows, because a partial item would under-declare. Arithmetic is
:class:`~decimal.Decimal` throughout; values and duties are rounded to the cent, half up,
as CBP's worksheet shows them.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..record import Record
from .tables import Conveyance, ConveyanceTable, FxRate, FxTable, RateRow, RateTable

#: ``--method``: a percentage of the value (by origin, date, HTS line), or a specific
#: amount per item (by the origin's band, from the rates table's ``specific_usd``).
METHODS = ("ad-valorem", "specific")
CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
#: Enough digits that a division by an exchange rate loses nothing before the cent.
_EXACT = decimal.Context(prec=60, rounding=ROUND_HALF_UP)


def to_cent(amount: Decimal) -> Decimal:
    """Rounded to the cent, half up (0.005 → 0.01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_EXACT)


def duty_at(usd: Decimal, percent: Decimal) -> Decimal:
    """``usd`` × ``percent`` %, rounded to the cent, half up."""
    return to_cent(_EXACT.divide(_EXACT.multiply(usd, percent), _HUNDRED))


@dataclass(slots=True)
class Converted:
    """One currency's part of a row's value: the amount declared and the rate used."""

    currency: str
    amount: Decimal
    fx: FxRate | None  # None for USD

    def usd(self) -> Decimal:
        if self.fx is None:
            return self.amount
        return _EXACT.divide(self.amount, self.fx.row.units_per_usd)


@dataclass(slots=True)
class DutyRow:
    """One row of Page 2 (one item and origin and rate), with where each number came from."""

    tracking_number: str
    conveyance: Conveyance
    #: the USD value rounded to the cent; None only with ``--method specific`` when the
    #: value cannot be computed (Page 2 says "if applicable")
    value_usd: Decimal | None
    origin: str
    rate: RateRow
    #: the Tariff Rate: a percentage (ad valorem) or USD per item (specific)
    tariff: Decimal
    duty: Decimal
    method: str
    parts: tuple[Converted, ...]
    exportation_date: date | None
    exportation_from: str | None
    input: str
    line: int | None


@dataclass
class ItemDuty:
    """What an item with goods gives: rows, or (when ``problems``) an exception."""

    tracking_number: str | None
    input: str
    line: int | None
    rows: list[DutyRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


def _posting_date(record: Record) -> date | None:
    posted = record["posted_at"]
    try:
        return date.fromisoformat(posted[:10]) if posted else None
    except ValueError:
        return None


def month_name(year: int, month: int) -> str:
    return date(year, month, 1).strftime("%B")


class DutyCalculator:
    """Computes each record's rows from the rates, FX and conveyance tables."""

    def __init__(self, rates: RateTable, fx: FxTable,
                 conveyances: Conveyance | ConveyanceTable, method: str = "ad-valorem",
                 month: tuple[int, int] | None = None) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}")
        self.rates = rates
        self.fx = fx
        self.conveyances = conveyances
        self.method = method
        self.month = month

    def _conveyance(self, record: Record) -> Conveyance | None:
        if isinstance(self.conveyances, Conveyance):
            return self.conveyances
        dispatch = record["dispatch"] or {}
        return self.conveyances.find(record["tracking_number"], dispatch.get("receptacle_id"),
                                     dispatch.get("dispatch_id"))

    def item(self, record: Record) -> ItemDuty | None:
        """The item's rows or exception; None for an item of documents (not dutiable)."""
        if record["category"] == "documents":
            return None
        source = record["source"]
        item = ItemDuty(record["tracking_number"], source["file"], source["line"])
        problems = item.problems
        if not item.tracking_number:
            problems.append("no tracking number")
        conveyance = self._conveyance(record)
        if conveyance is None:
            problems.append("no conveyance (no row for its tracking number, receptacle or "
                            "dispatch)")
        elif self.month and (conveyance.arrival_date.year,
                             conveyance.arrival_date.month) != self.month:
            year, month = self.month
            problems.append(f"arrived {conveyance.arrival_date}, not in --month "
                            f"{year:04d}-{month:02d}")
        groups = self._groups(record, conveyance, problems)
        if problems or conveyance is None:
            return item
        exported_from: str | None = "departure date"
        exported = conveyance.departure_date
        if exported is None:
            exported, exported_from = _posting_date(record), "posting date"
        if exported is None:
            exported_from = None
        values = self._values(record, groups, exported, problems)
        row: dict[str, Any] = dict(tracking_number=item.tracking_number,
                                   conveyance=conveyance,
                                   method=self.method, exportation_date=exported,
                                   exportation_from=exported_from, input=item.input,
                                   line=item.line)
        if self.method == "specific":
            self._specific(item, groups, values, problems, row)
        elif not problems:
            for (origin, rate), parts in zip(groups, values, strict=True):
                usd = to_cent(sum((p.usd() for p in parts), Decimal(0)))
                percent = rate.ad_valorem_percent
                assert percent is not None  # checked in _groups
                item.rows.append(DutyRow(value_usd=usd, origin=origin, rate=rate,
                                         tariff=percent, duty=duty_at(usd, percent),
                                         parts=tuple(parts), **row))
        if problems:
            item.rows.clear()
        return item

    def _groups(self, record: Record, conveyance: Conveyance | None,
                problems: list[str]) -> dict[tuple[str, RateRow], list[dict[str, Any]]]:
        """The item's lines by country of origin and rate: one row each."""
        groups: dict[tuple[str, RateRow], list[dict[str, Any]]] = {}
        lines = record["line_items"]
        if not lines:
            problems.append("no content lines: no country of origin")
        for line in lines:
            number = line["line_number"]
            origin = line["country_of_origin"]
            if not origin:
                problems.append(f"line {number}: no country of origin")
                continue
            if conveyance is None:
                continue
            rate = self.rates.find(origin, conveyance.arrival_date, line["hts_number"])
            if rate is None:
                hts = f", HTS {line['hts_number']}" if line["hts_number"] else ", no HTS number"
                problems.append(f"line {number}: no rate for origin {origin} on "
                                f"{conveyance.arrival_date}{hts}")
                continue
            if self.method == "ad-valorem" and rate.ad_valorem_percent is None:
                problems.append(f"line {number}: rate row {rate.where} has no "
                                "ad_valorem_percent")
                continue
            if self.method == "specific" and rate.specific_usd is None:
                problems.append(f"line {number}: rate row {rate.where} has no specific_usd")
                continue
            groups.setdefault((origin, rate), []).append(line)
        return groups

    def _values(self, record: Record, groups: dict[tuple[str, RateRow], list[dict[str, Any]]],
                exported: date | None, problems: list[str]) -> list[list[Converted]]:
        """Each group's value by currency, with the exchange rate of each currency."""
        valued = [line for lines in groups.values() for line in lines
                  if line["value"] is not None and line["value"]["amount"] is not None]
        if not valued:
            declared = record["declared_value"]
            if len(groups) == 1 and declared is not None and declared["amount"] is not None:
                # no line has a value, one origin and rate: the item's value stands in
                return [self._convert({declared["currency"]: declared["amount"]}, exported,
                                      "the declared value", problems)]
            problems.append("no value: no content line has one" + (
                "" if len(groups) < 2 else ", and the declared value cannot be shared "
                "between origins or rates"))
            return []
        values = []
        for lines in groups.values():
            amounts: dict[str | None, Decimal] = {}
            for line in lines:
                value = line["value"]
                if value is None or value["amount"] is None:
                    problems.append(f"line {line['line_number']}: no value")
                    continue
                if value["amount"] < 0:
                    problems.append(f"line {line['line_number']}: negative value")
                    continue
                currency = value["currency"]
                amounts[currency] = amounts.get(currency, Decimal(0)) + value["amount"]
            values.append(self._convert(amounts, exported, "the value", problems))
        return values

    def _convert(self, amounts: dict[str | None, Decimal], exported: date | None, what: str,
                 problems: list[str]) -> list[Converted]:
        parts = []
        for currency, amount in amounts.items():
            if currency is None:
                problems.append(f"{what} has no currency")
            elif currency == "USD":
                parts.append(Converted(currency, amount, None))
            elif exported is None:
                problems.append(f"no date of exportation (no departure date, no posting "
                                f"date) to convert {currency}")
            else:
                fx = self.fx.rate(currency, exported)
                if fx is None:
                    problems.append(f"no quarterly {currency} rate for {exported} (the date "
                                    "of exportation)")
                else:
                    parts.append(Converted(currency, amount, fx))
        return parts

    def _specific(self, item: ItemDuty, groups: dict[tuple[str, RateRow], Any],
                  values: list[list[Converted]], problems: list[str],
                  row: dict[str, Any]) -> None:
        """One row per item: the highest specific amount of its origins (never less than
        one of them owes), its value when it can be computed (if applicable)."""
        if not groups:
            return
        origin, rate = max(groups, key=lambda key: key[1].specific_usd or 0)
        assert rate.specific_usd is not None  # checked in _groups
        usd: Decimal | None = None
        if not problems and values:
            parts = tuple(p for group in values for p in group)
            usd = to_cent(sum((p.usd() for p in parts), Decimal(0)))
        else:
            parts = ()
            problems.clear()  # the value is "if applicable": not needed for this method
        item.rows.append(DutyRow(value_usd=usd, origin=origin, rate=rate,
                                 tariff=rate.specific_usd, duty=to_cent(rate.specific_usd),
                                 parts=parts, **row))
