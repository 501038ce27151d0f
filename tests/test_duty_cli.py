"""``postconv duty``: the command end to end, on ITMATT files and on samples/: outputs,
exit statuses, months, exceptions, atomic outputs, bad tables."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import openpyxl
import pytest

from conftest import ITEM, SAMPLES, itmatt, run
from duty_fixtures import write_csv
from postconv.duty.tables import CONVEYANCE_COLUMNS, FX_COLUMNS, RATE_COLUMNS

DUTY = SAMPLES / "duty"


def goods(tracking: str, *lines: tuple[str, str, str], posted: str = "2025-05-01",
          nature: str = "11") -> str:
    """An ITMATT item with content ``lines`` of (origin, value, currency)."""
    pieces = "".join(
        f'<ContentPiece number="{n}"><Description>Goods {n}</Description>'
        f"<Quantity>1</Quantity><NetWeight>0.1</NetWeight>"
        f'<Value currency="{currency}">{value}</Value><HSTariffNumber>6109100012'
        f"</HSTariffNumber><OriginCountry>{origin}</OriginCountry></ContentPiece>"
        for n, (origin, value, currency) in enumerate(lines, start=1))
    text = re.sub(r"<ContentPiece.*</ContentPiece>", pieces, ITEM, flags=re.S)
    text = text.replace("RR473124829GB", tracking).replace("2026-11-19", posted)
    return text.replace("<NatureOfTransaction>11<", f"<NatureOfTransaction>{nature}<")


@pytest.fixture
def cbp(tmp_path: Path) -> Path:
    """CBP's example items, with their rates and conveyances, in ``tmp_path``."""
    (tmp_path / "in.xml").write_text(itmatt(
        goods("EX123456789CN", ("GB", "47.00", "USD"), ("FR", "23.00", "USD")),
        goods("LS987654321HK", ("BR", "45.00", "USD"))), encoding="utf-8")
    write_csv(tmp_path / "rates.csv", RATE_COLUMNS,
              ["GB,2025-01-01,,,10,,ex", "FR,2025-01-01,,,10,,ex", "BR,2025-01-01,,,50,,ex"])
    write_csv(tmp_path / "fx.csv", FX_COLUMNS, [])
    write_csv(tmp_path / "conveyance.csv", CONVEYANCE_COLUMNS,
              ["EX123456789CN,AB,123,4701,2025-05-02,",
               "LS987654321HK,ABCD,AB645397645,2304,2025-05-03,"])
    return tmp_path


def duty(folder: Path, *args: str) -> object:
    return run("duty", "in.xml", "--rates", "rates.csv", "--fx", "fx.csv", *args, cwd=folder)


def test_cbp_example_on_stdout(cbp: Path) -> None:
    done = duty(cbp, "--conveyance", "conveyance.csv")
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    assert done.stdout.decode().splitlines() == [  # type: ignore[attr-defined]
        "Carrier Code,Flight/ Trip Number,Tracking Number,Arrival Port Code,Arrival Date,"
        "Declared Value (USD),Country of Origin,Tariff Rate,Duties Owed",
        "AB,123,EX123456789CN,4701,5/2/2025,47.00,GB,10%,4.70",
        "AB,123,EX123456789CN,4701,5/2/2025,23.00,FR,10%,2.30",
        "ABCD,AB645397645,LS987654321HK,2304,5/3/2025,45.00,BR,50%,22.50",
    ]
    stderr = done.stderr.decode()  # type: ignore[attr-defined]
    assert "3 rows for 2 packages, shipment value $115.00, duties owed $29.50" in stderr
    assert "party fields not given" in stderr


def test_xlsx_with_detail(cbp: Path) -> None:
    done = duty(cbp, "--conveyance", "conveyance.csv", "-o", "ws.xlsx", "--detail", "d.csv",
                "--party", str(DUTY / "party.toml"), "-q")
    assert done.returncode == 0 and done.stderr == b""  # type: ignore[attr-defined]
    book = openpyxl.load_workbook(cbp / "ws.xlsx")
    assert book.sheetnames == ["Sheet1", "Page 2"]
    assert book["Page 2"].max_row == 5
    detail = list(csv.DictReader(io.StringIO((cbp / "d.csv").read_text())))
    assert [(d["tracking_number"], d["country_of_origin"], d["line"], d["rate_row"],
             d["exportation_date"], d["exportation_date_from"], d["fx_kind"])
            for d in detail][:1] == [("EX123456789CN", "GB", "5", "rates.csv:2", "2025-05-01",
                                      "posting date", "none (USD)")]


