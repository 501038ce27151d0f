"""Reading XML in runs of items gives what iterparse alone gives: the same raw items,
indexes, lines, headers, and the same error at the same place."""

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ITEM, itmatt
from postconv.dialects import resolve_dialect
from postconv.errors import PostconvError
from postconv.read import xmlcut
from postconv.read.xml import read_items
from postconv.xmlsafe import XmlSyntaxError

LAYOUT = resolve_dialect("itmatt").xml_layout()
IDS = ["RR473124829GB", "EE123456785US", "CP100554339GB", "LX123456789DE", "RA987654321CN"]


def items(count: int, separator: str = "\n  ") -> list[str]:
    return [ITEM.strip().replace("RR473124829GB", IDS[n % len(IDS)]).replace(
        "\n", separator) for n in range(count)]


def outcome(data: bytes, cut: bool):
    """Everything a reading yields: raw items (with which header each shares), and how
    it ended."""
    seen: list[tuple] = []
    headers: list[object] = []
    end = None
    try:
        for raw in read_items(io.BytesIO(data), LAYOUT, cut=cut):
            if not headers or raw.header is not headers[-1]:
                headers.append(raw.header)
            seen.append((raw.values, raw.lines, raw.index, raw.line, raw.header,
                         len(headers)))
    except XmlSyntaxError as exc:
        end = ("syntax", exc.msg, exc.position)
    except PostconvError as exc:
        end = (type(exc).__name__, str(exc))
    return seen, end


def assert_same(data: bytes) -> tuple[list[tuple], object]:
    cut = outcome(data, True)
    assert cut == outcome(data, False)
    return cut


@pytest.fixture(params=[64, 300, 2000, 1 << 20], ids=lambda b: f"block{b}")
def block(request, monkeypatch):
    monkeypatch.setattr(xmlcut, "BLOCK", request.param)
    return request.param


def test_plain_document(block):
    seen, end = assert_same(itmatt(*items(30)).encode())
    assert len(seen) == 30 and end is None
    assert [s[2] for s in seen] == list(range(30))


def test_one_line_document(block):
    data = itmatt(*items(12, "")).replace("\n", "").encode()
    seen, end = assert_same(data)
    assert len(seen) == 12 and {s[3] for s in seen} == {1} and end is None


@pytest.mark.parametrize("variant", ["default", "prefixed"])
def test_namespaces(block, variant):
    text = itmatt(*items(10))
    if variant == "default":
        text = text.replace("<ITMATT", '<ITMATT xmlns="urn:upu:itmatt"', 1)
    else:
        text = re.sub(r"<(/?)(?!\?)([A-Za-z])", r"<\1p:\2", text).replace(
            "<p:ITMATT", '<p:ITMATT xmlns:p="urn:x:y"', 1)
    seen, _ = assert_same(text.encode())
    assert len(seen) == 10


def test_markup_that_looks_like_an_item_start(block):
    """Comments, CDATA and processing instructions holding "<Item>" between and inside
    items: a cut there would leave a run that does not parse, and is never used."""
    parts = items(9)
    parts[2] = parts[2].replace("<MailClass>", "<!-- <Item> --><MailClass>")
    parts[4] = parts[4].replace("Men's cotton T-shirt", "<![CDATA[<Item> & <p:Item>]]>")
    parts[6] = "<?note <Item> ?>" + parts[6]
    parts[7] = "<!-- </Item><Item> -->" + parts[7]
    seen, end = assert_same(itmatt(*parts).encode())
    assert len(seen) == 9 and end is None


def test_comment_in_the_prolog_turns_cutting_off(block):
    text = itmatt(*items(8)).replace("<MessageHeader>", "<!-- <Item> --><MessageHeader>", 1)
    seen, end = assert_same(text.encode())
    assert len(seen) == 8 and end is None


def test_wrappers_nesting_and_several_messages(block):
    parts = items(12)
    header = "<MessageHeader><MessageId>SECOND</MessageId></MessageHeader>"
    body = ("<Batch>" + "\n".join(parts[:4]) + "</Batch>\n<Batch>" + "\n".join(parts[4:8])
            + "</Batch>\n" + header + "\n"
            + parts[8].replace("<Documents>", "<Extra>" + parts[9] + "</Extra><Documents>")
            + "\n" + "\n".join(parts[10:]))
    seen, end = assert_same(itmatt(body).encode())
    assert end is None and len(seen) == 12
    assert seen[-1][4] == {"MessageId": ["SECOND"]} and seen[-1][5] == 2


