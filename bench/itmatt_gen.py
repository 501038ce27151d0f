"""Seeded generator of realistic ITMATT items, with defects injected at known places.

Used by the benchmark (large files), by the tests (injected-defect recall, cross-format
equality) and to write ``samples/``. Items are built format-neutral, then written as the
reference ITMATT XML binding (or, by the tests, in the other dialects).

    python bench/itmatt_gen.py 100000 -o big.xml --seed 7 --defect-rate 0.2
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

#: (description, 10-digit HTSUS, origin, unit net kg, unit value USD)
GOODS = [
    ("Men's cotton T-shirt", "6109100012", "CN", "0.150", "9.50"),
    ("Women's leather handbag", "4202215000", "IT", "0.650", "84.00"),
    ("Ceramic coffee mug", "6912004400", "GB", "0.350", "12.00"),
    ("Stainless steel kitchen knife", "8211910000", "DE", "0.120", "35.00"),
    ("Paperback novel", "4901990070", "GB", "0.300", "11.99"),
    ("Wooden toy train", "9503000073", "DE", "0.400", "24.00"),
    ("Sterling silver earrings", "7113115000", "TH", "0.020", "45.00"),
    ("Bluetooth headphones", "8518300000", "CN", "0.250", "39.90"),
    ("Green tea leaves, 100 g tin", "0902100000", "JP", "0.110", "14.00"),
    ("Wool knitted scarf", "6117104000", "IE", "0.180", "29.00"),
    ("Silicone phone case", "3926909990", "CN", "0.040", "7.50"),
    ("Plastic building bricks set", "9503000090", "DK", "0.500", "49.99"),
    ("Vitamin C tablets, 60 count", "2106909998", "US", "0.090", "8.25"),
    ("Acrylic paint set, 12 tubes", "3213100000", "FR", "0.300", "18.00"),
    ("Cotton baby romper", "6111206010", "PT", "0.090", "16.00"),
    ("Porcelain tea set", "6911101000", "JP", "1.200", "68.00"),
    ("Running shoes with rubber soles", "6404110000", "VN", "0.700", "89.00"),
    ("Printed greeting cards", "4909004000", "NL", "0.060", "6.00"),
]

POSTS = {
    "GB": ("GBA", "GBP", "LONDON MC", [("Jane Example", "10 High Street", "SW1A 1AA", "London"),
                                      ("Amir Patel", "4 Mill Lane", "M1 2AB", "Manchester"),
                                      ("Sophie Turner", "22 Queen Street", "EH2 1JX",
                                       "Edinburgh")]),
    "DE": ("DEA", "EUR", "FRANKFURT IMPC", [("Jürgen Müller", "Hauptstraße 5", "60311",
                                             "Frankfurt am Main"),
                                            ("Lena Schäfer", "Bahnhofstraße 12", "10115",
                                             "Berlin")]),
    "JP": ("JPA", "JPY", "TOKYO IMPC", [("Yuki Tanaka", "1-2-3 Ginza, Chuo-ku", "104-0061",
                                         "Tokyo")]),
    "CN": ("CNA", "CNY", "SHANGHAI IMPC", [("Li Wei", "88 Nanjing Road", "200001",
                                            "Shanghai"),
                                           ("Zhang Min", "15 Tianhe Road", "510620",
                                            "Guangzhou")]),
    "NZ": ("NZA", "NZD", "AUCKLAND IMPC", [("Aroha Ngata", "7 Ponsonby Road", "1011",
                                            "Auckland")]),
}
#: Units of each currency per US dollar (rounded, for plausible amounts only).
RATES = {"GBP": "0.79", "EUR": "0.92", "JPY": "150", "CNY": "7.2", "NZD": "1.65",
         "USD": "1"}
CONSIGNEES = [
    ("John Sample", "1600 Example Ave NW", "20500", "Washington", "DC"),
    ("Maria Garcia", "350 Fifth Avenue", "10118", "New York", "NY"),
    ("Robert Chen", "1 Market Street, Apt 4B", "94105-1420", "San Francisco", "CA"),
    ("Emily Johnson", "233 S Wacker Dr", "60606", "Chicago", "IL"),
    ("Luis Rivera", "151 Calle San Francisco", "00901", "San Juan", "PR"),
    ("Ashley Brown", "4400 Massachusetts Ave", "20016", "Washington", "DC"),
]


def s10(prefix: str, serial: int, country: str) -> str:
    digits = f"{serial:08d}"
    total = sum(int(d) * w for d, w in zip(digits, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return f"{prefix}{digits}{check}{country}"


@dataclass
class Defect:
    """A defect injected into an item: the field it breaks and the code that must flag it."""

    field: str
    code: str


@dataclass
class GenItem:
    data: dict[str, Any]
    defects: list[Defect] = field(default_factory=list)


def _money(amount: Decimal, currency: str) -> tuple[str, str]:
    places = Decimal("1") if currency == "JPY" else Decimal("0.01")
    return str(amount.quantize(places)), currency


def clean_item(rng: random.Random, index: int, origin: str = "GB",
               serial_base: int = 10_000_000) -> dict[str, Any]:
    """A complete item that meets every rule of the ``us`` profile in its 2026 tier."""
    post, currency, office, senders = POSTS[origin]
    rate = Decimal(RATES[currency])
    sender = rng.choice(senders)
    consignee = rng.choice(CONSIGNEES)
    pieces = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        desc, hs, made_in, net, usd = rng.choice(GOODS)
        qty = rng.choice((1, 1, 2, 3))
        pieces.append({
            "desc": desc, "qty": str(qty),
            "net": str((Decimal(net) * qty).quantize(Decimal("0.001"))),
            "value": _money(Decimal(usd) * qty * rate, currency),
            "hs": hs, "origin": made_in,
        })
    net_total = sum(Decimal(p["net"]) for p in pieces)
    total = sum(Decimal(p["value"][0]) for p in pieces)
    gross = (net_total + Decimal("0.080") + Decimal(rng.randint(0, 200)) / 1000).quantize(
        Decimal("0.001"))
    mail_class = "U" if gross <= Decimal("1.800") and rng.random() < 0.4 else "C"
    day = 1 + index % 19  # posted before the message of 2026-11-20 that carries it
    return {
        "id": s10("RR" if mail_class == "U" else "CP",
                  serial_base + index * 7 % (99_999_999 - serial_base), origin),
        "mail_class": mail_class,
        "mail_category": rng.choice("AAAB"),
        "nature": rng.choice(("11", "11", "11", "31", "32")),
        "explanation": None,
        "posted": f"2026-11-{day:02d}T{8 + index % 10:02d}:{index % 60:02d}:00+00:00",
        "office": office,
        "gross": str(gross),
        "total": _money(total, currency),
        "charges": _money(Decimal("4.20") * rate, currency),
        "insured": None,
        "sender": {"name": sender[0], "company": None, "lines": [sender[1]],
                   "postcode": sender[2], "city": sender[3], "state": None, "country": origin,
                   "phone": "+44 20 7946 0000" if origin == "GB" else None,
                   "email": None, "ref": None},
        "addressee": {"name": consignee[0], "company": None, "lines": [consignee[1]],
                      "postcode": consignee[2], "city": consignee[3], "state": consignee[4],
                      "country": "PR" if consignee[4] == "PR" else "US", "phone": None,
                      "email": None, "ref": None},
        "pieces": pieces,
        "invoice": f"INV-{index:06d}",
        "comments": None,
        "post": post,
    }


def _first_piece(item: dict[str, Any]) -> dict[str, Any]:
    piece: dict[str, Any] = item["pieces"][0]
    return piece


#: Each defect: a function that breaks a clean item, and what must flag it.
DEFECTS: dict[str, tuple[Any, str, str]] = {
    "no_tracking": (lambda i: i.update(id=None), "tracking_number", "MISSING_ELEMENT"),
    "bad_check_digit": (lambda i: i.update(id=i["id"][:10] + str((int(i["id"][10]) + 1) % 10)
                                           + i["id"][11:]),
                        "tracking_number", "INVALID_S10_CHECK_DIGIT"),
    "reserved_service": (lambda i: i.update(id="JJ" + i["id"][2:]), "tracking_number",
                         "RESERVED_S10_SERVICE_INDICATOR"),
    "no_zip": (lambda i: i["addressee"].update(postcode=None), "consignee.postal_code",
               "MISSING_ELEMENT"),
    "bad_zip": (lambda i: i["addressee"].update(postcode="2050"), "consignee.postal_code",
                "INVALID_ZIP_CODE"),
    "bad_state": (lambda i: i["addressee"].update(state="XY"), "consignee.state",
                  "INVALID_US_STATE"),
    "vague_gift": (lambda i: _first_piece(i).update(desc="Gift"), "line_items[0].description",
                   "VAGUE_DESCRIPTION"),
    "vague_words": (lambda i: _first_piece(i).update(desc="various gifts"),
                    "line_items[0].description", "VAGUE_DESCRIPTION"),
    "vague_digits": (lambda i: _first_piece(i).update(desc="1234"),
                     "line_items[0].description", "VAGUE_DESCRIPTION"),
    "vague_xxx": (lambda i: _first_piece(i).update(desc="XXX"), "line_items[0].description",
                  "VAGUE_DESCRIPTION"),
    "no_description": (lambda i: _first_piece(i).update(desc=None),
                       "line_items[0].description", "MISSING_ELEMENT"),
    "hs_6_digits": (lambda i: _first_piece(i).update(hs=_first_piece(i)["hs"][:6]),
                    "line_items[0].hts_number", "HTS_NUMBER_TOO_SHORT"),
    "no_origin": (lambda i: _first_piece(i).update(origin=None),
                  "line_items[0].country_of_origin", "MISSING_ELEMENT"),
    "bad_weight": (lambda i: i.update(gross="abc"), "gross_weight_kg", "INVALID_DECIMAL"),
    "bad_country": (lambda i: i["sender"].update(country="XX"), "shipper.country",
                    "INVALID_COUNTRY_CODE"),
    "zero_quantity": (lambda i: _first_piece(i).update(qty="0"), "line_items[0].quantity",
                      "INVALID_QUANTITY"),
    "no_sender_name": (lambda i: i["sender"].update(name=None), "shipper.name",
                       "MISSING_ELEMENT"),
    "placeholder_name": (lambda i: i["addressee"].update(name="N/A"), "consignee.name",
                         "VAGUE_PARTY_NAME"),
    "other_unexplained": (lambda i: i.update(nature="991", explanation=None), "category",
                          "MISSING_CATEGORY_EXPLANATION"),
    "no_category": (lambda i: i.update(nature=None), "category", "MISSING_ELEMENT"),
    "value_mismatch": (lambda i: i.update(total=(str(Decimal(i["total"][0]) + 50),
                                                 i["total"][1])),
                       "declared_value", "DECLARED_VALUE_MISMATCH"),
    "gross_below_net": (lambda i: i.update(gross="0.010"), "gross_weight_kg",
                        "GROSS_BELOW_NET_WEIGHT"),
    "no_value": (lambda i: i.update(total=None), "declared_value", "MISSING_ELEMENT"),
    "no_street": (lambda i: i["addressee"].update(lines=[]), "consignee.address_lines",
                  "MISSING_ELEMENT"),
}


def generate(count: int, seed: int = 1, defect_rate: float = 0.0,
             origins: tuple[str, ...] = ("GB",)) -> Iterator[GenItem]:
    """``count`` items; a share ``defect_rate`` of them carry one injected defect each."""
    rng = random.Random(seed)
    names = sorted(DEFECTS)
    serial_base = 10_000_000 + seed * 7919 % 40_000_000
    for index in range(count):
        data = clean_item(rng, index, origins[index % len(origins)], serial_base)
        item = GenItem(data)
        if defect_rate and rng.random() < defect_rate:
            name = rng.choice(names)
            mutate, field_path, code = DEFECTS[name]
            mutate(data)
            item.defects.append(Defect(field_path, code))
        yield item


def _el(tag: str, value: str | None, indent: str, attrs: str = "") -> str:
    if value is None:
        return ""
    return f"{indent}<{tag}{attrs}>{escape(value)}</{tag}>\n"


def _money_el(tag: str, money: tuple[str, str] | None, indent: str) -> str:
    if money is None:
        return ""
    return _el(tag, money[0], indent, f" currency={quoteattr(money[1])}")


def _party(tag: str, party: dict[str, Any], ref_tag: str) -> str:
    lines = "".join(_el("Line", line, "        ") for line in party["lines"])
    return (
        f"    <{tag}>\n"
        + _el("Name", party["name"], "      ")
        + _el("Company", party["company"], "      ")
        + "      <Address>\n" + lines
        + _el("PostCode", party["postcode"], "        ")
        + _el("City", party["city"], "        ")
        + _el("State", party["state"], "        ")
        + _el("CountryCode", party["country"], "        ")
        + "      </Address>\n"
        + _el("Phone", party["phone"], "      ")
        + _el("Email", party["email"], "      ")
        + _el(ref_tag, party["ref"], "      ")
        + f"    </{tag}>\n"
    )


def item_xml(data: dict[str, Any], prefix: str = "") -> str:
    """One ``Item`` element of the reference binding."""
    pieces = "".join(
        f'    <ContentPiece number="{n}">\n'
        + _el("Description", p["desc"], "      ")
        + _el("Quantity", p["qty"], "      ")
        + _el("NetWeight", p["net"], "      ")
        + _money_el("Value", p["value"], "      ")
        + _el("HSTariffNumber", p["hs"], "      ")
        + _el("OriginCountry", p["origin"], "      ")
        + "    </ContentPiece>\n"
        for n, p in enumerate(data["pieces"], start=1)
    )
    text = (
        "  <Item>\n"
        + _el("ItemId", data["id"], "    ")
        + _el("MailClass", data["mail_class"], "    ")
        + _el("MailCategory", data["mail_category"], "    ")
        + _el("NatureOfTransaction", data["nature"], "    ")
        + _el("NatureExplanation", data["explanation"], "    ")
        + "    <Posting>\n" + _el("DateTime", data["posted"], "      ")
        + _el("Office", data["office"], "      ") + "    </Posting>\n"
        + _el("GrossWeight", data["gross"], "    ")
        + _money_el("TotalValue", data["total"], "    ")
        + _money_el("PostalCharges", data["charges"], "    ")
        + _money_el("InsuredValue", data["insured"], "    ")
        + _party("Sender", data["sender"], "CustomsReference")
        + _party("Addressee", data["addressee"], "ImporterReference")
        + pieces
        + "    <Documents>\n" + _el("Invoice", data["invoice"], "      ") + "    </Documents>\n"
        + _el("Comments", data["comments"], "    ")
        + "  </Item>\n"
    )
    if prefix:
        text = text.replace("</", f"</{prefix}:").replace("<", f"<{prefix}:").replace(
            f"<{prefix}:/", "</")
    return text


def write_itmatt(out: IO[str], items: Any, message_id: str, origin_post: str = "GBA",
                 when: str = "2026-11-20T10:15:00Z") -> int:
    """Write an ITMATT document of ``items`` (GenItem); return the number written."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<ITMATT version="1.5">\n')
    out.write(f"  <MessageHeader>\n    <MessageId>{escape(message_id)}</MessageId>\n"
              f"    <DateTime>{when}</DateTime>\n"
              f"    <OriginOperator>{origin_post}</OriginOperator>\n"
              "    <DestinationOperator>USA</DestinationOperator>\n  </MessageHeader>\n")
    count = 0
    for item in items:
        out.write(item_xml(item.data))
        count += 1
    out.write("</ITMATT>\n")
    return count


