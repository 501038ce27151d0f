"""Benchmark: conversion on a Dask LocalCluster against ``--jobs 1``, same inputs, same run.

    python bench/cluster.py --inputs 8 --items 50000 --workers 2 --repeat 3

Writes ``--inputs`` seeded ITMATT files, then alternates ``--repeat`` times: ``postconv
convert --jobs 1 --output-dir`` (a process), and ``postconv.dask.convert`` on a
``LocalCluster`` of ``--workers`` processes that is already up (its start-up is timed
apart, once). Checks that both write the same files, byte for byte, and prints a Markdown
table with the speed-up and what the figures say about a billion items in an hour.
Nothing here is a test: timing never goes in the test suite.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=8)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable

    import postconv.dask

    with tempfile.TemporaryDirectory(prefix="postconv-cluster-") as folder:
        base = Path(folder)
        inputs = [base / f"in{n}.xml" for n in range(args.inputs)]
        for n, path in enumerate(inputs):
            # seeds 100 apart: the generator's serial ranges then never overlap, so no
            # input repeats another's tracking numbers (as two posts' files do not)
            subprocess.run([py, str(HERE / "itmatt_gen.py"), str(args.items), "--seed",
                            str(args.seed + 100 * n), "--defect-rate", "0.1", "-o", str(path)],
                           check=True)
        started = time.perf_counter()
        # the cluster `--scheduler local:N` makes
        cluster = postconv.dask.client_for(f"local:{args.workers}")
        client = cluster.__enter__()
        start_up = time.perf_counter() - started
        local: list[float] = []
        remote: list[float] = []
        try:
            for _ in range(args.repeat):
                for out in ("one", "many"):
                    shutil.rmtree(base / out, ignore_errors=True)
                began = time.perf_counter()
                subprocess.run([py, "-m", "postconv", "convert", *map(str, inputs), "--jobs",
                                "1", "--output-dir", str(base / "one"), "-q"], check=False)
                local.append(time.perf_counter() - began)
                began = time.perf_counter()
                postconv.dask.convert(inputs, base / "many", format="jsonl", client=client)
                remote.append(time.perf_counter() - began)
                names = sorted(os.listdir(base / "one"))
                same = names == sorted(os.listdir(base / "many")) and all(
                    filecmp.cmp(base / "one" / n, base / "many" / n, shallow=False)
                    for n in names)
                if not same:
                    raise SystemExit("the cluster wrote other records than --jobs 1")
        finally:
            cluster.__exit__(None, None, None)
    items = args.inputs * args.items
    one, many = statistics.median(local), statistics.median(remote)
    per_worker = items / many / args.workers
    needed = 1e9 / 3600 / per_worker
    print(f"{args.inputs} inputs of {args.items:,} items, median of {args.repeat} alternating "
          f"runs; CPython {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.machine()}\n")
    print("| variant | median s | items/s |")
    print("|---|---:|---:|")
    print(f"| postconv convert --jobs 1 --output-dir | {one:.2f} | {items / one:,.0f} |")
    print(f"| postconv.dask.convert, LocalCluster of {args.workers} processes | {many:.2f} | "
          f"{items / many:,.0f} |")
    print(f"| LocalCluster start-up (once, apart) | {start_up:.2f} | – |")
    print(f"\nSpeed-up once the cluster is up: {one / many:.2f}× on {args.workers} workers, "
          f"the same files byte for byte; {per_worker:,.0f} items/s per worker, so a billion "
          f"items in one hour need about {needed:,.0f} such workers.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
