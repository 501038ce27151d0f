"""Hostile XML is refused with exit 65; only the parser factory builds parsers."""

import ast
from pathlib import Path

import pytest

from conftest import ITEM, REPO, itmatt, records, run

HOSTILE = {
    "xxe-file": '<?xml version="1.0"?><!DOCTYPE ITMATT [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                "<ITMATT><Item><ItemId>&x;</ItemId></Item></ITMATT>",
    "xxe-network": '<?xml version="1.0"?><!DOCTYPE ITMATT [<!ENTITY x SYSTEM '
                   '"http://127.0.0.1:9/x">]><ITMATT><Item><ItemId>&x;</ItemId></Item></ITMATT>',
    "external-dtd": '<?xml version="1.0"?><!DOCTYPE ITMATT SYSTEM "http://127.0.0.1:9/a.dtd">'
                    "<ITMATT><Item/></ITMATT>",
    "billion-laughs": '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol">'
                      + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                                for i in range(9))
                      + "]><ITMATT><Item><ItemId>&j;</ItemId></Item></ITMATT>",
    "internal-entity": '<?xml version="1.0"?><!DOCTYPE ITMATT [<!ENTITY e "x">]>'
                       "<ITMATT><Item><ItemId>&e;</ItemId></Item></ITMATT>",
    "quadratic-blowup": '<?xml version="1.0"?><!DOCTYPE ITMATT [<!ENTITY a "' + "x" * 50_000
                        + '">]><ITMATT><Item><ItemId>' + "&a;" * 50_000
                        + "</ItemId></Item></ITMATT>",
    "undeclared-entity": "<ITMATT><Item><ItemId>&nope;</ItemId></Item></ITMATT>",
    "deep-nesting": "<ITMATT><Item>" + "<a>" * 5000 + "</a>" * 5000 + "</Item></ITMATT>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_refused(tmp_path, name):
    path = tmp_path / f"{name}.xml"
    path.write_text(HOSTILE[name], encoding="utf-8")
    result = run("convert", str(path), timeout=30)
    assert result.returncode == 65, result.stderr
    assert result.stdout == b""
    lines = result.stderr.decode().strip().splitlines()
    assert any(str(path) in line for line in lines) and b"Traceback" not in result.stderr
    assert b"root:" not in result.stdout + result.stderr


def test_doctype_refused_even_without_items(tmp_path):
    path = tmp_path / "d.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE ITMATT><ITMATT></ITMATT>')
    result = run("convert", str(path))
    assert result.returncode == 65 and b"DOCTYPE is not allowed" in result.stderr


def test_syntax_error_names_the_position_once(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text("<ITMATT>\n<Item><ItemId>RR123456785GB</ItemId></Item>\n")
    result = run("convert", str(path))
    assert result.returncode == 65
    (line,) = [ln for ln in result.stderr.decode().splitlines() if "not well-formed" in ln]
    assert line.startswith(f"postconv: error: {path}:3:1: not well-formed XML: "), line
    assert "column" not in line, line


def test_huge_text_node_refused(tmp_path):
    path = tmp_path / "big.xml"
    path.write_text(itmatt(ITEM.replace("Jane Example", "x" * 11_000_000)))
    result = run("convert", str(path), timeout=60)
    assert result.returncode == 65


def test_long_field_is_null_with_finding(tmp_path, cli):
    path = tmp_path / "long.xml"
    path.write_text(itmatt(ITEM.replace("Jane Example", "y" * 5000)))
    (record,) = records(cli("convert", str(path), "-q").stdout)
    assert record["shipper"]["name"] is None
    assert any(f["code"] == "FIELD_TOO_LONG" for f in record["compliance"]["findings"])


@pytest.mark.parametrize("name", ["xxe-file", "internal-entity", "billion-laughs"])
def test_in_memory_documents_are_parsed_as_safely(name):
    from postconv.errors import InputUnusable
    from postconv.xmlsafe import XmlSyntaxError, parse_document

    with pytest.raises((InputUnusable, XmlSyntaxError)):
        parse_document(HOSTILE[name].encode())


PARSER_BUILDERS = {"XMLParser", "iterparse", "XMLPullParser", "fromstring", "parse", "XML",
                   "HTMLParser", "XMLResource", "XMLSchema", "XMLSchema11"}


def test_only_the_factory_builds_parsers():
    """lxml parsers are built in xmlsafe.py; xmlschema (defused) only in validate.py."""
    allowed = {"xmlsafe.py": {"iterparse", "XMLParser", "XMLPullParser", "fromstring"},
               "validate.py": {"XMLResource", "XMLSchema11"}}
    offenders = []
    for path in Path(REPO / "src" / "postconv").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            builds = (isinstance(node, ast.Attribute) and node.attr in PARSER_BUILDERS
                      and isinstance(node.value, ast.Name)
                      and node.value.id in {"etree", "ET", "xmlschema", "ElementTree", "lxml"})
            if builds and node.attr not in allowed.get(path.name, set()):
                offenders.append(f"{path.name}: {node.value.id}.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.startswith(("xml.", "lxml")) or node.module == "xml"):
                names = {a.name for a in node.names}
                if names & PARSER_BUILDERS or path.name not in {"xmlsafe.py", "validate.py"}:
                    offenders.append(f"{path.name}: from {node.module} import {names}")
    assert offenders == []


def test_open_elements_keeps_a_prefix_that_is_not_bound():
    from postconv.xmlsafe import open_elements

    assert open_elements(b'<a:Root _xmlns:a="urn:x"><b:Item xmlns:b="urn:y">') == [
        "a:Root", "b:Item"]


def test_an_unbound_prefix_on_the_root_is_a_clean_failure(tmp_path):
    sample = (REPO / "samples" / "dea-20261121.xml").read_bytes()
    path = tmp_path / "in.xml"
    path.write_bytes(sample.replace(b"xmlns:upu=", b"_xmlns:upu=", 1))
    result = run("convert", str(path), "-q")
    assert result.returncode == 65, result.stderr
    error = result.stderr.decode().splitlines()[0]
    assert "in.xml:2:" in error and "upu on ITMATT is not defined" in error, error
