"""The streaming EDIFACT reader: service strings, escapes, charsets, counts, line breaks."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import records, run
from edifact_fixtures import MESSAGE, interchange
from postconv.dialects import resolve_dialect
from postconv.errors import InputUnusable
from postconv.read import edifact
from postconv.read.edifact import (
    EdifactLayout,
    Service,
    parse_segment,
    read_interchange,
    segment_texts,
)


def convert(tmp_path, text, encoding="latin-1", *args):
    path = tmp_path / "in.edi"
    path.write_bytes(text.encode(encoding))
    return run("convert", str(path), "-q", *args)


def test_reference_item(tmp_path):
    result = convert(tmp_path, interchange())
    assert result.returncode == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["tracking_number"] == "RR473124829GB"
    assert record["shipper"]["phone"] == "+44 20 7946 0000"
    assert record["consignee"]["email"] == "john@example.org"
    assert record["shipper"]["email"] is None
    assert record["line_items"][0]["description"] == "Men's cotton T-shirt"
    assert record["line_items"][0]["hts_number"] == "6109100012"
    assert record["source"]["message_id"] == "GBA-1" and record["origin_post"] == "GBA"
    assert record["compliance"]["status"] == "complete", record["compliance"]["findings"]


@pytest.mark.parametrize(("message_date", "flagged"), [
    ("202611191700", False), ("202611191640", False), ("202611181200", True)])
def test_posting_after_the_message_date_is_flagged(tmp_path, message_date, flagged):
    segments = [*MESSAGE[:2], f"DTM+137:{message_date}:203", *MESSAGE[2:]]
    (record,) = records(convert(tmp_path, interchange(segments)).stdout)
    codes = [f["code"] for f in record["compliance"]["findings"]]
    assert ("POSTED_AFTER_MESSAGE" in codes) is flagged, codes
    assert "message_date" not in record


def test_escapes():
    service = Service(":", "+", ".", "?", "'")
    tag, elements = parse_segment("FTX+AAA+++a?'b?+c?:d??e:x", service)
    assert tag == "FTX" and elements[3] == ["a'b+c:d?e", "x"]


def test_custom_una(tmp_path):
    text = interchange().replace("UNA:+.? '", "")
    text = text.replace("?+", "\x01").replace("?'", "\x02")  # released in the default syntax
    text = text.replace("'\n", "~\n").replace("+", "*").replace(":", "|")
    text = "UNA|*.# ~" + text.replace("\x01", "+").replace("\x02", "'").replace(
        "T-shirt", "T#~shirt")
    (record,) = records(convert(tmp_path, text).stdout)
    assert record["line_items"][0]["description"] == "Men's cotton T~shirt"
    assert record["shipper"]["phone"] == "+44 20 7946 0000"


def test_una_with_no_release_character(tmp_path):
    # a space in the release position of UNA: no character is released, "?" is data
    segments = [s.replace("COM+?+44", "COM+0044").replace("Men?'s cotton T-shirt",
                                                          "Cotton? Yes T-shirt")
                for s in MESSAGE]
    text = interchange(segments, una="UNA:+.  '")
    (record,) = records(convert(tmp_path, text).stdout)
    assert record["line_items"][0]["description"] == "Cotton? Yes T-shirt"
    assert record["consignee"]["address_lines"] == ["1600 Example Ave NW"]
    assert record["shipper"]["phone"] == "0044 20 7946 0000"


def test_without_una_defaults_apply(tmp_path):
    (record,) = records(convert(tmp_path, interchange(una=None)).stdout)
    assert record["tracking_number"] == "RR473124829GB"


@pytest.mark.parametrize(("charset", "encoding", "name"), [
    ("UNOA", "ascii", "JANE EXAMPLE"), ("UNOB", "ascii", "Jane Example"),
    ("UNOC", "latin-1", "Jürgen Müller"), ("UNOW", "utf-8", "Łukasz Żółw"),
    ("UNOY", "utf-8", "李伟"),
])
def test_charsets(tmp_path, charset, encoding, name):
    segments = [s.replace("Jane Example", name) for s in MESSAGE]
    (record,) = records(convert(tmp_path, interchange(segments, charset), encoding).stdout)
    assert record["shipper"]["name"] == name


def test_bytes_outside_the_charset_exit_65(tmp_path):
    segments = [s.replace("Jane Example", "Jürgen") for s in MESSAGE]
    result = convert(tmp_path, interchange(segments, "UNOA"), "latin-1")
    assert result.returncode == 65 and b"character set" in result.stderr


@pytest.mark.parametrize("separator", ["", "\n", "\r\n"])
def test_segment_terminators_with_or_without_newlines(tmp_path, separator):
    out = records(convert(tmp_path, interchange(separator=separator)).stdout)
    assert len(out) == 1 and out[0]["line_items"][0]["quantity"] == 2


def test_segments_split_across_lines(tmp_path):
    text = interchange(separator="")
    wrapped = "\n".join(text[i:i + 70] for i in range(0, len(text), 70))
    (record,) = records(convert(tmp_path, wrapped).stdout)
    assert record["consignee"]["address_lines"] == ["1600 Example Ave NW"]


def test_several_messages_and_items(tmp_path):
    second = [s.replace("RR473124829GB", "EE123456785US") for s in MESSAGE[2:]]
    segments = [*MESSAGE, "CNI+2+X", *second[1:]]
    segments[len(MESSAGE)] = "CNI+2+EE123456785US"
    out = records(convert(tmp_path, interchange(segments, messages=2, unz="2")).stdout)
    assert [r["tracking_number"] for r in out] == ["RR473124829GB", "EE123456785US"] * 2
    assert [r["source"]["item_index"] for r in out] == [0, 1, 2, 3]


def test_truncated_interchange_keeps_items_and_reports(tmp_path):
    text = interchange(unz=None)
    text = text[: text.index("UNT")]
    result = convert(tmp_path, text, "latin-1", "--fail-on", "error")
    assert len(records(result.stdout)) == 1
    assert b"EDIFACT_INTERCHANGE_TRUNCATED" in result.stderr
    assert result.returncode == 1


def test_count_mismatch_is_reported(tmp_path, cli):
    result = convert(tmp_path, interchange(unt="99", unz="3"), "latin-1")
    assert result.returncode == 0 and len(records(result.stdout)) == 1
    assert b"EDIFACT_SEGMENT_COUNT_MISMATCH" in result.stderr
    assert b"EDIFACT_MESSAGE_COUNT_MISMATCH" in result.stderr
    summary = tmp_path / "s.json"
    cli("convert", str(tmp_path / "in.edi"), "-o", "/dev/null", "--summary-json", str(summary))
    import json

    codes = [f["code"] for f in json.loads(summary.read_text())["inputs"][0]["input_findings"]]
    assert "EDIFACT_SEGMENT_COUNT_MISMATCH" in codes


def test_ends_inside_a_segment(tmp_path):
    text = interchange()
    result = convert(tmp_path, text[: text.index("PIA") + 5])
    assert result.returncode == 65 and b"truncated" in result.stderr
    assert records(result.stdout) == []  # like XML: the item broken off is not a record


def test_unknown_syntax_identifier(tmp_path):
    result = convert(tmp_path, interchange(charset="UNOX"))
    assert result.returncode == 65 and b"syntax identifier" in result.stderr


# --- the reader's pieces against a plain character-by-character reading of ISO 9735 ---

SERVICE = Service(":", "+", ".", "?", "'")
HEAD = b"UNA:+.? 'UNB+UNOC:3"


def reference_segments(text, service=SERVICE):
    """Segment texts as ISO 9735 reads them: a release character keeps the next character
    from being a terminator; line breaks are not data; blanks around a segment are dropped."""
    text = text.replace("\r", "").replace("\n", "")
    segments, current, released = [], [], False
    for char in text:
        if released:
            current.append(char)
            released = False
        elif char == service.release:
            current.append(char)
            released = True
        elif char == service.terminator:
            segments.append("".join(current).strip(" \t"))
            current = []
        else:
            current.append(char)
    return [s for s in segments if s], "".join(current).strip()


def reference_split(text, separator, release="?"):
    """Split where a separator is not released, releases kept (as the reader's splits)."""
    parts, current, released = [], [], False
    for char in text:
        if not released and char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        released = not released and char == release
    return [*parts, "".join(current)]


def read_all(text, chunk, monkeypatch):
    monkeypatch.setattr(edifact, "CHUNK", chunk)
    stream = io.BytesIO(text.encode("latin-1"))
    return [body for texts, _ in segment_texts(stream, HEAD) for body in texts]


TEXT = st.text(alphabet="AB+:?' \n\t", max_size=80)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.sampled_from([1, 2, 3, 7, 64, 1 << 16]))
def test_segment_texts_match_the_reference_at_any_block_size(body, chunk):
    text = "UNA:+.? '" + body
    expected, rest = reference_segments(body)
    with pytest.MonkeyPatch.context() as monkeypatch:
        if rest:
            with pytest.raises(InputUnusable, match="truncated"):
                read_all(text, chunk, monkeypatch)
        else:
            assert read_all(text, chunk, monkeypatch) == expected


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="AB+:? ", max_size=40))
def test_parse_segment_matches_the_reference(text):
    tag, elements = parse_segment("FTX+" + text, SERVICE)
    expected = [[unescape_reference(c) for c in reference_split(e, ":")]
                for e in reference_split(text, "+")]
    assert (tag, elements) == ("FTX", expected)


