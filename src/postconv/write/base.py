"""The writer interface and the registry of record formats."""

from __future__ import annotations

from typing import IO, Protocol

from ..record import Record


class Writer(Protocol):
    """Writes records to a byte stream, one at a time; :meth:`close` ends the document."""

    def write(self, record: Record) -> None: ...

    def write_encoded(self, source: IO[bytes], records: int) -> None: ...

    def close(self) -> None: ...


FORMATS = ("jsonl", "json", "csv")
EXTENSIONS = {"jsonl": ".jsonl", "json": ".json", "csv": ".csv"}


def make_writer(fmt: str, stream: IO[bytes], fragment: bool = False) -> Writer:
    """A writer for ``fmt`` (one of :data:`FORMATS`) on ``stream``.

    ``fragment``: records only (no JSON brackets, no CSV header), for a parallel worker
    whose bytes the main writer appends with ``write_encoded``.
    """
    if fmt == "jsonl":
        from .jsonl import JsonLinesWriter

        return JsonLinesWriter(stream, fragment)
    if fmt == "json":
        from .jsonl import JsonArrayWriter

        return JsonArrayWriter(stream, fragment)
    if fmt == "csv":
        from .csv import CsvWriter

        return CsvWriter(stream, fragment)
    raise ValueError(f"unknown format {fmt!r}")
