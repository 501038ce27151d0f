"""The files a duty run reads besides the inputs: rates, FX rates, conveyances, the party.

Rates and exchange rates change with time and are never built into code (see README,
"Duty"): the user supplies them as CSV files, and each row found is named in the detail
output by its file, line and ``source``. Every problem in one of these files is a
:class:`~postconv.errors.ConfigInvalid` (exit 78) naming the file and line; a missing file
is :class:`~postconv.errors.InputNotFound` (exit 66).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..codes import country_codes, currency_codes
from ..errors import ConfigInvalid, InputNotFound

#: The columns of each table, in the documented order (README "Duty" shows them).
RATE_COLUMNS = ("origin", "valid_from", "valid_to", "hts_prefix", "ad_valorem_percent",
                "specific_usd", "source")
FX_COLUMNS = ("currency", "valid_from", "valid_to", "units_per_usd", "kind", "source")
CONVEYANCE_COLUMNS = ("key", "carrier_code", "flight_number", "arrival_port", "arrival_date",
                      "departure_date")
FX_KINDS = ("quarterly", "daily")
#: Any origin, in the rates table.
ANY_ORIGIN = "*"
#: Lookups kept per table (each is a few rows' scan; items repeat origins and dates).
_CACHE_SIZE = 100_000


def _kept(lookup: Any) -> Any:
    """``lookup`` with its answers kept (None included), up to :data:`_CACHE_SIZE` of them:
    a month has few dates, but HTS lines vary without end."""
    return lru_cache(maxsize=_CACHE_SIZE)(lookup)

_HTS_PREFIX = re.compile(r"[0-9]{2,10}", re.ASCII)
_CARRIER = re.compile(r"[A-Z0-9]{2}|[A-Z]{4}", re.ASCII)  # IATA airline, or SCAC
_PORT = re.compile(r"[0-9]{4}", re.ASCII)
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class _Rows:
    """The data rows of one CSV table, each with its line number, the header checked."""

    def __init__(self, path: Path, kind: str, columns: tuple[str, ...],
                 optional: tuple[str, ...] = ()) -> None:
        self.path = path
        self.kind = kind
        self.columns = columns
        self.optional = optional

    def error(self, line: int, problem: str) -> ConfigInvalid:
        return ConfigInvalid(f"{self.path}:{line}: invalid {self.kind} file: {problem}")

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            handle = open(self.path, encoding="utf-8-sig", newline="")  # noqa: SIM115
        except FileNotFoundError:
            raise InputNotFound(f"{self.path}: no such {self.kind} file") from None
        except OSError as exc:
            raise InputNotFound(f"{self.path}: cannot read {self.kind} file: "
                                f"{exc.strerror}") from None
        with handle:
            reader = csv.reader(handle)
            try:
                header = [name.strip() for name in next(reader, [])]
                missing = [c for c in self.columns
                           if c not in header and c not in self.optional]
                unknown = [c for c in header if c not in self.columns]
                if missing or unknown or len(set(header)) != len(header):
                    raise self.error(1, f"the header must be {','.join(self.columns)} "
                                        f"(missing: {', '.join(missing) or 'none'}; unknown "
                                        f"or repeated: {', '.join(unknown) or 'none'})")
                for cells in reader:
                    line = reader.line_num
                    if not any(cell.strip() for cell in cells):
                        continue
                    if len(cells) != len(header):
                        raise self.error(line, f"{len(cells)} cells, the header has "
                                               f"{len(header)}")
                    row = dict.fromkeys(self.columns, "")
                    row.update((name, cell.strip()) for name, cell in zip(header, cells,
                                                                          strict=True))
                    yield line, row
            except UnicodeDecodeError:
                raise self.error(reader.line_num + 1, "not UTF-8 text") from None
            except csv.Error as exc:
                raise self.error(reader.line_num, str(exc)) from None

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"


def _date(rows: _Rows, line: int, column: str, text: str) -> date:
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise rows.error(line, f"{column} {text!r} is not a date (YYYY-MM-DD)")


def _optional_date(rows: _Rows, line: int, column: str, text: str) -> date | None:
    return _date(rows, line, column, text) if text else None


def _amount(rows: _Rows, line: int, column: str, text: str) -> Decimal | None:
    """A non-negative decimal, exactly as written; empty is None."""
    if not text:
        return None
    if text.startswith("-"):
        raise rows.error(line, f"{column} {text} is negative")
    if not _DECIMAL.fullmatch(text):
        raise rows.error(line, f"{column} {text!r} is not a decimal number (e.g. 10 or 7.5)")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise rows.error(line, f"{column} {text!r} is not a number") from None


def _range(rows: _Rows, line: int, row: dict[str, str]) -> tuple[date, date | None]:
    start = _date(rows, line, "valid_from", row["valid_from"])
    end = _optional_date(rows, line, "valid_to", row["valid_to"])
    if end is not None and end < start:
        raise rows.error(line, f"the range ends ({end}) before it starts ({start})")
    return start, end


def _overlaps(rows: _Rows, ranged: list[Any], what: str) -> None:
    """Refuse two rows of one group (``ranged``: items with ``valid_from``, ``valid_to``,
    ``line``) whose date ranges share a day: which one applies would be a guess."""
    ranged = sorted(ranged, key=lambda r: r.valid_from)
    latest = None  # the row seen so far whose range ends last
    for row in ranged:
        if latest is not None and (latest.valid_to is None or row.valid_from <= latest.valid_to):
            raise rows.error(row.line, f"overlaps line {latest.line} ({what}, both valid on "
                                       f"{row.valid_from}): one row must apply")
        if latest is None or (latest.valid_to is not None and (
                row.valid_to is None or row.valid_to > latest.valid_to)):
            latest = row


def _covers(row: Any, day: date) -> bool:
    return bool(row.valid_from <= day and (row.valid_to is None or day <= row.valid_to))


# -- rates ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RateRow:
    """One row of the rates table (rows are told apart by identity: an item's lines are
    grouped by the row they find, and hashing every field per line would cost more than
    the lookup)."""

    origin: str
    valid_from: date
    valid_to: date | None
    hts_prefix: str
    ad_valorem_percent: Decimal | None
    specific_usd: Decimal | None
    source: str
    #: ``FILE:LINE``, named in the detail output
    where: str
    line: int

    @property
    def specificity(self) -> tuple[int, int]:
        """An exact origin over ``*``, then the longer HTS prefix."""
        return (self.origin != ANY_ORIGIN, len(self.hts_prefix))


class RateTable:
    """Duty rates by country of origin, date range and HTS prefix (``--rates``)."""

    def __init__(self, rows: list[RateRow]) -> None:
        self.rows = rows
        self._find_kept = _kept(self._find)
        self._by_origin: dict[str, list[RateRow]] = {}
        for row in sorted(rows, key=lambda r: r.specificity, reverse=True):
            self._by_origin.setdefault(row.origin, []).append(row)

    @classmethod
    def load(cls, path: Path) -> RateTable:
        rows = _Rows(path, "rates", RATE_COLUMNS)
        table: list[RateRow] = []
        for line, row in rows:
            origin = row["origin"].upper()
            if origin != ANY_ORIGIN and origin not in country_codes():
                raise rows.error(line, f"origin {row['origin']!r} is not an ISO 3166-1 "
                                       "alpha-2 country code or *")
            prefix = row["hts_prefix"].replace(".", "")
            if prefix and not _HTS_PREFIX.fullmatch(prefix):
                raise rows.error(line, f"hts_prefix {row['hts_prefix']!r} is not 2 to 10 "
                                       "digits (or empty for any line)")
            percent = _amount(rows, line, "ad_valorem_percent", row["ad_valorem_percent"])
            specific = _amount(rows, line, "specific_usd", row["specific_usd"])
            if percent is None and specific is None:
                raise rows.error(line, "neither ad_valorem_percent nor specific_usd is given")
            start, end = _range(rows, line, row)
            table.append(RateRow(origin, start, end, prefix, percent, specific,
                                 row["source"], rows.where(line), line))
        groups: dict[tuple[str, str], list[RateRow]] = {}
        for rate in table:
            groups.setdefault((rate.origin, rate.hts_prefix), []).append(rate)
        for (origin, prefix), group in groups.items():
            _overlaps(rows, group, f"origin {origin}, hts_prefix {prefix or '(any)'}")
        return cls(table)

    def find(self, origin: str, day: date, hts: str | None) -> RateRow | None:
        """The most specific row for a line of ``origin`` on ``day`` (the arrival date)
        with HTS number ``hts``; None when no row matches. Two equally specific rows
        cannot both match: :meth:`load` refuses overlapping rows."""
        found: RateRow | None = self._find_kept(origin, day, hts)
        return found

    def _find(self, origin: str, day: date, hts: str | None) -> RateRow | None:
        best: RateRow | None = None
        for key in (origin, ANY_ORIGIN):
            for row in self._by_origin.get(key, ()):
                if best is not None and row.specificity <= best.specificity:
                    break  # sorted by specificity: nothing better follows
                if _covers(row, day) and (not row.hts_prefix
                                          or (hts or "").startswith(row.hts_prefix)):
                    best = row
                    break
        return best


# -- exchange rates ------------------------------------------------------------------------


@dataclass(frozen=True)
class FxRow:
    """One row of the FX table: ``units_per_usd`` units of ``currency`` buy one dollar."""

    currency: str
    valid_from: date
    valid_to: date | None
    units_per_usd: Decimal
    kind: str
    source: str
    where: str
    line: int


@dataclass(frozen=True)
class FxRate:
    """The rate that converts a value: the row used, and the quarterly rate it was judged
    against (the same row when the quarterly rate stands)."""

    row: FxRow
    quarterly: FxRow


#: 19 CFR 159.34: the daily rate replaces the quarterly one when they differ this much.
DAILY_THRESHOLD = Decimal("0.05")


class FxTable:
    """Certified exchange rates by currency and date range, quarterly and daily (``--fx``)."""

    def __init__(self, rows: list[FxRow]) -> None:
        self.rows = rows
        self._rate_kept = _kept(self._rate)
        self._rows: dict[tuple[str, str], list[FxRow]] = {}
        for row in rows:
            self._rows.setdefault((row.currency, row.kind), []).append(row)

    @classmethod
    def load(cls, path: Path) -> FxTable:
        rows = _Rows(path, "FX", FX_COLUMNS)
        table: list[FxRow] = []
        for line, row in rows:
            currency = row["currency"].upper()
            if currency not in currency_codes():
                raise rows.error(line, f"currency {row['currency']!r} is not an ISO 4217 code")
            kind = row["kind"].lower()
            if kind not in FX_KINDS:
                raise rows.error(line, f"kind {row['kind']!r} is not one of "
                                       f"{', '.join(FX_KINDS)}")
            units = _amount(rows, line, "units_per_usd", row["units_per_usd"])
            if not units:
                raise rows.error(line, "units_per_usd must be a number above zero")
            start, end = _range(rows, line, row)
            table.append(FxRow(currency, start, end, units, kind, row["source"],
                               rows.where(line), line))
        groups: dict[tuple[str, str], list[FxRow]] = {}
        for fx in table:
            groups.setdefault((fx.currency, fx.kind), []).append(fx)
        for (currency, kind), group in groups.items():
            _overlaps(rows, group, f"{kind} {currency}")
        return cls(table)

    def _row(self, currency: str, kind: str, day: date) -> FxRow | None:
        return next((r for r in self._rows.get((currency, kind), ()) if _covers(r, day)), None)

    def rate(self, currency: str, day: date) -> FxRate | None:
        """19 CFR 159.34 for ``day`` (the date of exportation): the quarterly rate, unless
        the daily rate for that day differs from it by 5 % or more; None without a
        quarterly rate (never a guess)."""
        found: FxRate | None = self._rate_kept(currency, day)
        return found

    def _rate(self, currency: str, day: date) -> FxRate | None:
        quarterly = self._row(currency, "quarterly", day)
        if quarterly is None:
            return None
        daily = self._row(currency, "daily", day)
        if daily is not None and (abs(daily.units_per_usd - quarterly.units_per_usd)
                                  >= DAILY_THRESHOLD * quarterly.units_per_usd):
            return FxRate(daily, quarterly)
        return FxRate(quarterly, quarterly)


# -- conveyances ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Conveyance:
    """The flight or trip that brought items in: Page 2's first columns and the dates."""

    carrier_code: str
    flight_number: str
    arrival_port: str
    arrival_date: date
    departure_date: date | None = None
    where: str = "command line"


