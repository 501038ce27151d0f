"""Coverage-guided fuzz target (atheris) for the readers, the mapper and the checker.

Any input must end in records and/or one documented failure (a PostconvError); every
item read must be written or rejected. Run (not part of CI):

    pip install atheris
    python fuzz/fuzz_readers.py fuzz/corpus -max_total_time=1800 -rss_limit_mb=2048 -timeout=20

Seed the corpus with the samples first: ``mkdir -p fuzz/corpus && cp samples/* fuzz/corpus/``.
"""

from __future__ import annotations

import io
import sys

import atheris

with atheris.instrument_imports():
    from postconv import Converter, InputSummary, Limits, PostconvError

LIMITS = Limits(max_input_bytes=1 << 20, max_items=2000)


def test_one_input(data: bytes) -> None:
    converter = Converter(limits=LIMITS)
    summary = InputSummary("fuzz")
    written = 0
    try:
        for _record in converter.records(io.BytesIO(data), summary):
            written += 1
    except PostconvError:
        pass
    assert written == summary.records_written
    assert summary.balanced, (summary.items_read, summary.records_written, summary.rejected)
    if summary.rejected:
        raise AssertionError(f"items rejected by an internal error: {summary.rejected}")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
