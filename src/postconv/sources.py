"""Inputs: a path or ``-``, gzip recognised by its magic bytes, a cap on bytes read.

Knows nothing of postal data: it hands the reader a byte stream and the first bytes for
format detection, and counts bytes after decompression so that a gzip bomb hits the cap.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from .errors import InputNotFound, InputUnusable
from .limits import MAX_INPUT_BYTES

GZIP_MAGIC = b"\x1f\x8b"
HEAD_BYTES = 64 * 1024
STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass
class Input:
    """An opened input: its display name, a byte stream, and its first bytes."""

    name: str
    stream: IO[bytes]
    head: bytes
    compressed: bool
    counter: _Stream | None = None

    def bytes_read(self) -> int:
        """Bytes handed to the reader so far (after decompression)."""
        return self.counter.count if self.counter is not None else 0

    def over_cap(self) -> InputUnusable | None:
        """The error to give if the stream was ended at the cap with more bytes to come."""
        if self.counter is None or not self.counter.over:
            return None
        return InputUnusable(f"over the input size cap of {self.counter.cap} bytes "
                             "(--max-input-bytes)")


class _Stream(io.RawIOBase):
    """Serves ``prefix`` then the rest of ``raw``, counting bytes against a cap.

    At the cap the stream ends, as a truncated file would, so that the reader gives every
    item before it; :attr:`over` then says whether more bytes were to come, and the
    reader's complaint about the end is replaced by the cap's (see
    :meth:`Input.over_cap`)."""

    def __init__(self, prefix: bytes, raw: IO[bytes] | gzip.GzipFile, cap: int,
                 name: str) -> None:
        self._prefix = prefix
        self._raw = raw
        self.cap = cap
        self._name = name
        self.count = 0
        self.over = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self.cap - self.count)
        if wanted <= 0:
            self.over = self.over or bool(self._prefix) or bool(self._raw.read(1))
            return 0
        if self._prefix:
            size = min(wanted, len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
        else:
            data = self._raw.read(wanted)
            size = len(data)
            buffer[:size] = data
        self.count += size
        return size


def _read_head(raw: IO[bytes] | gzip.GzipFile, size: int) -> bytes:
    """Up to ``size`` bytes, reading again on short reads (pipes give what they have)."""
    parts = []
    wanted = size
    while wanted > 0:
        chunk = raw.read(wanted)
        if not chunk:
            break
        parts.append(chunk)
        wanted -= len(chunk)
    return b"".join(parts)


def display_name(spec: str) -> str:
    """How messages name an input: its path, or ``<stdin>`` for ``-``."""
    return STDIN_NAME if spec == STDIN else spec


def _raw_file(spec: str | IO[bytes]) -> tuple[str, IO[bytes], bool]:
    if not isinstance(spec, str):
        return getattr(spec, "name", "<stream>"), spec, False
    if spec == STDIN:
        return display_name(spec), sys.stdin.buffer, False
    try:
        return spec, open(spec, "rb"), True
    except FileNotFoundError:
        raise InputNotFound(f"{spec}: no such file") from None
    except IsADirectoryError:
        raise InputNotFound(f"{spec}: is a directory") from None
    except OSError as exc:
        raise InputNotFound(f"{spec}: cannot read: {exc.strerror}") from None


@contextmanager
def open_input(spec: str | IO[bytes],
               max_bytes: int = MAX_INPUT_BYTES) -> Iterator[Input]:
    """Open ``spec`` (a path, ``-`` or a binary stream); decompress gzip; cap the bytes read."""
    name, raw, owned = _raw_file(spec)
    try:
        try:
            head = _read_head(raw, HEAD_BYTES)
        except OSError as exc:
            raise InputNotFound(f"{name}: cannot read: {exc.strerror}") from None
        compressed = head.startswith(GZIP_MAGIC)
        stream: IO[bytes]
        if compressed:
            gz = gzip.GzipFile(fileobj=io.BufferedReader(_Stream(head, raw, 1 << 62, name)))
            try:
                inner_head = _read_head(gz, HEAD_BYTES)
            except (OSError, EOFError) as exc:
                raise InputUnusable(f"broken gzip data: {exc}") from None
            counter = _Stream(inner_head, gz, max_bytes, name)
            stream = io.BufferedReader(_GzipErrors(counter), buffer_size=HEAD_BYTES)
            head = inner_head
        else:
            counter = _Stream(head, raw, max_bytes, name)
            stream = io.BufferedReader(counter, buffer_size=HEAD_BYTES)
        yield Input(name, stream, head[:HEAD_BYTES], compressed, counter)
    finally:
        if owned:
            raw.close()


class _GzipErrors(io.RawIOBase):
    """Turns a broken or truncated gzip stream into a clear :class:`InputUnusable`."""

    def __init__(self, inner: _Stream) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            return self._inner.readinto(buffer)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise InputUnusable(f"broken gzip data: {exc}") from None
