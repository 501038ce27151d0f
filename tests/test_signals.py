"""Signals and kills: SIGTERM and SIGHUP clean up like Ctrl-C; workers die with the run;
a killed run's leftovers are removed by the next run."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ITEM, REPO, SAMPLES, itmatt, run
from postconv import scratch


def _children(pid: int) -> list[int]:
    """The living child processes of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _inputs(tmp_path: Path, count: int, items: int = 6000) -> list[str]:
    names = []
    for n in range(count):
        path = tmp_path / f"in{n}.xml"
        path.write_text(itmatt(*[ITEM.replace("RR473124829GB", f"RR{n:03d}") ] * items))
        names.append(str(path))
    return names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PDEATHSIG")
@pytest.mark.parametrize("inputs", [1, 2], ids=["split-input", "several-inputs"])
def test_kill_9_of_the_run_leaves_no_worker_and_frees_the_lock(tmp_path, inputs):
    files = _inputs(tmp_path, inputs, items=9000 if inputs == 1 else 6000)
    lock = tmp_path / "run.lock"
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "postconv", "convert", *files, "-o", str(tmp_path / "out.jsonl"),
         "--jobs", "2", "--lock-file", str(lock), "-q"],
        cwd=REPO, stderr=subprocess.PIPE, env={**os.environ, "TMPDIR": str(temp)})
    # a split input: this process converts the first part, one worker the second
    assert _wait_for(lambda: len(_children(proc.pid)) >= (1 if inputs == 1 else 2)), \
        "no workers started"
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)  # no clean-up at all: the worst crash
    proc.wait()
    assert _wait_for(lambda: not any(_alive(w) for w in workers), timeout=5), \
        "a worker outlived the run"
    with open(lock, "a+") as handle:  # nobody holds the lock any more
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    # the next cron run takes the lock and removes what the killed one left in TMPDIR
    again = run("convert", *files, "-o", str(tmp_path / "out.jsonl"), "--jobs", "2",
                "--lock-file", str(lock), "-q", env={"TMPDIR": str(temp)})
    assert again.returncode == 0, again.stderr
    assert not list(temp.iterdir())
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize(("signum", "code", "name"), [
    (signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP")])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_and_sighup_clean_up_like_ctrl_c(tmp_path, signum, code, name, jobs):
    files = _inputs(tmp_path, 2)
    target = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "postconv", "convert", *files, "-o",
                             str(target), "--jobs", jobs], stderr=subprocess.PIPE, cwd=REPO)
    assert _wait_for(lambda: any(p.name.endswith(".part") for p in tmp_path.iterdir()))
    time.sleep(0.3)
    workers = _children(proc.pid)
    started = time.monotonic()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 5  # at once: workers are not waited for
    assert proc.returncode == code, err
    assert err.decode().strip().splitlines() == [f"postconv: terminated ({name})"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in0.xml", "in1.xml"]
    assert _wait_for(lambda: not any(_alive(w) for w in workers), timeout=5)


def test_a_later_run_removes_what_a_killed_run_left_for_its_output(tmp_path):
    target = tmp_path / "out.jsonl"
    stale = tmp_path / ".out.jsonl.abc123.part"
    stale.write_text("half a record")
    result = run("convert", str(SAMPLES / "jpa-20261122.xml"), "-o", str(target), "-q")
    assert result.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_scratch_folders_of_dead_runs_are_removed_and_living_ones_kept(tmp_path):
    dead = tmp_path / f"{scratch.FOLDER_PREFIX}dead"
    dead.mkdir()
    (dead / ".lock").write_text("")
    (dead / "0.part").write_bytes(b"x" * 100)
    living = tmp_path / f"{scratch.FOLDER_PREFIX}living"
    living.mkdir()
    (living / ".lock").write_text("")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time\n"
        f"f = open({str(living / '.lock')!r}, 'a+')\n"
        "fcntl.flock(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)\n")],
        stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        old = tmp_path / f"{scratch.FOLDER_PREFIX}old-release"  # no lock file, long ago
        old.mkdir()
        (old / "3.part").write_bytes(b"y")
        os.utime(old, (time.time() - 3600, time.time() - 3600))
        young = tmp_path / f"{scratch.FOLDER_PREFIX}being-made"  # no lock file yet
        young.mkdir()
        other = tmp_path / "someone-elses"
        other.mkdir()
        with scratch.scratch_folder(str(tmp_path)) as folder:
            assert Path(folder).is_dir() and (Path(folder) / ".lock").exists()
            names = sorted(p.name for p in tmp_path.iterdir())
        assert not Path(folder).exists()
        assert names == sorted([living.name, young.name, other.name, Path(folder).name])
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE")
@pytest.mark.parametrize("inputs", [1, 2], ids=["split-input", "several-inputs"])
def test_a_full_scratch_folder_ends_the_run_with_a_write_error_naming_it(tmp_path, inputs):
    """A worker's body file that cannot be written (the disk of TMPDIR full; here a file
    size limit) ends the run with exit 74 and a message naming the scratch folder, and
    leaves nothing behind."""
    import resource

    files = _inputs(tmp_path, inputs, items=9000 if inputs == 1 else 6000)
    temp = tmp_path / "tmp"
    temp.mkdir()

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    proc = subprocess.run([sys.executable, "-m", "postconv", "convert", *files, "--jobs", "2",
                           "-q"], cwd=REPO, capture_output=True, preexec_fn=small_files,
                          env={**os.environ, "TMPDIR": str(temp)}, timeout=120)
    assert proc.returncode == 74, proc.stderr
    assert b"the scratch folder, in TMPDIR): write error: File too large" in proc.stderr
    assert not list(temp.iterdir())
