"""Memory does not grow with input size: peak RSS for 10k and 100k items, in subprocesses."""

import subprocess
import sys

import pytest
from itmatt_gen import s10

from conftest import ITEM, REPO

MEASURE = """
import resource, sys
from postconv.cli import app
try:
    app(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, code, file=sys.stderr)
"""


def write_items(path, count):
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<ITMATT version="1.5"><MessageHeader>'
            "<MessageId>M</MessageId></MessageHeader>\n")
    template = ITEM.replace("RR473124829GB", "{id}")
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        for n in range(count):
            out.write(template.replace("{id}", s10("CP", n, "GB")))
        out.write("</ITMATT>\n")


def peak_kib(path, *args):
    proc = subprocess.run([sys.executable, "-c", MEASURE, "convert", str(path), "-q", *args],
                          capture_output=True, cwd=REPO, check=False, timeout=900)
    rss, code = proc.stderr.decode().split()[-2:]
    assert code in {"0", "None"}, proc.stderr
    return int(rss)


@pytest.mark.parametrize("fmt", ["jsonl"])
def test_peak_rss_flat_from_10k_to_100k_items(tmp_path, fmt):
    small, large = tmp_path / "10k.xml", tmp_path / "100k.xml"
    write_items(small, 10_000)
    write_items(large, 100_000)
    args = ("-o", "/dev/null", "-f", fmt)
    growth_mib = (peak_kib(large, *args) - peak_kib(small, *args)) / 1024
    # 100k distinct tracking numbers cost 1.5 MiB in the duplicate table; allow that
    assert growth_mib < 4, f"peak RSS grew by {growth_mib:.1f} MiB"
