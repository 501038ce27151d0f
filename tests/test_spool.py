"""Spool operation for cron: atomic outputs per input, archive, lock, rerun, crash."""

import fcntl
import json
import os
import signal
import subprocess
import sys
import time

from itmatt_gen import s10

from conftest import ITEM, REPO, SAMPLES, itmatt, records, run


def spool(tmp_path, broken=True):
    folder = tmp_path / "spool"
    folder.mkdir()
    for name in ("gba-20261120.xml", "jpa-20261122.xml", "gba-20261124.edi"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    if broken:
        (folder / "broken.xml").write_text(itmatt(ITEM).replace("</ITMATT>", "<cut"))
    return folder


def cron(tmp_path, *extra):
    folder = tmp_path / "spool"
    return run("convert", *sorted(str(p) for p in folder.iterdir()),
               "--output-dir", str(tmp_path / "out"), "--archive-dir", str(tmp_path / "done"),
               "--lock-file", str(tmp_path / "run.lock"),
               "--summary-json", str(tmp_path / "summary.json"), "-q", *extra)


def all_numbers(folder):
    numbers = []
    for path in sorted(folder.glob("*.jsonl")):
        numbers += [r["tracking_number"] for r in records(path.read_text())]
    return numbers


def test_spool_run_and_rerun(tmp_path):
    spool(tmp_path)
    first = cron(tmp_path)
    assert first.returncode == 65
    assert b"broken.xml" in first.stderr and b"Traceback" not in first.stderr
    assert sorted(p.name for p in (tmp_path / "spool").iterdir()) == ["broken.xml"]
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == [
        "gba-20261120.xml", "gba-20261124.edi", "jpa-20261122.xml"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "broken.jsonl", "gba-20261120.jsonl", "gba-20261124.jsonl", "jpa-20261122.jsonl"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    failed = [e["input"] for e in summary["inputs"] if e["status"] == "failed"]
    assert [f.rsplit("/", 1)[-1] for f in failed] == ["broken.xml"]
    archived = [e["archived_to"] for e in summary["inputs"] if e["archived_to"]]
    assert len(archived) == 3
    before = all_numbers(tmp_path / "out")
    # the partner resends the broken file, fixed; the rerun takes only what is left
    (tmp_path / "spool" / "broken.xml").write_text(itmatt(ITEM))
    second = cron(tmp_path)
    assert second.returncode == 0 and second.stderr == b""
    after = all_numbers(tmp_path / "out")
    assert sorted(after) == sorted(before)  # the fixed file has the same single item
    assert not list((tmp_path / "spool").iterdir())


def test_lock_held_exits_75_at_once(tmp_path):
    spool(tmp_path, broken=False)
    with open(tmp_path / "run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.monotonic()
        result = cron(tmp_path)
        assert result.returncode == 75 and b"another postconv run" in result.stderr
        assert time.monotonic() - started < 10
    assert len(list((tmp_path / "spool").iterdir())) == 3  # nothing touched
    assert cron(tmp_path).returncode == 0  # released on every exit path


def test_killed_run_then_rerun_loses_and_duplicates_nothing(tmp_path):
    folder = spool(tmp_path, broken=False)
    big = folder / "big.xml"
    template = ITEM.replace("RR473124829GB", "{id}")
    with open(big, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?><ITMATT><MessageHeader><MessageId>B</MessageId>'
                  "</MessageHeader>\n")
        for n in range(30_000):
            out.write(template.replace("{id}", s10("CP", n, "DE")))
        out.write("</ITMATT>\n")
    expected = sum(len(records(run("convert", str(p), "-q").stdout))
                   for p in folder.iterdir() if p.name != "big.xml") + 30_000
    args = [sys.executable, "-m", "postconv", "convert", *sorted(map(str, folder.iterdir())),
            "--output-dir", str(tmp_path / "out"), "--archive-dir", str(tmp_path / "done"),
            "--lock-file", str(tmp_path / "run.lock"), "-q", "--jobs", "1"]
    proc = subprocess.Popen(args, cwd=REPO, stderr=subprocess.PIPE)
    for _ in range(600):
        out = tmp_path / "out"
        if out.exists() and any(p.name.startswith(".big.jsonl") for p in out.iterdir()):
            break
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)  # no clean-up at all: the worst crash
    proc.wait()
    leftovers = [p.name for p in (tmp_path / "out").iterdir()]
    assert "big.jsonl" not in leftovers  # never a half-written output under the real name
    rerun = subprocess.run(args, cwd=REPO, capture_output=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stderr
    numbers = all_numbers(tmp_path / "out")
    assert len(numbers) == expected and len(set(numbers)) == len(numbers)
    assert not list(folder.iterdir())
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".part")]
