"""Parallel conversion: a split input and several inputs give the bytes of ``--jobs 1``."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itmatt_gen import generate, write_cusitm, write_itmatt

from conftest import records, run
from postconv import parallel, runner, sources, split
from postconv.check import Checker
from postconv.errors import PostconvError
from postconv.pipeline import Converter
from postconv.read import edifact, xmlcut
from postconv.summary import InputSummary
from postconv.write import make_writer

AS_OF = date(2026, 11, 27)


def _document(path: Path, count: int, repeats: dict[int, int] | None = None,
              cut: int | None = None, when: str = "2026-11-10T10:15:00Z") -> Path:
    """An ITMATT file of ``count`` generated items (some with defects); item k of
    ``repeats`` takes the tracking number of item ``repeats[k]``; ``cut`` truncates it;
    ``when`` is the message date (some items are posted after it)."""
    items = list(generate(count, seed=11, defect_rate=0.3))
    for later, earlier in (repeats or {}).items():
        items[later].data["id"] = items[earlier].data["id"]
    buffer = io.StringIO()
    write_itmatt(buffer, items, "SPLIT-TEST", when=when)
    data = buffer.getvalue().encode()
    path.write_bytes(data if cut is None else data[:cut])
    return path


def _edifact(path: Path, count: int, seed: int, repeats: dict[int, int]) -> Path:
    """A CUSITM interchange of ``count`` generated items; item k of ``repeats`` takes the
    tracking number of item ``repeats[k]``."""
    items = list(generate(count, seed=seed, defect_rate=0.3))
    for later, earlier in repeats.items():
        items[later].data["id"] = items[earlier].data["id"]
    buffer = io.StringIO()
    write_cusitm(buffer, items)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _sequential(path: Path, fmt: str) -> tuple[bytes, InputSummary]:
    converter = Converter(profile="us", as_of=AS_OF)
    out = io.BytesIO()
    writer = make_writer(fmt, out)
    summary = InputSummary(str(path))
    try:
        for record in converter.records(str(path), summary):
            writer.write(record)
    except PostconvError as exc:
        summary.error, summary.exit_code = str(exc), exc.exit_code
    writer.close()
    return out.getvalue(), summary


def _split(path: Path, fmt: str, jobs: int,
           profile: str = "us") -> tuple[bytes, InputSummary]:
    converter = Converter(profile=profile, as_of=AS_OF)
    out = io.BytesIO()
    writer = make_writer(fmt, out)
    summary = InputSummary(str(path))
    parallel.run_split(converter, str(path), jobs, fmt, writer, summary)
    writer.close()
    return out.getvalue(), summary


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small reads, so that the items of a small input lie at many positions and every
    part has some (a part is where the reader is when it starts on an item)."""
    monkeypatch.setattr(xmlcut, "BLOCK", 3000)
    monkeypatch.setattr(edifact, "CHUNK", 512)
    monkeypatch.setattr(sources, "HEAD_BYTES", 4096)  # (also the input's read buffer)


