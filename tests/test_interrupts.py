"""Ctrl-C is never lost: a KeyboardInterrupt Python drops is raised again by the run."""

import gc
import signal
import sys
import threading
import weakref
from concurrent.futures import Future

import pytest

from conftest import SAMPLES
from postconv import Converter, interrupts
from postconv.parallel import _result


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
    later = threading.Timer(2, future.set_result, [("a summary", b"", None, None)])  # else: no hang
    later.start()
    dropped_ctrl_c()
    with pytest.raises(KeyboardInterrupt):
        _result(future)
    later.cancel()


def test_deferred_ctrl_c_is_noted_and_raised_by_check_only(monkeypatch):
    monkeypatch.setattr(interrupts, "_pending", False)
    with interrupts.deferred():
        interrupts.on_sigint(signal.SIGINT, None)  # inside the pool's locks: no raise
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    with pytest.raises(KeyboardInterrupt):
        interrupts.on_sigint(signal.SIGINT, None)


def test_a_forked_worker_starts_with_nothing_pending(monkeypatch):
    monkeypatch.setattr(interrupts, "_pending", True)
    monkeypatch.setattr(interrupts, "_deferred", 1)
    interrupts.in_worker()
    interrupts.check()
    with pytest.raises(KeyboardInterrupt):
        interrupts.on_sigint(signal.SIGINT, None)


@pytest.mark.parametrize(("ending", "interrupted"), [
    (KeyboardInterrupt(), True),  # while the command loads
    (SystemExit(130), True),  # typer's answer to Ctrl-C while it reads the options
    (SystemExit(0), False), (SystemExit(65), False)])
def test_the_entry_point_ends_ctrl_c_with_130_and_one_line(monkeypatch, capsys, ending,
                                                          interrupted):
    import postconv.__main__ as entry
    import postconv.cli

    def main() -> None:
        raise ending

    def exit_interrupted(interrupt=None) -> None:  # (the real one ends this process at once)
        raise SystemExit("ended by exit_interrupted")

    monkeypatch.setattr(postconv.cli, "main", main)
    monkeypatch.setattr(interrupts, "exit_interrupted", exit_interrupted)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # pytest keeps its handler
    with pytest.raises(SystemExit) as exit_:
        entry.run()
    if interrupted:
        assert exit_.value.code == "ended by exit_interrupted"
        assert capsys.readouterr().err == "postconv: interrupted\n"
    else:
        assert exit_.value is ending and capsys.readouterr().err == ""


@pytest.mark.parametrize(("signum", "code", "text"), [
    (signal.SIGTERM, 143, "terminated (SIGTERM)"), (signal.SIGHUP, 129, "terminated (SIGHUP)")])
def test_sigterm_and_sighup_raise_like_ctrl_c_and_give_their_own_status(monkeypatch, signum,
                                                                        code, text):
    monkeypatch.setattr(interrupts, "_pending", 0)
    with pytest.raises(KeyboardInterrupt) as raised:  # every Ctrl-C clean-up runs for them
        interrupts.on_signal(signum, None)
    assert isinstance(raised.value, interrupts.Terminated)
    assert interrupts.exit_status(raised.value) == code
    assert interrupts.describe(raised.value) == text
    with interrupts.deferred():  # noted only inside the pool's locks, raised by check()
        interrupts.on_signal(signum, None)
    with pytest.raises(interrupts.Terminated):
        interrupts.check()
    assert interrupts.exit_status() == code


def test_a_ctrl_c_stays_a_ctrl_c_when_sigterm_follows(monkeypatch):
    monkeypatch.setattr(interrupts, "_pending", 0)
    with interrupts.deferred():
        interrupts.on_signal(signal.SIGINT, None)
        interrupts.on_signal(signal.SIGTERM, None)
    assert interrupts.exit_status() == 130 and interrupts.describe() == "interrupted"


def test_install_keeps_ignored_signals_ignored(monkeypatch):
    handlers = {signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: signal.SIG_DFL,
                signal.SIGHUP: signal.SIG_IGN}  # a background job under nohup
    monkeypatch.setattr(signal, "getsignal", handlers.__getitem__)
    monkeypatch.setattr(signal, "signal", handlers.__setitem__)
    interrupts.install()
    assert handlers == {signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: interrupts.on_signal,
                        signal.SIGHUP: signal.SIG_IGN}


def test_a_signal_that_surfaces_as_another_error_is_the_signal(monkeypatch):
    # orjson turns an exception raised in its default() (where a Decimal is written) into
    # a TypeError: a SIGHUP landing there was reported as an internal error, exit 70
    from postconv import runner
    from postconv.summary import InputSummary

    monkeypatch.setattr(interrupts, "_pending", 0)

    def convert() -> None:
        interrupts._pending = signal.SIGHUP
        raise TypeError("Type is not JSON serializable: decimal.Decimal")

    with pytest.raises(interrupts.Terminated):
        runner._guarded(convert, InputSummary("x"))
    monkeypatch.setattr(interrupts, "_pending", 0)
    with pytest.raises(runner.InternalError):  # without a signal it is a bug, as before
        runner._guarded(lambda: (_ for _ in ()).throw(TypeError("a bug")), InputSummary("x"))


def test_a_signal_inside_one_item_is_not_a_rejected_item(monkeypatch):
    from postconv import Converter
    from postconv.read import RawItem
    from postconv.summary import InputSummary

    class Mapper:
        message_date = None

        def map(self, raw, name):
            interrupts._pending = signal.SIGTERM
            raise TypeError("surfaced")

    monkeypatch.setattr(interrupts, "_pending", 0)
    summary = InputSummary("x")
    with pytest.raises(interrupts.Terminated):
        Converter()._item(Mapper(), RawItem({}, [], 0, 1), "x", summary)
    assert not summary.rejected
