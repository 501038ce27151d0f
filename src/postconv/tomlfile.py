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


def line_of(text: str, needle: str) -> int | None:
    """The first line (1-based) that mentions ``needle``, to point a user at a problem."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def config_error(path: Path, text: str, needle: str, kind: str, problem: str) -> ConfigInvalid:
    """A :class:`ConfigInvalid` that names the file and, where found, the line of ``needle``."""
    line = line_of(text, needle) if needle else None
    where = f"{path}:{line}" if line else f"{path}"
    return ConfigInvalid(f"{where}: invalid {kind} file: {problem}")
