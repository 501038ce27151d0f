"""Signals that end a run: Ctrl-C, SIGTERM and SIGHUP are never lost, never leave a lock
held, and always clean up; worker processes never outlive the run.

Python raises KeyboardInterrupt wherever the main thread happens to be. Two places are
bad for it: inside a weakref callback or a ``__del__`` method (as at the end of every
import), where Python prints the exception and drops it, so the run would go on to the
end as if nothing had happened; and inside code that holds a lock another thread needs
(a future of a process pool), which that thread then waits for forever. The command
line's handler therefore remembers the signal; the loops of a run call :func:`check`,
which raises it again at a safe point; and inside :func:`deferred` the handler only
remembers it, leaving the raising to :func:`check`.

SIGTERM (``timeout``, systemd, ``kill``) and SIGHUP (a closed terminal) are handled the
same way: they raise :class:`Terminated`, a KeyboardInterrupt, so every clean-up that
Ctrl-C runs runs for them too, and the process exits 128 + the signal's number.
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

#: The signals that end a run, besides SIGINT (Ctrl-C).
ENDING = (signal.SIGTERM, signal.SIGHUP)

_pending = 0  # the number of the signal that came, 0 if none
_deferred = 0  # > 0: a signal is noted only, and raised by check()
_parent = 0  # the process that forks workers (set while they are forked)


class Terminated(KeyboardInterrupt):
    """The run was ended by SIGTERM or SIGHUP (handled like Ctrl-C)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int) -> KeyboardInterrupt:
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def on_signal(signum: int, frame: FrameType | None) -> None:
    """Raise KeyboardInterrupt (or :class:`Terminated`) as Python's own handler does
    (unless deferred), and remember it."""
    global _pending
    if _pending != signal.SIGINT:  # a Ctrl-C stays a Ctrl-C
        _pending = signum
    if not _deferred:
        raise _interrupt(signum)


#: The handler for Ctrl-C (the name the tests and the entry point know it by).
on_sigint = on_signal


def install() -> None:
    """Handle Ctrl-C, SIGTERM and SIGHUP with :func:`on_signal` (in the main thread of the
    command line), unless a signal is ignored (a shell's background job ignores SIGINT,
    ``nohup`` SIGHUP), which stays so."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_signal)
    for signum in ENDING:
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, on_signal)


def pending() -> bool:
    """Whether a signal came (raised or not)."""
    return bool(_pending)


def check() -> None:
    """Raise KeyboardInterrupt if a signal came (even if its first raising was dropped)."""
    if _pending:
        raise _interrupt(_pending)


@contextmanager
def deferred() -> Iterator[None]:
    """Signals are only noted inside: for code that waits on other threads' locks, which
    calls :func:`check` where raising is safe."""
    global _deferred
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1


_HELD = {signal.SIGINT, *ENDING}


@contextmanager
def held() -> Iterator[None]:
    """Signals wait while worker processes are forked: caught half-way through a fork, one
    can be lost (an at-fork handler swallows it) or leave a worker this process does not
    yet know of, and so cannot stop."""
    global _parent
    _parent = os.getpid()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def in_worker() -> None:
    """In a forked worker: dies with its parent, even by ``kill -9`` (else it would be left
    blocked on its pipe, holding the run's lock file); SIGTERM and SIGHUP end it at once
    (the parent ends its workers so); Ctrl-C raises again (forked with it :func:`held`),
    and nothing is pending from the parent."""
    global _pending, _deferred
    _pending, _deferred = 0, 0
    _die_with_parent()
    for signum in ENDING:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent ends (Linux), and end it now if
    the parent already has. (Nothing to do outside a worker.)"""
    if not _parent or os.getpid() == _parent:
        return
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != _parent:  # the parent died before the request
        os._exit(1)


def exit_status(interrupt: BaseException | None = None) -> int:
    """128 + the number of the signal that ended the run (130 for Ctrl-C)."""
    if isinstance(interrupt, Terminated):
        return 128 + interrupt.signum
    return 128 + (_pending or signal.SIGINT)


def describe(interrupt: BaseException | None = None) -> str:
    """``interrupted`` for Ctrl-C, ``terminated (SIGTERM)`` for the others."""
    code = exit_status(interrupt) - 128
    if code == signal.SIGINT:
        return "interrupted"
    return f"terminated ({signal.Signals(code).name})"


def exit_interrupted(interrupt: BaseException | None = None) -> NoReturn:
    """End the process with exit status 128 + the signal (130 for Ctrl-C), once the run has
    cleaned up.

    Left to itself, Python sometimes ends an interrupted process by SIGINT on its way
    out instead (seen in about one run in ten interrupted at some moments), so the
    status would depend on the moment."""
    code = exit_status(interrupt)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
