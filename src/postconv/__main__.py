"""``python -m postconv`` and the ``postconv`` command.

Ctrl-C while the program is still loading ends it as Ctrl-C does later on: exit 130,
one line, no traceback.
"""

from __future__ import annotations

import sys

from . import interrupts


def run() -> None:
    """Console entry point."""
    interrupts.install()
    try:
        from .cli import main

        main()  # (a run ends Ctrl-C itself: this is for loading and reading the options)
        return
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:
        if exc.code != 130:  # typer's own answer to Ctrl-C while it reads the options
            raise
    print("postconv: interrupted", file=sys.stderr)
    interrupts.exit_interrupted()


if __name__ == "__main__":
    run()
