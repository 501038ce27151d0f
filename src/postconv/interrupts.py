"""Ctrl-C that is never lost and never leaves a lock held.

Python raises KeyboardInterrupt wherever the main thread happens to be. Two places are
bad for it: inside a weakref callback or a ``__del__`` method (as at the end of every
import), where Python prints the exception and drops it, so the run would go on to the
end as if nothing had happened; and inside code that holds a lock another thread needs
(a future of a process pool), which that thread then waits for forever. The command
line's handler therefore remembers the interrupt; the loops of a run call :func:`check`,
which raises it again at a safe point; and inside :func:`deferred` the handler only
remembers it, leaving the raising to :func:`check`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

_pending = False
_deferred = 0  # > 0: Ctrl-C is noted only, and raised by check()


def on_sigint(signum: int, frame: FrameType | None) -> None:
    """Raise KeyboardInterrupt as Python's own handler does (unless deferred), and
    remember it."""
    global _pending
    _pending = True
    if not _deferred:
        raise KeyboardInterrupt


def install() -> None:
    """Handle Ctrl-C with :func:`on_sigint` (in the main thread of the command line),
    unless it is ignored (as for a background job of a shell), which stays so."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_sigint)


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C came (even if its first one was dropped)."""
    if _pending:
        raise KeyboardInterrupt


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C is only noted inside: for code that waits on other threads' locks, which
    calls :func:`check` where raising is safe."""
    global _deferred
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1


@contextmanager
def held() -> Iterator[None]:
    """Ctrl-C waits while worker processes are forked: caught half-way through a fork, it
    can be lost (an at-fork handler swallows it) or leave a worker this process does not
    yet know of, and so cannot stop."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def in_worker() -> None:
    """In a forked worker: Ctrl-C raises again (forked with it :func:`held`), and nothing
    is pending from the parent."""
    global _pending, _deferred
    _pending, _deferred = False, 0
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def exit_interrupted() -> NoReturn:
    """End the process with exit status 130, once the run has cleaned up.

    Left to itself, Python sometimes ends an interrupted process by SIGINT on its way
    out instead (seen in about one run in ten interrupted at some moments), so the
    status would depend on the moment."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(130)