def with_defect(data: dict[str, Any], name: str) -> tuple[dict[str, Any], Defect]:
    """A copy of ``data`` with the named defect injected."""
    broken = copy.deepcopy(data)
    mutate, field_path, code = DEFECTS[name]
    mutate(broken)
    return broken, Defect(field_path, code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", default="-")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--defect-rate", type=float, default=0.0)
    parser.add_argument("--format", default="itmatt",
                        choices=["itmatt", "cusitm", "postnl-item", "cds-decdata"])
    args = parser.parse_args(argv)
    items = generate(args.count, args.seed, args.defect_rate)
    message_id = f"BENCH-{args.seed}-{args.count}"

    def write(out: IO[str]) -> None:
        if args.format == "itmatt":
            write_itmatt(out, items, message_id)
        elif args.format == "cusitm":
            write_cusitm(out, items)
        else:
            write_wrapped(out, items, args.format)

    if args.output == "-":
        write(sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            write(out)
    return 0



# --- the same items in the other built-in dialects (for the cross-format tests) ---------


def item_postnl(data: dict[str, Any]) -> str:
    """One ``Item`` in the element-per-field layout (``postnl-item``)."""
    sender, addressee = data["sender"], data["addressee"]
    pieces = "".join(
        "    <ContentPiece>\n"
        + _el("HSCode", p["hs"], "      ") + _el("Weight", p["net"], "      ")
        + _el("NumberOfPieces", p["qty"], "      ")
        + _el("Value", p["value"][0] if p["value"] else None, "      ")
        + _el("Currency", p["value"][1] if p["value"] else None, "      ")
        + _el("OriginCountry", p["origin"], "      ")
        + _el("Description", p["desc"], "      ")
        + "    </ContentPiece>\n"
        for p in data["pieces"]
    )
    gift = {"31": "true", "11": "false"}.get(data["nature"] or "")
    return (
        "  <Item>\n" + _el("ItemId", data["id"], "    ")
        + _el("TotalWeight", data["gross"], "    ")
        + _el("MailClass", data["mail_class"], "    ")
        + _el("Gift", gift, "    ")
        + _el("TransportCosts", data["charges"][0] if data["charges"] else None, "    ")
        + _el("TransportCurrency", data["charges"][1] if data["charges"] else None, "    ")
        + "    <ReceiverAddress>\n" + _el("Name", addressee["name"], "      ")
        + _el("Street", addressee["lines"][0] if addressee["lines"] else None, "      ")
        + _el("PostCode", addressee["postcode"], "      ")
        + _el("City", addressee["city"], "      ") + _el("State", addressee["state"], "      ")
        + _el("Country", addressee["country"], "      ") + "    </ReceiverAddress>\n"
        + "    <SenderAddress>\n" + _el("Name", sender["name"], "      ")
        + _el("StreetAndNumber", sender["lines"][0] if sender["lines"] else None, "      ")
        + _el("PostCode", sender["postcode"], "      ") + _el("City", sender["city"], "      ")
        + _el("Country", sender["country"], "      ") + "    </SenderAddress>\n"
        + pieces + "  </Item>\n"
    )


def _attr(name: str, value: str | None) -> str:
    return "" if value is None else f" {name}={quoteattr(value)}"


def item_cds(data: dict[str, Any]) -> str:
    """One ``DecData`` element in the attribute-per-field layout (``cds-decdata``)."""
    s, r = data["sender"], data["addressee"]
    lines = lambda party: party["lines"] + [None, None]  # noqa: E731
    attrs = (
        _attr("MailNo", data["id"]) + _attr("NTyp", data["nature"])
        + _attr("TrDat", data["posted"]) + _attr("GWgt", data["gross"])
        + _attr("TotCPVal", data["total"][0] if data["total"] else None)
        + _attr("TotalCPValCur", data["total"][1] if data["total"] else None)
        + _attr("Ptg", data["charges"][0] if data["charges"] else None)
        + _attr("PtgCur", data["charges"][1] if data["charges"] else None)
        + _attr("SNm", s["name"]) + _attr("SAdL1", lines(s)[0]) + _attr("SAdL2", lines(s)[1])
        + _attr("SZip", s["postcode"]) + _attr("SCty", s["city"]) + _attr("SSta", s["state"])
        + _attr("SCtr", s["country"])
        + _attr("RNm", r["name"]) + _attr("RAdL1", lines(r)[0]) + _attr("RAdL2", lines(r)[1])
        + _attr("RZip", r["postcode"]) + _attr("RCty", r["city"]) + _attr("RSta", r["state"])
        + _attr("RCtr", r["country"])
    )
    pieces = "".join(
        "    <CP" + _attr("Desc", p["desc"] if p["desc"] is not None else "")
        + _attr("No", p["qty"]) + _attr("NWgt", p["net"])
        + _attr("Amt", p["value"][0] if p["value"] else None)
        + _attr("Cur", p["value"][1] if p["value"] else None)
        + _attr("HS", p["hs"]) + _attr("OCtr", p["origin"]) + "/>\n"
        for p in data["pieces"]
    )
    return f"  <DecData{attrs}>\n{pieces}  </DecData>\n"


def _edi(text: str | None) -> str:
    if text is None:
        return ""
    for char in "?'+:":
        text = text.replace(char, "?" + char)
    return text


def item_cusitm(data: dict[str, Any], number: int) -> list[str]:
    """The segments of one item in the ``cusitm`` EDIFACT binding."""
    segs = [f"CNI+{number}+{_edi(data['id'])}"]
    segs.append(f"TSR+{_edi(data['mail_class'])}:{_edi(data['mail_category'])}")
    if data["nature"]:
        segs.append(f"GIS+{data['nature']}")
    if data["posted"]:
        stamp = data["posted"][:16].replace("-", "").replace("T", "").replace(":", "")
        segs.append(f"DTM+200:{stamp}:203")
    if data["office"]:
        segs.append(f"LOC+91+{_edi(data['office'])}")
    if data["gross"]:
        segs.append(f"MEA+WT+AAD+KGM:{_edi(data['gross'])}")
    for qualifier, money in (("39", data["total"]), ("64", data["charges"]),
                             ("67", data["insured"])):
        if money:
            segs.append(f"MOA+{qualifier}:{money[0]}:{money[1]}")
    for qualifier, party in (("CZ", data["sender"]), ("CN", data["addressee"])):
        street = ":".join(_edi(line) for line in party["lines"])
        segs.append(f"NAD+{qualifier}+++{_edi(party['name'])}+{street}+{_edi(party['city'])}"
                    f"+{_edi(party['state'])}+{_edi(party['postcode'])}"
                    f"+{_edi(party['country'])}")
        if party["phone"]:
            segs.append(f"COM+{_edi(party['phone'])}:TE")
    if data["invoice"]:
        segs.append(f"DOC+380+{_edi(data['invoice'])}")
    for n, piece in enumerate(data["pieces"], start=1):
        segs.append(f"GID+{n}+{_edi(piece['qty'])}")
        if piece["desc"] is not None:
            segs.append(f"FTX+AAA+++{_edi(piece['desc'])}")
        if piece["net"]:
            segs.append(f"MEA+WT+AAF+KGM:{piece['net']}")
        if piece["value"]:
            segs.append(f"MOA+146:{piece['value'][0]}:{piece['value'][1]}")
        if piece["hs"]:
            segs.append(f"PIA+5+{piece['hs']}:HS")
        if piece["origin"]:
            segs.append(f"LOC+27+{_edi(piece['origin'])}")
    return segs


def write_cusitm(out: IO[str], items: Any, reference: str = "000123",
                 origin_post: str = "GBA", charset: str = "UNOY",
                 when: str = "202611201015") -> int:
    """Write a CUSITM interchange (one message) of ``items``; return the number written.

    ``when`` (CCYYMMDDHHMM) is the interchange and message date (UNB, DTM+137)."""
    body = [f"BGM+XXX+{reference}+9", f"DTM+137:{when}:203"]
    count = 0
    for count, item in enumerate(items, start=1):
        body.extend(item_cusitm(item.data, count))
    segments = ["UNH+1+CUSITM:1:0:UP", *body]
    segments.append(f"UNT+{len(segments) + 1}+1")
    out.write("UNA:+.? '\n")
    out.write(f"UNB+{charset}:3+{origin_post}+USA+{when[2:8]}:{when[8:12]}+{reference}'\n")
    for segment in segments:
        out.write(segment + "'\n")
    out.write(f"UNZ+1+{reference}'\n")
    return count


def write_wrapped(out: IO[str], items: Any, fmt: str) -> int:
    """Write ``items`` under a wrapper element in ``postnl-item`` or ``cds-decdata``."""
    render = item_postnl if fmt == "postnl-item" else item_cds
    wrapper = "Items" if fmt == "postnl-item" else "Declarations"
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<{wrapper}>\n')
    count = 0
    for item in items:
        out.write(render(item.data))
        count += 1
    out.write(f"</{wrapper}>\n")
    return count


if __name__ == "__main__":
    raise SystemExit(main())
