"""Skimming a run as bytes gives what parsing it gives, or says it cannot tell."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postconv.read.xmlskim import Skimmer
from postconv.xmlsafe import parse_document

SKIMMER = Skimmer("Item", [("ItemId", "ItemId"), ("Class", "MailClass")], ["MessageHeader"])
ROOT = '<Batch xmlns="urn:t" xmlns:p="urn:p" xmlns:q="urn:q">\n'


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parsed(body: str) -> list[tuple[dict[str, list[str]], int]]:
    """The items of ``body`` read from the lxml tree: texts of the wanted direct
    children, and the line of each item start tag counted from the body's first line."""
    root = parse_document((ROOT + body + "</Batch>").encode())
    found = []
    for element in root.iter("{*}Item"):
        values: dict[str, list[str]] = {}
        for child in element:
            name = _local(child.tag) if isinstance(child.tag, str) else ""
            key = {"ItemId": "ItemId", "Class": "MailClass"}.get(name)
            text = (child.text or "").strip()
            if key and text:
                values.setdefault(key, []).append(text)
        found.append((values, element.sourceline - 2))
    return found


def skimmed(body: str) -> list[tuple[dict[str, list[str]], int]] | None:
    data = (ROOT + body + "</Batch>").encode()
    start = len(ROOT)
    return SKIMMER.items(data, start, len(data) - len("</Batch>"))


def same(body: str) -> list[tuple[dict[str, list[str]], int]]:
    got = skimmed(body)
    assert got is not None, body
    assert got == parsed(body), body
    return got


def test_plain_items_with_their_lines():
    body = ("<Item>\n  <ItemId>RR473124829GB</ItemId>\n  <Class>C</Class>\n</Item>\n"
            "<Item><ItemId> EE123456785US </ItemId></Item>\n")
    assert same(body) == [({"ItemId": ["RR473124829GB"], "MailClass": ["C"]}, 0),
                          ({"ItemId": ["EE123456785US"]}, 4)]


@pytest.mark.parametrize("body", [
    # attributes, with ">" and "/>" and a name inside quoted values
    '<Item a=">" b=\'/>\' c="ItemId>"><ItemId k="x>y">A1</ItemId></Item>',
    # prefixes, on items, children and end tags; a space before ">"
    "<p:Item ><q:ItemId >A2</q:ItemId ></p:Item >",
    # the wanted child after others, deeper ones not taken
    "<Item><Other><ItemId>deep</ItemId></Other><X>t</X><ItemId>A3</ItemId></Item>",
    # the names in text, also after a colon
    "<Item><Note>Item list: ItemId> x:Item> </Note><ItemId>A4</ItemId></Item>",
    # empty items and empty children
    "<Item/><Item></Item><Item><ItemId></ItemId><ItemId>  </ItemId><ItemId/></Item>",
    # two wanted children of one name; text before a child element only
    "<Item><ItemId>A5</ItemId><ItemId>A6<b>x</b>tail</ItemId></Item>",
    # line ends inside the text as the parser gives them
    "<Item><ItemId>\r\nA7\r\nB\rC</ItemId></Item>\r\n<Item><Class>U</Class></Item>",
    # an element whose name only starts with the item's, and a wrapper
    "<Items><Item><ItemIdX>no</ItemIdX><ItemId>A8</ItemId></Item></Items><ItemIdx/>",
    # a wanted child outside any item is nobody's
    "<ItemId>stray</ItemId><Item><ItemId>A9</ItemId></Item>",
    # entities and non-ASCII outside the texts read
    "<Item><Note>a &amp; b — é</Note><ItemId>B1</ItemId></Item>",
])
def test_skimmed_as_parsed(body):
    assert same(body)


@pytest.mark.parametrize("body", [
    "<Item><!-- <ItemId>X</ItemId> --><ItemId>A</ItemId></Item>",
    "<Item><ItemId><![CDATA[A]]></ItemId></Item>",
    "<Item><?pi <Item>?><ItemId>A</ItemId></Item>",
    "<MessageHeader><Id>2</Id></MessageHeader><Item><ItemId>A</ItemId></Item>",
    "<Item><Inner><Item><ItemId>A</ItemId></Item></Inner></Item>",  # nested items
    "<Item><ItemId>A&amp;B</ItemId></Item>",
    "<Item><ItemId>Ä1</ItemId></Item>",
    "<Item><Flag/><ItemId>A</ItemId></Item>",  # "/>" before: depth not certain
    "<Item><ItemId>A</ItemId>",  # an item not closed in the run
    "</Item><Item/>",
])
def test_unsure_runs_are_left_to_the_parser(body):
    assert skimmed(body) is None


def test_a_name_with_two_colons_is_left_to_the_parser():
    data = b"<a:b:Item><ItemId>A</ItemId></a:b:Item>"
    assert SKIMMER.items(data, 0, len(data)) is None


def test_no_children_wanted_counts_items():
    skimmer = Skimmer("Item", [])
    data = b"<Item><ItemId>A</ItemId></Item>\n<p:Item a='1'/>"
    assert skimmer.items(data, 0, len(data)) == [({}, 0), ({}, 1)]


_NAMES = st.sampled_from(["Item", "p:Item", "ItemId", "q:ItemId", "Class", "Other",
                          "ItemIdent", "p:Other", "Note"])
_TEXTS = st.sampled_from(["", " ", "RR473124829GB", " A1\n", "Item", "x:Item>", "a>b",
                          "/>", "&amp;", "é", "\r\n"])
_LEAF_TEXTS = st.sampled_from(["RR473124829GB", " A1\n", "", "x:Item>", "a>b", "\r\nB "])
_ATTRIBUTES = st.sampled_from(["", ' a="1"', " b='>'", ' c="/>"', ' d="&lt;Item&gt;"'])


@st.composite
def _leaf(draw) -> str:
    """A child the skim reads, as it usually comes."""
    name = draw(st.sampled_from(["ItemId", "q:ItemId", "Class"]))
    return f"<{name}{draw(_ATTRIBUTES)}>{draw(_LEAF_TEXTS)}</{name}>"


@st.composite
def _element(draw, depth: int = 0) -> str:
    name = draw(_NAMES)
    attributes = draw(_ATTRIBUTES)
    if draw(st.integers(0, 5)) == 0:
        return f"<{name}{attributes}/>"
    parts = [draw(_TEXTS)]
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            parts.append(draw(_element(depth + 1) | _leaf()))
            parts.append(draw(_TEXTS))
    return f"<{name}{attributes}>{''.join(parts)}</{name}>"


@st.composite
def _item(draw) -> str:
    name = draw(st.sampled_from(["Item", "p:Item"]))
    children = draw(st.lists(_leaf() | _element(1), max_size=5))
    space = draw(st.sampled_from(["", "\n  ", " "]))
    return f"<{name}{draw(_ATTRIBUTES)}>{space}{space.join(children)}</{name}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_item() | _element(), min_size=0, max_size=6),
       st.lists(st.sampled_from(["", "\n", "\r\n  ", "text"]), min_size=7, max_size=7))
def test_any_well_formed_run_is_skimmed_as_parsed_or_left(elements, gaps):
    body = "".join(gap + element for gap, element in zip(gaps, [*elements, ""], strict=False))
    got = skimmed(body)
    if got is not None:
        assert got == parsed(body)
