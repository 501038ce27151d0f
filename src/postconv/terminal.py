"""What people see on a terminal: progress, the run's summary, the tables of check and
rules. Everything goes to stderr but the tables a command prints as its output; colour
only on a terminal, never with NO_COLOR (rich decides both)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

from .errors import one_line
from .sources import display_name
from .summary import InputSummary, RunSummary


def _total_size(inputs: list[str]) -> int | None:
    """The bytes the run will read, if every input is a plain (not gzip) regular file."""
    import os

    total = 0
    for spec in inputs:
        try:
            if spec == "-" or not os.path.isfile(spec):
                return None
            with open(spec, "rb") as handle:
                if handle.read(2) == b"\x1f\x8b":
                    return None  # what is read is the decompressed size, not known
            total += os.path.getsize(spec)
        except OSError:
            return None
    return total


def plural(count: int, word: str) -> str:
    """``1 item``, ``2 items``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class Reporter:
    """Everything for people goes to stderr: errors at once, progress on a terminal, and a
    summary at the end. Records never go here; colour only on a terminal, never with
    NO_COLOR (rich decides both)."""

    def __init__(self, quiet: bool, verbose: int) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.interactive = sys.stderr.isatty() and not quiet
        self._progress: Any = None

    @contextlib.contextmanager
    def progress(self, converter: Any, inputs: list[str]) -> Iterator[None]:
        """One bar for the whole run, on a terminal only: items, items/s, and when the
        size of every input is known (plain files), the share done and the time left.
        Inputs converted in parallel all count (workers report how far they are)."""
        if not self.interactive:
            yield
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        total = _total_size(inputs)
        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if total is not None:
            columns += [BarColumn(), TaskProgressColumn()]
        columns += [TextColumn("{task.fields[items]:>10,} items, {task.fields[rate]:>7,} "
                               "items/s"), TimeElapsedColumn()]
        if total is not None:
            columns.append(TimeRemainingColumn())
        done: dict[str, tuple[int, int]] = {}  # input → (items, bytes) so far
        started = time.monotonic()
        with Progress(*columns, console=Console(stderr=True), transient=True,
                      redirect_stdout=False, redirect_stderr=False) as bar:
            self._progress = bar
            task = bar.add_task(plural(len(inputs), "input"), total=total, items=0, rate=0)

            def update(summary: InputSummary, bytes_read: int) -> None:
                done[summary.input] = (summary.items_read, bytes_read)
                items = sum(i for i, _ in done.values())
                rate = int(items / max(time.monotonic() - started, 1e-3))
                bar.update(task, completed=sum(b for _, b in done.values()), items=items,
                           rate=rate)

            converter.progress = update
            try:
                yield
            finally:
                converter.progress = None
                self._progress = None

    def error(self, message: str) -> None:
        print(f"postconv: error: {one_line(message)}", file=sys.stderr, flush=True)

    def input_done(self, summary: InputSummary) -> None:
        name = display_name(summary.input)
        for problem in summary.problems:  # counts like an error finding for --fail-on
            print(f"postconv: input finding: {name}: {problem.code}: {problem.message}",
                  file=sys.stderr)
        if summary.error:
            self.error(summary.error)
        for index, reason in summary.rejected_items:
            self.error(f"{name}: item {index} rejected: {reason}")
        if self.verbose and not self.quiet:
            print(f"postconv: {summary.input}: {summary.format or '?'}, "
                  f"{summary.items_read} items read, {summary.records_written} written, "
                  f"{summary.items_rejected} rejected", file=sys.stderr)

    def summary(self, run: RunSummary, writes: bool = True) -> None:
        """One line (and on a terminal a table, unless the command printed its own):
        ``writes`` false for the commands that write no records (check, report)."""
        failed = any(s.exit_code or s.rejected for s in run.inputs)
        if self.quiet and not failed:
            return
        statuses = run.counter("statuses")
        by_status = ", ".join(f"{statuses[s]} {s}" for s in ("complete", "incomplete",
                                                              "invalid") if statuses[s])
        rejected = run.total("items_rejected")
        done = (plural(run.total("records_written"), "record") + " written" if writes
                else plural(run.total("records_written"), "item") + " checked")
        line = (f"postconv: {plural(len(run.inputs), 'input')}, "
                f"{plural(run.total('items_read'), 'item')} read, {done}, {rejected} rejected")
        if by_status:
            line += f" ({by_status})"
        problems = sum(len(s.problems) for s in run.inputs)
        if problems:
            line += f"; {plural(problems, 'input finding')}"
        failures = sum(1 for s in run.inputs if s.exit_code)
        if failures:
            line += f"; {plural(failures, 'input')} failed"
        print(line, file=sys.stderr)
        if self.interactive and writes:
            self._table(run)

    @staticmethod
    def _table(run: RunSummary) -> None:
        """Items by status, the top findings, the failed inputs (terminal only)."""
        from rich.console import Console
        from rich.table import Table

        console = Console(stderr=True)
        table = Table(title="Run summary", show_header=True)
        table.add_column("what")
        table.add_column("count", justify="right")
        for status, count in sorted(run.counter("statuses").items()):
            table.add_row(f"items {status}", str(count))
        for code, count in run.counter("findings").most_common(5):
            table.add_row(f"finding {code}", str(count))
        for summary in run.inputs:
            if summary.exit_code:
                table.add_row(f"[red]failed[/red] {summary.input}", str(summary.exit_code))
        console.print(table)


