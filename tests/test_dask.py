"""postconv.dask on a real LocalCluster (two worker processes): records as a bag, datasets
written by the workers equal to --jobs 1, repeats across inputs, a worker killed mid-task,
an input that fails alone, a scheduler that cannot be reached."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from itmatt_gen import generate, write_itmatt

from conftest import ITEM, SAMPLE_INPUTS, itmatt, records, run
from postconv.pipeline import Converter
from postconv.write.parquet import record_of

distributed = pytest.importorskip("distributed")
AS_OF = "2026-11-27"


@pytest.fixture(scope="module")
def client() -> Any:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def local_outputs(tmp_path: Path, inputs: list[Path], fmt: str = "jsonl") -> Path:
    """What ``postconv convert --jobs 1 --output-dir`` writes for ``inputs``."""
    out = tmp_path / "local"
    done = run("convert", *map(str, inputs), "--jobs", "1", "--output-dir", str(out), "-f",
               fmt, "--as-of", AS_OF, "-q")
    assert done.returncode in (0, 65), done.stderr
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_read_records_is_a_bag_of_the_records(client: Any) -> None:
    import postconv.dask

    bag = postconv.dask.read_records(SAMPLE_INPUTS, as_of=AS_OF)
    assert bag.npartitions == len(SAMPLE_INPUTS)
    got = bag.compute()
    expected = [r for p in SAMPLE_INPUTS
                for r in Converter(as_of=AS_OF).records(str(p))]
    assert got == expected and len(got) == 113


def test_convert_writes_what_jobs_1_writes(client: Any, tmp_path: Path) -> None:
    import postconv.dask

    summary = postconv.dask.convert(SAMPLE_INPUTS, tmp_path / "lake", format="jsonl",
                                    as_of=AS_OF, client=client)
    assert files_of(tmp_path / "lake") == files_of(local_outputs(tmp_path, SAMPLE_INPUTS))
    assert [s.input for s in summary.inputs] == list(map(str, SAMPLE_INPUTS))
    for s in summary.inputs:
        assert s.items_read == s.records_written + s.items_rejected > 0


def _items(count: int, seed: int) -> list[Any]:
    return list(generate(count, seed=seed, defect_rate=0.2))


def _write(path: Path, items: list[Any]) -> Path:
    buffer = io.StringIO()
    write_itmatt(buffer, items, path.stem, when="2026-11-20T10:00:00Z")
    path.write_text(buffer.getvalue())
    return path


def test_repeats_across_inputs_are_exact(client: Any, tmp_path: Path) -> None:
    """Input c repeats a tracking number of input a: flagged in c, as --jobs 1 does."""
    import postconv.dask

    a, b, c = _items(30, 1), _items(30, 2), _items(30, 3)
    c[7].data["id"] = a[4].data["id"]
    inputs = [_write(tmp_path / f"{n}.xml", items) for n, items in zip("abc", (a, b, c),
                                                                          strict=True)]
    postconv.dask.convert(inputs, tmp_path / "lake", format="jsonl", as_of=AS_OF,
                          client=client)
    local = local_outputs(tmp_path, inputs)
    assert files_of(tmp_path / "lake") == files_of(local)
    assert b"DUPLICATE_TRACKING_NUMBER" in (tmp_path / "lake" / "c.jsonl").read_bytes()


def test_partitioned_parquet_dataset_read_by_duckdb_and_pyarrow(client: Any,
                                                                tmp_path: Path) -> None:
    import duckdb

    import postconv.dask

    lake = tmp_path / "lake"
    postconv.dask.convert(SAMPLE_INPUTS, lake, format="parquet", partition_on=["origin_post"],
                          as_of=AS_OF, client=client)
    assert sorted(p.name for p in lake.iterdir()) == [
        "origin_post=CNA", "origin_post=DEA", "origin_post=GBA", "origin_post=JPA",
        "origin_post=__HIVE_DEFAULT_PARTITION__"]
    assert (lake / "origin_post=GBA" / "gba-20261124.parquet").is_file()
    expected = [json.loads(line, parse_float=Decimal) for p in SAMPLE_INPUTS
                for line in run("convert", str(p), "--as-of", AS_OF, "-q").stdout.splitlines()]
    # pyarrow.dataset over the partitioned folders
    rows = ds.dataset(lake, format="parquet", partitioning="hive").to_table().to_pylist()
    key = lambda r: (r["source"]["file"], r["source"]["item_index"])  # noqa: E731
    assert sorted((record_of(r) for r in rows), key=key) == sorted(expected, key=key)
    # DuckDB, as the README shows it
    counts = duckdb.sql(
        f"SELECT origin_post, compliance.status AS status, count(*) AS items "
        f"FROM read_parquet('{lake}/*/*.parquet', hive_partitioning = true) "
        f"GROUP BY ALL ORDER BY ALL").fetchall()
    by_hand: dict[tuple[Any, Any], int] = {}
    for r in expected:
        k = (r["origin_post"], r["compliance"]["status"])
        by_hand[k] = by_hand.get(k, 0) + 1
    assert {(o, s): n for o, s, n in counts} == by_hand


def test_an_input_that_fails_on_a_worker_fails_alone(client: Any, tmp_path: Path) -> None:
    import postconv.dask

    good = tmp_path / "good.xml"
    good.write_text(itmatt(ITEM))
    bad = tmp_path / "bad.xml"
    bad.write_text(itmatt(ITEM, ITEM.replace("RR473124829GB", "RR473124832GB"))[:-60])
    missing = tmp_path / "missing.xml"
    summary = postconv.dask.convert([bad, good, missing], tmp_path / "lake", format="jsonl",
                                    as_of=AS_OF, client=client)
    assert [s.exit_code for s in summary.inputs] == [65, 0, 66]
    assert summary.inputs[0].records_written == 1  # the item before the break is kept
    assert sorted(p.name for p in (tmp_path / "lake").iterdir()) == ["bad.jsonl", "good.jsonl"]


def test_a_worker_killed_mid_task_leaves_every_record_exactly_once(client: Any,
                                                                    tmp_path: Path) -> None:
    import postconv.dask

    inputs = [_write(tmp_path / f"part{n}.xml", _items(15_000, 40 + n)) for n in range(4)]
    killed: list[int] = []

    def kill_one_busy_worker() -> None:
        pids = client.run(os.getpid)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items()
                    if any("postconv" in str(k) for k in keys)]
            if busy:
                time.sleep(0.2)  # inside the task (about a second), its output half written
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(pids[busy[0]])
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_busy_worker)
    killer.start()
    summary = postconv.dask.convert(inputs, tmp_path / "lake", format="jsonl", as_of=AS_OF,
                                    client=client)
    killer.join()
    assert killed, "no worker was busy to kill"
    assert files_of(tmp_path / "lake") == files_of(local_outputs(tmp_path, inputs))
    assert sum(s.records_written for s in summary.inputs) == 60_000
    for s in summary.inputs:
        assert s.items_read == s.records_written + s.items_rejected
    assert not [p for p in (tmp_path / "lake").iterdir() if p.name.startswith(".")]


def test_cli_scheduler_local(tmp_path: Path) -> None:
    out = tmp_path / "lake"
    done = run("convert", *map(str, SAMPLE_INPUTS), "--output-dir", str(out), "-f", "parquet",
               "--scheduler", "local:2", "--as-of", AS_OF, "--summary-json",
               str(tmp_path / "s.json"))
    assert done.returncode == 0, done.stderr
    assert len(list(out.glob("*.parquet"))) == len(SAMPLE_INPUTS)
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["exit_code"] == 0
    assert sum(i["records_written"] for i in summary["inputs"]) == 113


def test_cli_scheduler_same_exit_status_as_local(tmp_path: Path) -> None:
    (tmp_path / "bad.xml").write_text(itmatt(ITEM)[:-30])
    args = ("convert", str(SAMPLE_INPUTS[0]), str(tmp_path / "bad.xml"), "-q")
    local = run(*args, "--output-dir", str(tmp_path / "a"))
    remote = run(*args, "--output-dir", str(tmp_path / "b"), "--scheduler", "local:1")
    assert local.returncode == remote.returncode == 65
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_unreachable_scheduler_is_69_and_writes_nothing(tmp_path: Path, cli: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import postconv.dask

    monkeypatch.setattr(postconv.dask, "CONNECT_TIMEOUT", "1s")
    result = cli("convert", str(SAMPLE_INPUTS[0]), "--output-dir", str(tmp_path / "lake"),
                 "--scheduler", "tcp://127.0.0.1:9", "--summary-json", str(tmp_path / "s.json"))
    assert result.exit_code == 69
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "postconv: error: --scheduler tcp://127.0.0.1:9: cannot reach the scheduler")
    assert not (tmp_path / "lake").exists()
    assert json.loads((tmp_path / "s.json").read_text())["exit_code"] == 69


@pytest.mark.parametrize(("args", "message"), [
    (("--scheduler", "local:2"), "--scheduler writes a dataset: give --output-dir DIR"),
    (("--partition-on", "origin_post", "--output-dir", "x"), "--partition-on needs --scheduler"),
    (("--scheduler", "local:x", "--output-dir", "x"), "local:N needs a number of workers"),
])
def test_cli_scheduler_usage(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = run("convert", str(SAMPLE_INPUTS[0]), *args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr.decode()


def _readme_cluster_blocks() -> tuple[str, str]:
    """The README's LocalCluster command and its DuckDB query, as written there."""
    from conftest import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8").split("## On a cluster", 1)[1]
    command = text.split("```sh\n", 1)[1].split("\n```", 1)[0]
    query = text.split("```sql\n", 1)[1].split("\n```", 1)[0]
    return command, query


def test_readme_cluster_commands_as_written(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex
    import shutil

    import duckdb

    command, query = _readme_cluster_blocks()
    shutil.copytree(SAMPLE_INPUTS[0].parent, tmp_path / "samples")
    words = shlex.split(command)
    assert words[:2] == ["postconv", "convert"] and "local:2" in words
    done = run(*words[1:], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    monkeypatch.chdir(tmp_path)
    rows = duckdb.sql(query).fetchall()
    assert sum(n for _, _, n in rows) == 113
    local = records(run("convert", "samples/", "-q", cwd=tmp_path).stdout)
    gba = sum(1 for r in local if r["origin_post"] == "GBA")
    assert sum(n for o, _, n in rows if o == "GBA") == gba > 0
