"""Nothing is lost: per-item isolation, and the summary balances on every fixture."""

import json

import pytest

from conftest import ITEM, SAMPLE_INPUTS, SAMPLES, itmatt, records, run
from test_xmlsafe import HOSTILE


def test_an_item_that_breaks_is_rejected_and_the_run_goes_on(tmp_path, cli, monkeypatch):
    from postconv.check import checks

    original = checks.CHECKS["s10"]

    def explode(value, record, params):
        if value == "EE123456785US":
            raise RuntimeError("boom")
        return original(value, record, params)

    monkeypatch.setitem(checks.CHECKS, "s10", explode)
    path = tmp_path / "in.xml"
    path.write_text(itmatt(ITEM, ITEM.replace("RR473124829GB", "EE123456785US"),
                           ITEM.replace("RR473124829GB", "RB123456785GB")))
    summary_path = tmp_path / "summary.json"
    result = cli("convert", str(path), "--summary-json", str(summary_path), "--jobs", "1")
    assert [r["tracking_number"] for r in records(result.stdout)] == [
        "RR473124829GB", "RB123456785GB"]
    assert result.exit_code == 70
    assert "item 1 rejected: internal error: RuntimeError" in result.stderr
    summary = json.loads(summary_path.read_text())["inputs"][0]
    assert (summary["items_read"], summary["records_written"], summary["items_rejected"]) == (
        3, 2, 1)
    assert summary["rejected_items"] == [{"item_index": 1,
                                          "reason": "internal error: RuntimeError"}]


def _fixtures(tmp_path):
    paths = [str(p) for p in SAMPLE_INPUTS]
    for name, text in HOSTILE.items():
        path = tmp_path / f"{name}.xml"
        path.write_text(text)
        paths.append(str(path))
    for n, cut in enumerate((200, 5000, 20000)):
        data = (SAMPLES / "cna-20261123.xml").read_bytes()[:cut]
        path = tmp_path / f"cut{n}.xml"
        path.write_bytes(data)
        paths.append(str(path))
    edi = (SAMPLES / "gba-20261124.edi").read_bytes()
    (tmp_path / "cut.edi").write_bytes(edi[: len(edi) // 2])
    paths.append(str(tmp_path / "cut.edi"))
    paths.append(str(tmp_path / "missing.xml"))
    return paths


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_summary_balances_on_every_fixture(tmp_path, jobs):
    summary_path = tmp_path / "summary.json"
    inputs = _fixtures(tmp_path)
    result = run("convert", *inputs, "-o", "/dev/null", "--summary-json", str(summary_path),
                 "--jobs", jobs)
    assert result.returncode in (65, 66)
    assert b"Traceback" not in result.stderr
    summary = json.loads(summary_path.read_text())
    assert summary["summary_version"] == 1 and len(summary["inputs"]) == len(inputs)
    for entry in summary["inputs"]:
        assert entry["items_read"] == entry["records_written"] + entry["items_rejected"], entry
    totals = summary["totals"]
    assert totals["items_read"] == totals["records_written"] + totals["items_rejected"]
    assert totals["inputs_failed"] == sum(1 for e in summary["inputs"] if e["exit_code"])
    by_name = {e["input"].rsplit("/", 1)[-1]: e for e in summary["inputs"]}
    assert by_name["missing.xml"]["exit_code"] == 66
    assert by_name["billion-laughs.xml"]["exit_code"] == 65
    assert by_name["cut2.xml"]["records_written"] > 0
