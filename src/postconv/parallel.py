"""Parallel processes; the output stays in input order, byte for byte as with ``--jobs 1``.

Several inputs (:func:`run_parallel`): each worker converts one input into a fragment
file (records only) and returns its summary and the tracking numbers it wrote. The
parent appends the fragments in input order. A tracking number repeated *across* inputs
is a finding that only the whole run can see: when an input repeats one from an earlier
input, the parent converts that input again itself, with the run's tracking numbers so
far, so the result is exactly what ``--jobs 1`` writes. That is rare; the common case is
a plain copy.

One large input (:func:`run_split`): every worker reads the whole file but converts only
its share of the items, chunk by chunk in turn (see :mod:`postconv.split`);
the others it reads only as far as the run state needs (the tracking numbers, so that
"already seen" is exact), XML runs of them skimmed as bytes where that is certain.
Workers send each finished chunk through a pipe; the parent writes the chunks in item
order, and stops where an error ends the input (see :class:`_Collector`).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from . import interrupts
from .errors import PostconvError, one_line
from .pipeline import Converter
from .record import Record
from .scratch import scratch_folder
from .split import Share, SplitPart
from .summary import InputSummary
from .write import Writer, output_format

_CONVERTER: Converter | None = None  # the run's converter, inherited by forked workers
#: Where workers of several inputs say how far they are: (items read, bytes read) for
#: input n at 2n, 2n + 1, in memory shared with the parent (inherited by fork).
_PROGRESS: Any = None


class WorkerFailed(PostconvError):
    """A worker process died or hit a bug; the input's output is incomplete."""

    exit_code = 70


def _work(n: int, spec: str, fragment: str, fmt: str) -> tuple[InputSummary, bytes]:
    converter = _CONVERTER
    assert converter is not None
    converter.checker.state.clear()  # repeats within this input; the parent sees across
    summary = InputSummary(spec)
    shared = _PROGRESS
    if shared is not None:
        def tell(summary: InputSummary, bytes_read: int) -> None:
            shared[2 * n], shared[2 * n + 1] = summary.items_read, bytes_read

        converter.progress = tell
    with open(fragment, "wb") as out:
        writer = output_format(fmt).body(out)
        try:
            for record in converter.records(spec, summary):
                writer.write(record)
        except PostconvError as exc:
            summary.error = one_line(str(exc))
            summary.exit_code = exc.exit_code
        writer.close()
    return summary, converter.checker.state.keys()


@contextmanager
def _pool(converter: Converter, jobs: int) -> Iterator[ProcessPoolExecutor]:
    global _CONVERTER
    _CONVERTER = converter
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=interrupts.in_worker) as pool:
            try:
                yield pool
            except BaseException:
                # a worker busy with its input would keep the run waiting for it (a
                # SIGTERM reaches this process only): end every worker first
                for process in list(pool._processes.values()):
                    process.terminate()
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
    global _PROGRESS
    state = converter.checker.state
    watch = _Watch(converter, inputs)
    _PROGRESS = watch.shared
    # Ctrl-C raised inside the pool's locks could leave one held, and the pool's thread
    # waiting for it forever: here it is raised by interrupts.check() instead
    with interrupts.deferred(), scratch_folder() as folder, _pool(converter, jobs) as pool:
        with interrupts.held():  # the pool forks its workers on the first submit
            futures: list[Future[tuple[InputSummary, bytes]]] = [
                pool.submit(_work, n, spec, os.path.join(folder, f"{n}.part"), fmt)
                for n, spec in enumerate(inputs)
            ]
        _PROGRESS = None
        for n, (spec, future) in enumerate(zip(inputs, futures, strict=True)):
            summary, keys = _result(future, watch)
            writer = writer_for(n, spec)
            if state.repeats(keys):  # converted again here, with the run's state
                summary = InputSummary(spec)
                convert_here(spec, summary, writer)
            else:
                state.merge(keys)
                with open(os.path.join(folder, f"{n}.part"), "rb") as fragment:
                    writer.append_body(fragment, summary.records_written)
            os.unlink(os.path.join(folder, f"{n}.part"))
            done(n, spec, summary)


