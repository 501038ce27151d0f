"""postconv on a Dask cluster: records as a bag, or a dataset written by the workers.

Install ``postconv[dask]``. Each input is one task: a worker reads, maps and checks it
exactly as ``postconv convert`` does and writes its own output file(s), named after the
input (and partition) so that a task retried after a worker died overwrites its own file
and never duplicates one. Outputs are atomic as everywhere in postconv::

    import postconv.dask
    bag = postconv.dask.read_records(["a.xml", "b.xml"], profile="us")
    bag.filter(lambda r: r["compliance"]["status"] == "invalid").count().compute()

    summary = postconv.dask.convert(paths, "lake/itmatt", format="parquet",
                                    partition_on=["origin_post"], scheduler="local:2")

**Tracking numbers repeated across inputs** are exact in :func:`convert`, as with
``--jobs``: each task returns the tracking numbers it saw; the client, in input order,
keeps the run's (16 bytes each), and an input that repeats a number of an earlier input
is converted again with just those numbers marked as seen, so every record is what
``--jobs 1`` writes. :func:`read_records` is a bag, without an order across inputs: there
a repeat is flagged within its input only.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO, Any

from .check.seen import RunState
from .errors import PostconvError, UsageError
from .limits import Limits
from .pipeline import Converter
from .record import Record
from .summary import InputSummary, RunSummary

#: How long the client waits for a scheduler before the run exits 69.
CONNECT_TIMEOUT = "10s"
#: The folder name of records whose partition value is null (Hive's convention).
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


class SchedulerUnavailable(PostconvError):
    """The cluster's scheduler cannot be reached."""

    exit_code = 69


@dataclass(frozen=True)
class _Settings:
    """What a worker needs to make the run's converter (small and picklable)."""

    profile: str = "us"
    dialect: str | None = None
    as_of: date | str | None = None
    limits: Limits = field(default_factory=Limits)

    def converter(self) -> Converter:
        return Converter(dialect=self.dialect, profile=self.profile, as_of=self.as_of,
                         limits=self.limits)


def _records(paths: Iterable[str], settings: _Settings) -> list[Record]:
    """A partition's records: a list (a distributed bag's partitions are values, sent
    between processes; a generator is not one)."""
    converter = settings.converter()
    records: list[Record] = []
    for path in paths:
        converter.checker.state.clear()
        records.extend(converter.records(path))
    return records


def read_records(paths: Iterable[str | os.PathLike[str]], profile: str = "us",
                 dialect: str | None = None, as_of: date | str | None = None,
                 limits: Limits | None = None) -> Any:
    """A ``dask.bag.Bag`` of the records of ``paths``, one partition per input (a
    partition is held whole by its worker: for inputs of millions of items, or to keep
    every record, :func:`convert` streams instead). An input that fails raises its
    error (:class:`~postconv.PostconvError`) when computed."""
    import dask.bag as db

    specs = [os.fspath(p) for p in paths]
    settings = _Settings(profile, dialect, as_of, limits or Limits())
    return db.from_sequence(specs, npartitions=max(1, len(specs))).map_partitions(
        _records, settings)


@dataclass
class _Done:
    """What one task returns: the input's summary, the run-state keys it saw
    (:meth:`~postconv.check.seen.RunState.keys`), the files it wrote."""

    summary: InputSummary
    keys: bytes
    files: list[str]


def _partition_value(record: Record, path: str) -> str:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None or value == "":
        return NULL_PARTITION
    text = str(value)
    return "".join(c if c.isalnum() or c in "-_." else f"%{ord(c):02X}" for c in text)


