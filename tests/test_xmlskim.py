"""Skimming a run as bytes gives what parsing it gives, or says it cannot tell."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postconv.read.xmlskim import Skimmer
from postconv.xmlsafe import parse_document

#: One wanted child (the usual case, tried first by its own quick path) and two.
SKIMMERS = {
    "one": Skimmer("Item", [("ItemId", "ItemId")], ["MessageHeader"]),
    "two": Skimmer("Item", [("ItemId", "ItemId"), ("Class", "MailClass")], ["MessageHeader"]),
}
ROOT = '<Batch xmlns="urn:t" xmlns:p="urn:p" xmlns:q="urn:q">\n'


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parsed(body: str, skimmer: str) -> list[dict[str, list[str]]]:
    """The items of ``body`` read from the lxml tree: texts of the wanted direct
    children, as the XML reader picks them for a skimmed item."""
    root = parse_document((ROOT + body + "</Batch>").encode())
    keys = {"ItemId": "ItemId", "Class": "MailClass"} if skimmer == "two" else {
        "ItemId": "ItemId"}
    found = []
    for element in root.iter("{*}Item"):
        values: dict[str, list[str]] = {}
        for child in element:
            name = _local(child.tag) if isinstance(child.tag, str) else ""
            text = (child.text or "").strip()
            if name in keys and text:
                values.setdefault(keys[name], []).append(text)
        found.append(values)
    return found


def skimmed(body: str, skimmer: str) -> list[dict[str, list[str]]] | None:
    """The skimmed values; the place given for each item is its start tag."""
    data = (ROOT + body + "</Batch>").encode()
    found = SKIMMERS[skimmer].items(data, len(ROOT), len(data) - len("</Batch>"))
    if found is None:
        return None
    places = [at for _, at in found]
    assert places == sorted(set(places))
    assert all(re.match(rb"<(\w+:)?Item[\s/>]", data[at:]) for at in places)
    return [values for values, _ in found]


def same(body: str, skimmer: str) -> list[dict[str, list[str]]]:
    got = skimmed(body, skimmer)
    assert got is not None, body
    assert got == parsed(body, skimmer), body
    return got


@pytest.fixture(params=sorted(SKIMMERS))
def skimmer(request) -> str:
    return request.param


def test_plain_items(skimmer):
    body = ("<Item>\n  <ItemId>RR473124829GB</ItemId>\n  <Class>C</Class>\n</Item>\n"
            "<Item><ItemId> EE123456785US </ItemId></Item>\n")
    assert same(body, skimmer)[1] == {"ItemId": ["EE123456785US"]}


@pytest.mark.parametrize("body", [
    "<Item>\n <ItemId>A1</ItemId><X/></Item>\n<Item><ItemId>A2</ItemId></Item>",
    '<p:Item a="1">\r\n<p:ItemId b=\'2\'>\tA1 </p:ItemId ></p:Item ><p:Item><p:ItemId>B'
    "</p:ItemId></p:Item>",
    "<Item><ItemId>A1</ItemId></Item><Wrap><Item><ItemId>A2</ItemId><Note>z</Note></Item>"
    "</Wrap>\n",
    # quoted attribute values holding ">", "/>" and "/"
    "<Item a='>' b=\"/>\"><ItemId c='>'>A1</ItemId></Item><Item d='/'><ItemId e=\"x/\">A2"
    "</ItemId></Item>",
])
def test_the_usual_layout_takes_the_quick_path(body):
    data = (ROOT + body + "</Batch>").encode()
    found = SKIMMERS["one"]._uniform(data, len(ROOT), len(data) - len("</Batch>"))
    assert found is not None and [values for values, _ in found] == parsed(body, "one")


@pytest.mark.parametrize("body", [
    "<Item><ItemId>A1</ItemId><Item><ItemId>A2</ItemId></Item></Item>",  # nested
    "<Item><ItemId>A1</ItemId></Item><Item/><Item><ItemId>A2</ItemId></Item>",
    "<Item><ItemId>A1</ItemId><Note>Item</Note></Item>",
    "<Item><ItemId>A1</ItemId><ItemId>A2</ItemId></Item>",
    "<Item><ItemId>A1</ItemId></Item><p:Item><p:ItemId>A2</p:ItemId></p:Item>",
    "<Item><X/><ItemId>A1</ItemId></Item>",
])
def test_anything_else_leaves_the_quick_path(body, skimmer):
    data = (ROOT + body + "</Batch>").encode()
    assert SKIMMERS["one"]._uniform(data, len(ROOT), len(data) - len("</Batch>")) is None
    got = skimmed(body, skimmer)
    assert got is None or got == parsed(body, skimmer)


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
def test_skimmed_as_parsed(body, skimmer):
    assert same(body, skimmer)


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
def test_unsure_runs_are_left_to_the_parser(body, skimmer):
    assert skimmed(body, skimmer) is None


def test_a_name_with_two_colons_is_left_to_the_parser(skimmer):
    data = b"<a:b:Item><ItemId>A</ItemId></a:b:Item>"
    assert SKIMMERS[skimmer].items(data, 0, len(data)) is None


def test_no_children_wanted_counts_items():
    skimmer = Skimmer("Item", [])
    data = b"<Item><ItemId>A</ItemId></Item>\n<p:Item a='1'/>"
    assert skimmer.items(data, 0, len(data)) == [({}, 0), ({}, data.index(b"<p:Item"))]


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
def _item(draw, name: str | None = None) -> str:
    name = name or draw(st.sampled_from(["Item", "p:Item"]))
    first = [] if draw(st.integers(0, 4)) == 0 else [f"<{name[:-4]}ItemId>{draw(_LEAF_TEXTS)}"
                                             f"</{name[:-4]}ItemId>"]
    children = first + draw(st.lists(_element(1) | _leaf(), max_size=3))
    space = draw(st.sampled_from(["", "\n  ", " "]))
    return f"<{name}{draw(_ATTRIBUTES)}>{space}{space.join(children)}</{name}>"


@st.composite
def _run(draw) -> str:
    """Items one after another, as a run is cut: mostly of the usual layout."""
    name = draw(st.sampled_from(["Item", "p:Item"]))
    parts = draw(st.lists(st.one_of(_item(name), _item(name), _item(name), _element()),
                          min_size=1, max_size=6))
    gaps = draw(st.lists(st.sampled_from(["", "\n", "\r\n  "]), min_size=len(parts),
                         max_size=len(parts)))
    return _item_first(name, draw) + "".join(g + p for g, p in zip(gaps, parts, strict=True))


def _item_first(name: str, draw) -> str:
    return f"<{name}><{name[:-4]}ItemId>{draw(_LEAF_TEXTS)}</{name[:-4]}ItemId></{name}>"


@settings(max_examples=300, deadline=None)
@given(_run())
def test_any_run_of_items_is_skimmed_as_parsed_or_left(body):
    for skimmer in SKIMMERS:
        got = skimmed(body, skimmer)
        if got is not None:
            assert got == parsed(body, skimmer), (skimmer, body)


@settings(max_examples=300, deadline=None)
@given(st.lists(_item() | _element(), min_size=0, max_size=6),
       st.lists(st.sampled_from(["", "\n", "\r\n  ", "text"]), min_size=7, max_size=7))
def test_any_well_formed_run_is_skimmed_as_parsed_or_left(elements, gaps):
    body = "".join(gap + element for gap, element in zip(gaps, [*elements, ""], strict=False))
    for skimmer in SKIMMERS:
        got = skimmed(body, skimmer)
        if got is not None:
            assert got == parsed(body, skimmer), (skimmer, body)