class _Watch:
    """The workers' progress, passed on to the run's progress callback while the parent
    waits (else a terminal would show nothing until the first input is done)."""

    def __init__(self, converter: Converter, inputs: list[str]) -> None:
        self.converter = converter
        self.inputs = inputs
        self.shared = (multiprocessing.get_context("fork").RawArray("q", 2 * len(inputs))
                       if converter.progress is not None else None)

    def tell(self) -> None:
        progress, shared = self.converter.progress, self.shared
        if progress is None or shared is None:
            return
        for n, spec in enumerate(self.inputs):
            items, bytes_read = shared[2 * n], shared[2 * n + 1]
            if bytes_read:
                progress(InputSummary(spec, items_read=items), bytes_read)


def _result(future: Future[tuple[InputSummary, bytes]],
            watch: _Watch | None = None) -> tuple[InputSummary, bytes]:
    """The result of a worker, waited for in short steps so that Ctrl-C (deferred here,
    see :mod:`postconv.interrupts`) ends the run within a quarter of a second, and the
    workers' progress is shown meanwhile."""
    while True:
        interrupts.check()
        if watch is not None:
            watch.tell()
        with contextlib.suppress(TimeoutError):
            return future.result(timeout=0.25)


#: Items per chunk of a split input: big enough that a chunk is one pipe message of
#: about a megabyte, small enough that the workers finish close together.
SPLIT_CHUNK = 512


class _WorkerSummary(InputSummary):
    """A worker's summary: records are counted by chunk instead (see :func:`_split_worker`),
    and rejected items are listed to be sent; the parent counts only what comes before an
    error that ends the input."""

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self.pending: list[tuple[int, str]] = []  # (index, reason)

    def count(self, record: Record) -> None:
        pass

    def reject(self, reason: str, item_index: int | None = None) -> None:
        super().reject(reason, item_index)
        self.pending.append((-1 if item_index is None else item_index, reason))

    def take(self) -> list[tuple[int, str]]:
        """The rejected items since the last call."""
        pending, self.pending = self.pending, []
        return pending


def _add_counts(summary: InputSummary, counts: InputSummary) -> None:
    summary.records_written += counts.records_written
    for counter in ("findings", "severities", "statuses"):
        getattr(summary, counter).update(getattr(counts, counter))


def _split_worker(spec: str, share: Share, fmt: str, conn: Connection) -> None:
    """Convert this worker's chunks of ``spec``; send each one, then the summary."""
    interrupts.in_worker()
    converter = _CONVERTER
    assert converter is not None
    summary = _WorkerSummary(spec)
    part = SplitPart(share, converter.checker.state, converter.limits)
    counts = InputSummary(spec)  # the records of the chunk being written
    position = [0]
    converter.progress = lambda _summary, bytes_read: position.__setitem__(0, bytes_read)
    buffer = io.BytesIO()
    writer = output_format(fmt).body(buffer)
    chunk, count = -1, 0

    def send() -> None:
        writer.close()
        conn.send(("chunk", chunk, count, buffer.getvalue(), summary.items_read, position[0],
                   counts, summary.take()))

    try:
        try:
            for record in converter.records(spec, summary, part):
                number = record["source"]["item_index"] // share.chunk
                if number != chunk:
                    if count:
                        send()
                        buffer.seek(0)
                        buffer.truncate()
                        writer = output_format(fmt).body(buffer)
                        counts = InputSummary(spec)
                    chunk, count = number, 0
                writer.write(record)
                counts.count(record)
                count += 1
        except PostconvError as exc:
            summary.error = one_line(str(exc))
            summary.exit_code = exc.exit_code
        if count:
            send()
        end = InputSummary(spec, summary.format, summary.items_read, problems=summary.problems,
                           error=summary.error, exit_code=summary.exit_code)
        conn.send(("end", end, summary.take()))
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
        with interrupts.held():
            for n in range(jobs):
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_split_worker, daemon=True,
                                          args=(spec, Share(n, jobs, SPLIT_CHUNK), fmt, send))
                process.start()
                send.close()
                workers.append(process)
                pipes.append(receive)
        _CONVERTER = None
        _Collector(pipes, SPLIT_CHUNK, writer, summary, converter).run()
    finally:
        _CONVERTER = None
        for process in workers:
            if process.is_alive():
                process.terminate()
            process.join()
        for pipe in pipes:
            pipe.close()


