"""What a new user hits in the first hour: spool folders, outputs kept, the library's
arguments and summary, JSON of records, help(postconv), output formats by name, the
version, standard input."""

from __future__ import annotations

import json
import pydoc
import shutil
from datetime import date
from decimal import Decimal

import pytest

from conftest import ITEM, SAMPLE_INPUTS, SAMPLES, itmatt, records, run

# -- folders and the cron line -----------------------------------------------------------

def test_a_folder_input_reads_its_files_sorted_and_filtered(tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    for name in ("b.xml", "a.xml"):
        shutil.copy(SAMPLES / "gba-20261120.xml", spool / name)
    shutil.copy(SAMPLES / "gba-20261124.edi", spool / "c.edi")
    (spool / "d.xml.gz").write_bytes(__import__("gzip").compress(itmatt(ITEM).encode()))
    (spool / ".a.jsonl.x1.part").write_text("left by a killed run")
    (spool / "sub").mkdir()
    result = run("convert", str(spool), "--glob", "*.xml", "-q", "--summary-json",
                 str(tmp_path / "s.json"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    assert [i["input"].rsplit("/", 1)[1] for i in summary["inputs"]] == [
        "a.xml", "b.xml", "d.xml.gz"]  # sorted; .gz matched by its name without it
    every = run("convert", str(spool), "-q", "-o", "/dev/null", "--summary-json",
                str(tmp_path / "s.json"))
    assert every.returncode == 0
    assert json.loads((tmp_path / "s.json").read_text())["totals"]["inputs"] == 4


def test_the_readme_cron_line_is_silent_on_an_empty_spool(tmp_path):
    (tmp_path / "spool").mkdir()
    line = [arg for arg in _readme_cron_line()]
    assert line[:2] == ["postconv", "convert"]
    result = run(*line[1:], cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == b"" and result.stdout == b""
    summary = json.loads((tmp_path / "status.json").read_text())
    assert summary["exit_code"] == 0 and summary["totals"]["inputs"] == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def _readme_cron_line() -> list[str]:
    from conftest import REPO

    text = (REPO / "README.md").read_text()
    block = text.split("```cron\n", 1)[1].split("```", 1)[0].strip()
    command = block.split("&&", 1)[1].split()
    return command


# -- a failed input never replaces a good output ------------------------------------------

@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_a_failed_input_does_not_replace_a_good_output(tmp_path, fmt):
    keep = tmp_path / f"keep.{fmt}"
    assert run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o", str(keep)).returncode == 0
    good = keep.read_bytes()
    failed = run("convert", str(tmp_path / "typo.xm"), "-o", str(keep))
    assert failed.returncode == 66
    assert keep.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == [keep.name]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_dir_makes_no_file_for_a_missing_input(tmp_path, jobs):
    out = tmp_path / "out"
    result = run("convert", str(tmp_path / "missing.xml"), str(SAMPLES / "jpa-20261122.xml"),
                 "--output-dir", str(out), "--jobs", jobs)
    assert result.returncode == 66
    assert sorted(p.name for p in out.iterdir()) == ["jpa-20261122.jsonl"]


# -- the library ------------------------------------------------------------------------

def test_the_library_takes_iso_dates_and_refuses_other_types():
    import postconv

    sample = str(SAMPLES / "gba-20261120.xml")
    as_text = list(postconv.iter_records(sample, as_of="2026-07-24"))
    as_date = list(postconv.iter_records(sample, as_of=date(2026, 7, 24)))
    assert as_text == as_date and len(as_text) == 12
    with pytest.raises(TypeError, match="as_of"):
        postconv.iter_records(sample, as_of=20260724)  # at the call, before reading
    with pytest.raises(ValueError, match="not a date"):
        postconv.iter_records(sample, as_of="24/07/2026")


def test_a_conversion_shows_its_summary_and_rejections(monkeypatch):
    import postconv
    from postconv.check import engine

    conversion = postconv.Conversion(str(SAMPLES / "gba-20261120.xml"))
    got = list(conversion.records())
    assert conversion.summary.items_read == len(got) == conversion.summary.records_written
    assert conversion.summary.balanced and not conversion.summary.rejected

    def broken(self, record, *args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(engine.Checker, "check", broken)
    failing = postconv.Conversion(str(SAMPLES / "gba-20261120.xml"))
    assert list(failing.records()) == []
    assert failing.summary.rejected == {"internal error: RuntimeError": 12}
    assert failing.summary.rejected_items[0] == (0, "internal error: RuntimeError")


def test_dumps_writes_records_with_exact_decimals():
    import postconv

    record = next(postconv.iter_records(str(SAMPLES / "gba-20261120.xml")))
    text = postconv.dumps(record)
    assert '"net_weight_kg":0.180' in text
    assert json.loads(text, parse_float=Decimal)["line_items"][0]["net_weight_kg"] == \
        Decimal("0.180")


def test_help_shows_the_public_api_not_the_loading_machinery():
    import postconv

    page = pydoc.render_doc(postconv, renderer=pydoc.plaintext)
    for name in ("Conversion", "Converter", "iter_records", "dumps", "Limits",
                 "PostconvError"):
        assert name in page
    for machinery in ("__getattr__", "import_module", "TYPE_CHECKING"):
        assert machinery not in page
    assert "import_module" not in dir(postconv) and "iter_records" in dir(postconv)


# -- outputs by name, the version, standard input ---------------------------------------------

def test_the_format_comes_from_the_output_name(tmp_path):
    for name, first in (("r.csv", b"tracking_number,"), ("r.json", b"["),
                        ("r.ndjson", b'{"tracking_number"'), ("r.jsonl", b'{"tracking')):
        result = run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o", str(tmp_path / name))
        assert result.returncode == 0
        assert (tmp_path / name).read_bytes().startswith(first), name
    clash = run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o", str(tmp_path / "x.csv"),
                "-f", "json")
    assert clash.returncode == 2 and b"contradicts" in clash.stderr
    assert not (tmp_path / "x.csv").exists()


def test_summary_json_on_stdout_is_refused():
    result = run("convert", str(SAMPLES / "jpa-20261122.xml"), "--summary-json", "-")
    assert result.returncode == 2 and result.stdout == b""


def test_a_forced_dialect_that_does_not_fit_is_warned_about():
    result = run("convert", str(SAMPLES / "dea-20261121.xml"), "--dialect", "postnl-item",
                 "-o", "/dev/null")
    assert b"DIALECT_DOES_NOT_FIT" in result.stderr
    fits = run("convert", str(SAMPLES / "dea-20261121.xml"), "--dialect", "itmatt", "-o",
               "/dev/null")
    assert b"DIALECT" not in fits.stderr


def test_version():
    for flag in ("-V", "--version"):
        result = run(flag)
        assert result.returncode == 0
        text = result.stdout.decode()
        assert text.startswith("postconv 0.1.0 (Python 3.") and "lxml" in text
        assert "libxml2" in text


def test_piped_data_is_read_without_a_dash():
    data = (SAMPLES / "jpa-20261122.xml").read_bytes()
    result = run("convert", input=data)
    assert result.returncode == 0 and len(records(result.stdout)) == 1


# -- help, rules, check, validate wording -------------------------------------------------

def test_help_uses_the_terminal_width_and_never_wraps_examples():
    wide = run("convert", "--help", env={"COLUMNS": "160"}).stdout.decode()
    assert "postconv convert spool/ --glob '*.xml' --output-dir out/ --archive-dir done/ -q" \
        in wide
    assert "zcat night.xml.gz | postconv convert - --profile us --fail-on error > out.jsonl" \
        in wide
    assert max(len(line) for line in wide.splitlines()) > 100  # not cut at 80
    narrow = run("convert", "--help", env={"COLUMNS": "60"}).stdout.decode()
    assert "  zcat night.xml.gz | postconv convert - --profile us --fail-on error > " \
        "out.jsonl" in narrow  # an example stays whole, even past the width
    for unreadable in ("<str>", "<int range>", "{inputs}", "[default: 0]"):
        assert unreadable not in wide, unreadable
    for metavar in ("-o, --output PATH", "-j, --jobs N", "--as-of DATE", "--max-lines N"):
        assert metavar in wide


def test_check_says_what_it_did_once_and_shows_input_problems(tmp_path):
    truncated = tmp_path / "cut.edi"
    text = (SAMPLES / "gba-20261124.edi").read_text(encoding="latin-1")
    truncated.write_text(text[:text.rindex("UNT+")], encoding="latin-1")
    result = run("check", str(truncated))
    assert result.returncode == 1
    out, err = result.stdout.decode(), result.stderr.decode()
    assert "Inputs with problems" in out and "EDIFACT_" in out
    assert "records written" not in err and "items checked" in err
    assert "input finding:" in err and "warning:" not in err
    one = run("check", str(SAMPLES / "jpa-20261122.xml")).stderr.decode()
    assert "1 input, 1 item read, 1 item checked" in one


def test_origins_say_when_they_are_a_country_and_unknown_is_one_word(cli):
    out = cli("check", *map(str, SAMPLE_INPUTS), "--fail-on", "never").stdout
    assert "DE (country)" in out and "CNA" in out and " ? " not in out
    from postconv.record import UNKNOWN_ORIGIN, new_party, new_record, origin_of

    record = new_record()
    record["shipper"] = new_party()
    assert origin_of(record) == UNKNOWN_ORIGIN == "unknown"


def test_validate_names_the_value_and_refuses_other_formats(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text(itmatt(ITEM).replace("<MailClass>C<", "<MailClass>zzU<"))
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert b"'zzU' is not a value the schema allows here" in result.stdout
    assert b"\\s*" not in result.stdout
    other = run("validate", str(SAMPLES / "gba-20261124.edi"))
    assert other.returncode == 65
    assert b"only the ITMATT reference binding can be validated" in other.stderr


# -- profile errors point at the bad key ---------------------------------------------------

def test_profile_errors_name_the_line_of_the_bad_key_and_the_tier(tmp_path):
    from postconv.check.engine import package_file

    text = package_file("profiles/us.toml").read_text()
    lines = text.splitlines()
    tier_line = lines.index("from = 2025-08-29") + 1
    quoted = tmp_path / "quoted.toml"
    quoted.write_text(text.replace("from = 2025-08-29", 'from = "2025-08-29"'))
    result = run("rules", "--profile", str(quoted))
    assert result.returncode == 78
    assert f"quoted.toml:{tier_line}: " in result.stderr.decode()
    assert "tier 'us-2025'" in result.stderr.decode()
    check_line = next(n for n, line in enumerate(lines, 1) if line == 'check = "s10"')
    bad_check = tmp_path / "check.toml"
    bad_check.write_text(text.replace('check = "s10"', 'check = "s11"', 1))
    result = run("rules", "--profile", str(bad_check))
    assert result.returncode == 78
    assert f"check.toml:{check_line}: " in result.stderr.decode()
    assert "unknown check 's11'" in result.stderr.decode()


# -- progress on a terminal ------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a terminal")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_bar_with_share_rate_and_time_left_on_a_terminal(tmp_path, jobs):
    import re
    import subprocess
    import sys

    from conftest import REPO

    files = []
    for n in range(2):
        path = tmp_path / f"in{n}.xml"
        path.write_text(itmatt(*[ITEM.replace("RR473124829GB", f"RR{n}{i:08d}GB")
                                 for i in range(6000)]))
        files.append(str(path))
    command = (f"COLUMNS=150 {sys.executable} -m postconv convert {' '.join(files)} "
               f"--jobs {jobs} -o /dev/null")
    subprocess.run(["script", "-qec", command, str(tmp_path / "screen")], cwd=REPO,
                   capture_output=True, timeout=120, check=True)
    screen = (tmp_path / "screen").read_bytes().decode("utf-8", "replace")
    frames = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", f) for f in screen.split("\r")]
    shown = [f for f in frames if "items/s" in f]
    assert shown, screen[-500:]
    shares = {int(m[1]) for f in shown if (m := re.search(r"(\d+)%", f))}
    assert len(shares) >= 2 and max(shares) > 0  # the share moves while the run goes
    assert any(re.search(r"[1-9][\d,]* items,\s+[\d,]+ items/s", f) for f in shown)
    assert any(re.search(r"\d:\d\d:\d\d\s*$", f.strip()) for f in shown)  # time left


# -- the man page ---------------------------------------------------------------------------

def test_the_man_page_is_the_help_text_and_renders():
    import subprocess

    from postconv.cli import EXIT_CODES

    result = run("--help-man")
    assert result.returncode == 0
    page = result.stdout.decode()
    assert page.startswith(".TH POSTCONV 1 ")
    for command in ("convert", "check", "report", "validate", "rules", "dialects", "schema"):
        assert f".SS postconv {command}\n" in page
    assert "postconv convert spool/ --glob '*.xml'" in page  # the same examples as --help
    for code in EXIT_CODES:
        assert f".B {code}\n" in page
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed to render the page")
    shown = subprocess.run(["groff", "-man", "-Tutf8", "-ww"], input=result.stdout,
                           capture_output=True, check=True)
    import re

    text = re.sub(rb".\x08", b"", shown.stdout)  # bold and underline by overstrike
    assert shown.stderr == b"" and b"EXIT STATUS" in text and b"postconv convert" in text
