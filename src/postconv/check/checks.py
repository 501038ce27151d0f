"""The named checks that profiles refer to: small functions, value in, problems out.

A check gets the present (non-null) value of a rule's field, the whole record for
cross-checks, and the rule's parameters; it returns ``None`` when the value passes, or
a :class:`Problem`. Presence ("required") is the engine's job, not a check's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from ..codes import country_codes, subdivision_codes
from ..record import Record
from .vague import vague_description, vague_party_name


class Problem(NamedTuple):
    """What is wrong with a value: a stable code and a message without personal data."""

    code: str
    message: str


Check = Callable[[Any, Record, dict[str, Any]], Problem | None]
CHECKS: dict[str, Check] = {}
#: Checks that also read the date of the message that carries the item (its header is
#: not part of the record): called with it as a fourth argument, None when not given.
MessageCheck = Callable[[Any, Record, dict[str, Any], str | None], Problem | None]
MESSAGE_CHECKS: dict[str, MessageCheck] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under the name profiles use."""

    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
#: Service indicators beginning with these letters are reserved (UPU S10-12).
S10_RESERVED_FIRST = frozenset("JKSTW")


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial number (weights 8 6 4 2 3 5 9 7)."""
    d = serial.encode("ascii")  # bytes index as integers; 48 is "0", the weights add to 44
    total = (8 * d[0] + 6 * d[1] + 4 * d[2] + 2 * d[3] + 3 * d[4] + 5 * d[5] + 9 * d[6]
             + 7 * d[7] - 48 * 44)
    digit = 11 - total % 11
    return 0 if digit == 10 else 5 if digit == 11 else digit


_S10_FORMAT = re.compile(r"[A-Za-z]{2}[0-9]{9}[A-Za-z]{2}")


@check("present")
def present(value: Any, record: Record, params: dict[str, Any]) -> Problem | None:
    """Nothing beyond presence (the engine reports a missing value)."""
    return None


@check("s10")
def s10(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """UPU S10 item identifier: format, reserved service indicator, check digit, country."""
    if len(value) != 13 or not _S10_FORMAT.fullmatch(value):
        return Problem("INVALID_S10_FORMAT", "not an S10 identifier (2 letters, 9 digits, "
                                             "2 letters)")
    if value[0] in S10_RESERVED_FIRST:
        return Problem("RESERVED_S10_SERVICE_INDICATOR",
                       f"service indicator {value[:2]} is reserved (J, K, S, T, W)")
    if ord(value[10]) - 48 != s10_check_digit(value[2:10]):
        return Problem("INVALID_S10_CHECK_DIGIT",
                       f"check digit should be {s10_check_digit(value[2:10])}")
    if value[11:] not in country_codes():
        return Problem("INVALID_S10_COUNTRY", f"{value[11:]} is not an ISO 3166-1 country")
    return None


def not_after_message(value: str, record: Record, params: dict[str, Any],
                      message_date: str | None) -> Problem | None:
    """The posting date is not after the date of the message that carries the item (a
    message is sent after its items are posted). Date-times with a time zone on both
    sides are compared as instants, anything else by calendar date."""
    if not message_date:
        return None
    try:
        posted, sent = datetime.fromisoformat(value), datetime.fromisoformat(message_date)
    except ValueError:
        return None
    if posted.tzinfo is not None and sent.tzinfo is not None and len(value) > 10 \
            and len(message_date) > 10:
        late = posted > sent
    else:
        late = posted.date() > sent.date()
    if late:
        return Problem("POSTED_AFTER_MESSAGE",
                       f"posting date {value[:10]} is after the message date "
                       f"{message_date[:10]}")
    return None


MESSAGE_CHECKS["not_after_message"] = not_after_message


@cache
def usps_state_codes() -> frozenset[str]:
    """USPS state codes: states, DC and territories (pycountry) plus APO/FPO and COFA codes."""
    return frozenset(subdivision_codes("US") | {"AA", "AE", "AP", "FM", "MH", "PW"})


#: ISO codes of US territories addressed with USPS state codes and ZIP codes.
US_TERRITORIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})


@check("us_state")
def us_state(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """A USPS state or territory code."""
    if value not in usps_state_codes():
        return Problem("INVALID_US_STATE", "not a USPS state or territory code")
    return None


@check("us_zip")
def us_zip(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """A US ZIP code: 12345 or 12345-6789."""
    if not (
        (len(value) == 5 and value.isdigit())
        or (len(value) == 10 and value[5] == "-" and value[:5].isdigit() and value[6:].isdigit())
    ):
        return Problem("INVALID_ZIP_CODE", "a US ZIP code is 12345 or 12345-6789")
    return None


@check("hts")
def hts(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """A tariff number of 4, 6, 8 or 10 digits, at least ``min_digits`` or exactly ``digits``."""
    exact = params.get("digits")
    minimum = params.get("min_digits", 6)
    if exact is not None and len(value) != exact:
        return Problem("HTS_NUMBER_TOO_SHORT" if len(value) < exact else "INVALID_HTS_NUMBER",
                       params.get("message", f"{exact} digits are required, "
                                             f"{len(value)} given"))
    if len(value) not in (4, 6, 8, 10):
        return Problem("INVALID_HTS_NUMBER", f"{len(value)} digits: a tariff number has 4, 6, "
                                             "8 or 10")
    if len(value) < minimum:
        return Problem("HTS_NUMBER_TOO_SHORT",
                       params.get("message", f"at least {minimum} digits are required, "
                                             f"{len(value)} given"))
    return None


@check("quantity")
def quantity(value: int, record: Record, params: dict[str, Any]) -> Problem | None:
    """A whole number of pieces, at least 1."""
    if value < 1:
        return Problem("INVALID_QUANTITY", "quantity must be at least 1")
    return None


@check("positive")
def positive(value: Decimal, record: Record, params: dict[str, Any]) -> Problem | None:
    """A weight above zero."""
    if value <= 0:
        return Problem("INVALID_WEIGHT", "must be greater than 0")
    return None


@check("money")
def money(value: dict[str, Any], record: Record, params: dict[str, Any]) -> Problem | None:
    """An amount of at least 0 with its ISO 4217 currency."""
    if value["amount"] < 0:
        return Problem("INVALID_AMOUNT", "an amount cannot be negative")
    if value["currency"] is None:
        return Problem("MISSING_CURRENCY", "the amount has no currency")
    return None


@check("category")
def category(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """A category; "other" needs its explanation (CN 23 box 10)."""
    if value == "other" and not record["category_explanation"]:
        return Problem("MISSING_CATEGORY_EXPLANATION",
                       "category 'other' needs an explanation")
    return None


@check("description")
def description(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """A goods description that says what the goods are (no stop word standing alone)."""
    limit = params.get("max_chars")
    if limit is not None and len(value) > limit:
        return Problem("DESCRIPTION_TOO_LONG", f"longer than {limit} characters")
    verdict = vague_description(value, record["category"] == "documents")
    if verdict is not None:
        return Problem("VAGUE_DESCRIPTION", f"description is vague: {verdict.reason}")
    return None


@check("party_name")
def party_name(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """A party name that is a name, not a placeholder."""
    verdict = vague_party_name(value)
    if verdict is not None:
        return Problem("VAGUE_PARTY_NAME", f"name is {verdict.reason}")
    return None


@check("non_empty")
def non_empty(value: list[Any], record: Record, params: dict[str, Any]) -> Problem | None:
    """A list with at least one entry (the engine treats an empty list as missing)."""
    return None


@check("destination_country")
def destination_country(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """The consignee is in the profile's country (or one of ``countries``)."""
    allowed = params.get("countries", [])
    if allowed and value not in allowed:
        return Problem("CONSIGNEE_OUTSIDE_DESTINATION",
                       f"consignee country {value} is not {'/'.join(allowed)}: "
                       "item may not be bound for this destination")
    return None


