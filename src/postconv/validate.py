"""XSD validation of XML inputs, reporting every error with its line and path.

xmlschema works in lazy mode (the document is never held whole) and with
``defuse='always'`` (its parser refuses entities and DTDs, like ours). It is imported
only here, so the commands that do not validate start fast.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ._data import package_file
from .errors import InputUnusable
from .sources import STDIN, Input, open_input
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

    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    with open_input(spec, **kwargs) as source, _as_file(spec, source) as path:
        try:
            resource = xmlschema.XMLResource(str(path), lazy=True, defuse="always",
                                             iterparse=iterparse_events)
            for error in _schema(schema).iter_errors(resource):
                yield SchemaError(getattr(error, "sourceline", None), error.path,
                                  _reason(error))
        except xmlschema.XMLResourceError as exc:
            raise InputUnusable(f"{source.name}: {_first_line(str(exc))}") from None
        except xmlschema.XMLSchemaException as exc:
            raise InputUnusable(f"{source.name}: {_first_line(str(exc))}") from None
        except XmlSyntaxError as exc:
            raise InputUnusable(syntax_error_message(source.name, exc)) from None


@contextmanager
def _as_file(spec: str, source: Input) -> Iterator[Path]:
    """A path to the (decompressed) bytes: lazy validation reads the document more than once."""
    if spec != STDIN and not source.compressed:
        yield Path(spec)
        return
    with tempfile.NamedTemporaryFile(prefix="postconv-", suffix=".xml") as spool:
        shutil.copyfileobj(source.stream, spool, 1 << 16)
        spool.flush()
        yield Path(spool.name)


def _reason(error: Any) -> str:
    return _first_line(error.reason or str(error))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "invalid"
