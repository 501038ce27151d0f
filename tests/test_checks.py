"""Each named check on valid and invalid values (no XML involved)."""

from decimal import Decimal

import pytest

from postconv.check.checks import CHECKS, s10_check_digit
from postconv.check.vague import vague_description, vague_party_name
from postconv.record import new_line, new_record


def run(name, value, record=None, **params):
    return CHECKS[name](value, record or new_record(), params)


VALID_S10 = ["RR473124829GB", "EE123456785US", "CP000000005DE", "RR000000080GB",
             "LX806576725TW", "RB123456785GB"]


@pytest.mark.parametrize("value", VALID_S10)
def test_s10_valid(value):
    assert run("s10", value) is None


@pytest.mark.parametrize(("value", "code"), [
    ("RB123456786US", "INVALID_S10_CHECK_DIGIT"),
    ("CP001020301BR", "INVALID_S10_CHECK_DIGIT"),
    ("RB123456785XX", "INVALID_S10_COUNTRY"),
    ("JJ473124829GB", "RESERVED_S10_SERVICE_INDICATOR"),
    ("SA473124829GB", "RESERVED_S10_SERVICE_INDICATOR"),
    ("RR47312482GB", "INVALID_S10_FORMAT"),
    ("1R473124829GB", "INVALID_S10_FORMAT"),
])
def test_s10_invalid(value, code):
    assert run("s10", value).code == code


def test_s10_check_digit_special_cases():
    assert s10_check_digit("00000000") == 5  # C = 11 -> 5
    assert s10_check_digit("00000008") == 0  # C = 10 -> 0
    assert run("s10", "CP001020301BR").message == "check digit should be 7"


@pytest.mark.parametrize("state", ["DC", "NY", "PR", "GU", "VI", "AS", "MP", "AE", "AP"])
def test_us_state_valid(state):
    assert run("us_state", state) is None


@pytest.mark.parametrize("state", ["XY", "D.C.", "New York", "ZZ"])
def test_us_state_invalid(state):
    assert run("us_state", state).code == "INVALID_US_STATE"


@pytest.mark.parametrize("zip_code", ["20500", "94105-1420", "00901"])
def test_zip_valid(zip_code):
    assert run("us_zip", zip_code) is None


@pytest.mark.parametrize("zip_code", ["2050", "205000", "20500-12", "20500 1234", "ABCDE"])
def test_zip_invalid(zip_code):
    assert run("us_zip", zip_code).code == "INVALID_ZIP_CODE"


def test_hts_min_digits():
    assert run("hts", "610910", min_digits=6) is None
    assert run("hts", "6109", min_digits=6).code == "HTS_NUMBER_TOO_SHORT"
    assert run("hts", "61091", min_digits=4).code == "INVALID_HTS_NUMBER"


def test_hts_ten_digits_says_why():
    message = "10-digit HTSUS numbers are required from 2026-07-24 (91 FR 37801)"
    problem = run("hts", "610910", digits=10, message=message)
    assert problem.code == "HTS_NUMBER_TOO_SHORT" and "2026-07-24" in problem.message
    assert run("hts", "6109100012", digits=10) is None


def test_quantity_weight_amount():
    assert run("quantity", 1) is None
    assert run("quantity", 0).code == "INVALID_QUANTITY"
    assert run("positive", Decimal("0.001")) is None
    assert run("positive", Decimal("0")).code == "INVALID_WEIGHT"
    assert run("money", {"amount": Decimal("0"), "currency": "USD"}) is None
    assert run("money", {"amount": Decimal("-1"), "currency": "USD"}).code == "INVALID_AMOUNT"
    assert run("money", {"amount": Decimal("1"), "currency": None}).code == "MISSING_CURRENCY"


def test_category_other_needs_explanation():
    record = new_record()
    assert run("category", "other", record).code == "MISSING_CATEGORY_EXPLANATION"
    record["category_explanation"] = "Repair of a watch"
    assert run("category", "other", record) is None


@pytest.mark.parametrize("text", ["cotton T-shirt", "Men's cotton T-shirt", "Leather shoes",
                                  "Plastic building bricks set", "Green tea leaves, 100 g tin",
                                  "Silicone phone case", "Wool knitted scarf"])
def test_description_precise(text):
    assert vague_description(text, documents_item=False) is None


@pytest.mark.parametrize(("text", "reason"), [
    ("gift", "stands alone"), ("Gift.", "stands alone"), ("  GIFTS ", "stands alone"),
    ("various gifts", "every word"), ("parts and accessories", "every word"),
    ("1234", "only digits"), ("XXX", "repeated"), ("---", "punctuation"),
    ("#$%", "punctuation"), ("12-34 #5", "special characters"), (".pdf", "file extension"),
    ("spare parts", "stands alone"), ("Clothing", "stands alone"), ("", "punctuation"),
])
def test_description_vague(text, reason):
    verdict = vague_description(text, documents_item=False)
    assert verdict is not None and reason in verdict.reason


