"""Hostile inputs as an attacker (or a bad night) would send them: each ends fast, in
bounded memory, with exit 65, one line on stderr, and the records of the items before it.

Each case runs in its own process, which reports its peak RSS; the time bound is the
process's timeout (a case that used to take minutes fails by it), not a benchmark.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ITEM, REPO, records

SECONDS = 5
MIB = 128

# VmHWM, not ru_maxrss: the latter keeps the peak of the process before exec (pytest's)
MEASURE = """
import sys
from postconv.cli import app
try:
    app(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
print("RSS", peak, code, file=sys.stderr)
"""

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<ITMATT version="1.5"><MessageHeader>'
        b"<MessageId>M</MessageId></MessageHeader>\n")
GOOD = ITEM.encode()
SIZE = 24 << 20  # well past every cap, small enough to write fast


def _repeated(out, piece: bytes, total: int) -> None:
    block = piece * max(1, (1 << 20) // len(piece))
    for _ in range(total // len(block)):
        out.write(block)


def xml_case(middle: Callable[[object], None]) -> Callable[[Path], None]:
    """A document: one good item, the hostile part, another good item."""
    def build(path: Path) -> None:
        with open(path, "wb") as out:
            out.write(HEAD + GOOD)
            middle(out)
            out.write(GOOD.replace(b"RR473124829GB", b"RR473124832GB") + b"</ITMATT>\n")
    return build


def raw_case(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def gzip_whitespace(path: Path) -> None:
    """1 GiB of blanks between two items, in a 1 MB gzip file (members repeated)."""
    member = gzip.compress(b" " * (1 << 20), compresslevel=9)
    with open(path, "wb") as out:
        out.write(gzip.compress(HEAD + GOOD))
        for _ in range(1024):
            out.write(member)
        out.write(gzip.compress(b"</ITMATT>\n"))


def edifact_segments(path: Path) -> None:
    """An interchange whose second item has 300,000 segments."""
    good = ("CNI+1+RR473124829GB'GIS+11'MOA+39:20.00:GBP'GID+1+1'FTX+AAA+++Shirt'"
            "MOA+146:20.00:GBP'")
    with open(path, "w", encoding="latin-1") as out:
        out.write("UNA:+.? 'UNB+UNOC:3+GBA+USA+261120:1015+1'UNH+1+CUSITM:1:0:UP'" + good)
        out.write("CNI+2+RR473124832GB'" + "FTX+AAA+++x'" * 300_000 + "UNT+9+1'UNZ+1+1'")


def attributes(out) -> None:
    out.write(b"<Item " + b" ".join(b'a%d="1"' % n for n in range(10**6)) + b"></Item>")


CASES: dict[str, tuple[Callable[[Path], None], int]] = {
    # (build the input, records kept: the items before the hostile part)
    "element name of 70 kB": (raw_case(b"<" + b"a" * 70_000), 0),
    "element name of 200k in a document": (raw_case(HEAD + b"<" + b"a" * 200_000), 0),
    "32k processing instructions before the root": (raw_case(b"<?" * 32_000), 0),
    "16k comments left open before the root": (raw_case(b"<!--" * 16_000), 0),
    "comment of 24 MB": (xml_case(lambda o: (o.write(b"<!--"), _repeated(o, b"a", SIZE),
                                             o.write(b"-->"))), 1),
    "comment of 24 MB full of '<'": (xml_case(lambda o: (o.write(b"<!--"),
                                                        _repeated(o, b"<a", SIZE),
                                                        o.write(b"-->"))), 1),
    "text node of 24 MB": (xml_case(lambda o: (o.write(b"<Item><ItemId>"),
                                               _repeated(o, b"a", SIZE),
                                               o.write(b"</ItemId></Item>"))), 1),
    "attribute value of 24 MB": (xml_case(lambda o: (o.write(b'<Item x="'),
                                                     _repeated(o, b"a", SIZE),
                                                     o.write(b'"></Item>'))), 1),
    "24 MB of blanks between items": (xml_case(lambda o: _repeated(o, b" ", SIZE)), 1),
    "1 GiB of blanks between items, gzip": (gzip_whitespace, 1),
    "a million attributes on one item": (xml_case(attributes), 1),
    "300k content pieces in one item": (xml_case(lambda o: o.write(
        b"<Item><ItemId>RR1</ItemId>" + b"<ContentPiece><Description>x</Description>"
        b"</ContentPiece>" * 300_000 + b"</Item>")), 1),
    "3M empty elements in one item": (xml_case(lambda o: o.write(
        b"<Item>" + b"<a/>" * 3_000_000 + b"</Item>")), 1),
    "EDIFACT item of 300k segments": (edifact_segments, 1),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_ends_fast_small_and_clean(tmp_path, case):
    build, kept = CASES[case]
    path = tmp_path / ("in.xml.gz" if "gzip" in case else "in.edi" if "EDIFACT" in case
                       else "in.xml")
    build(path)
    proc = subprocess.run([sys.executable, "-c", MEASURE, "convert", str(path), "--jobs", "1"],
                          capture_output=True, cwd=REPO, timeout=SECONDS, check=False)
    *lines, measured = proc.stderr.decode().strip().splitlines()
    _, rss_kib, code = measured.split()
    assert code == "65", proc.stderr
    assert int(rss_kib) < MIB * 1024, f"{int(rss_kib) // 1024} MiB"
    assert lines[0].startswith(f"postconv: error: {path}") and len(lines) == 2, lines
    assert len(records(proc.stdout)) == kept
