"""One run over many inputs: outputs, per-input failure isolation, archive, lock.

The CLI calls :func:`run`; it owns no options parsing and no rendering, so a scheduler
written in Python can call it too.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from . import interrupts
from .errors import (
    InputNotFound,
    LockHeld,
    OutputNotCreated,
    OutputWriteError,
    PostconvError,
    UsageError,
    one_line,
)
from .pipeline import Converter
from .record import Record
from .sources import STDIN
from .summary import InputSummary, RunSummary
from .write import Writer, make_writer, open_output
from .write.base import EXTENSIONS

RecordSink = Callable[[Record, InputSummary], None]


@dataclass
class RunOptions:
    """Where records go and what happens to inputs afterwards."""

    output: str | None = "-"
    output_dir: Path | None = None
    archive_dir: Path | None = None
    format: str = "jsonl"
    jobs: int = 1


class InternalError(PostconvError):
    """A bug: an exception that is not one of the documented failures."""

    exit_code = 70


def output_name(spec: str, fmt: str) -> str:
    """``DIR/a.jsonl`` for input ``a.xml`` (or ``a.xml.gz``): the input's stem."""
    name = Path(spec).name
    for suffix in (".gz", ".gzip"):
        name = name.removesuffix(suffix)
    return Path(name).stem + EXTENSIONS[fmt]


#: The files of a folder input that are read when no pattern is given.
DEFAULT_PATTERNS = ("*",)


def expand_inputs(specs: list[str], patterns: tuple[str, ...] = DEFAULT_PATTERNS) -> list[str]:
    """The inputs a run reads: a folder (a spool) stands for its files, sorted by name,
    those whose name (or name without ``.gz``) matches one of ``patterns``; hidden files
    (a killed run's ``.part`` files, editors' backups) and sub-folders are skipped. An
    empty folder gives no input: an empty spool is not a failure."""
    expanded: list[str] = []
    for spec in specs:
        if spec == STDIN or not os.path.isdir(spec):
            expanded.append(spec)
            continue
        try:
            entries = sorted(os.scandir(spec), key=lambda entry: entry.name)
        except OSError as exc:
            raise InputNotFound(f"{spec}: cannot read the folder: {exc.strerror}") from None
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not entry.is_file():
                continue
            bare = name.removesuffix(".gz")
            if any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(bare, p)
                   for p in patterns):
                expanded.append(os.path.join(spec, name))
    return expanded


def check_inputs(inputs: list[str], options: RunOptions) -> None:
    """Usage errors found before anything is read."""
    if inputs.count(STDIN) > 1:
        raise UsageError("standard input (-) can be read only once")
    if options.output_dir is not None:
        if options.output not in (None, "-"):
            raise UsageError("give -o/--output or --output-dir, not both")
        names = [output_name(s, options.format) for s in inputs if s != STDIN]
        if len(set(names)) != len(names):
            raise UsageError("two inputs would write the same file in --output-dir")
        if STDIN in inputs:
            raise UsageError("--output-dir needs named inputs, not standard input")
    if options.archive_dir is not None and STDIN in inputs:
        raise UsageError("--archive-dir needs named inputs, not standard input")


def remove_stale_parts(target: Path) -> None:
    """Temporary files a killed run left for ``target`` (never a finished output)."""
    if target.is_symlink():  # written through the link: its parts are by the target
        target = Path(os.path.realpath(target))
    for stale in target.parent.glob(f".{target.name}.*.part"):
        with contextlib.suppress(OSError):
            stale.unlink()


@contextmanager
def hold_lock(path: Path | None) -> Iterator[None]:
    """An exclusive, non-blocking lock on ``path`` for the run (released on every exit)."""
    if path is None:
        yield
        return
    try:
        handle = open(path, "a+")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise OutputNotCreated(f"{path}: cannot open lock file: {exc.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(f"{path}: another postconv run holds the lock") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def convert_one(converter: Converter, spec: str, summary: InputSummary,
                sink: Callable[[Record], None]) -> None:
    """Stream one input into ``sink``; an input failure is recorded, not raised."""
    def convert() -> None:
        for record in converter.records(spec, summary):
            sink(record)

    _guarded(convert, summary)


