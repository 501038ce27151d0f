"""The streaming EDIFACT reader: service strings, escapes, charsets, counts, line breaks."""

import pytest

from conftest import records, run
from edifact_fixtures import MESSAGE, interchange
from postconv.read.edifact import Service, parse_segment


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