def test_description_names_the_authorities():
    verdict = vague_description("parts", documents_item=False)
    assert "US CBP" in verdict.reason and "EU ICS2" in verdict.reason


def test_documents_is_right_for_a_documents_item():
    assert vague_description("Documents", documents_item=True) is None
    assert vague_description("Documents", documents_item=False) is not None


def test_description_too_long():
    assert run("description", "cotton shirt " * 50, max_chars=512).code == "DESCRIPTION_TOO_LONG"


@pytest.mark.parametrize("name", ["N/A", "unknown", "Private", "-", "???"])
def test_party_name_placeholder(name):
    assert vague_party_name(name) is not None


@pytest.mark.parametrize("name", ["Jane Example", "Li Wei", "O'Brien & Sons Ltd"])
def test_party_name_real(name):
    assert vague_party_name(name) is None


def _record_with_lines(*lines):
    record = new_record()
    for n, (amount, currency, net) in enumerate(lines, start=1):
        line = new_line(n)
        line["value"] = {"amount": Decimal(amount), "currency": currency}
        line["net_weight_kg"] = Decimal(net)
        record["line_items"].append(line)
    return record


def test_declared_value_matches_lines():
    record = _record_with_lines(("10.00", "GBP", "0.1"), ("15.00", "GBP", "0.2"))
    check = CHECKS["declared_value_matches_lines"]
    assert check({"amount": Decimal("25.00"), "currency": "GBP"}, record, {}) is None
    assert check({"amount": Decimal("25.02"), "currency": "GBP"}, record, {}) is None
    problem = check({"amount": Decimal("30.00"), "currency": "GBP"}, record, {})
    assert problem.code == "DECLARED_VALUE_MISMATCH"


def test_mixed_currencies():
    record = _record_with_lines(("10.00", "EUR", "0.1"))
    problem = CHECKS["one_currency"]({"amount": Decimal("10"), "currency": "GBP"}, record, {})
    assert problem.code == "MIXED_CURRENCIES"


def test_gross_below_net():
    record = _record_with_lines(("1", "GBP", "0.300"), ("1", "GBP", "0.200"))
    assert CHECKS["gross_not_below_net"](Decimal("0.500"), record, {}) is None
    assert CHECKS["gross_not_below_net"](Decimal("0.499"), record, {}).code == (
        "GROSS_BELOW_NET_WEIGHT")


def test_letter_post_over_2kg():
    record = new_record()
    record["mail_class"] = "letter_post"
    assert CHECKS["letter_post_weight"](Decimal("2.000"), record, {}) is None
    assert CHECKS["letter_post_weight"](Decimal("2.001"), record, {}).code == (
        "LETTER_POST_OVER_WEIGHT")
    record["mail_class"] = "parcel"
    assert CHECKS["letter_post_weight"](Decimal("5"), record, {}) is None


def test_documents_declaring_goods():
    record = _record_with_lines(("12.00", "GBP", "0.1"))
    assert CHECKS["documents_without_goods"]("documents", record, {}).code == (
        "DOCUMENTS_WITH_GOODS")
    record = _record_with_lines(("0.00", "GBP", "0.1"))
    assert CHECKS["documents_without_goods"]("documents", record, {}) is None


def test_consignee_outside_destination():
    check = CHECKS["destination_country"]
    assert check("US", new_record(), {"countries": ["US", "PR"]}) is None
    assert check("CA", new_record(), {"countries": ["US", "PR"]}).code == (
        "CONSIGNEE_OUTSIDE_DESTINATION")


def test_ioss():
    assert run("ioss", "IM1234567890") is None
    assert run("ioss", "IM12345").code == "INVALID_IOSS_NUMBER"
    assert run("ioss", "DE123456789") is None  # a VAT number, not an IOSS number


@pytest.mark.parametrize(("posted", "message", "late"), [
    ("2026-11-19T08:00:00+00:00", "2026-11-20T10:15:00+00:00", False),
    ("2026-11-20T09:00:00+00:00", "2026-11-20T10:15:00+00:00", False),
    ("2026-11-20T11:00:00+00:00", "2026-11-20T10:15:00+00:00", True),
    ("2026-11-21T01:00:00+09:00", "2026-11-20T17:00:00+00:00", False),  # 16:00 UTC
    ("2026-11-21", "2026-11-20T10:15:00+00:00", True),
    ("2026-11-20T23:00:00", "2026-11-20", False),  # no time zone: by calendar date
    ("2026-11-22T08:00:00+00:00", None, False),  # no message date: nothing to compare
])
def test_posted_not_after_message(posted, message, late):
    from postconv.check.checks import MESSAGE_CHECKS

    problem = MESSAGE_CHECKS["not_after_message"](posted, new_record(), {}, message)
    assert (problem is not None) == late
    if late:
        assert problem.code == "POSTED_AFTER_MESSAGE" and posted[:10] in problem.message