def unescape_reference(text, release="?"):
    out, released = [], False
    for char in text:
        if released or char != release:
            out.append(char)
            released = False
        else:
            released = True
    return "".join(out)


def test_a_segment_of_many_released_terminators_over_many_blocks(monkeypatch):
    body = "FTX+AAA+++" + "?'" * 5000 + "??"
    segments = read_all("UNA:+.? '" + body + "'UNT+2+1'", 64, monkeypatch)
    assert segments == [body, "UNT+2+1"]
    assert parse_segment(body, SERVICE)[1][3] == ["'" * 5000 + "?"]


def test_released_terminator_at_a_block_boundary(monkeypatch):
    text = "UNA:+.? 'FTX+AAA+++a??'FTX+AAA+++b?'c'"
    for chunk in range(1, len(text) + 1):
        assert read_all(text, chunk, monkeypatch) == ["FTX+AAA+++a??", "FTX+AAA+++b?'c"]


CUSITM = resolve_dialect("cusitm")
FULL = EdifactLayout.from_dialect(CUSITM)
TRACKING = EdifactLayout.from_dialect(CUSITM.only({"tracking_number"}))
PIECES = st.sampled_from([
    "FTX+AAA+++a?'b", "COM+?+1 2:TE", "NAD+CZ+++A:B+L1:L2+C++P+GB", "MOA+39:1.5:GBP",
    "MOA+39", "GID+1+2", "GID+2", "PIA+5+123:HS", "FTX+AAA+++x??", "LOC+27+??", "NAD+CN",
    "COM+e@x:EM", "XYZ+1", "DTM+200:202611010800:203", "MEA+WT+AAD+KGM:0.5", "TSR+C:A"])