def _guarded(convert: Callable[[], None], summary: InputSummary) -> None:
    """Run the conversion of one input: its failure goes into ``summary``; a failed
    write, an interruption or a bug end the run."""
    try:
        convert()
    except PostconvError as exc:
        summary.error = one_line(str(exc))
        summary.exit_code = exc.exit_code
        if exc.ends_run:  # writing the output failed: the run ends
            raise
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except OSError as exc:  # writing the output failed: the run ends
        where = "standard output" if summary.output in (None, STDIN) else summary.output
        failure = OutputWriteError(f"{where}: write error: {exc.strerror or exc}")
        summary.error, summary.exit_code = str(failure), failure.exit_code
        raise failure from None
    except Exception as exc:
        # a signal raised inside a callback of C code (orjson's, for a Decimal) comes out
        # as that code's own error: it is the signal, not a bug
        interrupts.check()
        item = summary.items_read
        raise InternalError(f"{summary.input}: internal error at item {item}: "
                            f"{type(exc).__name__}: {exc}") from exc


#: Inputs smaller than this are not split: starting workers would cost more than it saves.
SPLIT_MIN_BYTES = 4 << 20


def worth_splitting(spec: str) -> bool:
    """Whether ``spec`` is a regular file large enough to share between processes (decided
    here, so that a run on small files never imports the parallel machinery)."""
    try:
        return os.path.isfile(spec) and os.path.getsize(spec) >= SPLIT_MIN_BYTES
    except OSError:
        return False


def _split(options: RunOptions, inputs: list[str], on_record: RecordSink | None) -> bool:
    """One large named input and several jobs: its items are shared between processes.

    Only for a run of one input, where no tracking number can come from another input.
    """
    if options.jobs < 2 or len(inputs) != 1 or on_record is not None or not hasattr(os, "fork"):
        return False
    return inputs[0] != STDIN and worth_splitting(inputs[0])


def _convert_split(converter: Converter, spec: str, summary: InputSummary, writer: Writer,
                   options: RunOptions) -> None:
    """:func:`convert_one` with the items of one input shared by ``options.jobs`` processes."""
    from .parallel import run_split

    _guarded(lambda: run_split(converter, spec, options.jobs, options.format, writer, summary),
             summary)


def _archive(spec: str, archive_dir: Path, summary: InputSummary) -> None:
    target = archive_dir / Path(spec).name
    try:
        archive_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(spec, target)
    except OSError as exc:
        raise OutputNotCreated(f"{spec}: cannot archive to {archive_dir}: "
                               f"{exc.strerror}") from None
    summary.archived_to = str(target)


def run(converter: Converter, inputs: list[str], options: RunOptions,
        on_record: RecordSink | None = None,
        on_input_done: Callable[[InputSummary], None] | None = None,
        result: RunSummary | None = None) -> RunSummary:
    """Convert ``inputs`` in order; records go to the output(s) and to ``on_record``.

    ``result``: the summary to fill in (so that a caller still has it, as far as the run
    got, when the run ends by an exception)."""
    check_inputs(inputs, options)
    result = RunSummary() if result is None else result

    def deliver(writer_write: Callable[[Record], None] | None,
                summary: InputSummary) -> Callable[[Record], None]:
        def sink(record: Record) -> None:
            if writer_write is not None:
                writer_write(record)
            if on_record is not None:
                on_record(record, summary)

        return sink

    use_parallel = (options.jobs > 1 and len(inputs) > 1 and on_record is None
                    and STDIN not in inputs and hasattr(os, "fork"))
    if options.output_dir is not None:
        try:
            options.output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputNotCreated(f"{options.output_dir}: {exc.strerror}") from None
        if use_parallel:
            _parallel_dirs(converter, inputs, options, result, on_input_done)
            return result
        for spec in inputs:
            summary = result.add(spec)
            target = options.output_dir / output_name(spec, options.format)
            remove_stale_parts(target)
            keep = partial(worth_keeping, [summary])
            with _guard_write(str(target)), open_output(str(target), keep=keep) as stream:
                per_input = make_writer(options.format, stream)
                if _split(options, inputs, on_record):
                    _convert_split(converter, spec, summary, per_input, options)
                else:
                    convert_one(converter, spec, summary, deliver(per_input.write, summary))
                per_input.close()
            summary.output = str(target) if worth_keeping([summary]) else None
            _finish(spec, summary, options, on_input_done)
        return result

    with ExitStack() as stack:
        writer: Writer | None = None
        if options.output is not None:
            if options.output != STDIN:
                remove_stale_parts(Path(options.output))
            out: IO[bytes] = stack.enter_context(open_output(
                options.output, keep=lambda: worth_keeping(result.inputs)))
            stack.enter_context(_guard_write(options.output))
            writer = make_writer(options.format, out)
        if use_parallel and writer is not None:
            _parallel_one_output(converter, inputs, options, writer, result, on_input_done)
            inputs = []
        for spec in inputs:
            summary = result.add(spec)
            summary.output = options.output
            if writer is not None and _split(options, inputs, on_record):
                _convert_split(converter, spec, summary, writer, options)
            else:
                convert_one(converter, spec, summary,
                             deliver(writer.write if writer else None, summary))
            if writer is None:
                _finish(spec, summary, options, on_input_done)
            elif on_input_done is not None:
                on_input_done(summary)
        if writer is not None:
            with _guard_write(options.output):
                writer.close()
    if writer is not None and options.archive_dir is not None:
        for summary in result.inputs:
            if not summary.exit_code:
                _archive(summary.input, options.archive_dir, summary)
    return result


