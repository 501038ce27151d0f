"""Records as JSON text, decimals exact: ``json.dumps`` cannot write a ``Decimal``, and a
float would change it (``0.180`` must stay ``0.180``)."""

from __future__ import annotations

from typing import Any

from .write.jsonl import dumps as _dumps


def dumps(value: Any) -> str:
    """A record (or any structure of dicts, lists, strings, numbers and decimals) as one
    line of JSON, each ``Decimal`` written as the number it is, never through a float."""
    return _dumps(value).decode("utf-8")