@pytest.fixture(params=[2048, 6000], ids=lambda b: f"block{b}")
def small_runs(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Runs of one to four items, so that the runs before a part are skimmed as bytes."""
    monkeypatch.setattr(xmlcut, "BLOCK", request.param)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "parquet"])
@pytest.mark.parametrize("jobs", [2, 3])
def test_split_input_gives_the_sequential_bytes(tmp_path, small_chunks, fmt, jobs):
    # repeats inside a chunk, across chunks of one worker and across workers
    path = _document(tmp_path / "in.xml", 100, repeats={3: 1, 9: 2, 20: 5, 40: 39, 99: 0})
    expected, summary = _sequential(path, fmt)
    got, merged = _split(path, fmt, jobs)
    assert got == expected and len(got) > 10_000
    assert merged.to_json() == summary.to_json()
    assert merged.findings["DUPLICATE_TRACKING_NUMBER"] == 5
    assert merged.findings["POSTED_AFTER_MESSAGE"] > 10


@pytest.mark.parametrize("jobs", [2, 3])
def test_split_input_skimmed_as_bytes_gives_the_sequential_bytes(tmp_path, small_chunks,
                                                                 small_runs, jobs):
    path = _document(tmp_path / "in.xml", 150, repeats={3: 1, 20: 5, 40: 39, 99: 0, 149: 8})
    expected, summary = _sequential(path, "jsonl")
    got, merged = _split(path, "jsonl", jobs)
    assert got == expected
    assert merged.to_json() == summary.to_json()
    assert merged.findings["DUPLICATE_TRACKING_NUMBER"] == 5


def _reject_some(monkeypatch: pytest.MonkeyPatch, indexes: set[int]) -> None:
    real = Checker.check

    def check(self, record, notes, message_date):
        if record["source"]["item_index"] in indexes:
            raise RuntimeError("injected")
        real(self, record, notes, message_date)

    monkeypatch.setattr(Checker, "check", check)


@pytest.mark.parametrize("jobs", [2, 3])
def test_a_broken_run_that_only_its_owner_parses_ends_the_output_there(
        tmp_path, small_chunks, small_runs, monkeypatch, jobs):
    # the processes of later parts skim item 100 as bytes and read on; the output must
    # still stop there,
    # with the summary of one process (rejected items before the error counted, after not)
    path = _document(tmp_path / "in.xml", 150)
    text = path.read_text()
    ids = [line.strip()[8:21] for line in text.splitlines() if "<ItemId>" in line]
    at = text.index(ids[100])
    path.write_text(text[:at] + text[at:].replace("</Sender>", "</Sendr>", 1))
    _reject_some(monkeypatch, {3, 5, *range(91, 98), 110, 130})
    expected, summary = _sequential(path, "jsonl")
    assert summary.exit_code == 65 and summary.items_read == 100
    assert summary.items_rejected == 9 and len(records(expected)) == 91
    got, merged = _split(path, "jsonl", jobs)
    assert got == expected
    assert merged.to_json() == summary.to_json()


def test_rejected_items_are_counted_in_order_across_workers(tmp_path, small_chunks,
                                                             small_runs, monkeypatch):
    path = _document(tmp_path / "in.xml", 80)
    _reject_some(monkeypatch, {0, 6, *range(14, 21), 30, 79})
    expected, summary = _sequential(path, "jsonl")
    got, merged = _split(path, "jsonl", 2)
    assert got == expected and summary.items_rejected == 11
    assert merged.to_json() == summary.to_json()


def test_split_input_with_a_bad_header_reports_it_once(tmp_path, small_chunks):
    path = _document(tmp_path / "in.xml", 40, when="yesterday")
    expected, summary = _sequential(path, "jsonl")
    got, merged = _split(path, "jsonl", 2)
    assert got == expected
    assert merged.findings["INVALID_DATE"] == summary.findings["INVALID_DATE"] == 1


def test_split_edifact_input_gives_the_sequential_bytes(tmp_path, small_chunks):
    path = _edifact(tmp_path / "in.edi", 60, seed=5, repeats={50: 3})
    expected, summary = _sequential(path, "jsonl")
    got, merged = _split(path, "jsonl", 2)
    assert got == expected and len(records(got)) == 60
    assert merged.to_json() == summary.to_json()
    assert merged.findings["DUPLICATE_TRACKING_NUMBER"] == 1


def test_split_input_that_breaks_keeps_the_records_before(tmp_path, small_chunks):
    whole = _document(tmp_path / "whole.xml", 60)
    path = _document(tmp_path / "cut.xml", 60, cut=whole.stat().st_size * 2 // 3)
    expected, summary = _sequential(path, "jsonl")
    got, merged = _split(path, "jsonl", 2)
    assert summary.exit_code == merged.exit_code == 65
    assert got == expected and 30 < len(records(got)) < 60
    assert merged.error == summary.error and merged.balanced


def test_dead_worker_is_an_internal_error_not_a_short_output(tmp_path, small_chunks,
                                                             monkeypatch):
    path = _document(tmp_path / "in.xml", 30)
    real = split.SplitPart.read

    def dies(self, *args):
        if self.start > 0:  # the second part's process dies
            os._exit(9)
        return real(self, *args)

    monkeypatch.setattr(split.SplitPart, "read", dies)
    with pytest.raises(parallel.WorkerFailed, match="ended unexpectedly"):
        _split(path, "jsonl", 2)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_cli_splits_a_large_input_with_the_same_bytes(tmp_path, fmt):
    path = _document(tmp_path / "big.xml", 3200, repeats={2000: 10})
    assert runner.worth_splitting(str(path))
    args = ["convert", str(path), "-f", fmt, "--as-of", "2026-11-27", "-q",
            "--summary-json", str(tmp_path / "s.json")]
    one = run(*args, "--jobs", "1")
    first_summary = (tmp_path / "s.json").read_text()
    two = run(*args, "--jobs", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout == two.stdout
    assert (tmp_path / "s.json").read_text() == first_summary


def test_small_input_and_stdin_are_not_split(tmp_path):
    small = _document(tmp_path / "small.xml", 5)
    assert not runner.worth_splitting(str(small))
    assert not runner.worth_splitting("-")
    assert not runner.worth_splitting(str(tmp_path))


def test_dead_worker_fails_the_input_in_a_run(tmp_path, small_chunks, monkeypatch):
    path = _document(tmp_path / "in.xml", 30)
    monkeypatch.setattr(runner, "worth_splitting", lambda spec: True)
    parent = os.getpid()
    real = split.SplitPart.read

    def dies(self, *args):
        if os.getpid() != parent:  # every worker dies
            os._exit(9)
        return real(self, *args)

    monkeypatch.setattr(split.SplitPart, "read", dies)
    target = tmp_path / "out.jsonl"
    result = runner.run(Converter(profile="us", as_of=AS_OF), [str(path)],
                        runner.RunOptions(output=str(target), jobs=2))
    (summary,) = result.inputs
    assert summary.exit_code == 70 and "worker process ended unexpectedly" in summary.error


@pytest.mark.parametrize("jobs", [2, 3])
def test_every_part_of_a_split_input_converts_some_items(tmp_path, small_chunks, monkeypatch,
                                                         jobs):
    path = _document(tmp_path / "in.xml", 120, repeats={100: 2})
    parts: list[InputSummary] = []
    real = parallel._add
    monkeypatch.setattr(parallel, "_add", lambda summary, part: (parts.append(part),
                                                                real(summary, part)))
    expected, summary = _sequential(path, "jsonl")
    got, merged = _split(path, "jsonl", jobs)
    assert got == expected and merged.to_json() == summary.to_json()
    assert len(parts) == jobs and all(part.records_written > 5 for part in parts)
    assert sum(part.records_written for part in parts) == 120
    assert parts[-1].items_read == 120  # the last part's process read the whole input


@pytest.mark.parametrize(("jobs", "fmt"), [(2, "csv"), (3, "csv"), (2, "parquet")])
def test_when_a_part_does_not_start_where_the_one_before_stopped_the_rest_is_converted_here(
        tmp_path, small_chunks, monkeypatch, jobs, fmt):
    path = _document(tmp_path / "in.xml", 90, repeats={80: 1, 85: 60})
    real = parallel._result
    told = []

    def shifted(future, watch=None):
        done = real(future, watch)
        told.append(done)
        return done._replace(first=done.first + 1)  # as if it had read differently

    monkeypatch.setattr(parallel, "_result", shifted)
    expected, summary = _sequential(path, fmt)
    got, merged = _split(path, fmt, jobs)
    assert len(told) == 1  # the first part from a worker, then the rest here
    assert got == expected and merged.to_json() == summary.to_json()
    assert merged.findings["DUPLICATE_TRACKING_NUMBER"] == 2


@pytest.mark.parametrize("parts", [1, 2, 3, 8])
def test_part_cuts_give_every_process_the_same_work(parts):
    size, share = 1_000_000, split.READ_SHARE
    cuts = split.part_cuts(size, parts)
    assert cuts[0] == 0 and len(cuts) == parts + 1 and cuts == sorted(cuts)
    ends = [*cuts[1:-1], size]
    work = [end * share + (end - start) * (1 - share)
            for start, end in zip(cuts, ends, strict=False)]
    assert max(work) - min(work) < parts  # bytes: equal but for rounding


def test_the_size_of_a_gzip_input_is_what_it_inflates_to(tmp_path):
    import gzip

    data = b"<a>" + b"x" * 100_000 + b"</a>"
    packed = tmp_path / "in.xml.gz"
    packed.write_bytes(gzip.compress(data))
    plain = tmp_path / "in.xml"
    plain.write_bytes(data)
    assert split.input_size(str(packed)) == len(data)
    assert split.input_size(str(plain)) == len(data)


def test_a_profile_whose_run_state_needs_whole_items_splits_with_the_same_bytes(
        tmp_path, small_chunks):
    """A unique_in_run rule with a condition: the items before a part are read whole
    (the state depends on more than the tracking number), with the same result."""
    import re

    from postconv.check import load_profile
    from postconv.check.engine import package_file

    text = package_file("profiles/us.toml").read_text()
    mine = tmp_path / "mine.toml"
    mine.write_text(re.sub(r'(check = "unique_in_run"\n)', r'\1when = "goods"\n', text))
    assert Checker(load_profile(mine)).state.fields is None
    path = _document(tmp_path / "in.xml", 100, repeats={3: 1, 40: 39, 99: 0})
    expected = run("convert", str(path), "--profile", str(mine), "--as-of", "2026-11-27",
                   "--jobs", "1")
    got, _ = _split(path, "jsonl", 2, profile=str(mine))
    assert got == expected.stdout and expected.stdout.count(b"DUPLICATE_TRACKING_NUMBER")


@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory):
    """An ITMATT and a CUSITM input with repeats early, late and across any cut."""
    folder = tmp_path_factory.mktemp("cuts")
    xml = _document(folder / "in.xml", 70, repeats={5: 1, 33: 30, 69: 2})
    return {"xml": xml, "edi": _edifact(folder / "in.edi", 50, seed=9, repeats={44: 4})}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(syntax=st.sampled_from(["xml", "edi"]),
       shares=st.lists(st.floats(0.0, 1.2), min_size=1, max_size=3))
def test_wherever_the_parts_are_cut_the_bytes_are_those_of_one_process(
        mixed_inputs, syntax, shares):
    """Parts cut anywhere (empty ones, past the end, several in one read) give the bytes
    and the summary of one process."""
    path = mixed_inputs[syntax]
    size = path.stat().st_size
    cuts = [0, *sorted(int(size * share) for share in shares), split.END]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xmlcut, "BLOCK", 3000)
        patch.setattr(edifact, "CHUNK", 512)
        patch.setattr(sources, "HEAD_BYTES", 4096)
        patch.setattr(parallel, "part_cuts", lambda size, parts: cuts)
        expected, summary = _sequential(path, "jsonl")
        got, merged = _split(path, "jsonl", len(cuts) - 1)
    assert got == expected and merged.to_json() == summary.to_json()


def test_a_split_input_reports_one_progress_of_its_parts_together(tmp_path, small_chunks):
    path = _document(tmp_path / "in.xml", 2500)
    converter = Converter(profile="us", as_of=AS_OF)
    told: list[tuple[int, int]] = []
    converter.progress = lambda summary, at: told.append((summary.items_read, at))
    writer = make_writer("jsonl", io.BytesIO())
    parallel.run_split(converter, str(path), 2, "jsonl", writer, InputSummary(str(path)))
    assert told and all(items <= 2500 and at <= path.stat().st_size for items, at in told)
    # the first part's own count, then both parts' together: items converted, not read
    assert max(items for items, _ in told) > 1000
    assert converter.progress is not None  # the run's callback is given back
