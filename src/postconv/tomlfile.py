"""Reading the project's TOML files (dialects, profiles) with errors that name file and line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigInvalid

_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(path: Path, kind: str) -> tuple[dict[str, Any], str]:
    """Parse ``path``; a syntax error becomes :class:`ConfigInvalid` with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigInvalid(f"{path}: cannot read {kind} file: {exc}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _AT_LINE.search(message)
        line = f":{where.group(1)}" if where else ""
        problem = _AT_LINE.sub("", message).strip()
        raise ConfigInvalid(f"{path}{line}: invalid {kind} file: {problem}") from None


_ENTRY = re.compile(r"(\w+)\[(\d+)\](?:\.([\w-]+))?")


def line_of(text: str, needle: str) -> int | None:
    """The line (1-based) to point a user at for a problem: for ``rules[3].field`` the
    ``field`` key of the fourth ``[[rules]]`` entry (else that entry's header); for any
    other needle the first line, comments aside, that mentions it."""
    lines = text.splitlines()
    entry = _ENTRY.fullmatch(needle)
    if entry is None:
        for number, line in enumerate(lines, start=1):
            if needle in line and not line.lstrip().startswith("#"):
                return number
        return None
    table, index, key = entry.group(1), int(entry.group(2)), entry.group(3)
    header = f"[[{table}]]"
    seen = -1
    start = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            if start is not None:
                break  # the entry ended without the key
            if stripped.split("#", 1)[0].strip() == header:
                seen += 1
                if seen == index:
                    start = number
            continue
        if start is not None and key and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return start


def config_error(path: Path, text: str, needle: str, kind: str, problem: str) -> ConfigInvalid:
    """A :class:`ConfigInvalid` that names the file and, where found, the line of ``needle``."""
    line = line_of(text, needle) if needle else None
    where = f"{path}:{line}" if line else f"{path}"
    return ConfigInvalid(f"{where}: invalid {kind} file: {problem}")
