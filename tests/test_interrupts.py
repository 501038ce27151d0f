"""Ctrl-C is never lost: a KeyboardInterrupt Python drops is raised again by the run."""

import gc
import signal
import sys
import threading
import weakref
from concurrent.futures import Future
from multiprocessing import Pipe

import pytest

from conftest import SAMPLES
from postconv import Converter, interrupts
from postconv.parallel import _result, _Worker


@pytest.fixture
def dropped_ctrl_c(monkeypatch):
    """Ctrl-C while a weakref callback runs: Python reports the exception and drops it."""
    monkeypatch.setattr(interrupts, "_pending", False)
    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", dropped.append)

    def press() -> None:
        class Thing:
            pass

        thing = Thing()
        ref = weakref.ref(thing, lambda _ref: interrupts.on_sigint(signal.SIGINT, None))
        del thing
        gc.collect()
        assert ref() is None
        assert [type(d.exc_value) for d in dropped] == [KeyboardInterrupt]  # not raised

    return press


def test_the_handler_raises_like_pythons_own(monkeypatch):
    monkeypatch.setattr(interrupts, "_pending", False)
    interrupts.check()  # nothing pending: nothing happens
    with pytest.raises(KeyboardInterrupt):
        interrupts.on_sigint(signal.SIGINT, None)
    with pytest.raises(KeyboardInterrupt):
        interrupts.check()


def test_a_dropped_ctrl_c_ends_the_records_at_the_next_item(dropped_ctrl_c):
    records = Converter().records(str(SAMPLES / "gba-20261120.xml"))
    next(records)
    dropped_ctrl_c()
    with pytest.raises(KeyboardInterrupt):
        next(records)


def test_a_dropped_ctrl_c_ends_the_wait_for_a_worker(dropped_ctrl_c):
    future: Future = Future()
    later = threading.Timer(2, future.set_result, [("a summary", b"")])  # else: no hang
    later.start()
    dropped_ctrl_c()
    with pytest.raises(KeyboardInterrupt):
        _result(future)
    later.cancel()


def test_a_dropped_ctrl_c_ends_the_wait_for_a_chunk(dropped_ctrl_c):
    receive, send = Pipe(duplex=False)
    later = threading.Timer(2, send.send, [("end", None, [])])  # else: no hang
    later.start()
    dropped_ctrl_c()
    with pytest.raises(KeyboardInterrupt):
        _Worker(receive).hear({}, 512)
    later.cancel()
    later.join()
    send.close()
    receive.close()
