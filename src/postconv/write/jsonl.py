"""JSON Lines and streamed JSON arrays, with decimals written exactly as given."""

from __future__ import annotations

import shutil
from decimal import Decimal
from typing import IO, Any

import orjson

from ..record import Record


def _exact(value: Any) -> Any:
    """Decimals go out as the JSON number with the digits given (``0.450``), never a float."""
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value).encode("ascii"))
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(record: Any, newline: bool = False) -> bytes:
    """One record (or any JSON value with decimals) as UTF-8 JSON bytes."""
    return orjson.dumps(record, default=_exact,
                        option=orjson.OPT_APPEND_NEWLINE if newline else 0)


class JsonLinesWriter:
    """One record per line, UTF-8 without BOM, ``\\n`` line ends."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def write(self, record: Record) -> None:
        self._stream.write(dumps(record, newline=True))

    def append_body(self, source: IO[bytes], records: int) -> None:
        """Append lines another writer of this format wrote (its body is the document)."""
        shutil.copyfileobj(source, self._stream, 1 << 20)

    def close(self) -> None:
        pass


class JsonArrayWriter:
    """A JSON array written as records come, never held in memory."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._first = True

    def write(self, record: Record) -> None:
        self._stream.write(b"[\n" if self._first else b",\n")
        self._first = False
        self._stream.write(dumps(record))

    def append_body(self, source: IO[bytes], records: int) -> None:
        """Append the records a :class:`JsonBodyWriter` wrote."""
        if records:
            self._stream.write(b"[\n" if self._first else b",\n")
            self._first = False
            shutil.copyfileobj(source, self._stream, 1 << 20)

    def close(self) -> None:
        self._stream.write(b"[]\n" if self._first else b"\n]\n")


class JsonBodyWriter(JsonArrayWriter):
    """The records of a JSON array, comma-separated, without its brackets."""

    def write(self, record: Record) -> None:
        if not self._first:
            self._stream.write(b",\n")
        self._first = False
        self._stream.write(dumps(record))

    def close(self) -> None:
        pass