def items_of(text, layout=FULL, vary=None, chunk=1 << 16):
    """What the reader makes of ``text`` (items as tuples, problems), read in blocks of
    ``chunk`` characters."""
    data = text.encode("latin-1")
    problems = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(edifact, "CHUNK", chunk)
        items = list(read_interchange(io.BytesIO(data), layout, data[:4096], problems.append,
                                      vary))
    return [(i.values, i.lines, i.index, i.line, i.header) for i in items], problems


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(PIECES, max_size=8), min_size=1, max_size=6),
       st.sampled_from([5, 64, 1 << 16]), st.sampled_from(["", "\n", "\r\n"]),
       st.sampled_from([1, 2]))
def test_items_do_not_depend_on_blocks_and_skimmed_items_keep_what_is_needed(
        items, chunk, separator, messages):
    segments = [*MESSAGE[:2], "DTM+137:202611201015:203"]
    for n, extra in enumerate(items):
        segments += [f"CNI+{n + 1}+RR{n:09d}GB", *extra]
    text = interchange(segments, separator=separator, messages=messages, unz=str(messages))
    full, problems = items_of(text)
    assert (full, problems) == items_of(text, chunk=chunk)
    skimmed, skim_problems = items_of(text, vary=lambda i: FULL if i % 2 == 0 else TRACKING,
                                      chunk=chunk)
    assert skim_problems == problems
    assert len(skimmed) == len(full) == len(items) * messages
    assert all(header["DTM+137/1.2"] == ["202611201015"] for *_, header in skimmed)
    for (values, lines, *where), (fvalues, flines, *fwhere) in zip(skimmed, full,
                                                                    strict=True):
        assert where == fwhere
        if where[0] % 2 == 0:
            assert (values, lines) == (fvalues, flines)
        else:
            assert values == {"CNI/2": fvalues["CNI/2"]}


def test_skimming_finds_a_tag_of_another_length():
    layout = EdifactLayout(item="ITEM", line=None, wanted={"ITEM": [(2, None, "ITEM/2")],
                                                           "XY": [(1, None, "XY/1")]})
    light = EdifactLayout(item="ITEM", line=None, wanted={"ITEM": [(2, None, "ITEM/2")]},
                          item_tags=frozenset({"ITEM"}))
    text = interchange(["UNH+1+X", "ITEM+1+A", "XY+a", "ITEM+2+B", "XY+b"])
    full, _ = items_of(text, layout)
    skimmed, _ = items_of(text, layout, vary=lambda i: layout if i == 1 else light)
    assert [values for values, *_ in full] == [{"ITEM/2": ["A"], "XY/1": ["a"]},
                                              {"ITEM/2": ["B"], "XY/1": ["b"]}]
    assert [values for values, *_ in skimmed] == [{"ITEM/2": ["A"]}, full[1][0]]
