"""-f parquet and gzip outputs: read back with pyarrow, a Parquet record equals its JSON
Lines record for every sample and dialect; the schema comes from the field table."""

from __future__ import annotations

import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ITEM, SAMPLE_INPUTS, itmatt, records, run
from postconv.record import DECIMAL_SCALE, RECORD
from postconv.write import parquet
from postconv.write.parquet import arrow_schema, record_of


def json_records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line, parse_float=Decimal) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("sample", SAMPLE_INPUTS, ids=lambda p: p.name)
def test_parquet_record_equals_the_json_lines_record(tmp_path: Path, sample: Path) -> None:
    """Every sample (each its own dialect, XML and EDIFACT): same values, same nulls."""
    args = ("convert", str(sample), "-q", "--as-of", "2026-11-27")
    assert run(*args, "-o", str(tmp_path / "r.parquet")).returncode == 0
    assert run(*args, "-o", str(tmp_path / "r.jsonl")).returncode == 0
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.schema.equals(arrow_schema())
    back = [record_of(row) for row in table.to_pylist()]
    expected = json_records(tmp_path / "r.jsonl")
    assert len(back) == len(expected) > 0
    for got, want in zip(back, expected, strict=True):
        assert got == want
        assert list(got) == list(want)  # the record's order of fields too


def test_schema_is_derived_from_the_field_table() -> None:
    schema = arrow_schema()
    names = [f.name for f in RECORD]
    assert [n for n in schema.names if not n.startswith("posted_at_")] == names
    decimal = pa.decimal128(38, DECIMAL_SCALE)
    assert schema.field("gross_weight_kg").type == decimal
    assert schema.field("declared_value").type == pa.struct(
        [("amount", decimal), ("currency", pa.string())])
    lines = schema.field("line_items").type
    assert pa.types.is_list(lines) and lines.value_type.field("value").type.field(
        "amount").type == decimal
    findings = schema.field("compliance").type.field("findings").type
    assert pa.types.is_list(findings) and findings.value_type.field("line").type == pa.int64()
    assert schema.field("compliance").type.field("as_of").type == pa.date32()
    assert schema.field("posted_at_utc").type == pa.timestamp("us", tz="UTC")
    assert schema.field("posted_at_date").type == pa.date32()


def test_schema_command_prints_it() -> None:
    done = run("schema", "--parquet")
    assert done.returncode == 0
    text = done.stdout.decode()
    assert "line_items: list<struct> not null\n  line_number: int64\n" in text
    assert "    amount: decimal128(38, 10)\n" in text
    assert text == parquet.schema_text()


def test_nulls_dates_and_decimals_are_typed(tmp_path: Path) -> None:
    item = (ITEM.replace("<TotalValue currency=\"GBP\">20.00</TotalValue>", "")
            .replace("2026-11-19T16:40:00+00:00", "2026-11-19T23:40:00-05:00"))
    (tmp_path / "in.xml").write_text(itmatt(item))
    assert run("convert", str(tmp_path / "in.xml"), "-o", str(tmp_path / "r.parquet"),
               "--as-of", "2026-11-27").returncode == 0
    (row,) = pq.read_table(tmp_path / "r.parquet").to_pylist()
    assert row["declared_value"] is None  # a null struct, not a struct of nulls
    assert row["dispatch"] is None
    assert row["gross_weight_kg"] == Decimal("0.450")
    assert row["posted_at"] == "2026-11-19T23:40:00-05:00"
    assert row["posted_at_date"].isoformat() == "2026-11-19"  # the local day
    assert row["posted_at_utc"].isoformat() == "2026-11-20T04:40:00+00:00"
    assert row["compliance"]["as_of"].isoformat() == "2026-11-27"


def test_a_decimal_the_column_cannot_hold_is_refused_when_read_never_rounded(
        tmp_path: Path) -> None:
    """More than 10 decimal places: the value is null with an INVALID_DECIMAL finding in
    every format, so Parquet and JSON agree; it is never rounded to fit."""
    (tmp_path / "in.xml").write_text(itmatt(ITEM.replace("<GrossWeight>0.450<",
                                                         "<GrossWeight>0.45000000001<")))
    out = run("convert", str(tmp_path / "in.xml"), "-q").stdout
    (record,) = records(out)
    assert record["gross_weight_kg"] is None
    (finding,) = [f for f in record["compliance"]["findings"]
                  if f["field"] == "gross_weight_kg"]
    assert finding["code"] == "INVALID_DECIMAL" and finding["value"] == "0.45000000001"
    assert "more than 10 decimal places" in finding["message"]
    assert run("convert", str(tmp_path / "in.xml"), "-o",
               str(tmp_path / "r.parquet")).returncode == 0
    assert pq.read_table(tmp_path / "r.parquet").to_pylist()[0]["gross_weight_kg"] is None


