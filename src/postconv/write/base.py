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
#: File name endings that name a format (``-o out.csv`` writes CSV without ``-f``).
FORMAT_OF_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}


def format_for(output: str | None, given: str | None, default: str = "jsonl") -> str:
    """The record format: ``given`` (``-f``), else the one ``output``'s name ends in, else
    ``default``. A ``-f`` that contradicts the name is refused: a file called ``x.csv``
    holding JSON Lines is a trap for whoever opens it."""
    from ..errors import UsageError

    suffix = "" if output in (None, "-") else output.rpartition("/")[2].rpartition(".")[2]
    named = FORMAT_OF_SUFFIX.get(f".{suffix.lower()}") if suffix else None
    if given is not None and named is not None and given != named:
        raise UsageError(f"-f {given} contradicts the output's name {output!r} ({named}); "
                         "give one or make them agree")
    return given or named or default


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
