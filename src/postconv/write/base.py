"""The writer interface and the registry of output formats.

An output format is one :class:`OutputFormat` in :data:`FORMATS`: its name (``-f``), the
file name endings that mean it (``-o out.csv``), where its writer is, and how records
written apart are joined into one document: a *body* is records without the document
around them (no JSON brackets, no CSV header; for Parquet, an Arrow IPC stream), which a
document writer appends with :meth:`Writer.append_body` (parts converted by parallel
workers are joined so, byte for byte as one process writes them). The command line's
choices, ``--output-dir`` names and ``-o`` inference are all derived from this table:
adding a format is adding a row here and its writer module.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import IO, Any, Protocol

from ..record import Record


class Writer(Protocol):
    """Writes records to a byte stream, one at a time; :meth:`close` ends the document."""

    def write(self, record: Record) -> None: ...

    def append_body(self, source: IO[bytes], records: int) -> None:
        """Append a body of ``records`` records a :meth:`OutputFormat.body` wrote."""


    def close(self) -> None: ...


@dataclass(frozen=True)
class OutputFormat:
    """One output format: see the module."""

    name: str
    #: file name endings that mean this format, the first one the one it is written with
    extensions: tuple[str, ...]
    #: ``module:Class`` under :mod:`postconv.write`, imported on first use (start-up)
    writer: str
    #: ``module:Class`` of the writer of a body (records only), the same if it has no
    #: document around the records
    body_writer: str = ""
    #: bodies join as bytes (concatenated): a file of this format can be cut in parts
    joinable: bool = True
    #: ``-o NAME.gz`` may compress it (not a format that compresses inside)
    gzip: bool = True

    def make(self, stream: IO[bytes]) -> Writer:
        """A writer of a whole document."""
        return self._load(self.writer)(stream)  # type: ignore[no-any-return]

    def body(self, stream: IO[bytes]) -> Writer:
        """A writer of a body: records only, for a document's :meth:`Writer.append_body`."""
        return self._load(self.body_writer or self.writer)(stream)  # type: ignore[no-any-return]

    def _load(self, where: str) -> Any:
        module, _, name = where.partition(":")
        try:
            return getattr(import_module(f"{__package__}.{module}"), name)
        except ModuleNotFoundError as exc:  # an optional extra (pyarrow) not installed
            from ..errors import UsageError

            raise UsageError(f"-f {self.name} needs {exc.name}: pip install "
                             f"'postconv[{self.name}]'") from None


FORMATS: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("jsonl", (".jsonl", ".ndjson"), "jsonl:JsonLinesWriter"),
    OutputFormat("json", (".json",), "jsonl:JsonArrayWriter", "jsonl:JsonBodyWriter"),
    OutputFormat("csv", (".csv",), "csv:CsvWriter", "csv:CsvRowsWriter"),
    OutputFormat("parquet", (".parquet",), "parquet:ParquetWriter", "parquet:ArrowBodyWriter",
                 joinable=False, gzip=False),
)}
#: The ending each format's files get (``--output-dir``).
EXTENSIONS = {name: spec.extensions[0] for name, spec in FORMATS.items()}
#: File name endings that name a format (``-o out.csv`` writes CSV without ``-f``).
FORMAT_OF_SUFFIX = {ending: name for name, spec in FORMATS.items()
                    for ending in spec.extensions}


def format_for(output: str | None, given: str | None, default: str = "jsonl",
               suffixes: dict[str, str] = FORMAT_OF_SUFFIX,
               packed: tuple[str, ...] = ()) -> str:
    """The record format: ``given`` (``-f``), else the one ``output``'s name ends in
    (before a ``.gz``), else ``default``. A ``-f`` that contradicts the name is refused: a
    file called ``x.csv`` holding JSON Lines is a trap for whoever opens it; so is a
    ``.gz`` on a format that compresses inside. ``suffixes``: name ending → format, for
    another table of formats (the duty worksheet's); ``packed``: its formats that take no
    ``.gz`` (the record formats say so in :data:`FORMATS`)."""
    from ..errors import UsageError

    name = "" if output in (None, "-") else output.rpartition("/")[2].lower()
    compressed = name.endswith(".gz")
    name = name.removesuffix(".gz")
    suffix = name.rpartition(".")[2] if "." in name else ""
    named = suffixes.get(f".{suffix}") if suffix else None
    if given is not None and named is not None and given != named:
        raise UsageError(f"-f {given} contradicts the output's name {output!r} ({named}); "
                         "give one or make them agree")
    fmt = given or named or default
    spec = FORMATS.get(fmt) if suffixes is FORMAT_OF_SUFFIX else None
    if compressed and (fmt in packed or (spec is not None and not spec.gzip)):
        raise UsageError(f"{output!r}: {fmt} compresses inside; drop the .gz")
    return fmt


def output_format(fmt: str) -> OutputFormat:
    """The format named ``fmt`` (a name in :data:`FORMATS`)."""
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ValueError(f"unknown format {fmt!r}")
    return spec


def make_writer(fmt: str, stream: IO[bytes]) -> Writer:
    """A writer of a whole ``fmt`` document on ``stream``."""
    return output_format(fmt).make(stream)