@pytest.fixture
def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parquet, "ROW_GROUP", 13)
    monkeypatch.setattr(parquet, "_BATCH", 5)


def test_row_groups_as_records_stream(tmp_path: Path, small_groups: None) -> None:
    from postconv.pipeline import Converter
    from postconv.write import make_writer

    out = io.BytesIO()
    writer = make_writer("parquet", out)
    for sample in SAMPLE_INPUTS:
        for record in Converter().records(str(sample)):
            writer.write(record)
    writer.close()
    meta = pq.ParquetFile(io.BytesIO(out.getvalue())).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sum(sizes) == 113 and set(sizes[:-1]) == {13}


def test_bodies_join_into_the_same_bytes(tmp_path: Path, small_groups: None) -> None:
    """Bodies (Arrow IPC) appended give the file one process writes."""
    from postconv.pipeline import Converter
    from postconv.write import make_writer, output_format

    recs = [r for s in SAMPLE_INPUTS for r in Converter(as_of="2026-11-27").records(str(s))]
    whole = io.BytesIO()
    writer = make_writer("parquet", whole)
    for record in recs:
        writer.write(record)
    writer.close()
    joined = io.BytesIO()
    main = make_writer("parquet", joined)
    for start in range(0, len(recs), 17):  # bodies of 17 rows, row groups of 13
        part = io.BytesIO()
        body = output_format("parquet").body(part)
        for record in recs[start:start + 17]:
            body.write(record)
        body.close()
        main.append_body(io.BytesIO(part.getvalue()), 17)
    main.close()
    assert joined.getvalue() == whole.getvalue()


def test_jobs_two_gives_the_same_parquet_file(tmp_path: Path) -> None:
    args = ["convert", *map(str, SAMPLE_INPUTS), "-q", "--as-of", "2026-11-27"]
    assert run(*args, "--jobs", "1", "-o", str(tmp_path / "one.parquet")).returncode == 0
    assert run(*args, "--jobs", "2", "-o", str(tmp_path / "two.parquet")).returncode == 0
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "two.parquet").read_bytes()


@pytest.mark.parametrize("name", ["r.jsonl.gz", "r.csv.gz", "r.json.gz", "r.ndjson.gz"])
def test_gzip_outputs(tmp_path: Path, name: str) -> None:
    plain_name = name.removesuffix(".gz")
    args = ("convert", *map(str, SAMPLE_INPUTS), "-q", "--as-of", "2026-11-27")
    assert run(*args, "-o", str(tmp_path / plain_name)).returncode == 0
    assert run(*args, "-o", str(tmp_path / name), "--jobs", "2").returncode == 0
    packed = (tmp_path / name).read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed) == (tmp_path / plain_name).read_bytes()
    # the same records give the same bytes (no name, no time in the gzip header)
    assert run(*args, "-o", str(tmp_path / "again.gz"), "-f",
               {"r.csv.gz": "csv", "r.json.gz": "json"}.get(name, "jsonl")).returncode == 0
    assert (tmp_path / "again.gz").read_bytes() == packed


@pytest.mark.parametrize(("args", "message"), [
    (("-o", "r.parquet.gz"), "parquet compresses inside; drop the .gz"),
    (("-o", "r.csv.gz", "-f", "jsonl"), "-f jsonl contradicts the output's name"),
    (("-o", "r.parquet", "-f", "csv"), "-f csv contradicts the output's name"),
])
def test_format_and_name_must_agree(tmp_path: Path, args: tuple[str, ...],
                                    message: str) -> None:
    done = run("convert", str(SAMPLE_INPUTS[0]), *args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr.decode()
    assert list(tmp_path.iterdir()) == []


def test_a_failed_parquet_run_leaves_nothing_and_says_nothing_more(tmp_path: Path) -> None:
    (tmp_path / "bad.xml").write_text(itmatt(ITEM)[:-40])
    done = run("convert", str(tmp_path / "bad.xml"), "-o", str(tmp_path / "r.parquet"))
    assert done.returncode == 65
    assert b"Exception ignored" not in done.stderr
    assert len(done.stderr.decode().strip().splitlines()) == 2  # the error, the summary
