"""Ctrl-C that Python would otherwise drop.

A KeyboardInterrupt raised while a weakref callback or a ``__del__`` method runs (as at
the end of every import) is printed as "Exception ignored" and dropped, and the run
would go on to the end as if nothing had happened. The command line's handler therefore
also remembers the interrupt, and the loops of a run call :func:`check`, which raises it
again where it cannot be lost.
"""

from __future__ import annotations

import signal
from types import FrameType

_pending = False


def on_sigint(signum: int, frame: FrameType | None) -> None:
    """Raise KeyboardInterrupt as Python's own handler does, and remember it."""
    global _pending
    _pending = True
    raise KeyboardInterrupt


def install() -> None:
    """Handle Ctrl-C with :func:`on_sigint` (in the main thread of the command line)."""
    signal.signal(signal.SIGINT, on_sigint)


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C came (even if its first one was dropped)."""
    if _pending:
        raise KeyboardInterrupt
