from decimal import Decimal

import pytest

from postconv.values import (
    Note,
    Unreadable,
    read_category,
    read_country,
    read_currency,
    read_datetime,
    read_decimal,
    read_hts,
    read_integer,
    read_mail_class,
    read_s10,
)


def collect(reader, raw):
    notes: list[Note] = []
    return reader(raw, notes.append), notes


@pytest.mark.parametrize("raw", ["25.00", "0.450", "+3", ".5", "-1.25", "0"])
def test_decimal_keeps_digits(raw):
    value, notes = collect(read_decimal, raw)
    assert value == Decimal(raw) and not notes
    assert str(value) == str(Decimal(raw))


def test_decimal_keeps_trailing_zeros():
    assert str(read_decimal("0.450", lambda n: None)) == "0.450"


@pytest.mark.parametrize("raw", ["abc", "1e5", "NaN", "Infinity", "1.2.3", "12,500", "1 000",
                                 "9" * 30])
def test_decimal_unreadable(raw):
    with pytest.raises(Unreadable) as caught:
        read_decimal(raw, lambda n: None)
    assert caught.value.code == "INVALID_DECIMAL"


def test_decimal_comma_is_normalised_with_a_note():
    value, notes = collect(read_decimal, "12,50")
    assert value == Decimal("12.50")
    assert [n.code for n in notes] == ["DECIMAL_COMMA_NORMALISED"]


@pytest.mark.parametrize(("raw", "expected"), [("2", 2), ("+7", 7), ("0", 0)])
def test_integer(raw, expected):
    assert read_integer(raw, lambda n: None) == expected


@pytest.mark.parametrize("raw", ["2.5", "two", "-1", "2.0", "1" * 12])
def test_integer_unreadable(raw):
    with pytest.raises(Unreadable):
        read_integer(raw, lambda n: None)


def test_country_uk_becomes_gb_with_info():
    value, notes = collect(read_country, "uk")
    assert value == "GB" and notes[0].code == "COUNTRY_CODE_NORMALISED"
    assert notes[0].severity == "info"


def test_country_unknown():
    with pytest.raises(Unreadable) as caught:
        read_country("XX", lambda n: None)
    assert caught.value.code == "INVALID_COUNTRY_CODE"


def test_currency():
    assert read_currency("gbp", lambda n: None) == "GBP"
    with pytest.raises(Unreadable):
        read_currency("ABC", lambda n: None)


def test_s10_spaces_and_case():
    assert read_s10("rr 473 124 829 gb", lambda n: None) == "RR473124829GB"


@pytest.mark.parametrize(("raw", "expected"), [("6109.10", "610910"), ("6109 10 0012",
                                                                        "6109100012")])
def test_hts_separators(raw, expected):
    assert read_hts(raw, lambda n: None) == expected


def test_hts_letters_unreadable():
    with pytest.raises(Unreadable) as caught:
        read_hts("61O9", lambda n: None)
    assert caught.value.code == "INVALID_HTS_NUMBER"


@pytest.mark.parametrize(("raw", "expected"), [
    ("11", "sale_of_goods"), ("21", "returned_goods"), ("31", "gift"),
    ("32", "commercial_sample"), ("91", "documents"), ("991", "other"),
    ("Sale of goods", "sale_of_goods"), ("GIFT", "gift"), ("Commercial sample",
                                                          "commercial_sample"),
])
def test_category(raw, expected):
    assert read_category(raw, lambda n: None) == expected


def test_category_unknown():
    with pytest.raises(Unreadable):
        read_category("77", lambda n: None)


@pytest.mark.parametrize(("raw", "expected"), [("U", "letter_post"), ("c", "parcel"),
                                               ("E", "ems")])
def test_mail_class(raw, expected):
    assert read_mail_class(raw, lambda n: None) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-11-19T16:40:00+00:00", "2026-11-19T16:40:00+00:00"),
    ("2026-11-19T16:40:00Z", "2026-11-19T16:40:00+00:00"),
    ("2026-11-19", "2026-11-19"),
    ("202611191640", "2026-11-19T16:40:00"),
    ("20261119", "2026-11-19"),
])
def test_datetime(raw, expected):
    assert read_datetime(raw, lambda n: None) == expected


@pytest.mark.parametrize("raw", ["19/11/2026", "2026-13-01", "yesterday"])
def test_datetime_unreadable(raw):
    with pytest.raises(Unreadable) as caught:
        read_datetime(raw, lambda n: None)
    assert caught.value.code == "INVALID_DATE"


@pytest.mark.parametrize(("kind", "texts"), [
    ("decimal", ["0.450", "25", "+3", "-1.5", ".5", "12,50", "abc", "1e5", "٣"]),
    ("integer", ["2", "0", "+7", "²", "٣", "2.0", "1234567890"]),
    ("country", ["gb", "US", "UK", "XX", "gbr"]),
    ("currency", ["gbp", "EUR", "ABC"]),
    ("s10", ["rr473124829gb", "RR 473 124 829 GB", "\uff32\uff32473124829GB", "X" * 5000]),
    ("hts", ["6109100012", "6109.10", "٦١٠٩", "61O9"]),
    ("code", ["dc", "SW1A 1AA", "94105-1420", "a\tb", "Ⅻ"]),
    ("category", ["11", "991", "Gift", "77"]),
    ("mail_class", ["U", "c", "Parcel", "X"]),
    ("mail_category", ["A", "d", "E"]),
    ("datetime", ["2026-11-01T08:00:00+00:00", "2026-11-01T08:00:00Z", "2026-11-01",
                  "20261101", "202611010800", "2026-13-01T00:00:00", "2026-11-01T08:00",
                  "2026-11-01 08:00:00", "٢٠٢٦١١٠١"]),
])
def test_compiled_fast_paths_agree_with_readers(kind, texts):
    """The generated mapping code reads each value exactly as the full reader does."""
    from postconv.dialects.compiler import compile_fields
    from postconv.dialects.engine import FieldSpec
    from postconv.values import READERS, Unreadable

    def slow(path, text, reader, value_map, findings):
        try:
            return reader(text, lambda note: None)
        except Unreadable:
            return None

    spec = FieldSpec("gross_weight_kg", kind, lambda v: None, False, None, ("X",), "path")
    mapped = compile_fields((spec,), line=False, cap=4096, value=slow)
    for text in texts:
        record = mapped({"X": [text]}, [], "", 0)
        assert record["gross_weight_kg"] == slow("", text, READERS[kind], None, []), text