@pytest.mark.parametrize("broken", [
    ("<Quantity>2</Quantity>", "<Quantity>2</Quantit>"),
    ("<MailClass>", "<MailClass a='1' a='2'>"),
])
def test_error_in_the_middle_is_reported_where_it_is(block, broken):
    parts = items(10)
    parts[6] = parts[6].replace(*broken)
    data = itmatt(*parts).encode()
    seen, end = assert_same(data)
    assert len(seen) == 6 and end[0] == "syntax"
    line = data[:data.index(broken[1].encode())].count(b"\n") + 1
    assert end[2][0] == line, end


def test_an_undefined_entity_is_named_where_it_is(block):
    """iterparse alone names it "no element found" at line 0 (or worse, depending on how
    the input arrives); a run that fails says what and where."""
    parts = items(10)
    parts[6] = parts[6].replace("<Quantity>2</Quantity>", "<Quantity>&nope;</Quantity>")
    data = itmatt(*parts).encode()
    seen, end = outcome(data, True)
    assert seen == outcome(data, False)[0] and len(seen) == 6
    line = data[:data.index(b"&nope;")].count(b"\n") + 1
    assert end[0] == "syntax" and "Entity 'nope' not defined" in end[1] and end[2][0] == line


def test_truncated_anywhere(monkeypatch):
    monkeypatch.setattr(xmlcut, "BLOCK", 128)
    data = itmatt(*items(6)).encode()
    for length in range(0, len(data), 23):
        assert_same(data[:length])


def test_doctype_and_encodings(block):
    doctype = itmatt(*items(3)).replace("<ITMATT", '<!DOCTYPE ITMATT [<!ENTITY e "x">]><ITMATT',
                                        1).encode()
    assert assert_same(doctype)[1][0] == "InputUnusable"
    latin = itmatt(*items(5)).replace("Jane Example", "Jöns Müller").replace(
        'encoding="UTF-8"', 'encoding="ISO-8859-1"')
    assert assert_same(latin.encode("latin-1"))[0][0][0]["Sender/Name"] == ["Jöns Müller"]
    seen, _ = assert_same(b"\xef\xbb\xbf" + itmatt(*items(5)).encode())
    assert len(seen) == 5
    wide = itmatt(*items(5)).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert len(assert_same(wide.encode("utf-16"))[0]) == 5


def test_an_item_larger_than_a_run_is_read_on_by_iterparse(monkeypatch):
    monkeypatch.setattr(xmlcut, "BLOCK", 100)
    monkeypatch.setattr(xmlcut, "MAX_RUN", 700)
    parts = items(6)
    parts[3] = parts[3].replace("Jane Example", "J" * 3000)
    seen, end = assert_same(itmatt(*parts).encode())
    assert len(seen) == 6 and end is None


def test_runs_stay_within_the_lines_libxml2_numbers_exactly(monkeypatch):
    monkeypatch.setattr(xmlcut, "_MAX_LINES", 60)
    data = itmatt(*[f"  {part}\n" for part in items(20)]).encode()
    runs = list(xmlcut.Cutter(io.BytesIO(data), "Item").runs())
    assert len(runs) > 5 and all(run.data.count(b"\n") <= 60 for run in runs)
    seen, _ = assert_same(data)
    lines = data.split(b"\n")
    assert all(lines[s[3] - 1].strip().startswith(b"<Item>") for s in seen)


def test_a_block_that_ends_inside_a_name_is_not_cut_there(monkeypatch):
    """"<Item" at the end of what has been read may be the start of "<ItemId>"."""
    data = itmatt(*items(6)).encode()
    end = data.index(b"<ItemId>", 1000) + len(b"<Item")
    monkeypatch.setattr(xmlcut, "BLOCK", end)
    runs = list(xmlcut.Cutter(io.BytesIO(data), "Item").runs())
    assert len(runs) > 1 and all(run.parse for run in runs)
    assert all(run.data.split(b"\n")[run.first_line - 1].lstrip().startswith(b"<Item>")
               for run in runs[1:])
    assert_same(data)


