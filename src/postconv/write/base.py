"""The writer interface and the registry of output formats.

An output format is one :class:`OutputFormat` in :data:`FORMATS`: its name (``-f``), the
file name endings that mean it (``-o out.csv``), where its writer is, and whether parts
written apart can be joined as bytes (what parallel workers do). The command line's
choices, ``--output-dir`` names and ``-o`` inference are all derived from this table:
adding a format is adding a row here and its writer module.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import IO, Protocol

from ..record import Record


class Writer(Protocol):
    """Writes records to a byte stream, one at a time; :meth:`close` ends the document."""

    def write(self, record: Record) -> None: ...

    def write_encoded(self, source: IO[bytes], records: int) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class OutputFormat:
    """One output format: see the module."""

    name: str
    #: file name endings that mean this format, the first one the one it is written with
    extensions: tuple[str, ...]
    #: ``module:Class`` under :mod:`postconv.write`, imported on first use (start-up)
    writer: str
    #: parts written apart (by parallel workers, ``fragment=True``) join as bytes
    joinable: bool = True

    def make(self, stream: IO[bytes], fragment: bool = False) -> Writer:
        module, _, name = self.writer.partition(":")
        factory = getattr(import_module(f"{__package__}.{module}"), name)
        writer: Writer = factory(stream, fragment)
        return writer


FORMATS: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("jsonl", (".jsonl", ".ndjson"), "jsonl:JsonLinesWriter"),
    OutputFormat("json", (".json",), "jsonl:JsonArrayWriter"),
    OutputFormat("csv", (".csv",), "csv:CsvWriter"),
)}
#: The ending each format's files get (``--output-dir``).
EXTENSIONS = {name: spec.extensions[0] for name, spec in FORMATS.items()}
#: File name endings that name a format (``-o out.csv`` writes CSV without ``-f``).
FORMAT_OF_SUFFIX = {ending: name for name, spec in FORMATS.items()
                    for ending in spec.extensions}


def format_for(output: str | None, given: str | None, default: str = "jsonl",
               suffixes: dict[str, str] = FORMAT_OF_SUFFIX) -> str:
    """The record format: ``given`` (``-f``), else the one ``output``'s name ends in, else
    ``default``. A ``-f`` that contradicts the name is refused: a file called ``x.csv``
    holding JSON Lines is a trap for whoever opens it. ``suffixes``: name ending →
    format, for another table of formats (the duty worksheet's)."""
    from ..errors import UsageError

    suffix = "" if output in (None, "-") else output.rpartition("/")[2].rpartition(".")[2]
    named = suffixes.get(f".{suffix.lower()}") if suffix else None
    if given is not None and named is not None and given != named:
        raise UsageError(f"-f {given} contradicts the output's name {output!r} ({named}); "
                         "give one or make them agree")
    return given or named or default


def make_writer(fmt: str, stream: IO[bytes], fragment: bool = False) -> Writer:
    """A writer for ``fmt`` (a name in :data:`FORMATS`) on ``stream``.

    ``fragment``: records only (no JSON brackets, no CSV header), for a parallel worker
    whose bytes the main writer appends with ``write_encoded``.
    """
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ValueError(f"unknown format {fmt!r}")
    return spec.make(stream, fragment)
