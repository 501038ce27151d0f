"""Parallel processes; the output stays in input order, byte for byte as with ``--jobs 1``.

Several inputs (:func:`run_parallel`): each worker converts one input into a fragment
file (records only) and returns its summary and the tracking numbers it wrote. The
parent appends the fragments in input order. A tracking number repeated *across* inputs
is a finding that only the whole run can see: when an input repeats one from an earlier
input, the parent converts that input again itself, with the run's tracking numbers so
far, so the result is exactly what ``--jobs 1`` writes. That is rare; the common case is
a plain copy.

One large input (:func:`run_split`): the file is cut into as many parts as there are
workers, at byte offsets (see :mod:`postconv.split`); each worker reads the file from its
start with the plain reader, takes in the items before its part for the run state, and
converts the items of its part into a body file, then stops reading. The parent appends
the bodies in order; the first part that ends in an error ends the input there, as one
process would, since every worker read the whole input up to its part's end.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, NamedTuple

from . import interrupts
from .errors import OutputWriteError, PostconvError, one_line
from .pipeline import Converter
from .scratch import scratch_folder
from .split import END as _END
from .split import SplitPart, input_size, part_cuts
from .summary import InputSummary
from .write import Writer, output_format

_CONVERTER: Converter | None = None  # the run's converter, inherited by forked workers
#: Where workers of several inputs say how far they are: (items read, bytes read) for
#: input n at 2n, 2n + 1, in memory shared with the parent (inherited by fork).
_PROGRESS: Any = None


class WorkerFailed(PostconvError):
    """A worker process died or hit a bug; the input's output is incomplete."""

    exit_code = 70


class Done(NamedTuple):
    """What a worker says of the input (or part) it converted into a body file."""

    summary: InputSummary
    #: the run-state keys it saw (:meth:`~postconv.check.seen.RunState.keys`)
    keys: bytes
    #: of a part: the indexes of its first item and of the next part's (None: not met)
    first: int | None = None
    stop: int | None = None


def _work(n: int, spec: str, fragment: str, fmt: str,
          span: tuple[int, int] | None = None) -> Done:
    """Convert input ``spec`` (or, with ``span``, that part of it) into a body file."""
    converter = _CONVERTER
    assert converter is not None
    converter.checker.state.clear()  # repeats within this input; the parent sees across
    summary = InputSummary(spec)
    part = None if span is None else SplitPart(*span, converter.checker.state, converter.limits)
    shared = _PROGRESS
    if shared is not None:
        def tell(summary: InputSummary, bytes_read: int) -> None:
            done = summary.items_read if part is None else (  # a part: its own items
                summary.records_written + summary.items_rejected)
            shared[2 * n], shared[2 * n + 1] = done, bytes_read

        converter.progress = tell
    try:
        with open(fragment, "wb") as out:
            writer = output_format(fmt).body(out)
            try:
                for record in converter.records(spec, summary, part):
                    writer.write(record)
            except PostconvError as exc:
                summary.error = one_line(str(exc))
                summary.exit_code = exc.exit_code
            writer.close()
    except OSError as exc:  # (reading errors are the input's, above): the scratch folder
        raise OutputWriteError(f"{os.path.dirname(fragment)} (the scratch folder, in TMPDIR): "
                               f"write error: {exc.strerror or exc}") from None
    keys = converter.checker.state.keys() if part is None else b""
    return Done(summary, keys, *((None, None) if part is None else (part.first, part.stop)))


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
                _stop(pool)
                raise
    finally:
        _CONVERTER = None


