"""Dialect files: built-ins, detection, user dialects, invalid files, cross-format equality."""

import gzip
import io
import re

import pytest
from itmatt_gen import generate, write_cusitm, write_itmatt, write_wrapped

from conftest import ITEM, SAMPLES, itmatt, records, run
from postconv.dialects import builtin_dialects, detect_dialect

EXPECTED = {
    "cds-20261126-decdata.xml": "cds-decdata", "cna-20261123.xml": "itmatt",
    "dea-20261121.xml": "itmatt", "gba-20261120.xml": "itmatt", "gba-20261124.edi": "cusitm",
    "jpa-20261122.xml": "itmatt", "nla-20261125-postnl.xml": "postnl-item",
}


def test_builtins(cli):
    assert set(builtin_dialects()) == {"itmatt", "postnl-item", "cds-decdata", "cusitm"}
    out = cli("dialects").stdout
    for name, dialect in builtin_dialects().items():
        assert name in out and str(dialect.path) in out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detection_on_every_sample_file_stdin_and_gzip(name):
    data = (SAMPLES / name).read_bytes()
    assert detect_dialect(data[:65536]).name == EXPECTED[name]
    for payload in (data, gzip.compress(data)):
        result = run("convert", "-", "-q", input=payload)
        assert result.returncode == 0, result.stderr
        assert {r["source"]["format"] for r in records(result.stdout)} == {EXPECTED[name]}


def test_unknown_format_exit_65_lists_dialects(tmp_path, cli):
    path = tmp_path / "other.xml"
    path.write_text("<Invoice><Line/></Invoice>")
    result = cli("convert", str(path))
    assert result.exit_code == 65
    for name in builtin_dialects():
        assert name in result.stderr
    assert "--dialect" in result.stderr and "dialect file" in result.stderr


def test_dialect_override(cli):
    result = cli("convert", str(SAMPLES / "gba-20261120.xml"), "--dialect", "postnl-item", "-q")
    out = records(result.stdout)
    assert len(out) == 12 and out[0]["source"]["format"] == "postnl-item"


USER_DIALECT = """
[dialect]
name = "acme-parcels"
title = "ACME Post parcel export"

[detect]
root = ["Parcels"]

[items]
element = "Parcel"

[items.fields]
tracking_number = "@code"
gross_weight_kg = "Weight"
category = { path = "Kind", map = "kind" }
"declared_value.amount" = "Total"
"declared_value.currency" = "Total/@cur"
"consignee.name" = "To/Name"
"consignee.address_lines" = { join = ["To/Street", "To/No"] }
"consignee.city" = "To/City"
"shipper.address_lines" = { paths = ["From/Line1", "From/Line2"] }

[lines]
element = "Article"

[lines.fields]
description = "Text"
quantity = "@qty"
"value.amount" = "Price"
"value.currency" = "Price/@cur"

[maps.kind]
merchandise = "sale_of_goods"
present = "gift"
"""

USER_XML = """<Parcels>
  <Parcel code="rr 473 124 829 gb"><Weight>1.250</Weight><Kind>Present</Kind>
    <Total cur="eur">12.00</Total>
    <To><Name>Ann</Name><Street>Main St</Street><No>5</No><City>Boston</City></To>
    <From><Line1>1 Rue X</Line1><Line2>Bât. B</Line2></From>
    <Article qty="3"><Text>Wool socks</Text><Price cur="EUR">12.00</Price></Article>
  </Parcel>
</Parcels>"""


def test_user_dialect_file(tmp_path, cli):
    dialect = tmp_path / "acme.toml"
    dialect.write_text(USER_DIALECT)
    data = tmp_path / "acme.xml"
    data.write_text(USER_XML)
    out = cli("convert", str(data), "--dialect", str(dialect), "-q").stdout
    (record,) = records(out)
    assert '"gross_weight_kg":1.250' in out  # the digits given, exactly
    assert record["tracking_number"] == "RR473124829GB"
    assert record["category"] == "gift"
    assert record["declared_value"] == {"amount": 12.00, "currency": "EUR"}
    assert record["consignee"]["address_lines"] == ["Main St 5"]
    assert record["shipper"]["address_lines"] == ["1 Rue X", "Bât. B"]
    assert record["line_items"][0]["quantity"] == 3
    assert record["source"]["format"] == "acme-parcels"