def _convert_input(spec: str, out_dir: str, fmt: str, partition_on: tuple[str, ...],
                   settings: _Settings, repeats: bytes) -> _Done:
    """One task: convert ``spec`` into ``out_dir``, ``repeats`` the tracking numbers an
    earlier input of the run already wrote."""
    from .runner import RunOptions, convert_one, output_name, remove_stale_parts, run, worth_keeping
    from .write import make_writer, open_output

    converter = settings.converter()
    state = converter.checker.state
    state.preload(repeats)
    if not partition_on:
        result = run(converter, [spec], RunOptions(output=None, output_dir=Path(out_dir),
                                                   format=fmt))
        summary = result.inputs[0]
        return _Done(summary, state.keys(), [summary.output] if summary.output else [])
    summary = InputSummary(spec)
    name = output_name(spec, fmt)
    files: dict[str, Any] = {}
    keep = partial(worth_keeping, [summary])
    with ExitStack() as stack:
        def writer_for(record: Record) -> Any:
            folder = Path(out_dir).joinpath(*(f"{p.split('.')[-1]}={_partition_value(record, p)}"
                                              for p in partition_on))
            key = str(folder)
            if key not in files:
                folder.mkdir(parents=True, exist_ok=True)
                target = folder / name
                remove_stale_parts(target)
                stream: IO[bytes] = stack.enter_context(open_output(str(target), keep=keep))
                files[key] = (str(target), make_writer(fmt, stream))
            return files[key][1]

        def sink(record: Record) -> None:
            writer_for(record).write(record)

        convert_one(converter, spec, summary, sink)
        for _, writer in files.values():
            writer.close()
    written = [target for target, _ in files.values()] if keep() else []
    summary.output = out_dir if written else None
    return _Done(summary, state.keys(), sorted(written))


@contextmanager
def client_for(scheduler: str) -> Iterator[Any]:
    """A client of ``scheduler``: ``local:N`` (a ``LocalCluster`` of N worker processes,
    ended with the run) or an address (``tcp://host:8786``)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler.startswith("local:"):
        import dask

        count = scheduler.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--scheduler {scheduler!r}: local:N needs a number of workers")
        # one thread a worker (the conversion is Python: threads would share one core),
        # no dashboard, and no sampling profiler in the workers (it takes a few per cent
        # of every task and nobody looks at it in a batch run)
        with dask.config.set({"distributed.worker.profile.enabled": False}), \
                LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                             dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            client.wait_for_workers(int(count))
            yield client
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnavailable(f"--scheduler {scheduler}: cannot reach the scheduler: "
                                   f"{exc}") from None
    with client:
        yield client


def convert(paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str],
            format: str = "parquet", partition_on: Iterable[str] = (),
            profile: str = "us", dialect: str | None = None,
            as_of: date | str | None = None, limits: Limits | None = None,
            client: Any = None, scheduler: str | None = None,
            result: RunSummary | None = None) -> RunSummary:
    """Convert ``paths`` on a cluster into a dataset in ``out_dir``: one file per input,
    ``out_dir/<input stem>.<ext>``, or with ``partition_on`` (record fields, dotted for a
    nested one: ``compliance.status``) one per input and partition,
    ``out_dir/origin_post=GBA/<input stem>.parquet``. Returns the run summary merged from
    the workers, inputs in the order given. ``client``: a ``distributed.Client``; else
    ``scheduler`` (``local:N`` or an address); else the default client."""
    from .errors import OutputNotCreated
    from .runner import RunOptions, check_inputs
    from .write.base import EXTENSIONS

    specs = [os.fspath(p) for p in paths]
    folder = os.fspath(out_dir)
    if format not in EXTENSIONS:
        raise UsageError(f"unknown format {format!r}")
    check_inputs(specs, RunOptions(output=None, output_dir=Path(folder), format=format))
    settings = _Settings(profile, dialect, as_of, limits or Limits())
    result = RunSummary() if result is None else result
    with ExitStack() as stack:
        if client is None:
            if scheduler is not None:
                client = stack.enter_context(client_for(scheduler))
            else:
                from distributed import get_client

                client = get_client()
        try:  # only once the cluster is there: a run that cannot start writes nothing
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise OutputNotCreated(f"{folder}: {exc.strerror}") from None
        task = partial(_convert_input, out_dir=folder, fmt=format,
                       partition_on=tuple(partition_on), settings=settings)
        run_id = uuid.uuid4().hex  # keys of this run only: a client may run several
        futures = [client.submit(task, spec, repeats=b"", key=f"postconv-{run_id}-{n}",
                                 pure=False) for n, spec in enumerate(specs)]
        state = RunState()  # the run's, kept here in input order
        for n, (spec, future) in enumerate(zip(specs, futures, strict=True)):
            done: _Done = future.result()
            repeats = state.repeats(done.keys)
            if repeats:  # a number of an earlier input: convert again, knowing those
                done = client.submit(task, spec, repeats=repeats,
                                     key=f"postconv-{run_id}-{n}-again", pure=False).result()
            state.merge(done.keys)
            result.inputs.append(done.summary)
    return result
