"""Errors that end an input or a run, each bound to its documented exit status.

The CLI maps these to exit codes (see ``EXIT_CODES`` in :mod:`postconv.cli`); the
library raises them so that another program can tell the same cases apart.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """A message as one line: libxml2 and others end some of theirs with line breaks."""
    return " ".join(text.split())


class PostconvError(Exception):
    """Base class; ``exit_code`` is the status the CLI exits with."""

    exit_code = 70


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


class LockHeld(PostconvError):
    """Another run holds the lock file."""

    exit_code = 75


class ConfigInvalid(PostconvError):
    """A profile or dialect file is invalid; the message names file, line and problem."""

    exit_code = 78


class UsageError(PostconvError):
    """The command line is wrong."""

    exit_code = 2
