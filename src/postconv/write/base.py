"""The writer interface and the registry of record formats."""

from __future__ import annotations

from typing import IO, Protocol

from ..record import Record


class Writer(Protocol):
    """Writes records to a byte stream, one at a time; :meth:`close` ends the document."""

    def write(self, record: Record) -> None: ...

    def close(self) -> None: ...


FORMATS = ("jsonl", "json", "csv")
EXTENSIONS = {"jsonl": ".jsonl", "json": ".json", "csv": ".csv"}


def make_writer(fmt: str, stream: IO[bytes]) -> Writer:
    """A writer for ``fmt`` (one of :data:`FORMATS`) on ``stream``."""
    if fmt == "jsonl":
        from .jsonl import JsonLinesWriter

        return JsonLinesWriter(stream)
    if fmt == "json":
        from .jsonl import JsonArrayWriter

        return JsonArrayWriter(stream)
    if fmt == "csv":
        from .csv import CsvWriter

        return CsvWriter(stream)
    raise ValueError(f"unknown format {fmt!r}")