def conveyance(carrier_code: str, flight_number: str, arrival_port: str,
               arrival_date: date, departure_date: date | None = None,
               where: str = "command line") -> Conveyance:
    """A checked conveyance (``--carrier``, ``--flight``…); ValueError names the problem."""
    carrier = carrier_code.strip().upper()
    if not _CARRIER.fullmatch(carrier):
        raise ValueError(f"carrier code {carrier_code!r} is not a 2-character IATA airline "
                         "code or a 4-letter SCAC")
    if not flight_number.strip():
        raise ValueError("the flight/trip number is empty")
    if not _PORT.fullmatch(arrival_port.strip()):
        raise ValueError(f"arrival port {arrival_port!r} is not a 4-digit CBP port code")
    if departure_date is not None and departure_date > arrival_date:
        raise ValueError(f"departure date {departure_date} is after the arrival date "
                         f"{arrival_date}")
    return Conveyance(carrier, flight_number.strip(), arrival_port.strip(), arrival_date,
                      departure_date, where)


class ConveyanceTable:
    """Conveyances by tracking number, receptacle id or dispatch id (``--conveyance``)."""

    def __init__(self, by_key: dict[str, Conveyance]) -> None:
        self.by_key = by_key

    @classmethod
    def load(cls, path: Path) -> ConveyanceTable:
        rows = _Rows(path, "conveyance", CONVEYANCE_COLUMNS, optional=("departure_date",))
        by_key: dict[str, Conveyance] = {}
        lines: dict[str, int] = {}
        for line, row in rows:
            key = row["key"]
            if not key:
                raise rows.error(line, "the key (tracking number, receptacle or dispatch id) "
                                       "is empty")
            if key in lines:
                raise rows.error(line, f"key {key} is also on line {lines[key]}")
            try:
                by_key[key] = conveyance(
                    row["carrier_code"], row["flight_number"], row["arrival_port"],
                    _date(rows, line, "arrival_date", row["arrival_date"]),
                    _optional_date(rows, line, "departure_date", row["departure_date"]),
                    rows.where(line))
            except ValueError as exc:
                raise rows.error(line, str(exc)) from None
            lines[key] = line
        return cls(by_key)

    def find(self, *keys: str | None) -> Conveyance | None:
        """The conveyance of the first of ``keys`` that the table has."""
        for key in keys:
            if key and key in self.by_key:
                return self.by_key[key]
        return None


