"""Faults a bad night brings, one test each: validate's crashes, a full disk, the run
summary on every exit, inputs that end early, EDIFACT service strings and bytes, error
positions and messages, symbolic links, too many lines."""

from __future__ import annotations

import fcntl
import gzip
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys

import pytest
from lxml import etree

from conftest import ITEM, REPO, SAMPLES, itmatt, records, run
from edifact_fixtures import MESSAGE, interchange
from postconv import Converter, PostconvError


def items(count: int) -> list[str]:
    return [ITEM.replace("RR473124829GB", f"RR{n:09d}GB") for n in range(count)]


def _file_size_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past it fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))


# -- validate -----------------------------------------------------------------------------

@pytest.mark.parametrize("root", ['<ITMATT xmlns="urn:example" version="1.5">',
                                  '<p:ITMATT xmlns:p="urn:example" version="1.5">'])
def test_validate_takes_namespace_declarations(tmp_path, root):
    path = tmp_path / "ns.xml"
    path.write_text(itmatt(ITEM).replace('<ITMATT version="1.5">', root)
                    .replace("</ITMATT>", "</p:ITMATT>" if "p:" in root else "</ITMATT>"))
    result = run("validate", str(path))
    assert result.returncode == 1, result.stderr  # not the reference binding's namespace
    assert b"internal error" not in result.stderr and b"Traceback" not in result.stderr


def test_validate_goes_on_after_a_bug_in_one_input(cli, tmp_path, monkeypatch):
    import postconv.validate

    good = tmp_path / "good.xml"
    good.write_text(itmatt(ITEM))
    real = postconv.validate.validate

    def flaky(spec, *args, **kwargs):
        if spec.endswith("b.xml"):
            raise RuntimeError("boom")
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(postconv.validate, "validate", flaky)
    result = cli("validate", str(good), str(tmp_path / "b.xml"), str(good))
    assert result.exit_code == 70
    assert result.stderr.count(": valid\n") == 2 and "b.xml: internal error: RuntimeError" in \
        result.stderr


