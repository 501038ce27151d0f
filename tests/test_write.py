"""Writers: JSON Lines, streamed JSON array, CSV with its fixed header and formula guard."""

import csv
import io
import json
from decimal import Decimal

from conftest import ITEM, SAMPLES, itmatt, records
from postconv.write.csv import HEADER
from postconv.write.jsonl import dumps


def test_decimals_are_exact_in_json():
    text = dumps({"a": Decimal("0.450"), "b": Decimal("25.00"), "c": Decimal("1E+2")})
    assert text == b'{"a":0.450,"b":25.00,"c":1E+2}'
    assert json.loads(text, parse_float=Decimal)["a"] == Decimal("0.450")


def test_jsonl_is_utf8_without_bom_and_lf(cli):
    result = cli("convert", str(SAMPLES / "dea-20261121.xml"), "-q")
    raw = result.stdout_bytes
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    assert raw.endswith(b"\n") and len(raw.splitlines()) == 30
    assert "Müller".encode() in raw or "Schäfer".encode() in raw
    assert b'"net_weight_kg":0.' in raw


def test_json_array(cli):
    out = cli("convert", str(SAMPLES / "gba-20261120.xml"), "-f", "json", "-q").stdout
    array = json.loads(out)
    assert isinstance(array, list) and len(array) == 12
    assert array == records(cli("convert", str(SAMPLES / "gba-20261120.xml"), "-q").stdout)


def test_json_array_empty(cli, tmp_path):
    path = tmp_path / "empty.xml"
    path.write_text(itmatt())
    assert cli("convert", str(path), "-f", "json", "-q").stdout == "[]\n"


def test_csv_header_rows_and_values(cli):
    out = cli("convert", str(SAMPLES / "gba-20261120.xml"), "-f", "csv", "-q").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == HEADER
    text = cli("convert", str(SAMPLES / "gba-20261120.xml"), "-q").stdout
    jsonl = [json.loads(line, parse_float=Decimal) for line in text.splitlines()]
    assert len(rows) - 1 == sum(max(1, len(r["line_items"])) for r in jsonl)
    by_name = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    expected = [(r, line) for r in jsonl for line in (r["line_items"] or [None])]
    for row, (record, line) in zip(by_name, expected, strict=True):
        assert row["tracking_number"] == (record["tracking_number"] or "")
        assert row["gross_weight_kg"] == ("" if record["gross_weight_kg"] is None
                                          else str(record["gross_weight_kg"]))
        assert row["status"] == record["compliance"]["status"]
        if line is not None:
            assert row["line_number"] == str(line["line_number"])
            assert row["description"] == (line["description"] or "")
            assert row["hts_number"] == (line["hts_number"] or "")


def test_csv_decimals_keep_digits(cli, tmp_path):
    path = tmp_path / "in.xml"
    path.write_text(itmatt(ITEM))
    rows = list(csv.DictReader(io.StringIO(cli("convert", str(path), "-f", "csv",
                                               "-q").stdout)))
    assert rows[0]["gross_weight_kg"] == "0.450" and rows[0]["value"] == "20.00"


def test_csv_guards_formula_injection(cli, tmp_path):
    item = ITEM.replace("Men's cotton T-shirt", "=HYPERLINK(&quot;http://x&quot;)").replace(
        "Jane Example", "@SUM(A1)").replace("10 High Street", "+1 Main St")
    path = tmp_path / "in.xml"
    path.write_text(itmatt(item))
    rows = list(csv.DictReader(io.StringIO(cli("convert", str(path), "-f", "csv",
                                               "-q").stdout)))
    assert rows[0]["description"].startswith("'=HYPERLINK")
    assert rows[0]["shipper_name"] == "'@SUM(A1)"
    assert rows[0]["shipper_address"] == "'+1 Main St"


def test_csv_header_is_documented_in_readme():
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert ",".join(HEADER) in readme


def test_the_format_registry_is_the_one_table_everything_comes_from():
    from postconv.cli import Format
    from postconv.write.base import EXTENSIONS, FORMAT_OF_SUFFIX, FORMATS, format_for

    assert [f.value for f in Format] == list(FORMATS)  # the -f choices
    for name, spec in FORMATS.items():
        assert EXTENSIONS[name] == spec.extensions[0]
        for ending in spec.extensions:
            assert FORMAT_OF_SUFFIX[ending] == name
            assert format_for(f"out{ending}", None) == name
        writer = spec.make(__import__("io").BytesIO())
        assert callable(writer.write) and callable(writer.close)


def test_every_format_joins_bodies_into_the_bytes_of_one_document():
    """What parallel workers rely on: a document that appends bodies (records written
    apart, in any cut, empty ones included) is the document written in one go."""
    from conftest import SAMPLE_INPUTS
    from postconv.pipeline import Converter
    from postconv.write import FORMATS, make_writer, output_format

    recs = [r for s in SAMPLE_INPUTS for r in Converter(as_of="2026-11-27").records(str(s))]
    assert len(recs) > 40
    for name in FORMATS:
        whole = io.BytesIO()
        writer = make_writer(name, whole)
        for record in recs:
            writer.write(record)
        writer.close()
        joined = io.BytesIO()
        document = make_writer(name, joined)
        for start, end in ((0, 0), (0, 1), (1, 20), (20, 20), (20, len(recs))):
            part = io.BytesIO()
            body = output_format(name).body(part)
            for record in recs[start:end]:
                body.write(record)
            body.close()
            document.append_body(io.BytesIO(part.getvalue()), end - start)
        document.close()
        assert joined.getvalue() == whole.getvalue(), name