# -- the party -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """Who files the worksheet (``--party``): Sheet1's header."""

    name: str | None = None
    tax_id: str | None = None
    contact: str | None = None
    phone: str | None = None
    email: str | None = None
    scac_icao: str | None = None

    @property
    def missing(self) -> list[str]:
        """The fields not given: each is a warning, never a silent blank."""
        return [f.name for f in fields(self) if not getattr(self, f.name)]

    @classmethod
    def load(cls, path: Path) -> Party:
        from ..tomlfile import config_error, load_toml

        if not path.is_file():
            raise InputNotFound(f"{path}: no such party file")
        data, text = load_toml(path, "party")
        known = {f.name for f in fields(cls)}
        table = data.get("party")
        if not isinstance(table, dict) or set(data) - {"party"}:
            raise config_error(path, text, "", "party", "it must hold one [party] table "
                               f"(keys: {', '.join(sorted(known))})")
        values: dict[str, str] = {}
        for key, value in table.items():
            if key not in known:
                raise config_error(path, text, key, "party", f"unknown key {key!r} (known: "
                                   f"{', '.join(sorted(known))})")
            if not isinstance(value, str):
                raise config_error(path, text, key, "party", f"{key} must be a string")
            values[key] = value.strip()
        return cls(**{key: value or None for key, value in values.items()})


def conveyances_from(file: Path | None, carrier: str | None = None,
                     flight: str | None = None, port: str | None = None,
                     arrival_date: date | None = None,
                     departure_date: date | None = None) -> Conveyance | ConveyanceTable:
    """The run's conveyances: a file (``--conveyance``) or one for the whole run
    (``--carrier --flight --port --arrival-date``), never both, never half of one."""
    from ..errors import UsageError

    given = {"--carrier": carrier, "--flight": flight, "--port": port,
             "--arrival-date": arrival_date}
    if file is not None:
        if any(v is not None for v in (*given.values(), departure_date)):
            raise UsageError("--conveyance FILE and --carrier/--flight/--port/--arrival-date "
                             "exclude each other: give one")
        return ConveyanceTable.load(file)
    missing = [name for name, value in given.items() if value is None]
    if len(missing) == len(given):
        raise UsageError("no conveyance: give --conveyance FILE.csv, or --carrier, --flight, "
                         "--port and --arrival-date for the whole run")
    if missing:
        raise UsageError(f"the run's conveyance needs {', '.join(missing)} too")
    assert carrier and flight and port and arrival_date
    try:
        return conveyance(carrier, flight, port, arrival_date, departure_date)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
