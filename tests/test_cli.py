"""The command-line contract: exit statuses, streams, outputs, help, determinism."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import ITEM, REPO, SAMPLE_INPUTS, SAMPLES, itmatt, records, run
from postconv.cli import EXIT_CODES, app
from postconv.errors import UsageError


def test_readme_exit_table_matches_code():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", readme, flags=re.M))
    assert {int(k): v.replace("\\|", "|") for k, v in table.items()} == EXIT_CODES


@pytest.mark.parametrize("command", ["convert", "check", "validate", "report", "schema",
                                     "rules", "dialects"])
def test_every_help_starts_with_an_example(cli, command):
    if command not in {c.name or c.callback.__name__ for c in app.registered_commands}:
        pytest.skip(f"{command} not built yet")
    out = cli(command, "--help").stdout
    body = out.split("\n\n", 2)[1] if out.startswith("Usage") else out
    assert re.search(r"Examples?:\s+postconv " + command, out), out
    assert body.strip()


def test_convert_same_input_same_bytes(tmp_path):
    args = ["convert", *[str(p) for p in SAMPLE_INPUTS], "-q",
            "--as-of", "2026-11-27"]
    assert run(*args).stdout == run(*args).stdout


def test_fail_on(cli):
    sample = str(SAMPLES / "gba-20261120.xml")
    assert cli("convert", sample, "-q").exit_code == 0
    assert cli("convert", sample, "-q", "--fail-on", "error").exit_code == 1
    clean = str(SAMPLES / "jpa-20261122.xml")
    assert cli("convert", clean, "-q", "--fail-on", "warning").exit_code == 0
    assert cli("check", sample).exit_code == 1
    assert cli("check", sample, "--fail-on", "never").exit_code == 0


def test_usage_errors_exit_2(cli, monkeypatch):
    from postconv import cli as command_line

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    with pytest.raises(UsageError, match="no input"):  # nothing named, nothing piped in
        command_line._inputs(None, None)
    monkeypatch.undo()
    assert cli("convert", "x.xml", "--format", "yaml").exit_code == 2
    result = cli("convert", str(SAMPLES / "jpa-20261122.xml"), "--as-of", "tomorrow")
    assert result.exit_code == 2 and "--as-of" in result.stderr
    assert cli("convert", "x.xml", "--profile", "nope").exit_code == 2


def test_precedence_operational_failure_beats_findings(cli, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<ITMATT><Item>")
    result = cli("convert", str(SAMPLES / "gba-20261120.xml"), str(bad), "--fail-on", "error")
    assert result.exit_code == 65
    result = cli("convert", str(bad), "missing.xml")
    assert result.exit_code == 66


def test_output_file_is_atomic_and_replaced(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    result = run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o", str(target), "-q")
    assert result.returncode == 0 and result.stdout == b""
    assert len(records(target.read_text())) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_output_kept_when_an_input_breaks(tmp_path):
    target = tmp_path / "out.jsonl"
    bad = tmp_path / "bad.xml"
    bad.write_text(itmatt(ITEM).replace("</ITMATT>", "<oops>"))
    result = run("convert", str(bad), "-o", str(target))
    assert result.returncode == 65 and len(records(target.read_text())) == 1


def test_output_folder_missing_exit_73(tmp_path):
    result = run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o",
                 str(tmp_path / "no" / "such" / "out.jsonl"))
    assert result.returncode == 73 and b"cannot create" in result.stderr


def test_fifo_is_written_directly(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = run("convert", str(SAMPLES / "gba-20261120.xml"), "-o", str(fifo), "-q")
    out, _ = reader.communicate(timeout=60)
    assert result.returncode == 0 and len(records(out)) == 12
    assert fifo.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_dev_null(tmp_path):
    assert run("convert", str(SAMPLES / "gba-20261120.xml"), "-o", os.devnull).returncode == 0
    assert os.path.exists(os.devnull)


def test_broken_pipe_is_quiet(tmp_path):
    big = tmp_path / "big.xml"
    big.write_text(itmatt(*[ITEM] * 3000))
    proc = subprocess.Popen(
        f"{sys.executable} -m postconv convert {big} | head -c 100 > /dev/null; "
        "echo ${PIPESTATUS[0]} >&2",
        shell=True, executable="/bin/bash", stderr=subprocess.PIPE, cwd=REPO)
    _, err = proc.communicate(timeout=120)
    lines = err.decode().strip().splitlines()
    assert lines[-1] in {"141", "0"}, err
    assert "Traceback" not in err.decode() and "Error" not in err.decode()


def test_ctrl_c_leaves_no_partial_output(tmp_path):
    big = tmp_path / "big.xml"
    big.write_text(itmatt(*[ITEM] * 20000))
    target = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "postconv", "convert", str(big), "-o",
                             str(target)], stderr=subprocess.PIPE, cwd=REPO)
    for _ in range(200):
        if any(p.name.endswith(".part") for p in tmp_path.iterdir()):
            break
        subprocess.run(["sleep", "0.05"], check=True)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.xml"]


@pytest.mark.parametrize("inputs", [1, 3], ids=["one-split-input", "several-inputs"])
def test_ctrl_c_while_workers_start_is_not_lost(tmp_path, inputs):
    # caught half-way through a fork, an interrupt used to be swallowed (the run went on
    # to the end) or to leave a worker behind (the run hung)
    for n in range(inputs):
        (tmp_path / f"in{n}.xml").write_text(itmatt(*[ITEM] * 6000))
    files = [str(tmp_path / f"in{n}.xml") for n in range(inputs)]
    for delay in (0, 0.004, 0.008, 0.012, 0.02, 0.03):
        proc = subprocess.Popen([sys.executable, "-m", "postconv", "convert", *files, "-o",
                                 str(tmp_path / "out.jsonl"), "--jobs", "2"],
                                stderr=subprocess.PIPE, cwd=REPO)
        for _ in range(200):
            if any(p.name.endswith(".part") for p in tmp_path.iterdir()):
                break
            subprocess.run(["sleep", "0.02"], check=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, (delay, err)
        assert b"postconv: interrupted" in err and b"Traceback" not in err
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            f"in{n}.xml" for n in range(inputs))


def test_records_on_stdout_people_on_stderr():
    result = run("convert", str(SAMPLES / "gba-20261120.xml"))
    assert all(line.startswith(b"{") for line in result.stdout.splitlines())
    assert b"12 items read" in result.stderr and b"{" not in result.stderr


def test_quiet_is_silent():
    result = run("convert", str(SAMPLES / "gba-20261120.xml"), "-q", "-o", os.devnull)
    assert result.returncode == 0 and result.stderr == b""


def test_check_table_and_json(cli):
    sample = str(SAMPLES / "cna-20261123.xml")
    table = cli("check", sample, "--fail-on", "never")
    assert "Items by status" in table.stdout
    assert "Origins (post, else shipper country)" in table.stdout
    findings = records(cli("check", sample, "--json").stdout)
    assert findings and {"tracking_number", "code", "rule", "severity", "field",
                         "message"} <= set(findings[0])


def test_schema_command(cli):
    import json

    schema = json.loads(cli("schema").stdout)
    assert schema["type"] == "object" and "compliance" in schema["properties"]


def test_validate_reports_every_error_with_line(cli, tmp_path):
    path = tmp_path / "v.xml"
    item = ITEM.replace("<GrossWeight>0.450", "<GrossWeight>abc").replace(
        "<MailClass>C", "<MailClass>Z")
    path.write_text(itmatt(item, ITEM.replace("<ItemId>RR473124829GB</ItemId>", "")))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    assert all(re.match(rf"{re.escape(str(path))}:\d+: /ITMATT/Item\[\d\]", ln) for ln in lines)
    assert cli("validate", str(SAMPLES / "gba-20261120.xml")).exit_code == 0


def test_validate_not_well_formed(cli, tmp_path):
    path = tmp_path / "v.xml"
    path.write_text("<ITMATT><Item>")
    result = cli("validate", str(path))
    assert result.exit_code == 65 and "invalid XML syntax" in result.stderr
    assert str(path) in result.stderr and "line 1" in result.stderr


def test_python_dash_m_and_version():
    import postconv

    result = subprocess.run([sys.executable, "-m", "postconv", "--help"], capture_output=True,
                            check=False)
    assert result.returncode == 0 and b"convert" in result.stdout
    assert postconv.__version__


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_jobs_output_equals_sequential(tmp_path, fmt):
    inputs = [str(p) for p in SAMPLE_INPUTS]
    one = run("convert", *inputs, "-f", fmt, "--jobs", "1", "--as-of", "2026-11-27", "-q")
    two = run("convert", *inputs, "-f", fmt, "--jobs", "2", "--as-of", "2026-11-27", "-q")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and len(one.stdout) > 1000


def test_jobs_repeats_across_inputs_found_as_in_sequence(tmp_path):
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    first.write_text(itmatt(ITEM))
    second.write_text(itmatt(ITEM.replace("RR473124829GB", "EE123456785US"), ITEM))
    args = ["convert", str(first), str(second), "--as-of", "2026-11-27", "-q"]
    one, two = run(*args, "--jobs", "1"), run(*args, "--jobs", "2")
    assert one.stdout == two.stdout
    codes = [[f["code"] for f in r["compliance"]["findings"]] for r in records(two.stdout)]
    assert codes == [[], [], ["DUPLICATE_TRACKING_NUMBER"]]


def test_jobs_with_output_dir(tmp_path):
    inputs = [str(SAMPLES / n) for n in ("gba-20261120.xml", "jpa-20261122.xml")]
    for jobs, folder in (("1", tmp_path / "one"), ("2", tmp_path / "two")):
        result = run("convert", *inputs, "--output-dir", str(folder), "--jobs", jobs, "-q",
                     "--as-of", "2026-11-27")
        assert result.returncode == 0, result.stderr
    for name in ("gba-20261120.jsonl", "jpa-20261122.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_atomic_output_gets_ordinary_permissions(tmp_path):
    target = tmp_path / "out.jsonl"
    run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o", str(target), "-q")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    target.chmod(0o640)
    run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o", str(target), "-q")
    assert target.stat().st_mode & 0o777 == 0o640


def test_no_colour_without_a_terminal_or_with_no_color():
    piped = run("check", str(SAMPLES / "cna-20261123.xml"), "--fail-on", "never",
                env={"NO_COLOR": ""})
    assert b"\x1b[" not in piped.stdout + piped.stderr
    forced = run("check", str(SAMPLES / "cna-20261123.xml"), "--fail-on", "never",
                 env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    colour = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7]|4[0-8])(?:;|m)")
    assert not colour.search(forced.stdout)  # NO_COLOR wins: styles maybe, colours never
    coloured = run("check", str(SAMPLES / "cna-20261123.xml"), "--fail-on", "never",
                   env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert colour.search(coloured.stdout)  # the pattern does find colour when there is one