@pytest.mark.parametrize(("change", "problem"), [
    (lambda t: t.replace('tracking_number = "@code"', 'tracking_numbr = "@code"'),
     "unknown record field"),
    (lambda t: t.replace('map = "kind"', 'map = "nokind"'), r"no \[maps.nokind\]"),
    (lambda t: t.replace('[items]\nelement = "Parcel"', "[items]"), "items.element"),
    (lambda t: t.replace('quantity = "@qty"', "quantity = 5"), "path or a table"),
    (lambda t: t + "\n[broken", "invalid dialect file"),
])
def test_invalid_dialect_exit_78(tmp_path, cli, change, problem):
    dialect = tmp_path / "bad.toml"
    dialect.write_text(change(USER_DIALECT))
    data = tmp_path / "acme.xml"
    data.write_text(USER_XML)
    result = cli("convert", str(data), "--dialect", str(dialect))
    assert result.exit_code == 78
    assert re.search(rf"{re.escape(str(dialect))}(:\d+)?: .*{problem}", result.stderr), \
        result.stderr


SHARED = [
    "tracking_number", "gross_weight_kg", "shipper.name", "shipper.postal_code",
    "shipper.city", "shipper.country", "consignee.name", "consignee.address_lines",
    "consignee.postal_code", "consignee.city", "consignee.state", "consignee.country",
    "line_items",
]


def _pick(record, path):
    head, _, tail = path.partition(".")
    return record[head][tail] if tail else record[head]


def test_same_items_same_records_in_all_four_formats(tmp_path):
    items = list(generate(40, seed=5, defect_rate=0.3, origins=("GB", "DE", "JP")))
    writers = {
        "itmatt": lambda out: write_itmatt(out, items, "X"),
        "postnl-item": lambda out: write_wrapped(out, items, "postnl-item"),
        "cds-decdata": lambda out: write_wrapped(out, items, "cds-decdata"),
        "cusitm": lambda out: write_cusitm(out, items),
    }
    results = {}
    for fmt, write in writers.items():
        buffer = io.StringIO()
        write(buffer)
        path = tmp_path / f"items.{fmt}"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        result = run("convert", str(path), "-q", "--as-of", "2026-11-27")
        assert result.returncode == 0, result.stderr
        out = records(result.stdout)
        assert {r["source"]["format"] for r in out} == {fmt}
        results[fmt] = out
    reference = results["itmatt"]
    assert len(reference) == 40
    for fmt, out in results.items():
        for a, b in zip(reference, out, strict=True):
            for path in SHARED:
                assert _pick(a, path) == _pick(b, path), (fmt, path)
    for fmt in ("cds-decdata", "cusitm"):
        for a, b in zip(reference, results[fmt], strict=True):
            for path in ("declared_value", "postal_charges", "category", "posted_at"):
                if fmt == "cusitm" and path == "posted_at":
                    continue  # DTM format 203 carries no seconds or zone
                assert _pick(a, path) == _pick(b, path), (fmt, path)
    # the same findings on the shared fields, whatever the format
    for fmt, out in results.items():
        for a, b in zip(reference, out, strict=True):
            fa = {(f["field"], f["code"]) for f in a["compliance"]["findings"]
                  if f["field"] and f["field"].split(".")[0] in {p.split(".")[0] for p in SHARED}}
            fb = {(f["field"], f["code"]) for f in b["compliance"]["findings"]
                  if f["field"] and f["field"].split(".")[0] in {p.split(".")[0] for p in SHARED}}
            assert fa == fb, (fmt, a["tracking_number"])


def test_namespaced_itmatt_still_detected():
    text = itmatt(ITEM, root_attrs=' xmlns="urn:upu:itmatt"').encode()
    assert detect_dialect(text).name == "itmatt"
    assert detect_dialect(text.decode().encode("utf-16")).name == "itmatt"


def test_the_syntax_registry_is_what_detection_and_reading_come_from():
    from postconv.dialects import SYNTAXES

    assert {d.syntax for d in builtin_dialects().values()} == set(SYNTAXES)
    assert list(SYNTAXES)[-1] == "xml"  # what anything else is taken for
    assert SYNTAXES["edifact"].looks_like(b"  UNA:+.? 'UNB+UNOC")
    assert not SYNTAXES["edifact"].looks_like(b"<ITMATT>")
    edifact = [d for d in builtin_dialects().values() if d.syntax == "edifact"]
    assert SYNTAXES["edifact"].pick(b"UNB", edifact) is edifact[0]
    xml = [d for d in builtin_dialects().values() if d.syntax == "xml"]
    assert SYNTAXES["xml"].pick(b"<?xml version='1.0'?><!-- x --><ITMATT>", xml).name == \
        "itmatt"
