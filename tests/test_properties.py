"""Property-based robustness: mutated and generated inputs end in records and/or one
documented failure, never a traceback, and every item read is written or rejected."""

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ITEM, SAMPLE_INPUTS, itmatt
from edifact_fixtures import interchange
from postconv import Converter, InputSummary, Limits, PostconvError

SEEDS = {p.name: p.read_bytes() for p in SAMPLE_INPUTS}
LIMITS = Limits(max_input_bytes=1 << 20, max_items=5000)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def convert_bytes(data: bytes) -> tuple[InputSummary, int, int]:
    """(summary, records, exit status) for ``data``, the way the CLI would count them."""
    summary = InputSummary("prop")
    written = 0
    status = 0
    try:
        for _record in Converter(limits=LIMITS).records(io.BytesIO(data), summary):
            written += 1
    except PostconvError as exc:
        status = exc.exit_code
    return summary, written, status


def assert_sound(data: bytes) -> None:
    summary, written, status = convert_bytes(data)
    assert status in (0, 65), status
    assert written == summary.records_written
    assert summary.balanced
    assert not summary.rejected, summary.rejected  # no item hit an internal error


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    assert_sound(data)


@SETTINGS
@given(st.sampled_from(sorted(SEEDS)), st.integers(min_value=0), st.binary(max_size=40),
       st.integers(min_value=0, max_value=60))
def test_mutated_samples(name, position, insert, delete):
    seed = SEEDS[name][:20_000]
    at = position % (len(seed) + 1)
    assert_sound(seed[:at] + insert + seed[at + delete:])


@SETTINGS
@given(st.sampled_from(sorted(SEEDS)), st.integers(min_value=1))
def test_truncated_samples(name, cut):
    seed = SEEDS[name]
    assert_sound(seed[: cut % len(seed)])


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters="\x00"), max_size=30)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["ItemId", "GrossWeight", "MailClass",
                                        "NatureOfTransaction", "Quantity", "NetWeight",
                                        "HSTariffNumber", "OriginCountry", "CountryCode",
                                        "PostCode", "State", "Description", "DateTime"]),
                       _TEXT, max_size=6))
def test_generated_field_values(values):
    """Any text in any field: a record comes out, with findings, never a crash."""
    import re
    from xml.sax.saxutils import escape

    item = ITEM
    for tag, text in values.items():
        clean = "".join(ch for ch in text if ch in "\t\n\r" or ch >= " ")
        replacement = f"<{tag}>{escape(clean)}</{tag}>"
        item = re.sub(rf"<{tag}>[^<]*</{tag}>", lambda _m, r=replacement: r, item, count=1)
    summary, written, status = convert_bytes(itmatt(item).encode())
    assert (status, written, summary.items_read) == (0, 1, 1)


@SETTINGS
@given(st.lists(st.sampled_from(["MOA+39:x:GBP", "GID+1+0", "NAD+CZ", "CNI+9+", "?", "'",
                                 "UNT+1+1", "UNH+2+CUSITM", "FTX+AAA+++?'", "MEA+WT+AAD+KGM",
                                 "DTM+200:99999999:203", "LOC+27+??"]), max_size=12),
       st.sampled_from(["UNOA", "UNOC", "UNOY"]))
def test_generated_edifact(extra, charset):
    text = interchange(charset=charset, extra=extra)
    assert_sound(text.encode("latin-1" if charset == "UNOC" else "utf-8", errors="ignore"))
