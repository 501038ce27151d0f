"""Inputs: stdin, gzip by magic bytes, several inputs in order, caps, missing files."""

import gzip

from conftest import ITEM, SAMPLES, itmatt, records, run


def test_stdin(tmp_path):
    data = (SAMPLES / "gba-20261120.xml").read_bytes()
    result = run("convert", "-", "-q", input=data)
    assert result.returncode == 0
    out = records(result.stdout)
    assert len(out) == 12 and out[0]["source"]["file"] == "<stdin>"


def test_stdin_is_named_alike_in_warnings_and_errors():
    truncated = b"UNA:+.? 'UNB+UNOC:3+GBA+USA+261124:1015+1'UNH+1+CUSITM:1:0:UP'"
    warned = run("convert", "-", input=truncated).stderr.decode()
    assert "input finding: <stdin>: EDIFACT_INTERCHANGE_TRUNCATED" in warned, warned
    failed = run("convert", "-", input=b"no format at all").stderr.decode()
    assert "error: <stdin>: unknown format" in failed, failed


def test_gzip_by_magic_bytes_from_file_and_stdin(tmp_path):
    data = gzip.compress((SAMPLES / "gba-20261120.xml").read_bytes())
    path = tmp_path / "no-extension"
    path.write_bytes(data)
    plain = run("convert", str(SAMPLES / "gba-20261120.xml"), "-q").stdout
    from_file = run("convert", str(path), "-q").stdout
    from_stdin = run("convert", "-", "-q", input=data).stdout
    strip = lambda out: [{**r, "source": None} for r in records(out)]  # noqa: E731
    assert strip(from_file) == strip(plain) == strip(from_stdin)


def test_several_inputs_in_order(cli):
    files = [str(SAMPLES / n) for n in ("jpa-20261122.xml", "gba-20261120.xml")]
    out = records(cli("convert", *files, "-q").stdout)
    assert [r["source"]["file"] for r in out] == [files[0]] + [files[1]] * 12


def test_missing_file_exit_66_others_still_processed(cli):
    result = cli("convert", "does-not-exist.xml", str(SAMPLES / "jpa-20261122.xml"))
    assert result.exit_code == 66
    assert "does-not-exist.xml: no such file" in result.stderr
    assert len(records(result.stdout)) == 1


def test_input_byte_cap_and_gzip_bomb(tmp_path):
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(itmatt(*[ITEM] * 2000).encode()))
    assert bomb.stat().st_size < 40_000
    result = run("convert", str(bomb), "--max-input-bytes", "1000000", "-o", "/dev/null")
    assert result.returncode == 65
    assert b"over the input size cap of 1000000 bytes" in result.stderr


def test_broken_gzip(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(itmatt(ITEM).encode())[:-20])
    result = run("convert", str(path))
    assert result.returncode == 65 and b"Traceback" not in result.stderr


def test_stdin_on_a_terminal_is_a_usage_error():
    import os
    import pty
    import subprocess
    import sys

    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "postconv", "convert", "-"],
                              stdin=secondary, capture_output=True, timeout=60, check=False)
    finally:
        os.close(primary)
        os.close(secondary)
    assert proc.returncode == 2 and b"terminal" in proc.stderr


def test_item_cap(tmp_path):
    path = tmp_path / "many.xml"
    path.write_text(itmatt(*[ITEM] * 5))
    result = run("convert", str(path), "--max-items", "3")
    assert result.returncode == 65 and b"more than 3 items" in result.stderr
    assert len(records(result.stdout)) == 3


def test_findings_cap(tmp_path, cli):
    path = tmp_path / "empty-item.xml"
    path.write_text(itmatt("<Item><ItemId>x</ItemId></Item>"))
    (record,) = records(cli("convert", str(path), "-q", "--max-findings", "4").stdout)
    findings = record["compliance"]["findings"]
    assert len(findings) == 5 and findings[-1]["code"] == "FINDINGS_TRUNCATED"
    assert record["compliance"]["status"] == "invalid"


def test_disk_full_exit_74():
    result = run("convert", str(SAMPLES / "cna-20261123.xml"), "-o", "/dev/full")
    assert result.returncode == 74 and b"write error" in result.stderr
    assert b"Traceback" not in result.stderr
