"""Dialects: how a partner's format maps to the record, as TOML files read by one engine."""

from .engine import Dialect, Mapper, builtin_dialects, detect_dialect, load_dialect, resolve_dialect

__all__ = ["Dialect", "Mapper", "builtin_dialects", "detect_dialect", "load_dialect",
           "resolve_dialect"]
