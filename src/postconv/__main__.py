"""``python -m postconv`` and the ``postconv`` command.

Ctrl-C while the program is still loading ends it as Ctrl-C does later on: exit 130,
one line, no traceback.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Console entry point."""
    try:
        from .cli import main

        main()  # (a run ends Ctrl-C itself: this is for loading and parsing the options)
    except KeyboardInterrupt:
        print("postconv: interrupted", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    run()
