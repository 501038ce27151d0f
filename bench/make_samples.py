"""Write the ITMATT files in ``samples/`` (seeded: the same files every time).

    python bench/make_samples.py samples/
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from itmatt_gen import (
    GenItem,
    clean_item,
    generate,
    with_defect,
    write_cusitm,
    write_itmatt,
    write_wrapped,
)


def _gba() -> list[GenItem]:
    """Royal Mail to USPS: 12 items, GBP, mostly complete, a few typical gaps."""
    items = list(generate(12, seed=20261120, origins=("GB",)))
    for position, defect in ((2, "vague_gift"), (5, "hs_6_digits"), (7, "no_zip"),
                             (10, "bad_check_digit")):
        data, found = with_defect(items[position].data, defect)
        items[position] = GenItem(data, [found])
    items[4].data["nature"] = "91"  # a documents item: no goods, "Documents" is right
    items[4].data["pieces"] = [{"desc": "Documents", "qty": "1", "net": "0.050",
                                "value": ("0.00", "GBP"), "hs": None, "origin": None}]
    items[4].data["total"] = ("0.00", "GBP")
    items[4].data["gross"] = "0.080"
    items[4].data["mail_class"] = "U"
    return items


def _dea() -> list[GenItem]:
    """Deutsche Post to USPS: 30 items, EUR, umlauts (written as ISO-8859-1)."""
    return list(generate(30, seed=20261121, defect_rate=0.3, origins=("DE",)))


def _jpa() -> list[GenItem]:
    """Japan Post to USPS: one complete item, JPY."""
    import random

    return [GenItem(clean_item(random.Random(5), 0, "JP"))]


def _cna() -> list[GenItem]:
    """China Post to USPS: 50 items, CNY, many deficient."""
    return list(generate(50, seed=20261123, defect_rate=0.6, origins=("CN",)))


def main(folder: str) -> int:
    target = Path(folder)
    files = [
        ("gba-20261120.xml", _gba(), "GBA-20261120-000123", "GBA", "utf-8", ""),
        ("dea-20261121.xml", _dea(), "DEA-20261121-004711", "DEA", "iso-8859-1", "upu"),
        ("jpa-20261122.xml", _jpa(), "JPA-20261122-000001", "JPA", "utf-8", ""),
        ("cna-20261123.xml", _cna(), "CNA-20261123-000777", "CNA", "utf-8", ""),
    ]
    for name, items, message_id, post, encoding, prefix in files:
        buffer = io.StringIO()
        write_itmatt(buffer, items, message_id, post, when=f"2026-11-{name[10:12]}T10:15:00Z")
        text = buffer.getvalue()
        if prefix:
            body = text.split("\n", 1)[1]
            body = body.replace("</", f"</{prefix}:").replace("<", f"<{prefix}:").replace(
                f"<{prefix}:/", "</")
            body = body.replace(f"<{prefix}:ITMATT ", f"<{prefix}:ITMATT xmlns:{prefix}="
                                                      '"urn:upu:example:itmatt" ', 1)
            text = f'<?xml version="1.0" encoding="{encoding.upper()}"?>\n{body}'
        (target / name).write_bytes(text.encode(encoding))
    others = [
        ("gba-20261124.edi", lambda out: write_cusitm(
            out, generate(8, seed=20261124, defect_rate=0.4, origins=("GB",)), "000124", "GBA",
            "UNOC", when="202611241015"), "iso-8859-1"),
        ("nla-20261125-postnl.xml", lambda out: write_wrapped(
            out, generate(6, seed=20261125, defect_rate=0.3, origins=("DE",)), "postnl-item"),
         "utf-8"),
        ("cds-20261126-decdata.xml", lambda out: write_wrapped(
            out, generate(6, seed=20261126, defect_rate=0.3, origins=("NZ",)), "cds-decdata"),
         "utf-8"),
    ]
    for name, write, encoding in others:
        buffer = io.StringIO()
        write(buffer)
        (target / name).write_bytes(buffer.getvalue().encode(encoding))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "samples"))