@check("ioss")
def ioss(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
    """An IOSS number, where one is given: IM + 10 digits."""
    compact = value.replace(" ", "").upper()
    if compact.startswith("IM") and not (len(compact) == 12 and compact[2:].isdigit()):
        return Problem("INVALID_IOSS_NUMBER", "an IOSS number is IM followed by 10 digits")
    return None


def _line_amounts(record: Record) -> list[dict[str, Any]]:
    return [line["value"] for line in record["line_items"] if line["value"] is not None]


_CENT = Decimal("0.01")


@check("declared_value_matches_lines")
def declared_value_matches_lines(value: dict[str, Any], record: Record,
                                 params: dict[str, Any]) -> Problem | None:
    """The declared value equals the sum of line values, within 0.01 per line."""
    lines = record["line_items"]
    if not lines:
        return None
    currency = value["currency"]
    total = Decimal(0)
    for line in lines:
        amount = line["value"]
        if amount is None:
            return None
        if amount["currency"] != currency:
            return None  # reported by the currency check
        total += amount["amount"]
    if abs(total - value["amount"]) > _CENT * len(lines):
        return Problem("DECLARED_VALUE_MISMATCH",
                       f"declared value differs from the sum of line values ({total})")
    return None


@check("one_currency")
def one_currency(value: dict[str, Any], record: Record, params: dict[str, Any]) -> Problem | None:
    """One currency for the declared value and every line value."""
    first = value["currency"]
    mixed = False
    for line in record["line_items"]:
        amount = line["value"]
        if amount is not None and amount["currency"] != first:
            mixed = True
    if not mixed:
        return None
    currencies = {first} | {v["currency"] for v in _line_amounts(record)}
    currencies.discard(None)
    if len(currencies) > 1:
        return Problem("MIXED_CURRENCIES",
                       f"more than one currency in one item: {', '.join(sorted(currencies))}")
    return None


@check("gross_not_below_net")
def gross_not_below_net(value: Decimal, record: Record, params: dict[str, Any]) -> Problem | None:
    """The gross weight is not below the sum of the net weights."""
    lines = record["line_items"]
    if not lines:
        return None
    total = Decimal(0)
    for line in lines:
        net = line["net_weight_kg"]
        if net is None:
            return None
        total += net
    if value < total:
        return Problem("GROSS_BELOW_NET_WEIGHT",
                       f"gross weight is below the sum of net weights ({total})")
    return None


@check("letter_post_weight")
def letter_post_weight(value: Decimal, record: Record, params: dict[str, Any]) -> Problem | None:
    """Letter-post items carry goods up to 2 kg (19 CFR 145.73; UPU letter post limit)."""
    limit = Decimal(str(params.get("max_kg", "2")))
    if record["mail_class"] == "letter_post" and value > limit:
        return Problem("LETTER_POST_OVER_WEIGHT", f"letter post over {limit} kg")
    return None


@check("documents_without_goods")
def documents_without_goods(value: str, record: Record,
                            params: dict[str, Any]) -> Problem | None:
    """A documents item declares no goods (no line value above 0, no tariff number)."""
    if value != "documents":
        return None
    for line in record["line_items"]:
        if line["hts_number"] or (line["value"] and line["value"]["amount"] > 0):
            return Problem("DOCUMENTS_WITH_GOODS",
                           "category is documents but a line declares goods")
    return None


#: Countries without a postcode system (UPU/Universal Postal Union addressing data).
NO_POSTCODE_COUNTRIES = frozenset({
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI",
    "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM",
    "KN", "KP", "LC", "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR",
    "ST", "SY", "TD", "TF", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
})
