"""Several inputs in parallel processes; the output stays in input order, byte for byte.

Each worker converts one input into a fragment file (records only) and returns its
summary and the tracking numbers it wrote. The parent appends the fragments in input
order. A tracking number repeated *across* inputs is a finding that only the whole run
can see: when an input repeats one from an earlier input, the parent converts that
input again itself, with the run's tracking numbers so far, so the result is exactly
what ``--jobs 1`` writes. That is rare; the common case is a plain copy.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from .check.seen import pack
from .errors import PostconvError
from .pipeline import Converter
from .summary import InputSummary
from .write import Writer, make_writer

_CONVERTER: Converter | None = None  # the run's converter, inherited by forked workers


def _work(spec: str, fragment: str, fmt: str) -> tuple[InputSummary, bytes]:
    converter = _CONVERTER
    assert converter is not None
    converter.checker.seen.clear()  # repeats within this input; the parent sees across
    summary = InputSummary(spec)
    numbers = array("Q")
    with open(fragment, "wb") as out:
        writer = make_writer(fmt, out, fragment=True)
        try:
            for record in converter.records(spec, summary):
                writer.write(record)
                if record["tracking_number"]:
                    numbers.append(pack(record["tracking_number"]))
        except PostconvError as exc:
            summary.error = str(exc)
            summary.exit_code = exc.exit_code
        writer.close()
    return summary, numbers.tobytes()


@contextmanager
def _pool(converter: Converter, jobs: int) -> Iterator[ProcessPoolExecutor]:
    global _CONVERTER
    _CONVERTER = converter
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            try:
                yield pool
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    finally:
        _CONVERTER = None


def run_parallel(converter: Converter, inputs: list[str], jobs: int, fmt: str,
                 writer_for: Callable[[int, str], Writer],
                 convert_here: Callable[[str, InputSummary, Writer], None],
                 done: Callable[[int, str, InputSummary], None]) -> None:
    """Convert ``inputs`` with ``jobs`` processes; hand each result over in input order.

    ``writer_for(n, spec)`` gives the writer input n goes to; ``convert_here`` converts
    an input in this process (for repeats across inputs); ``done`` is called in order.
    """
    seen = converter.checker.seen
    with tempfile.TemporaryDirectory(prefix="postconv-") as folder, \
            _pool(converter, jobs) as pool:
        futures: list[Future[tuple[InputSummary, bytes]]] = [
            pool.submit(_work, spec, os.path.join(folder, f"{n}.part"), fmt)
            for n, spec in enumerate(inputs)
        ]
        for n, (spec, future) in enumerate(zip(inputs, futures, strict=True)):
            summary, blob = future.result()
            numbers = array("Q")
            numbers.frombytes(blob)
            writer = writer_for(n, spec)
            if any(number in seen for number in numbers):
                summary = InputSummary(spec)
                convert_here(spec, summary, writer)
            else:
                for number in numbers:
                    seen.add_key(number)
                with open(os.path.join(folder, f"{n}.part"), "rb") as fragment:
                    writer.write_encoded(fragment, summary.records_written)
            os.unlink(os.path.join(folder, f"{n}.part"))
            done(n, spec, summary)