def _stop(pool: ProcessPoolExecutor) -> None:
    """End every worker of ``pool`` now, whatever it is doing."""
    for process in list(pool._processes.values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


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
            futures: list[Future[Done]] = [
                pool.submit(_work, n, spec, os.path.join(folder, f"{n}.part"), fmt)
                for n, spec in enumerate(inputs)
            ]
        _PROGRESS = None
        for n, (spec, future) in enumerate(zip(inputs, futures, strict=True)):
            summary, keys, _, _ = _result(future, watch)
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
    waits (else a terminal would show nothing until the first input is done). For the
    parts of one input (``cuts``), one figure: the items converted and the bytes read
    within their own parts, summed."""

    def __init__(self, converter: Converter, inputs: list[str],
                 cuts: list[int] | None = None) -> None:
        self.progress = converter.progress  # the run's (this process's own may change)
        self.inputs = inputs
        self.cuts = cuts
        self.shared = (multiprocessing.get_context("fork").RawArray("q", 2 * len(inputs))
                       if converter.progress is not None else None)

    def tell(self) -> None:
        progress, shared, cuts = self.progress, self.shared, self.cuts
        if progress is None or shared is None:
            return
        if cuts is not None:
            items = sum(shared[2 * n] for n in range(len(self.inputs)))
            within = sum(max(0, min(shared[2 * n + 1], cuts[n + 1]) - cuts[n])
                         for n in range(len(self.inputs)))
            progress(InputSummary(self.inputs[0], items_read=items), within)
            return
        for n, spec in enumerate(self.inputs):
            items, bytes_read = shared[2 * n], shared[2 * n + 1]
            if bytes_read:
                progress(InputSummary(spec, items_read=items), bytes_read)

    def here(self) -> Callable[[InputSummary, int], None] | None:
        """The progress callback for the first part, converted in this process."""
        shared = self.shared
        if shared is None:
            return None

        def tell(summary: InputSummary, bytes_read: int) -> None:
            shared[0], shared[1] = summary.records_written + summary.items_rejected, bytes_read
            self.tell()

        return tell


def _result(future: Future[Done], watch: _Watch | None = None) -> Done:
    """The result of a worker, waited for in short steps so that Ctrl-C (deferred here,
    see :mod:`postconv.interrupts`) ends the run within a quarter of a second, and the
    workers' progress is shown meanwhile."""
    while True:
        interrupts.check()
        if watch is not None:
            watch.tell()
        with contextlib.suppress(TimeoutError):
            try:
                return future.result(timeout=0.25)
            except BrokenProcessPool:
                raise WorkerFailed("a worker process ended unexpectedly") from None


def run_split(converter: Converter, spec: str, jobs: int, fmt: str, writer: Writer,
              summary: InputSummary) -> None:
    """Convert one input with ``jobs`` processes into ``writer``; fill in ``summary``.

    Workers convert the parts into body files, appended in order as each is done; the
    first part this process converts straight into ``writer`` meanwhile, unless the
    format's writer holds rows in memory (Parquet's row groups: then no process holds
    both that and a conversion). A part must start where the one before stopped; if one
    does not (its process read the input differently), the rest of the input is
    converted here instead.
    """
    global _PROGRESS
    cuts = part_cuts(input_size(spec), jobs)
    here = 1 if output_format(fmt).joinable else 0  # parts converted in this process
    watch = _Watch(converter, [spec] * jobs, cuts)  # (slot n: part n)
    _PROGRESS = watch.shared
    with interrupts.deferred(), scratch_folder() as folder, \
            _pool(converter, jobs - here) as pool:
        with interrupts.held():
            futures = {n: pool.submit(_work, n, spec, os.path.join(folder, f"{n}.part"), fmt,
                                      (cuts[n], cuts[n + 1])) for n in range(here, jobs)}
        _PROGRESS = None
        last: Done | None = None
        if here:
            told, converter.progress = converter.progress, watch.here()
            try:
                last = _convert_here(converter, spec, SplitPart(
                    cuts[0], cuts[1], converter.checker.state, converter.limits), writer,
                    summary)
            finally:
                converter.progress = told
        for n in range(here, jobs):
            if last is not None and (last.summary.error or last.stop is None):
                break  # it read as far as one process would have
            done = _result(futures[n], watch)
            expected = 0 if last is None else last.stop
            if done.first != expected and not (n == 0 and done.first is None):
                converter.checker.state.clear()  # the rest is converted here
                rest = SplitPart(0, _END, converter.checker.state, converter.limits,
                                 first=expected)
                last = _convert_here(converter, spec, rest, writer, summary)
                break
            with open(os.path.join(folder, f"{n}.part"), "rb") as body:
                writer.append_body(body, done.summary.records_written)
            _add(summary, done.summary)
            last = done
        _stop(pool)  # the parts after the end are not needed
        assert last is not None
        end = last.summary
        summary.format, summary.items_read = end.format, end.items_read
        summary.problems = list(end.problems)
        summary.error, summary.exit_code = end.error, end.exit_code


def _convert_here(converter: Converter, spec: str, part: SplitPart, writer: Writer,
                  summary: InputSummary) -> Done:
    """Convert ``part`` of ``spec`` in this process into ``writer``, counted in ``summary``."""
    own = InputSummary(spec)
    try:
        for record in converter.records(spec, own, part):
            writer.write(record)
    except PostconvError as exc:
        if exc.ends_run:  # the output failed (too large, say): the run ends, as in one process
            raise
        own.error, own.exit_code = one_line(str(exc)), exc.exit_code
    _add(summary, own)
    return Done(own, b"", part.first, part.stop)


def _add(summary: InputSummary, part: InputSummary) -> None:
    """Count the records and rejected items of one part in the input's summary."""
    summary.records_written += part.records_written
    for counter in ("rejected", "findings", "severities", "statuses"):
        getattr(summary, counter).update(getattr(part, counter))
    room = 20 - len(summary.rejected_items)
    summary.rejected_items.extend(part.rejected_items[:max(room, 0)])
