"""Value readers: raw text from any format → the typed value a record field holds.

Each reader takes the stripped, non-empty raw text and returns the value, or raises
:class:`Unreadable` with a stable finding code; the raw text then goes into the finding
and the field stays null. Unambiguous normalisation (case, spaces in S10 ids, dots in HS
codes) is silent; common-but-wrong input that is normalised leaves a :class:`Note`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from .codes import country_codes, currency_codes
from .record import DECIMAL_SCALE


class Unreadable(Exception):
    """The raw text cannot be read as the field's type."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Note(NamedTuple):
    """A normalisation worth telling the user about (becomes a low-severity finding)."""

    code: str
    severity: str
    message: str


NoteSink = Callable[[Note], None]

#: A plain decimal number in ASCII digits (no exponent, no NaN or Infinity), with at most
#: the record's decimal places.
_PLACES = DECIMAL_SCALE
DECIMAL_PATTERN = re.compile(rf"[+-]?(?:\d+(?:\.\d{{0,{_PLACES}}})?|\.\d{{1,{_PLACES}}})", re.ASCII)
_ANY_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_DECIMAL_COMMA = re.compile(r"([+-]?\d+),(\d+)", re.ASCII)
_INTEGER = re.compile(r"\+?\d{1,9}", re.ASCII)
_COMPACT_DATETIME = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?")
_HTS_SEPARATORS = re.compile(r"[.\s-]")
_SPACES = re.compile(r"\s+")
MAX_NUMBER_CHARS = 24


def read_text(raw: str, note: NoteSink) -> str:
    return raw


def read_code(raw: str, note: NoteSink) -> str:
    return _SPACES.sub(" ", raw).upper()


def read_s10(raw: str, note: NoteSink) -> str:
    return _SPACES.sub("", raw).upper()


def read_decimal(raw: str, note: NoteSink) -> Decimal:
    """A plain decimal number; a decimal comma is accepted only when unambiguous, with a note."""
    if len(raw) <= MAX_NUMBER_CHARS:
        if DECIMAL_PATTERN.fullmatch(raw):
            return Decimal(raw)
        comma = _DECIMAL_COMMA.fullmatch(raw)
        if _ANY_DECIMAL.fullmatch(raw) or (comma and len(comma.group(2)) > DECIMAL_SCALE):
            raise Unreadable("INVALID_DECIMAL", f"more than {DECIMAL_SCALE} decimal places "
                             "(not rounded: the record holds every value exactly)")
        if comma and len(comma.group(2)) != 3:
            note(Note("DECIMAL_COMMA_NORMALISED", "warning",
                      "decimal comma read as a decimal point"))
            return Decimal(f"{comma.group(1)}.{comma.group(2)}")
    raise Unreadable("INVALID_DECIMAL", "not a decimal number")


def read_integer(raw: str, note: NoteSink) -> int:
    if _INTEGER.fullmatch(raw):
        return int(raw)
    raise Unreadable("INVALID_INTEGER", "not a whole number")


def read_datetime(raw: str, note: NoteSink) -> str:
    """ISO 8601 date or date-time (or the compact EDIFACT forms), written back in ISO 8601."""
    compact = _COMPACT_DATETIME.fullmatch(raw)
    try:
        if compact:
            y, m, d, hh, mm, ss = compact.groups()
            if hh is None:
                return date(int(y), int(m), int(d)).isoformat()
            return datetime(int(y), int(m), int(d), int(hh), int(mm), int(ss or 0)).isoformat()
        if len(raw) == 10:
            return date.fromisoformat(raw).isoformat()
        return datetime.fromisoformat(raw).isoformat()
    except ValueError:
        raise Unreadable("INVALID_DATE", "not an ISO 8601 date or date-time") from None


def read_country(raw: str, note: NoteSink) -> str:
    code = raw.upper()
    if code == "UK":
        note(Note("COUNTRY_CODE_NORMALISED", "info", "UK is not ISO 3166-1; read as GB"))
        return "GB"
    if code in country_codes():
        return code
    raise Unreadable("INVALID_COUNTRY_CODE", "not an ISO 3166-1 alpha-2 country code")


def read_currency(raw: str, note: NoteSink) -> str:
    code = raw.upper()
    if code in currency_codes():
        return code
    raise Unreadable("INVALID_CURRENCY_CODE", "not an ISO 4217 currency code")


def read_hts(raw: str, note: NoteSink) -> str:
    digits = _HTS_SEPARATORS.sub("", raw)
    if digits.isdigit() and digits.isascii():
        return digits
    raise Unreadable("INVALID_HTS_NUMBER", "a tariff number has digits only")


def _words(raw: str) -> str:
    return _SPACES.sub("_", raw.strip().lower().replace("-", " "))


_CATEGORY_WORDS = {
    "11": "sale_of_goods", "sale_of_goods": "sale_of_goods", "sale": "sale_of_goods",
    "merchandise": "sale_of_goods",
    "21": "returned_goods", "returned_goods": "returned_goods", "return": "returned_goods",
    "31": "gift", "gift": "gift",
    "32": "commercial_sample", "commercial_sample": "commercial_sample",
    "sample": "commercial_sample",
    "91": "documents", "documents": "documents", "document": "documents",
    "991": "other", "other": "other",
}
_MAIL_CLASS_WORDS = {
    "u": "letter_post", "letter_post": "letter_post", "letter": "letter_post",
    "c": "parcel", "parcel": "parcel", "parcel_post": "parcel",
    "e": "ems", "ems": "ems",
}
#: The codes as partners send them, for the inline fast path of generated mapping code
#: (derived from the tables above, so the two readings cannot drift apart).
CATEGORY_CODES = {code: word for code, word in _CATEGORY_WORDS.items() if code.isdigit()}
MAIL_CLASS_CODES = {code.upper(): word for code, word in _MAIL_CLASS_WORDS.items()
                    if len(code) == 1}
MAIL_CATEGORIES = frozenset("ABCD")


def read_category(raw: str, note: NoteSink) -> str:
    try:
        return _CATEGORY_WORDS[_words(raw)]
    except KeyError:
        raise Unreadable("INVALID_CATEGORY", "not a CN 23 category code (11, 21, 31, 32, 91, "
                                             "991) or name") from None


def read_mail_class(raw: str, note: NoteSink) -> str:
    try:
        return _MAIL_CLASS_WORDS[_words(raw)]
    except KeyError:
        raise Unreadable("INVALID_MAIL_CLASS", "not a mail class (U, C, E)") from None


def read_mail_category(raw: str, note: NoteSink) -> str:
    code = raw.upper()
    if code in MAIL_CATEGORIES:
        return code
    raise Unreadable("INVALID_MAIL_CATEGORY", "not a mail category (A, B, C, D)")


Reader = Callable[[str, NoteSink], Any]

#: Readers by the type names used in :mod:`postconv.record`.
READERS: dict[str, Reader] = {
    "text": read_text,
    "text_list": read_text,
    "code": read_code,
    "s10": read_s10,
    "decimal": read_decimal,
    "integer": read_integer,
    "datetime": read_datetime,
    "country": read_country,
    "currency": read_currency,
    "hts": read_hts,
    "category": read_category,
    "mail_class": read_mail_class,
    "mail_category": read_mail_category,
}