def _parallel_one_output(converter: Converter, inputs: list[str], options: RunOptions,
                         writer: Writer, result: RunSummary,
                         on_input_done: Callable[[InputSummary], None] | None) -> None:
    from .parallel import run_parallel

    def convert_here(spec: str, summary: InputSummary, target: Writer) -> None:
        convert_one(converter, spec, summary, target.write)

    def done(n: int, spec: str, summary: InputSummary) -> None:
        summary.output = options.output
        result.inputs.append(summary)
        if on_input_done is not None:
            on_input_done(summary)

    run_parallel(converter, inputs, options.jobs, options.format, lambda n, spec: writer,
                 convert_here, done)


def _parallel_dirs(converter: Converter, inputs: list[str], options: RunOptions,
                   result: RunSummary,
                   on_input_done: Callable[[InputSummary], None] | None) -> None:
    from .parallel import run_parallel

    assert options.output_dir is not None
    outputs: dict[int, tuple[ExitStack, Writer, Path]] = {}
    finished: dict[int, list[InputSummary]] = {}  # for the output's keep()

    def writer_for(n: int, spec: str) -> Writer:
        target = options.output_dir / output_name(spec, options.format)  # type: ignore[operator]
        remove_stale_parts(target)
        stack = ExitStack()
        stream = stack.enter_context(open_output(
            str(target), keep=lambda: worth_keeping(finished.pop(n, []))))
        stack.enter_context(_guard_write(str(target)))
        outputs[n] = (stack, make_writer(options.format, stream), target)
        return outputs[n][1]

    def convert_here(spec: str, summary: InputSummary, target: Writer) -> None:
        convert_one(converter, spec, summary, target.write)

    def done(n: int, spec: str, summary: InputSummary) -> None:
        stack, writer, target = outputs.pop(n)
        finished[n] = [summary]
        with stack:
            writer.close()
        summary.output = str(target) if worth_keeping([summary]) else None
        result.inputs.append(summary)
        _finish(spec, summary, options, on_input_done)

    try:
        run_parallel(converter, inputs, options.jobs, options.format, writer_for,
                     convert_here, done)
    except BaseException as exc:
        for stack, _writer, _target in outputs.values():
            stack.__exit__(type(exc), exc, exc.__traceback__)
        raise


def worth_keeping(inputs: list[InputSummary]) -> bool:
    """Whether an output holds something: a record, or an input read without failure. A
    run whose inputs all failed before a record (a missing file, a typo) must not replace
    a good output with an empty one."""
    return any(s.records_written or not s.exit_code for s in inputs)


def _finish(spec: str, summary: InputSummary, options: RunOptions,
            on_input_done: Callable[[InputSummary], None] | None) -> None:
    if options.archive_dir is not None and not summary.exit_code:
        _archive(spec, options.archive_dir, summary)
    if on_input_done is not None:
        on_input_done(summary)


@contextmanager
def _guard_write(where: str | None = None) -> Iterator[None]:
    """Write errors other than a closed pipe become :class:`OutputWriteError` (exit 74)."""
    try:
        yield
    except (BrokenPipeError, PostconvError):
        raise
    except OSError as exc:
        name = "standard output" if where in (None, STDIN) else where
        raise OutputWriteError(f"{name}: write error: {exc.strerror or exc}") from None


def null_device() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
