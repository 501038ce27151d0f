"""Errors that end an input or a run, each bound to its documented exit status.

The CLI maps these to exit codes (see ``EXIT_CODES`` in :mod:`postconv.cli`); the
library raises them so that another program can tell the same cases apart.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """A message as one line: libxml2 and others end some of theirs with line breaks."""
    return " ".join(text.split())


class PostconvError(Exception):
    """Base class; ``exit_code`` is the status the CLI exits with. ``ends_run``: the
    failure is the run's (an output), not one input's: the inputs after it are not read."""

    exit_code = 70
    ends_run = False


class InputUnusable(PostconvError):
    """The input cannot be used: not well-formed, forbidden construct, unknown format, cap."""

    exit_code = 65


class InputNotFound(PostconvError):
    """The input file does not exist or cannot be read."""

    exit_code = 66


class OutputNotCreated(PostconvError):
    """An output file or folder cannot be created."""

    exit_code = 73


class OutputWriteError(PostconvError):
    """An I/O error while writing an output (not a closed pipe)."""

    exit_code = 74
    ends_run = True


class LockHeld(PostconvError):
    """Another run holds the lock file."""

    exit_code = 75


class ConfigInvalid(PostconvError):
    """A profile, dialect or duty table is invalid; the message names file, line and
    problem."""

    exit_code = 78


class UsageError(PostconvError):
    """The command line is wrong."""

    exit_code = 2


class OutputTooLarge(UsageError):
    """The output cannot hold what the run gives (a worksheet over Excel's rows): the
    run must be narrowed (fewer inputs, one month)."""

    ends_run = True
