"""The XML reader: local names, any order, encodings, CDATA, references, broken input."""

import re

import pytest

from conftest import ITEM, itmatt, records


def convert(cli, tmp_path, data: bytes, *args):
    path = tmp_path / "in.xml"
    path.write_bytes(data)
    return cli("convert", str(path), "-q", *args)


def test_namespaces_and_prefixes_are_ignored(cli, tmp_path):
    plain = records(convert(cli, tmp_path, itmatt(ITEM).encode()).stdout)
    default_ns = itmatt(ITEM, root_attrs=' xmlns="urn:upu:itmatt"')
    prefixed = re.sub(r"<(/?)(?!\?)([A-Za-z])", r"<\1p:\2", itmatt(ITEM)).replace(
        "<p:ITMATT ", '<p:ITMATT xmlns:p="urn:x:y" ')
    for variant in (default_ns, prefixed):
        out = records(convert(cli, tmp_path, variant.encode()).stdout)
        for record in out + plain:
            record["source"]["file"] = None
        assert out == plain


def test_element_order_inside_an_item_does_not_matter(cli, tmp_path):
    parts = re.findall(r"\s*(<(\w+)[ >].*?</\2>)", ITEM.strip()[len("<Item>"):-len("</Item>")],
                       flags=re.S)
    reordered = "<Item>" + "".join(p[0] for p in reversed(parts)) + "</Item>"
    a = records(convert(cli, tmp_path, itmatt(ITEM).encode()).stdout)[0]
    b = records(convert(cli, tmp_path, itmatt(reordered).encode()).stdout)[0]
    a.pop("source"), b.pop("source")
    assert a == b


@pytest.mark.parametrize(("encoding", "bom"), [
    ("UTF-8", b""), ("UTF-8", b"\xef\xbb\xbf"), ("UTF-16", b""), ("ISO-8859-1", b""),
])
def test_encodings(cli, tmp_path, encoding, bom):
    item = ITEM.replace("Jane Example", "Jürgen Müller")
    text = itmatt(item, declaration=f'<?xml version="1.0" encoding="{encoding}"?>\n')
    data = bom + text.encode(encoding.lower())
    (record,) = records(convert(cli, tmp_path, data).stdout)
    assert record["shipper"]["name"] == "Jürgen Müller"
    assert record["tracking_number"] == "RR473124829GB"


def test_cdata_and_character_references(cli, tmp_path):
    item = ITEM.replace("Men's cotton T-shirt", "<![CDATA[Men's <cotton> T-shirt]]>").replace(
        "Jane Example", "J&#252;rgen &amp; Co")
    (record,) = records(convert(cli, tmp_path, itmatt(item).encode()).stdout)
    assert record["line_items"][0]["description"] == "Men's <cotton> T-shirt"
    assert record["shipper"]["name"] == "Jürgen & Co"


def test_empty_and_whitespace_elements_are_null(cli, tmp_path):
    item = ITEM.replace("<Name>Jane Example</Name>", "<Name>   </Name><Company/>")
    (record,) = records(convert(cli, tmp_path, itmatt(item).encode()).stdout)
    assert record["shipper"]["name"] is None and record["shipper"]["company"] is None
    assert record["consignee"]["address_lines"] == ["1600 Example Ave NW"]


def test_not_well_formed_keeps_items_before_and_exits_65(cli, tmp_path):
    broken = itmatt(ITEM, ITEM.replace("RR473124829GB", "EE123456785US"))
    broken = broken.replace("</ITMATT>", "<Item><ItemId>X</ItemI></Item></ITMATT>")
    result = convert(cli, tmp_path, broken.encode())
    assert result.exit_code == 65
    assert len(records(result.stdout)) == 2
    (line,) = [ln for ln in result.stderr.splitlines() if "error" in ln]
    assert re.search(r"in\.xml:\d+:\d+: not well-formed XML", line), line
    assert "Traceback" not in result.stderr


def test_source_provenance(cli, tmp_path):
    out = records(convert(cli, tmp_path, itmatt(ITEM, ITEM).encode()).stdout)
    assert [r["source"]["item_index"] for r in out] == [0, 1]
    assert out[0]["source"]["message_id"] == "T-1" and out[0]["source"]["format"] == "itmatt"
    assert out[0]["source"]["line"] == 5 and out[0]["origin_post"] == "GBA"