def test_item_start_search():
    data = b"<a><ItemId>x</ItemId><p:Item k='1'><Item/><Items></Items>Item <x:Item>"
    assert xmlcut.first_item_start(data, b"Item") == data.index(b"<p:Item")
    assert xmlcut.last_item_start(data, b"Item") == data.index(b"<x:Item")
    assert xmlcut.last_item_start(data, b"Item", 0, data.index(b"<Items>")) == data.index(
        b"<Item/>")
    assert xmlcut.first_item_start(b"<a>Item</a>", b"Item") == -1
    assert xmlcut.last_item_start(b"<a><Item></Item><Item", b"Item") == 3


SEPARATORS = st.sampled_from(["\n", "", "\n  ", "<!-- c -->", "<?pi x?>", " \r\n",
                              "<!-- <Item> -->"])


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, 8), separators=st.lists(SEPARATORS, min_size=9, max_size=9),
       block=st.sampled_from([16, 50, 128, 700]), cut_at=st.one_of(st.none(), st.floats(0, 1)))
def test_any_layout_reads_alike(count, separators, block, cut_at):
    parts = items(count)
    body = "".join(separators[n] + part for n, part in enumerate(parts)) + separators[-1]
    data = itmatt(body).encode()
    if cut_at is not None:
        data = data[:int(len(data) * cut_at)]
    original = xmlcut.BLOCK
    xmlcut.BLOCK = block
    try:
        assert_same(data)
    finally:
        xmlcut.BLOCK = original


# A reading that varies its layout, as a lookup of every other chunk of items: runs holding
# only lookups are read as bytes, a run holding both is parsed, each item with its layout.

LIGHT = resolve_dialect("itmatt").only({"tracking_number"}).xml_layout()


def skimming(data: bytes, chunk: int):
    """What a worker reading chunk 0, 2, 4... of ``chunk`` items gets: owned items in
    full, others' items by their tracking numbers (no line), and how it ended."""
    def owns(index: int) -> bool:
        return (index // chunk) % 2 == 0

    seen: list[tuple] = []
    end = None
    try:
        for raw in read_items(io.BytesIO(data), LAYOUT, lambda i: LAYOUT if owns(i) else LIGHT):
            seen.append((raw.values, raw.lines, raw.index, raw.line, raw.header))
    except XmlSyntaxError as exc:
        end = ("syntax", exc.msg, exc.position)
    except PostconvError as exc:
        end = (type(exc).__name__, str(exc))
    return seen, end, owns


def assert_skims_alike(data: bytes, chunk: int) -> list[tuple]:
    reference, reference_end = outcome(data, False)
    seen, end, owns = skimming(data, chunk)
    assert end == reference_end
    assert len(seen) == len(reference)
    for got, (values, lines, index, line, header, _) in zip(seen, reference, strict=True):
        if owns(index):
            assert got == (values, lines, index, line, header)
        else:
            assert got[0] == {k: v for k, v in values.items() if k == "ItemId"}
            assert got[2] == index and got[4] == header
    return seen


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
def test_skimming_reader_gives_the_owned_items_as_parsed(block, chunk):
    seen = assert_skims_alike(itmatt(*items(30)).encode(), chunk)
    assert len(seen) == 30


@pytest.mark.parametrize("chunk", [2, 3])
@pytest.mark.parametrize("broken", [6, 7, 8, 9])
def test_skimming_reader_stops_at_an_error_in_its_own_items(block, chunk, broken):
    parts = items(16)
    parts[broken] = parts[broken].replace("</Sender>", "</Sendr>")
    seen, end, owns = skimming(itmatt(*parts).encode(), chunk)
    _, reference_end = outcome(itmatt(*parts).encode(), False)
    if owns(broken):  # its owner reports the error where one process would
        assert end == reference_end and len(seen) == broken
    # the others' items are skimmed and may be read past it: the parent stops there
    assert [s[2] for s in seen[:broken]] == list(range(broken))