def test_validate_reads_gzip_without_a_temporary_copy(tmp_path):
    path = tmp_path / "in.xml.gz"
    path.write_bytes(gzip.compress(itmatt(*items(200)).encode()))
    assert len(gzip.decompress(path.read_bytes())) > 128 << 10
    # no file may grow past 64 KiB: a copy of the decompressed bytes (a gzip bomb filled
    # TMPDIR so) fails, reading the stream again for each pass does not
    proc = subprocess.run([sys.executable, "-m", "postconv", "validate", str(path)],
                          capture_output=True, cwd=REPO, preexec_fn=_file_size_limit,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.endswith(b": valid\n")


# -- a full disk --------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_a_write_that_fails_exits_74_and_leaves_nothing(tmp_path, fmt):
    big = tmp_path / "big.xml"
    big.write_text(itmatt(*items(400)))
    target = tmp_path / f"out.{fmt}"
    proc = subprocess.run([sys.executable, "-m", "postconv", "convert", str(big), "-f", fmt,
                           "-o", str(target), "--jobs", "1", "--summary-json",
                           str(tmp_path / "status.json")],
                          capture_output=True, cwd=REPO, preexec_fn=_file_size_limit,
                          timeout=60, check=False)
    assert proc.returncode == 74, proc.stderr
    lines = proc.stderr.decode().splitlines()
    assert lines[0] == f"postconv: error: {target}: write error: File too large"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.xml", "status.json"]
    summary = json.loads((tmp_path / "status.json").read_text())
    assert summary["exit_code"] == 74 and summary["inputs"][0]["status"] == "failed"


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode:
        pytest.skip("no tmpfs can be mounted here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_a_full_disk_exits_74(tmp_path, tiny_disk, fmt):
    big = tmp_path / "big.xml"
    big.write_text(itmatt(*items(6000)))
    result = run("convert", str(big), "-f", fmt, "-o", str(tiny_disk / f"out.{fmt}"),
                 "--jobs", "1")
    assert result.returncode == 74, result.stderr
    assert b"No space left on device" in result.stderr and b"internal" not in result.stderr
    assert not list(tiny_disk.iterdir())


# -- the run summary on every exit ---------------------------------------------------------

def test_summary_json_is_written_whatever_the_exit_status(tmp_path):
    status = tmp_path / "status.json"
    sample = str(SAMPLES / "jpa-20261122.xml")
    assert run("convert", sample, "-q", "-o", str(tmp_path / "a.jsonl"),
               "--summary-json", str(status)).returncode == 0
    assert json.loads(status.read_text())["exit_code"] == 0
    # an output that cannot be created: 73, and the summary says so
    assert run("convert", sample, "-q", "-o", str(tmp_path / "no" / "a.jsonl"),
               "--summary-json", str(status)).returncode == 73
    assert json.loads(status.read_text())["exit_code"] == 73
    # another run holds the lock: 75
    with open(tmp_path / "run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert run("convert", sample, "-q", "--lock-file", str(tmp_path / "run.lock"),
                   "--summary-json", str(status)).returncode == 75
    assert json.loads(status.read_text())["exit_code"] == 75


def test_summary_json_on_a_path_that_fails_is_its_own_error(tmp_path):
    result = run("convert", str(SAMPLES / "jpa-20261122.xml"), "-q", "-o", os.devnull,
                 "--summary-json", str(tmp_path / "no" / "s.json"))
    assert result.returncode == 73
    assert result.stderr.decode().startswith("postconv: error: --summary-json")


# -- inputs that end early keep their items --------------------------------------------

def test_the_size_cap_keeps_the_items_before_it(tmp_path):
    plain = tmp_path / "three.xml"
    plain.write_text(itmatt(*items(3)))
    first_two = plain.read_bytes().index(b"</Item>", plain.read_bytes().index(b"</Item>") + 1)
    cap = str(first_two + 200)
    packed = tmp_path / "three.xml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    for path in (plain, packed):
        result = run("convert", str(path), "--max-input-bytes", cap)
        assert result.returncode == 65
        assert len(records(result.stdout)) == 2
        assert b"over the input size cap of" in result.stderr
    edi = tmp_path / "in.edi"
    edi.write_text(interchange(messages=3))
    result = run("convert", str(edi), "--max-input-bytes", str(len(edi.read_bytes()) - 50))
    assert result.returncode == 65 and len(records(result.stdout)) == 2, result.stderr


# -- EDIFACT -------------------------------------------------------------------------------

def test_the_una_decimal_comma_is_used(tmp_path):
    text = interchange(una="UNA:+,? '").replace("KGM:0.450", "KGM:0,450").replace(
        "20.00", "20,00").replace("0.300", "0,300").replace("4.20", "4,20")
    path = tmp_path / "comma.edi"
    path.write_text(text, encoding="latin-1")
    (record,) = records(run("convert", str(path)).stdout)
    assert record["gross_weight_kg"] == 0.45 and record["line_items"][0]["net_weight_kg"] == 0.3
    codes = [f["code"] for f in record["compliance"]["findings"]]
    assert "INVALID_DECIMAL" not in codes and "DECIMAL_COMMA_NORMALISED" not in codes


@pytest.mark.parametrize("una", ["UNA++.? '", "UNA:+.:'", "UNA:+;? '", "UNA:+.' '"])
def test_a_una_whose_characters_collide_is_refused(tmp_path, una):
    path = tmp_path / "bad.edi"
    path.write_text(interchange(una=una), encoding="latin-1")
    result = run("convert", str(path))
    assert result.returncode == 65 and records(result.stdout) == []
    assert b"service characters that collide" in result.stderr


@pytest.mark.parametrize(("bad", "why"), [(b"\xff", b"not valid for the declared character"),
                                          (b"\x00", b"control character U+0000")])
def test_bad_bytes_in_edifact_keep_the_items_before(tmp_path, bad, why):
    text = interchange(charset="UNOW", messages=7).encode("utf-8")
    at = [m.start() for m in re.finditer(rb"Jane Example", text)][6]  # in item 7
    path = tmp_path / "bad.edi"
    path.write_bytes(text[:at] + bad + text[at:])
    result = run("convert", str(path))
    assert result.returncode == 65
    assert len(records(result.stdout)) == 6
    assert why in result.stderr and b"\x00" not in result.stdout
    assert len(result.stderr.decode().strip().splitlines()) == 2


# -- error positions and messages -------------------------------------------------------

def test_a_one_line_document_cut_off_anywhere_is_placed_as_lxml_places_it():
    one = "".join(item.replace("\n", "") for item in items(60))
    doc = itmatt(one).replace("\n  <MessageHeader", "<MessageHeader").encode()
    assert doc.count(b"\n") <= 3 and len(doc) > 60_000
    for cut in range(200, len(doc), 997):
        data = doc[:cut]
        try:
            for _ in etree.iterparse(io.BytesIO(data)):
                pass
        except etree.XMLSyntaxError as exc:
            want = exc.position
        else:
            continue
        with pytest.raises(PostconvError) as raised:
            list(Converter().records(io.BytesIO(data)))
        place = re.search(r":(\d+):(\d+): ", str(raised.value))
        assert place and (int(place[1]), int(place[2])) == want, (cut, str(raised.value))


def test_messages_are_one_line_on_stderr_and_in_the_summary(tmp_path):
    path = tmp_path / "nul.xml"
    path.write_bytes(itmatt(ITEM).replace("LONDON MC", "LONDON \x00 MC").encode())
    result = run("convert", str(path), "-q", "--summary-json", str(tmp_path / "s.json"))
    assert result.returncode == 65
    assert result.stderr.decode().count("\n") == 2 and b"\n\n" not in result.stderr
    error = json.loads((tmp_path / "s.json").read_text())["inputs"][0]["error"]
    assert "\n" not in error and "Char 0x0" in error


# -- outputs through a symbolic link --------------------------------------------------------

def test_an_output_through_a_symlink_replaces_its_target(tmp_path):
    real = tmp_path / "data" / "real.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    result = run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o", str(link), "-q")
    assert result.returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert records(real.read_text()) and "old" not in real.read_text()
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.jsonl"]


# -- too many lines -------------------------------------------------------------------------

def test_an_item_with_too_many_lines_keeps_the_first_ones_with_a_finding(tmp_path):
    piece = ITEM[ITEM.index("<ContentPiece"):ITEM.index("</ContentPiece>") + 15]
    path = tmp_path / "lines.xml"
    path.write_text(itmatt(ITEM.replace(piece, piece * 1200)))
    (record,) = records(run("convert", str(path)).stdout)
    assert len(record["line_items"]) == 999
    finding = next(f for f in record["compliance"]["findings"] if f["code"] == "TOO_MANY_LINES")
    assert finding["severity"] == "error" and "1200 content lines" in finding["message"]
    assert record["compliance"]["status"] == "invalid"
    (few,) = records(run("convert", str(path), "--max-lines", "3").stdout)
    assert len(few["line_items"]) == 3


def test_max_lines_counts_edifact_lines_too(tmp_path):
    line = MESSAGE[MESSAGE.index("GID+1+2"):]
    path = tmp_path / "lines.edi"
    path.write_text(interchange(extra=line * 4), encoding="latin-1")
    (record,) = records(run("convert", str(path), "--max-lines", "2").stdout)
    assert len(record["line_items"]) == 2
    assert "TOO_MANY_LINES" in [f["code"] for f in record["compliance"]["findings"]]