_STYLE = {"complete": "green", "incomplete": "yellow", "invalid": "red", "error": "red",
          "warning": "yellow", "info": "blue"}


def render_check(tally: Any, run: RunSummary, top: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    total = sum(tally.statuses.values())
    table = Table(title=f"Items by status ({plural(total, 'item')})")
    table.add_column("status")
    table.add_column("items", justify="right")
    table.add_column("share", justify="right")
    for status in ("complete", "incomplete", "invalid"):
        count = tally.statuses[status]
        table.add_row(f"[{_STYLE[status]}]{status}[/]", str(count),
                      f"{100 * count / total:.1f} %" if total else "-")
    console.print(table)
    if tally.findings:
        table = Table(title="Findings by code and field")
        for column in ("severity", "code", "field"):
            table.add_column(column)
        table.add_column("count", justify="right")
        for (severity, code, field), count in tally.findings.most_common(top):
            table.add_row(f"[{_STYLE[severity]}]{severity}[/]", code, field, str(count))
        console.print(table)
    ranked = tally.worst_origins()
    if ranked:
        table = Table(title="Origins (post, else shipper country), worst first")
        for column in ("origin", "items", "complete", "incomplete", "invalid"):
            table.add_column(column, justify="left" if column == "origin" else "right")
        for origin, counts in ranked[:top]:
            table.add_row(origin, str(sum(counts.values())), str(counts["complete"]),
                          str(counts["incomplete"]), str(counts["invalid"]))
        console.print(table)
    problems = [(s, p) for s in run.inputs for p in s.problems]
    failed = [s for s in run.inputs if s.exit_code]
    if problems or failed:  # what the item counts above do not show
        table = Table(title="Inputs with problems (each counts as an error for --fail-on)")
        for column in ("input", "problem"):
            table.add_column(column)
        for summary, problem in problems:
            table.add_row(display_name(summary.input), f"[red]{problem.code}[/]: "
                          f"{problem.message}")
        for summary in failed:
            table.add_row(display_name(summary.input), f"[red]failed[/] (exit "
                          f"{summary.exit_code}): {summary.error}")
        console.print(table)


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Tab-separated, nothing wrapped: for a pipe, ``cut`` and ``grep``."""
    for row in (header, *rows):
        print("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row))


def render_rules(profile: Any, header: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"{profile.name}: {profile.title}  ({profile.path})")
    tiers = Table(title="Tiers (picked by posting date or --as-of)")
    for column in ("tier", "in force from", "title", "source"):
        tiers.add_column(column)
    for tier in profile.tiers:
        tiers.add_row(tier.id, tier.start.isoformat(), tier.title, tier.source)
    console.print(tiers)
    table = Table(title="Rules")
    for column in header:  # ids and fields whole (they are copied), the rest folds
        table.add_column(column, no_wrap=column in ("id", "field"), overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
