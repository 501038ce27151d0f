"""A run's scratch folder: parallel workers' parts, XlsxWriter's row files.

It lives in the temporary folder (``TMPDIR``) and is removed when the run ends, however
it ends: on an error, Ctrl-C or SIGTERM by the run itself, after ``kill -9`` by the next
run (see :func:`scratch_folder`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: Scratch folders are named so in the temporary folder (``TMPDIR``).
FOLDER_PREFIX = "postconv-"
_LOCK = ".lock"
#: A scratch folder without a lock file (an older release's, or one being made) is taken
#: for a killed run's only when it is older than this.
_UNLOCKED_AGE = 600.0


@contextmanager
def scratch_folder(base: str | None = None) -> Iterator[str]:
    """A folder for a run's scratch files, removed when the run ends.

    A run killed by ``kill -9`` cannot remove its folder, so the folder holds a lock file
    that the run (and its workers, which die with it) keeps locked: a later run removes
    every scratch folder whose lock it can take, so killed runs never pile up."""
    base = base or tempfile.gettempdir()
    remove_stale_folders(base)
    folder = tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=base)
    lock = os.open(os.path.join(folder, _LOCK), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


def remove_stale_folders(base: str) -> None:
    """Remove the scratch folders in ``base`` that no living run holds."""
    with contextlib.suppress(OSError):
        entries = [e for e in os.scandir(base)
                   if e.name.startswith(FOLDER_PREFIX) and e.is_dir(follow_symlinks=False)]
        for entry in entries:
            with contextlib.suppress(OSError):
                if _abandoned(entry.path):
                    shutil.rmtree(entry.path, ignore_errors=True)


def _abandoned(folder: str) -> bool:
    try:
        lock = os.open(os.path.join(folder, _LOCK), os.O_RDWR)
    except FileNotFoundError:
        names = os.listdir(folder)
        old = time.time() - os.stat(folder).st_mtime > _UNLOCKED_AGE
        return old and all(name.endswith(".part") for name in names)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a run is using it
    finally:
        os.close(lock)
    return True