def test_several_months_without_month_is_exit_2_and_nothing_written(cbp: Path) -> None:
    write_csv(cbp / "conveyance.csv", CONVEYANCE_COLUMNS,
              ["EX123456789CN,AB,123,4701,2025-05-31,", "LS987654321HK,AB,124,4701,2025-06-01,"])
    (cbp / "ws.csv").write_text("an older worksheet\n")
    done = duty(cbp, "--conveyance", "conveyance.csv", "-o", "ws.csv", "--exceptions", "e.csv")
    assert done.returncode == 2  # type: ignore[attr-defined]
    assert ("the rows fall in several months of importation: 2025-05 (2 rows), 2025-06 "
            "(1 rows); choose one with --month") in done.stderr.decode()  # type: ignore
    assert (cbp / "ws.csv").read_text() == "an older worksheet\n"
    assert not (cbp / "e.csv").exists()
    assert sorted(p.name for p in cbp.iterdir()) == ["conveyance.csv", "fx.csv", "in.xml",
                                                     "rates.csv", "ws.csv"]
    on_stdout = duty(cbp, "--conveyance", "conveyance.csv")
    assert on_stdout.returncode == 2 and on_stdout.stdout == b""  # type: ignore[attr-defined]

    chosen = duty(cbp, "--conveyance", "conveyance.csv", "--month", "2025-06", "-o", "ws.csv",
                  "--exceptions", "e.csv")
    assert chosen.returncode == 1  # type: ignore[attr-defined]
    assert "1 item with goods could not be computed (listed in e.csv)" in \
        chosen.stderr.decode()  # type: ignore[attr-defined]
    assert (cbp / "e.csv").read_text().splitlines() == [
        "tracking_number,input,line,reason",
        "EX123456789CN,in.xml,5,\"arrived 2025-05-31, not in --month 2025-06\""]
    assert len((cbp / "ws.csv").read_text().splitlines()) == 2


def test_exceptions_exit_1_unless_fail_on_never(cbp: Path) -> None:
    args = ("--carrier", "AB", "--flight", "9", "--port", "4701", "--arrival-date",
            "2025-05-02")
    write_csv(cbp / "rates.csv", RATE_COLUMNS, ["GB,2025-01-01,,,10,,ex"])
    done = duty(cbp, *args)
    assert done.returncode == 1  # type: ignore[attr-defined]
    assert "2 items with goods could not be computed (give --exceptions FILE.csv to list " \
        "them)" in done.stderr.decode()  # type: ignore[attr-defined]
    assert duty(cbp, *args, "--fail-on", "never").returncode == 0  # type: ignore


def test_documents_give_no_row(tmp_path: Path) -> None:
    (tmp_path / "in.xml").write_text(itmatt(goods("RR1", ("GB", "1", "USD"), nature="91")))
    write_csv(tmp_path / "rates.csv", RATE_COLUMNS, [])
    write_csv(tmp_path / "fx.csv", FX_COLUMNS, [])
    done = duty(tmp_path, "--carrier", "AB", "--flight", "9", "--port", "4701",
                "--arrival-date", "2025-05-02", "-f", "jsonl")
    assert done.returncode == 0 and done.stdout == b""  # type: ignore[attr-defined]
    assert "1 of documents (not dutiable)" in done.stderr.decode()  # type: ignore


@pytest.mark.parametrize(("args", "code", "message"), [
    (("-o", "ws.xlsx", "-f", "csv"), 2, "-f csv contradicts the output's name 'ws.xlsx'"),
    (("-f", "xlsx"), 2, "an .xlsx worksheet needs a file"),
    (("-f", "pdf"), 2, "-f 'pdf': choose xlsx, csv, jsonl"),
    (("--month", "2025-13"), 2, "--month '2025-13' is not a month (YYYY-MM)"),
    (("--method", "flat"), 2, "--method 'flat': choose ad-valorem or specific"),
    (("--carrier", "AB"), 2, "the run's conveyance needs --flight, --port, --arrival-date"),
    (("--conveyance", "nope.csv"), 66, "nope.csv: no such conveyance file"),
    (("--conveyance", "conveyance.csv", "--party", "nope.toml"), 66, "no such party file"),
])
def test_usage_and_missing_files(cbp: Path, args: tuple[str, ...], code: int,
                                 message: str) -> None:
    done = duty(cbp, *args)
    assert done.returncode == code, done.stderr  # type: ignore[attr-defined]
    assert message in done.stderr.decode()  # type: ignore[attr-defined]
    assert not (cbp / "ws.xlsx").exists()


def test_broken_tables_exit_78_and_keep_the_old_worksheet(cbp: Path) -> None:
    (cbp / "ws.csv").write_text("old\n")
    write_csv(cbp / "fx.csv", FX_COLUMNS, ["EUR,2025-01-01,2025-03-31,0.9,quarterly,q",
                                           "EUR,2025-03-01,2025-06-30,0.9,quarterly,q"])
    done = duty(cbp, "--conveyance", "conveyance.csv", "-o", "ws.csv")
    assert done.returncode == 78  # type: ignore[attr-defined]
    assert done.stderr.decode().strip() == (  # type: ignore[attr-defined]
        "postconv: error: fx.csv:3: invalid FX file: overlaps line 2 (quarterly EUR, both "
        "valid on 2025-03-01): one row must apply")
    assert (cbp / "ws.csv").read_text() == "old\n"


