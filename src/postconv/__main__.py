"""``python -m postconv`` and the ``postconv`` command.

Ctrl-C (or SIGTERM, SIGHUP) while the program is still loading ends it as it does later
on: exit 128 + the signal (130 for Ctrl-C), one line, no traceback.
"""

from __future__ import annotations

import os
import sys

from . import interrupts


def run() -> None:
    """Console entry point."""
    # pyarrow (-f parquet) keeps freed memory in its own allocator's pools; the system
    # allocator returns it, 25 MiB less at the peak of a streamed run (set before pyarrow
    # is imported; a user's own setting wins)
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    interrupts.install()
    interrupt: BaseException | None = None
    try:
        from .cli import main

        main()  # (a run ends Ctrl-C itself: this is for loading and reading the options)
        return
    except KeyboardInterrupt as exc:
        interrupt = exc
    except SystemExit as exc:
        if exc.code != 130:  # typer's own answer to Ctrl-C while it reads the options
            raise
    print(f"postconv: {interrupts.describe(interrupt)}", file=sys.stderr)
    interrupts.exit_interrupted(interrupt)


if __name__ == "__main__":
    run()
