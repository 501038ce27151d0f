"""Benchmark: postconv against a bare generic converter and the parse floor, same file, same run.

    python bench/bench.py --items 100000 --repeat 3 [--large 1000000] [--only duty convert]

Writes a seeded ITMATT file (and the same items as CUSITM EDIFACT), then runs each
variant as its own process, alternating, ``--repeat`` times; prints a Markdown table of
the median wall time, items/s and peak RSS (MiB), and the ratio to the generic converter.
Nothing here is a test: timing never goes in the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))



def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``command``."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(command)}: {proc.stderr.read().decode()[-500:]}")
    proc.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="run only these variants")
    parser.add_argument("--large", type=int, default=0, metavar="N",
                        help="also convert one file of N items once, for peak RSS")
    args = parser.parse_args()
    py = sys.executable
    # as `pip install .` does: byte-compile the package, so that start-up is not measured
    # with compilation (an editable install under PYTHONDONTWRITEBYTECODE never caches it)
    import postconv

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([py, "-m", "compileall", "-q", os.path.dirname(postconv.__file__)],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="postconv-bench-") as folder:
        xml = Path(folder) / "items.xml"
        edi = Path(folder) / "items.edi"
        one = Path(folder) / "one.xml"
        quarters = [Path(folder) / f"part{n}.xml" for n in range(4)]
        generator = [py, str(HERE / "itmatt_gen.py")]
        # files are written by child processes, so that this process stays small and
        # the peak RSS of each measured child is its own
        for command in (
            [*generator, str(args.items), "--seed", str(args.seed), "--defect-rate", "0.1",
             "-o", str(xml)],
            [*generator, str(args.items), "--seed", str(args.seed), "--defect-rate", "0.1",
             "--format", "cusitm", "-o", str(edi)],
            [*generator, "1", "--seed", str(args.seed), "-o", str(one)],
            *([*generator, str(args.items // 4), "--seed", str(args.seed + n), "-o", str(q)]
              for n, q in enumerate(quarters)),
        ):
            subprocess.run(command, check=True)
        convert = [py, "-m", "postconv", "convert", "--profile", "us", "-o", os.devnull, "-q"]
        duty = [py, "-m", "postconv", "duty", "--profile", "us", "-q",
                *duty_tables(Path(folder)), "--carrier", "AB", "--flight", "123", "--port",
                "4701", "--arrival-date", "2026-11-24", "--departure-date", "2026-11-20"]
        variants = {
            "floor (iterparse + clear)": [py, str(HERE / "baseline.py"), "floor", str(xml)],
            "generic converter (dict + json.dumps)": [py, str(HERE / "baseline.py"),
                                                      "generic", str(xml)],
            "postconv convert, jsonl": [*convert, str(xml)],
            "postconv convert, jsonl, --jobs 1": [*convert, "--jobs", "1", str(xml)],
            "postconv convert, csv": [*convert, "-f", "csv", str(xml)],
            "postconv convert, json": [*convert, "-f", "json", str(xml)],
            "postconv convert, parquet": [*convert, "-f", "parquet", str(xml)],
            "postconv convert, EDIFACT (cusitm)": [*convert, str(edi)],
            "python -c 'import lxml.etree' (start-up floor)": [py, "-c", "import lxml.etree"],
            "postconv convert, one item (start-up)": [*convert, str(one)],
            "postconv convert, 4 inputs, --jobs 1": [*convert, "--jobs", "1",
                                                     *map(str, quarters)],
            "postconv convert, 4 inputs, --jobs 2": [*convert, "--jobs", "2",
                                                     *map(str, quarters)],
            "postconv duty, csv": [*duty, "-f", "csv", "-o", os.devnull, str(xml)],
            "postconv duty, xlsx": [*duty, "-o", str(Path(folder) / "worksheet.xlsx"),
                                    str(xml)],
        }
        if args.only:
            variants = {k: v for k, v in variants.items() if any(o in k for o in args.only)}
        times: dict[str, list[float]] = {name: [] for name in variants}
        peaks: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.repeat):
            for name, command in variants.items():
                seconds, peak = measure(command)
                times[name].append(seconds)
                peaks[name].append(peak)
        if args.large:
            big = Path(folder) / "large.xml"
            subprocess.run([*generator, str(args.large), "--seed", str(args.seed),
                            "--defect-rate", "0.1", "-o", str(big)], check=True)
            for fmt in ("jsonl", "parquet"):
                name = f"postconv convert, {fmt}, {args.large:,} items (once)"
                seconds, peak = measure([*convert, "-f", fmt, str(big)])
                variants[name] = []
                times[name], peaks[name] = [seconds], [peak]
            big.unlink()
    generic = statistics.median(times.get("generic converter (dict + json.dumps)", [0.0]))
    print(f"{args.items} items, median of {args.repeat} alternating runs; "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores, {platform.machine()}\n")
    print("| variant | median s | items/s | peak MiB | time vs generic |")
    print("|---|---:|---:|---:|---:|")
    for name in variants:
        median = statistics.median(times[name])
        small = "start-up" in name
        count = args.large if "(once)" in name else args.items
        rate = "–" if small else f"{count / median:,.0f}"
        ratio = "–" if small or not generic or "(once)" in name else f"{median / generic:.2f}×"
        print(f"| {name} | {median:.2f} | {rate} | {max(peaks[name]):.0f} | {ratio} |")
    one_core = "postconv convert, jsonl, --jobs 1"
    if one_core in times:
        base = statistics.median(times[one_core])
        for name in ("postconv duty, csv", "postconv duty, xlsx"):
            if name in times:
                print(f"\n{name}: {statistics.median(times[name]) / base:.2f}× the time of "
                      f"`convert --jobs 1` on the same items", end="")
        print()
    return 0


def duty_tables(folder: Path) -> list[str]:
    """Rates and FX tables for the generated items (every origin, every currency the
    generator writes), as ``duty`` options."""
    from itmatt_gen import RATES

    rates, fx = folder / "rates.csv", folder / "fx.csv"
    rates.write_text("origin,valid_from,valid_to,hts_prefix,ad_valorem_percent,specific_usd,"
                     "source\n*,2026-07-24,,,10,,bench\nCN,2026-07-24,,,20,,bench\n"
                     "*,2026-07-24,,6109,16.5,,bench\n", encoding="utf-8")
    fx.write_text("currency,valid_from,valid_to,units_per_usd,kind,source\n" + "".join(
        f"{currency},2026-10-01,2026-12-31,{units},quarterly,bench\n"
        for currency, units in RATES.items() if currency != "USD"), encoding="utf-8")
    return ["--rates", str(rates), "--fx", str(fx)]


if __name__ == "__main__":
    raise SystemExit(main())
