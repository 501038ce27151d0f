"""Parallel processes; the output stays in input order, byte for byte as with ``--jobs 1``.

Several inputs (:func:`run_parallel`): each worker converts one input into a fragment
file (records only) and returns its summary and the tracking numbers it wrote. The
parent appends the fragments in input order. A tracking number repeated *across* inputs
is a finding that only the whole run can see: when an input repeats one from an earlier
input, the parent converts that input again itself, with the run's tracking numbers so
far, so the result is exactly what ``--jobs 1`` writes. That is rare; the common case is
a plain copy.

One large input (:func:`run_split`): every worker reads the whole file but converts only
its share of the items, chunk by chunk in turn (see :class:`~postconv.pipeline.Share`);
the others it reads only as far as the run state needs (the tracking numbers, so that
"already seen" is exact). Workers send each finished chunk through a pipe; the parent
writes the chunks in item order. Reading is done once per worker, so the gain is in
everything after it: mapping, checking and encoding.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import tempfile
from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from .check.seen import pack
from .errors import PostconvError
from .pipeline import Converter, Share
from .summary import InputSummary
from .write import Writer, make_writer

_CONVERTER: Converter | None = None  # the run's converter, inherited by forked workers


class WorkerFailed(PostconvError):
    """A worker process died or hit a bug; the input's output is incomplete."""

    exit_code = 70


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


#: Items per chunk of a split input: big enough that a chunk is one pipe message of
#: about a megabyte, small enough that the workers finish close together.
SPLIT_CHUNK = 512
def _split_worker(spec: str, share: Share, fmt: str, conn: Connection) -> None:
    """Convert this worker's chunks of ``spec``; send each one, then the summary."""
    converter = _CONVERTER
    assert converter is not None
    summary = InputSummary(spec)
    position = [0]
    converter.progress = lambda _summary, bytes_read: position.__setitem__(0, bytes_read)
    buffer = io.BytesIO()
    writer = make_writer(fmt, buffer, fragment=True)
    chunk, count = -1, 0

    def send() -> None:
        writer.close()
        conn.send(("chunk", chunk, count, buffer.getvalue(), summary.items_read, position[0]))

    try:
        try:
            for record in converter.records(spec, summary, share):
                number = record["source"]["item_index"] // share.chunk
                if number != chunk:
                    if count:
                        send()
                        buffer.seek(0)
                        buffer.truncate()
                        writer = make_writer(fmt, buffer, fragment=True)
                    chunk, count = number, 0
                writer.write(record)
                count += 1
        except PostconvError as exc:
            summary.error = str(exc)
            summary.exit_code = exc.exit_code
        if count:
            send()
        conn.send(("end", summary))
    except KeyboardInterrupt:
        os._exit(130)
    except BrokenPipeError:  # the parent is gone
        os._exit(1)
    except BaseException as exc:  # a bug: the parent reports it as an internal error
        with contextlib.suppress(OSError):
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_split(converter: Converter, spec: str, jobs: int, fmt: str, writer: Writer,
              summary: InputSummary) -> None:
    """Convert one input with ``jobs`` processes into ``writer``; fill in ``summary``."""
    global _CONVERTER
    context = multiprocessing.get_context("fork")
    workers: list[Any] = []
    pipes: list[Connection] = []
    _CONVERTER = converter
    try:
        for n in range(jobs):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_split_worker, daemon=True,
                                      args=(spec, Share(n, jobs, SPLIT_CHUNK), fmt, send))
            process.start()
            send.close()
            workers.append(process)
            pipes.append(receive)
        _CONVERTER = None
        ends = _collect(pipes, writer, summary, converter)
        _merge(summary, ends)
    finally:
        _CONVERTER = None
        for process in workers:
            if process.is_alive():
                process.terminate()
            process.join()
        for pipe in pipes:
            pipe.close()


def _receive(pipe: Connection) -> tuple[Any, ...]:
    try:
        message: tuple[Any, ...] = pipe.recv()
    except EOFError:
        raise WorkerFailed("a worker process ended unexpectedly") from None
    if message[0] == "crash":
        raise WorkerFailed(f"internal error in a worker: {message[1]}")
    return message


def _collect(pipes: list[Connection], writer: Writer, summary: InputSummary,
             converter: Converter) -> list[InputSummary]:
    """Write the workers' chunks in item order; return their summaries."""
    jobs = len(pipes)
    waiting: list[tuple[Any, ...] | None] = [None] * jobs
    ends: list[InputSummary | None] = [None] * jobs
    chunk = 0
    while not all(end is not None for end in ends) or any(waiting):
        owner = chunk % jobs
        if ends[owner] is not None and waiting[owner] is None:
            chunk += 1  # that worker is done: this chunk had none of its records
            continue
        message = waiting[owner] or _receive(pipes[owner])
        waiting[owner] = None
        if message[0] == "end":
            ends[owner] = message[1]
            continue
        _, number, count, blob, items_read, bytes_read = message
        if number != chunk:  # a chunk with no record (all rejected): keep it for later
            waiting[owner] = message
            chunk += 1
            continue
        writer.write_encoded(io.BytesIO(blob), count)
        chunk += 1
        if converter.progress is not None:
            summary.items_read = max(summary.items_read, items_read)
            converter.progress(summary, bytes_read)
    return [end for end in ends if end is not None]


def _merge(summary: InputSummary, parts: list[InputSummary]) -> None:
    """One input's summary from its workers' (each saw every item, wrote its own share)."""
    first = parts[0]
    summary.format = first.format
    summary.items_read = first.items_read
    summary.problems = list(first.problems)
    summary.error = first.error
    summary.exit_code = first.exit_code
    summary.records_written = sum(p.records_written for p in parts)
    for counter in ("rejected", "findings", "severities", "statuses"):
        total = getattr(summary, counter)
        total.clear()
        for part in parts:
            total.update(getattr(part, counter))
    summary.rejected_items = sorted(i for p in parts for i in p.rejected_items)[:20]
