"""Outputs that are never left half-written.

A regular file (or a new path) is written to a temporary file in the same folder,
flushed, fsynced and renamed into place only when the run for it succeeded; on error or
Ctrl-C the temporary file is removed and any earlier file stays as it was. A symbolic
link is written through: its target is replaced (atomically, in the target's folder)
and the link stays. Anything
else — stdout, ``/dev/null``, a FIFO, a terminal — is written directly, never replaced.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import OutputNotCreated, OutputWriteError

STDOUT = "-"


def _is_special(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OutputNotCreated(f"{path}: {exc.strerror}") from None
    return not stat.S_ISREG(mode)


@contextmanager
def _write_errors(where: str) -> Iterator[None]:
    """An OSError while writing (disk full, I/O error) becomes OutputWriteError (exit 74)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputWriteError(f"{where}: write error: {exc.strerror or exc}") from None


def _new_file_mode(path: Path) -> int:
    """The mode a plain ``open()`` would give: the old file's, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


#: A target whose name ends so is written gzip-compressed (``-o records.jsonl.gz``).
GZIP_SUFFIX = ".gz"


def is_gzip(target: str | None) -> bool:
    return target not in (None, STDOUT) and target.lower().endswith(GZIP_SUFFIX)


@contextmanager
def open_output(target: str, keep: Callable[[], bool] | None = None,
                hold: bool = False) -> Iterator[IO[bytes]]:
    """A byte stream for ``target`` (a path or ``-``), committed only if the block succeeds
    and ``keep()`` (asked at the end) is true: a run that read nothing never creates or
    replaces a file. A name ending in ``.gz`` is written through gzip (level 6, no name or
    time in the header, so that the same records give the same bytes).

    ``hold``: standard output too gets nothing unless the block succeeds (the bytes wait
    in a temporary file), for outputs that are only valid once the whole run is known."""
    with _open(target, keep, hold) as stream:
        if not is_gzip(target):
            yield stream
            return
        import gzip

        packed = gzip.GzipFile(filename="", mode="wb", fileobj=stream, compresslevel=6,
                               mtime=0)
        try:
            yield packed  # type: ignore[misc]
        except BaseException:
            with contextlib.suppress(Exception):  # the file is dropped: no trailer needed
                packed.close()
            raise
        with _write_errors(target):
            packed.close()


@contextmanager
def _open(target: str, keep: Callable[[], bool] | None, hold: bool) -> Iterator[IO[bytes]]:
    if target == STDOUT:
        if hold:
            with tempfile.TemporaryFile() as held:
                yield held
                if keep is None or keep():
                    held.seek(0)
                    with _write_errors("standard output"):
                        shutil.copyfileobj(held, sys.stdout.buffer, 1 << 20)
        else:
            yield sys.stdout.buffer
        with _write_errors("standard output"):
            sys.stdout.buffer.flush()
        return
    path = Path(target)
    if path.is_symlink():  # written through the link, as cp and editors do
        path = Path(os.path.realpath(path))
    if _is_special(path):
        try:
            special = open(path, "wb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise OutputNotCreated(f"{path}: cannot open: {exc.strerror}") from None
        with _write_errors(str(path)), special:
            yield special
        return
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputNotCreated(f"{path}: cannot create: {exc.strerror}") from None
    committed = False
    try:
        os.fchmod(fd, _new_file_mode(path))
        handle = os.fdopen(fd, "wb", buffering=1 << 16)
        try:
            yield handle
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise OutputWriteError(f"{path}: write error: {exc.strerror}") from None
        finally:
            # after a failed write, closing flushes the rest again and fails again (a full
            # disk): that second failure must not hide the first one
            with contextlib.suppress(OSError):
                handle.close()
        if keep is None or keep():
            os.replace(temp, path)
            committed = True
    finally:
        if not committed:
            with contextlib.suppress(OSError):
                os.unlink(temp)
