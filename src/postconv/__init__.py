"""postconv: UPU ITMATT customs data (XML, EDIFACT) → normalized CBP-style records, checked.

The public surface is small::

    import postconv
    for record in postconv.iter_records("partner.xml", profile="us"):
        print(record["tracking_number"], record["compliance"]["status"])

    conversion = postconv.Conversion("partner.xml", as_of="2026-07-24")
    for record in conversion.records():
        print(postconv.dumps(record))          # JSON, decimals exact
    print(conversion.summary.items_rejected, conversion.summary.rejected_items)

Records are plain dicts (see ``postconv schema``); decimals are ``decimal.Decimal``.
The names below are loaded on first use, so that ``import postconv`` (and the start of
the command) costs nothing until they are needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .encode import dumps
    from .errors import (
        ConfigInvalid,
        InputNotFound,
        InputUnusable,
        LockHeld,
        OutputNotCreated,
        OutputWriteError,
        PostconvError,
        UsageError,
    )
    from .limits import Limits
    from .pipeline import Conversion, Converter, iter_records
    from .record import Finding, Record, json_schema
    from .summary import InputSummary, RunSummary

__version__ = "0.1.0"

#: public name → the module that defines it
_HOMES = {
    **dict.fromkeys(["ConfigInvalid", "InputNotFound", "InputUnusable", "LockHeld",
                     "OutputNotCreated", "OutputWriteError", "PostconvError", "UsageError"],
                    "errors"),
    **dict.fromkeys(["Conversion", "Converter", "iter_records"], "pipeline"),
    "dumps": "encode",
    "Limits": "limits",
    **dict.fromkeys(["Finding", "Record", "json_schema"], "record"),
    **dict.fromkeys(["InputSummary", "RunSummary"], "summary"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'postconv' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (what ``help(postconv)`` documents), not the loading machinery."""
    return sorted(__all__)


__all__ = [
    "ConfigInvalid",
    "Conversion",
    "Converter",
    "Finding",
    "InputNotFound",
    "InputSummary",
    "InputUnusable",
    "Limits",
    "LockHeld",
    "OutputNotCreated",
    "OutputWriteError",
    "PostconvError",
    "Record",
    "RunSummary",
    "UsageError",
    "__version__",
    "dumps",
    "iter_records",
    "json_schema",
]
