"""Where the files shipped inside the package are (profiles, dialects, XSD, stop words).

The package is installed as plain files, so a path beside this module is enough; it
avoids importing importlib.resources on every start-up.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def package_file(relative: str) -> Path:
    """The path of a file shipped in the package, e.g. ``profiles/us.toml``."""
    return PACKAGE_DIR / relative
