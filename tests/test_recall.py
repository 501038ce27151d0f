"""Defects injected at known places are found on the right field; clean items stay clean."""

import io

from itmatt_gen import DEFECTS, generate, write_itmatt

from postconv import Converter


def test_injected_defects_are_found(tmp_path):
    items = list(generate(3000, seed=11, defect_rate=0.5,
                          origins=("GB", "DE", "JP", "CN", "NZ")))
    buffer = io.StringIO()
    write_itmatt(buffer, items, "RECALL")
    path = tmp_path / "recall.xml"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    found = missed = clean = clean_with_error = 0
    kinds = set()
    out = list(Converter(profile="us").records(str(path)))
    assert len(out) == len(items)
    for item, record in zip(items, out, strict=True):
        findings = record["compliance"]["findings"]
        if not item.defects:
            clean += 1
            clean_with_error += any(f["severity"] == "error" for f in findings)
            continue
        for defect in item.defects:
            kinds.add(defect.code)
            if any(f["field"] == defect.field and f["code"] == defect.code for f in findings):
                found += 1
            else:
                missed += 1
    assert {code for _, _, code in DEFECTS.values()} == kinds  # every kind was injected
    assert found / (found + missed) >= 0.95, (found, missed)
    assert clean_with_error / clean < 0.01, (clean_with_error, clean)