def test_row_limit_in_process(cbp: Path, cli: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from postconv.duty import sheets

    monkeypatch.setattr(sheets, "EXCEL_ROWS", 3)
    monkeypatch.chdir(cbp)
    result = cli("duty", "in.xml", "--rates", "rates.csv", "--fx", "fx.csv",  # type: ignore
                 "--conveyance", "conveyance.csv", "-o", "ws.xlsx")
    assert result.exit_code == 2
    assert "Page 2 would pass Excel's 3 rows" in result.stderr
    assert not (cbp / "ws.xlsx").exists()


def readme_duty_example() -> tuple[list[str], list[str]]:
    """The README's worked duty example: its command's words and the lines it shows."""
    import shlex

    from conftest import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## Duty: the International Mail Duty Worksheet", 1)[1]
    block = block.split("```console\n", 1)[1].split("$ echo $?", 1)[0]
    command, _, shown = block.partition("\n" + "postconv: ")
    words = shlex.split(command.removeprefix("$ ").replace("\\\n", " "))
    return words, ("postconv: " + shown).strip().splitlines()


def test_readme_worked_example(tmp_path: Path) -> None:
    """The README's duty example, run as written there on a copy of samples/: the same
    stderr, exit 1 (the samples hold items that cannot be computed), the files it names."""
    import shutil

    shutil.copytree(SAMPLES, tmp_path / "samples")
    words, shown = readme_duty_example()
    assert words[:2] == ["postconv", "duty"]
    done = run(*words[1:], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().splitlines() == shown
    exceptions = list(csv.DictReader(io.StringIO((tmp_path / "exceptions.csv").read_text())))
    assert len(exceptions) == 3 and all(e["reason"] for e in exceptions)
    book = openpyxl.load_workbook(tmp_path / "worksheet.xlsx")
    header = {a: b for a, b in book["Sheet1"].iter_rows(values_only=True) if a}
    assert (header["Month of Importation"], header["Year of Importation"]) == ("November", 2026)
    rows = list(book["Page 2"].iter_rows(values_only=True))[2:]
    detail = list(csv.DictReader(io.StringIO((tmp_path / "detail.csv").read_text())))
    assert len(rows) == len(detail) > 100
    assert {d["fx_kind"] for d in detail} >= {"quarterly", "daily"}
    assert {d["exportation_date_from"] for d in detail} == {"departure date", "posting date"}
    assert sum(r[8] for r in rows) == pytest.approx(header["Total Amount Paid"])


def test_readme_file_columns_are_the_code() -> None:
    """The README's table of duty files lists the columns the loaders require."""
    from conftest import REPO
    from postconv.duty.tables import CONVEYANCE_COLUMNS, FX_COLUMNS, RATE_COLUMNS, Party

    text = (REPO / "README.md").read_text(encoding="utf-8")
    for option, columns in (("--rates", RATE_COLUMNS), ("--fx", FX_COLUMNS),
                            ("--conveyance", CONVEYANCE_COLUMNS)):
        assert f"| `{option}` | `{','.join(columns)}` |" in text
    from dataclasses import fields

    assert f"`[party] {', '.join(f.name for f in fields(Party))}`" in text


def test_failed_worksheet_leaves_no_temporary_file(cbp: Path, cli: object,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """XlsxWriter keeps rows in named temporary files that only a good close removes:
    they live in the run's scratch folder, removed however the run ends."""
    from postconv.duty import sheets

    scratch = cbp / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.setattr(sheets, "EXCEL_ROWS", 3)
    monkeypatch.chdir(cbp)
    result = cli("duty", "in.xml", "--rates", "rates.csv", "--fx", "fx.csv",  # type: ignore
                 "--conveyance", "conveyance.csv", "-o", "ws.xlsx")
    assert result.exit_code == 2
    assert list(scratch.iterdir()) == []
    assert not [p for p in cbp.iterdir() if p.name.startswith(".")]


def test_sigterm_mid_worksheet_leaves_nothing(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from itmatt_gen import generate, write_itmatt

    buffer = io.StringIO()
    write_itmatt(buffer, list(generate(20_000, seed=5)), "BIG", when="2026-11-20T10:00:00Z")
    (tmp_path / "big.xml").write_text(buffer.getvalue())
    write_csv(tmp_path / "rates.csv", RATE_COLUMNS, ["*,2000-01-01,,,10,,r"])
    write_csv(tmp_path / "fx.csv", FX_COLUMNS, [
        f"{c},2000-01-01,,1.5,quarterly,q" for c in ("GBP", "EUR", "JPY", "CNY", "NZD")])
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    (tmp_path / "old.xlsx").write_bytes(b"old")
    proc = subprocess.Popen(
        [sys.executable, "-m", "postconv", "duty", "big.xml", "--rates", "rates.csv", "--fx",
         "fx.csv", "--carrier", "AB", "--flight", "1", "--port", "4701", "--arrival-date",
         "2026-11-24", "-o", "old.xlsx", "-q"], cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(scratch)}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(scratch.rglob("tmp*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # XlsxWriter has begun its row files: the run is mid-sheet
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert (tmp_path / "old.xlsx").read_bytes() == b"old"
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.xml", "fx.csv", "old.xlsx",
                                                          "rates.csv", "tmp"]
