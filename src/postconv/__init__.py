"""postconv: UPU ITMATT customs data (XML, EDIFACT) → normalized CBP-style records, checked.

The public surface is small::

    import postconv
    for record in postconv.iter_records("partner.xml", profile="us"):
        print(record["tracking_number"], record["compliance"]["status"])

Records are plain dicts (see ``postconv schema``); decimals are ``decimal.Decimal``.
"""

from __future__ import annotations

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
from .pipeline import Converter, Limits, iter_records
from .record import Finding, Record, json_schema
from .summary import InputSummary, RunSummary

__version__ = "0.1.0"

__all__ = [
    "ConfigInvalid",
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
    "iter_records",
    "json_schema",
]
