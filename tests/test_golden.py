"""Golden files: each sample → expected JSON Lines, byte for byte.

After an intended change, rewrite them with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff.
"""

import os

import pytest

from conftest import GOLDEN, SAMPLE_INPUTS, run

SAMPLE_FILES = [p.name for p in SAMPLE_INPUTS]


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_matches_golden(name):
    result = run("convert", f"samples/{name}", "-q", "--as-of", "2026-11-27")
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / f"{name}.jsonl"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(result.stdout)
    assert result.stdout == golden.read_bytes()


def test_every_sample_has_a_golden_file():
    assert sorted(p.name.removesuffix(".jsonl") for p in GOLDEN.glob("*.jsonl")) == SAMPLE_FILES
