"""A small CUSITM interchange builder shared by the EDIFACT tests."""

MESSAGE = [
    "UNH+1+CUSITM:1:0:UP",
    "BGM+XXX+GBA-1+9",
    "CNI+1+RR473124829GB",
    "TSR+C:A",
    "GIS+11",
    "DTM+200:202611191640:203",
    "MEA+WT+AAD+KGM:0.450",
    "MOA+39:20.00:GBP",
    "MOA+64:4.20:GBP",
    "NAD+CZ+++Jane Example+10 High Street+London++SW1A 1AA+GB",
    "COM+?+44 20 7946 0000:TE",
    "NAD+CN+++John Sample+1600 Example Ave NW+Washington+DC+20500+US",
    "COM+john@example.org:EM",
    "DOC+380+INV-1",
    "GID+1+2",
    "FTX+AAA+++Men?'s cotton T-shirt",
    "MEA+WT+AAF+KGM:0.300",
    "MOA+146:20.00:GBP",
    "PIA+5+6109100012:HS",
    "LOC+27+CN",
]


def interchange(segments=MESSAGE, charset="UNOC", una="UNA:+.? '", terminator="'",
                separator="\n", unt=None, unz="1", messages=1, extra=()):
    """An interchange of ``messages`` copies of ``segments`` (plus ``extra`` segments)."""
    body = []
    for _ in range(messages):
        segs = [*segments, *extra]
        body += [*segs, f"UNT+{unt or len(segs) + 1}+1"]
    parts = ([una] if una else []) + [f"UNB+{charset}:3+GBA+USA+261120:1015+1", *body]
    if unz is not None:
        parts.append(f"UNZ+{unz}+1")
    return "".join(p if p.startswith("UNA") else p + terminator + separator for p in parts)
