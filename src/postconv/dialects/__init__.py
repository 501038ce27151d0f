"""Dialects: how a partner's format maps to the record, as TOML files read by one engine."""

from .engine import Dialect, Mapper, builtin_dialects, load_dialect, resolve_dialect
from .syntaxes import SYNTAXES, detect_dialect, raw_items

__all__ = ["SYNTAXES", "Dialect", "Mapper", "builtin_dialects", "detect_dialect",
           "load_dialect", "raw_items", "resolve_dialect"]