class _Worker:
    """The parent's view of one worker: its pipe, and what it has said so far."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe
        self.ahead: tuple[Any, ...] | None = None  # a chunk received before its turn
        self.read = 0  # items the worker had read when it last said something
        self.end: InputSummary | None = None

    def hear(self, rejects: dict[int, list[tuple[int, str]]], size: int) -> None:
        """Receive the next message: a chunk (kept in :attr:`ahead`) or the end."""
        while not self.pipe.poll(0.25):
            interrupts.check()  # a Ctrl-C Python dropped (see postconv.interrupts)
        try:
            message: tuple[Any, ...] = self.pipe.recv()
        except EOFError:
            raise WorkerFailed("a worker process ended unexpectedly") from None
        if message[0] == "crash":
            raise WorkerFailed(f"internal error in a worker: {message[1]}")
        for index, reason in message[-1]:
            rejects.setdefault(index // size, []).append((index, reason))
        if message[0] == "end":
            self.end = message[1]
            self.read = self.end.items_read
        else:
            self.ahead = message
            self.read = message[4]


class _Collector:
    """Writes the workers' chunks in item order and makes the input's summary.

    A worker skims the runs of the others' items without parsing them (see
    :mod:`postconv.read.xmlskim`), so only the worker that parses a broken run sees the
    error; the others read on. The output must end where one process would end it: a
    chunk is written only when every worker has read past its first item without an
    error before it, and the summary counts only what was written.
    """

    def __init__(self, pipes: list[Connection], size: int, writer: Writer,
                 summary: InputSummary, converter: Converter) -> None:
        self.workers = [_Worker(pipe) for pipe in pipes]
        self.size = size
        self.writer = writer
        self.summary = summary
        self.converter = converter
        self.rejects: dict[int, list[tuple[int, str]]] = {}  # by chunk number

    def run(self) -> None:
        workers, size = self.workers, self.size
        chunk = 0
        while True:
            owner = workers[chunk % len(workers)]
            if owner.ahead is None and owner.end is None:
                owner.hear(self.rejects, size)
            message = None
            if owner.ahead is not None and owner.ahead[1] == chunk:
                message, owner.ahead = owner.ahead, None
            elif all(w.end is not None and w.ahead is None for w in workers):
                break  # nothing more to write
            for worker in workers:  # has everyone read past this chunk, or ended?
                while (worker.end is None and worker.ahead is None
                       and worker.read < (chunk + 1) * size):
                    worker.hear(self.rejects, size)
            stop = self._stop()
            if stop <= chunk * size:
                break  # an error before this chunk ends the input, as in one process
            self._rejected(chunk, stop)
            if message is not None:
                _, _, count, blob, items_read, bytes_read, counts, _ = message
                self.writer.append_body(io.BytesIO(blob), count)
                _add_counts(self.summary, counts)
                if self.converter.progress is not None:
                    self.summary.items_read = max(self.summary.items_read, items_read)
                    self.converter.progress(self.summary, bytes_read)
            chunk += 1
        self._finish()

    def _stop(self) -> int:
        """The index of the first item past an error that ends the input (or infinity)."""
        failed = [w.end.items_read for w in self.workers if w.end is not None and w.end.error]
        return min(failed, default=1 << 62)

    def _rejected(self, chunk: int, stop: int) -> None:
        """Count the rejected items of ``chunk`` before ``stop``, in item order."""
        for index, reason in sorted(self.rejects.pop(chunk, [])):
            if index < stop:
                self.summary.reject(reason, index if index >= 0 else None)

    def _finish(self) -> None:
        """The summary's totals: an error ends the input where its worker stopped."""
        ends = [w.end for w in self.workers if w.end is not None]
        stop = self._stop()
        for number in sorted(self.rejects):
            self._rejected(number, stop)
        first = min(ends, key=lambda end: (not end.error, end.items_read))
        summary = self.summary
        summary.format = first.format
        summary.items_read = first.items_read if first.error else max(e.items_read for e in ends)
        summary.problems = list(first.problems if first.error else ends[0].problems)
        summary.error = first.error
        summary.exit_code = first.exit_code
