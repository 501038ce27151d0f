"""ISO code lists (3166-1 countries, 4217 currencies, 3166-2 US subdivisions) from pycountry.

pycountry builds an object for each of its ~5,000 subdivisions on first use (a quarter
of a second); cron jobs convert many small files, so the code sets are read straight
from pycountry's own JSON databases, once, and kept as frozen sets.
"""

from __future__ import annotations

import importlib.util
import json
import os
from functools import cache
from typing import Any


@cache
def _database_dir() -> str:
    """pycountry's data folder, found without importing pycountry (its import is slow)."""
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pycountry is not installed")
    return os.path.join(next(iter(spec.submodule_search_locations)), "databases")


def _database(name: str) -> list[dict[str, Any]]:
    path = os.path.join(_database_dir(), f"iso{name}.json")
    with open(path, encoding="utf-8") as handle:
        entries: list[dict[str, Any]] = json.load(handle)[name]
    return entries


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes."""
    return frozenset(entry["alpha_2"] for entry in _database("3166-1"))


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 alphabetic codes."""
    return frozenset(entry["alpha_3"] for entry in _database("4217"))


@cache
def subdivision_codes(country: str) -> frozenset[str]:
    """ISO 3166-2 subdivision codes of ``country``, without the country prefix."""
    prefix = f"{country}-"
    return frozenset(entry["code"][len(prefix):] for entry in _database("3166-2")
                     if entry["code"].startswith(prefix))
