"""XSD validation of XML inputs, reporting every error with its line and path.

xmlschema works in lazy mode (the document is never held whole) and with
``defuse='always'`` (its parser refuses entities and DTDs, like ours). It is imported
only here, so the commands that do not validate start fast.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from ._data import package_file
from .errors import InputUnusable, OutputWriteError, PostconvError
from .limits import MAX_INPUT_BYTES
from .sources import STDIN, open_input
from .xmlsafe import XmlSyntaxError, iterparse_events, syntax_error_message

SCHEMAS = {"itmatt": "itmatt-1.xsd"}


@dataclass(frozen=True)
class SchemaError:
    """One validation error: where it is and what is wrong."""

    line: int | None
    path: str | None
    reason: str


@cache
def _schema(name: str) -> Any:
    import xmlschema

    return xmlschema.XMLSchema11(package_file(f"xsd/{SCHEMAS[name]}"))


def schema_path(name: str = "itmatt") -> Path:
    return package_file(f"xsd/{SCHEMAS[name]}")


def validate(spec: str, schema: str = "itmatt", max_bytes: int | None = None) -> Iterator[
        SchemaError]:
    """Yield every schema error of the input ``spec`` (a path or ``-``)."""
    import xmlschema

    cap = MAX_INPUT_BYTES if max_bytes is None else max_bytes
    with _rewindable(spec, cap) as (name, stream):
        _refuse_other_formats(name, stream)
        try:
            resource = xmlschema.XMLResource(stream, lazy=True, defuse="always",
                                             iterparse=iterparse_events)
            for error in _schema(schema).iter_errors(resource):
                yield SchemaError(getattr(error, "sourceline", None), error.path,
                                  _reason(error))
        except xmlschema.XMLResourceError as exc:
            raise InputUnusable(f"{name}: {_first_line(str(exc))}") from None
        except xmlschema.XMLSchemaException as exc:
            raise InputUnusable(f"{name}: {_first_line(str(exc))}") from None
        except XmlSyntaxError as exc:
            raise InputUnusable(syntax_error_message(name, exc)) from None
        except PostconvError as exc:
            raise type(exc)(f"{name}: {exc}") from None


def _refuse_other_formats(name: str, stream: IO[bytes]) -> None:
    """Only the ITMATT reference binding has a schema: another format (EDIFACT, a partner
    dialect) is said to be one, not reported as invalid XML or an unknown root."""
    from .dialects import detect_dialect
    from .sources import HEAD_BYTES

    head = stream.peek(HEAD_BYTES)[:HEAD_BYTES] if hasattr(stream, "peek") else b""
    try:
        dialect = detect_dialect(head)
    except InputUnusable:
        return  # the schema says what is wrong with it
    if dialect.name not in SCHEMAS:
        raise InputUnusable(f"{name}: only the ITMATT reference binding can be validated; "
                            f"this input is {dialect.name} ({dialect.syntax})")


class _Rewindable(io.RawIOBase):
    """The (decompressed, capped) bytes of a named input, read again from the start on
    ``seek(0)``: lazy validation reads a document more than once, and a gzip file is
    decompressed again rather than copied out to a temporary file (where a gzip bomb
    would fill the disk)."""

    def __init__(self, spec: str, cap: int) -> None:
        self._spec = spec
        self._cap = cap
        self._stack = ExitStack()
        self._stream = self._open()

    def _open(self) -> IO[bytes]:
        self._stack.close()
        self._stack = ExitStack()
        source = self._stack.enter_context(open_input(self._spec, self._cap))
        return source.stream

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) != (0, io.SEEK_SET):
            raise io.UnsupportedOperation("only a rewind to the start")
        self._stream = self._open()
        return 0

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stack.close()
        super().close()


@contextmanager
def _rewindable(spec: str, cap: int) -> Iterator[tuple[str, IO[bytes]]]:
    """A rewindable byte stream of ``spec``: a named file is opened again for each pass;
    standard input is kept in a temporary file, up to the cap."""
    if spec != STDIN:
        stream = _Rewindable(spec, cap)
        try:
            yield spec, io.BufferedReader(stream, 1 << 16)
        finally:
            stream.close()
        return
    with open_input(spec, cap) as source, tempfile.TemporaryFile(prefix="postconv-") as spool:
        try:
            shutil.copyfileobj(source.stream, spool, 1 << 16)
            spool.flush()
        except PostconvError:
            raise
        except OSError as exc:
            raise OutputWriteError(f"{source.name}: cannot keep standard input in a "
                                   f"temporary file to validate it: {exc.strerror}") from None
        spool.seek(0)
        yield source.name, spool


def _reason(error: Any) -> str:
    """What is wrong, for a person: the value that is not allowed (a pattern is the
    schema's business, not the reader's)."""
    reason = _first_line(error.reason or str(error))
    value = error.obj if isinstance(error.obj, str) else None
    if value is None:
        return reason
    if "pattern" in reason:
        return f"{value.strip()!r} is not a value the schema allows here"
    return f"{value.strip()!r}: {reason}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "invalid"
