"""The command line: options, exit status and rendering; the work is done by the library."""

from __future__ import annotations

import contextlib
import sys
import traceback
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from . import limits
from .errors import PostconvError, UsageError
from .record import Record
from .sources import display_name
from .summary import InputSummary, RunSummary
from .terminal import Reporter, plural, print_table, render_check, render_rules
from .write.base import FORMATS

#: The documented exit statuses (README "Exit status"; a test keeps the two in step).
EXIT_CODES: dict[int, str] = {
    0: "every input processed; no finding at or above --fail-on",
    1: "every input processed; findings at or above --fail-on (duty: items that could not "
       "be computed)",
    2: "usage error",
    65: "an input is not usable: not well-formed, forbidden construct (DTD, entity), "
        "unknown format, over a size cap",
    66: "an input file (or a rates, FX, conveyance or party file) does not exist or cannot "
        "be read",
    69: "the cluster's scheduler cannot be reached (--scheduler): nothing is written",
    70: "internal error (a bug): a one-line message, traceback only with -vv",
    73: "an output cannot be created",
    74: "I/O error while writing (other than a closed pipe)",
    75: "another run holds the lock",
    78: "a profile, dialect, rates, FX, conveyance or party file is invalid (the message "
        "names the file, line and problem)",
    129: "ended by SIGHUP (the terminal closed): cleaned up as for Ctrl-C",
    130: "interrupted (Ctrl-C): outputs not yet complete are not left behind",
    141: "the reader of stdout went away (| head): stop quietly",
    143: "ended by SIGTERM (timeout, systemd, kill): cleaned up as for Ctrl-C",
}


#: The record formats, as the registry of output formats has them.
Format = StrEnum("Format", {name: name for name in FORMATS})  # type: ignore[misc]


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    never = "never"


app = typer.Typer(
    name="postconv",
    help="Convert UPU ITMATT customs data (XML, EDIFACT) into normalized CBP-style records "
         "and flag what is missing or unusable, with its legal source.\n\n"
         "Example: postconv convert samples/*.xml -o records.jsonl",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # the terminal's width (not 80 columns); examples are never rewrapped (click's \b)
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 10_000},
)

def version_text() -> str:
    """postconv's version, with the Python, lxml and libxml2 it runs on."""
    import platform

    from . import __version__
    from .xmlsafe import library_versions

    lxml, libxml2 = library_versions()
    return (f"postconv {__version__} (Python {platform.python_version()}, lxml {lxml}, "
            f"libxml2 {libxml2})")


def _show_version(value: bool) -> None:
    if value:
        print(version_text())
        raise typer.Exit(0)


def _show_man_page(value: bool) -> None:
    if value:
        from . import __version__
        from .manpage import man_page

        sys.stdout.write(man_page(app, EXIT_CODES, __version__))
        raise typer.Exit(0)


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "-V", "--version", callback=_show_version, is_eager=True,
        help="Print the version (and Python's, lxml's, libxml2's) and exit.")] = False,
             help_man: Annotated[bool, typer.Option(
        "--help-man", callback=_show_man_page, is_eager=True,
        help="Print the man page (roff), e.g. postconv --help-man | man -l -")] = False,
             ) -> None:
    """Convert UPU ITMATT customs data (XML, EDIFACT) into normalized CBP-style records and
    flag what is missing or unusable, with its legal source."""


Inputs = Annotated[list[str] | None, typer.Argument(
    help="Input files or folders (a folder: its files, see --glob); - or nothing for "
         "standard input. Gzip is recognised by its magic bytes.",
    show_default=False, metavar="[INPUT]...")]
Glob = Annotated[list[str] | None, typer.Option(
    "--glob", metavar="PATTERN", help="In a folder input, read the files whose name matches "
    "PATTERN (with or without .gz; repeatable; default: every file not hidden).",
    show_default=False)]
Output = Annotated[str, typer.Option("-o", "--output", metavar="PATH", help="Where records "
                                     "go: a file (written atomically) or - for stdout.")]
FormatOpt = Annotated[Format | None, typer.Option(
    "-f", "--format", help="Record format (default: from the -o file's extension, "
    f"{', '.join(e for spec in FORMATS.values() for e in spec.extensions)}; else jsonl).",
    show_default=False)]
DialectOpt = Annotated[str | None, typer.Option(
    "--dialect", metavar="NAME", help="Force a dialect: a name (see `postconv dialects`) or a "
    "FILE.toml.")]
ProfileOpt = Annotated[str, typer.Option(
    "--profile", metavar="NAME", help="Requirement profile: a name (us, eu-ics2, upu-cn23) or "
    "a FILE.toml.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Judge every item by the rules in "
                                          "force on DATE (YYYY-MM-DD); default: each item's "
                                          "posting date, else today.", metavar="DATE")]
Quiet = Annotated[bool, typer.Option("-q", "--quiet", help="Nothing on stderr unless "
                                     "something failed.")]
Verbose = Annotated[int, typer.Option("-v", "--verbose", count=True, show_default=False,
                                      help="More detail on stderr; -vv shows tracebacks of "
                                           "internal errors.")]
SummaryJson = Annotated[Path | None, typer.Option("--summary-json", help="Write a "
                                                  "machine-readable run summary to PATH.",
                                                  metavar="PATH")]
OutputDir = Annotated[Path | None, typer.Option("--output-dir", help="One output file per "
                                                "input, named after its stem, in DIR.",
                                                metavar="DIR")]
ArchiveDir = Annotated[Path | None, typer.Option("--archive-dir", help="Move each input "
                                                 "processed without an operational error "
                                                 "here, after its output is safely written.",
                                                 metavar="DIR")]
LockFile = Annotated[Path | None, typer.Option("--lock-file", help="Hold an exclusive lock "
                                               "for the run; exit 75 at once if another run "
                                               "holds it.", metavar="PATH")]
MaxInputBytes = Annotated[int, typer.Option(
    "--max-input-bytes", min=1, metavar="N", help="Cap on the bytes of one input, after "
    "decompression.")]
MaxItems = Annotated[int, typer.Option("--max-items", min=1, metavar="N",
                                       help="Cap on items per input.")]
MaxFieldChars = Annotated[int, typer.Option("--max-field-chars", min=1, metavar="N",
                                            help="Longest value read into a field.")]
MaxLines = Annotated[int, typer.Option("--max-lines", min=1, metavar="N", help="Most content "
                                       "lines kept per item; more is a TOO_MANY_LINES finding.")]
MaxFindings = Annotated[int, typer.Option("--max-findings", min=1, metavar="N",
                                          help="Most findings listed per item.")]


def _parse_date(text: str | None) -> date | None:
    from .pipeline import as_date

    try:
        return as_date(text, "--as-of")
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _exit_status(run: RunSummary, fail_on: FailOn) -> int:
    """The highest code that applies; 1 only when no operational failure happened."""
    failures = [s.exit_code for s in run.inputs if s.exit_code]
    if any(s.rejected for s in run.inputs):
        failures.append(70)  # items lost to a bug: reported, counted, and never silent
    if failures:
        return max(failures)
    if fail_on is FailOn.never:
        return 0
    severities = run.counter("severities")
    if any(s.problems for s in run.inputs):
        return 1
    if severities["error"] or (fail_on is FailOn.warning and severities["warning"]):
        return 1
    return 0


def _cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer)."""
    import os

    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _inputs(given: list[str] | None, patterns: list[str] | None) -> list[str]:
    """The inputs to read: folders stand for their files; nothing given means standard
    input when data is piped in (as jq and csvkit do)."""
    from .runner import DEFAULT_PATTERNS, expand_inputs

    if not given:
        if sys.stdin.isatty():
            raise UsageError("no input: name input files or folders, or pipe data in")
        given = ["-"]
    if "-" in given and sys.stdin.isatty():
        raise UsageError("standard input is a terminal: pipe data in, or name input files")
    return expand_inputs(given, tuple(patterns) if patterns else DEFAULT_PATTERNS)


def _execute(body: Any, reporter: Reporter, summary_json: Path | None = None,
             result: RunSummary | None = None) -> None:
    """Run ``body``; map every way it can end to the documented exit status. The run
    summary (``result``, filled by ``body`` as far as it got) is written to
    ``summary_json`` whatever the status, so that monitoring never reads an old success
    for a failed run."""
    from . import interrupts
    from .runner import null_device

    def end_by_signal(interrupt: BaseException | None) -> NoReturn:
        print(f"postconv: {interrupts.describe(interrupt)}", file=sys.stderr)
        with contextlib.suppress(Exception):
            _write_summary(summary_json, result, interrupts.exit_status(interrupt))
        interrupts.exit_interrupted(interrupt)

    interrupts.install()
    if summary_json is not None and str(summary_json) == "-":
        reporter.error("--summary-json needs a file: standard output carries the records")
        raise typer.Exit(UsageError.exit_code)
    try:
        code = body()
    except PostconvError as exc:
        reporter.error(str(exc))
        if reporter.verbose >= 2 and exc.__cause__ is not None:
            traceback.print_exception(exc.__cause__, file=sys.stderr)
        code = exc.exit_code
    except BrokenPipeError:
        null_device()
        code = 141
    except KeyboardInterrupt as exc:
        end_by_signal(exc)
    except Exception as exc:  # a bug: one line, traceback only with -vv
        if interrupts.pending():  # a signal that surfaced as another error
            end_by_signal(None)
        reporter.error(f"internal error: {type(exc).__name__}: {exc}")
        if reporter.verbose >= 2:
            traceback.print_exc(file=sys.stderr)
        code = 70
    try:
        _write_summary(summary_json, result, code)
    except PostconvError as exc:  # its own path fails
        reporter.error(f"--summary-json {exc}")
        code = max(code, exc.exit_code)
    except OSError as exc:
        reporter.error(f"--summary-json {summary_json}: {exc.strerror or exc}")
        code = max(code, 74)
    raise typer.Exit(code)


def _converter(dialect: str | None, profile: str, as_of: str | None, max_input_bytes: int,
               max_items: int, max_field_chars: int, max_findings: int, max_lines: int) -> Any:
    from .limits import Limits
    from .pipeline import Converter

    return Converter(dialect=dialect, profile=profile, as_of=_parse_date(as_of),
                     limits=Limits(max_input_bytes, max_items, max_field_chars, max_findings,
                                   max_lines))


def _run_records(reporter: Reporter, converter: Any, inputs: list[str],
                 on_record: Any, result: RunSummary) -> RunSummary:
    """Run the inputs for a command that consumes records itself (check, report)."""
    from .runner import RunOptions, run

    with reporter.progress(converter, inputs):
        return run(converter, inputs, RunOptions(output=None), on_record=on_record,
                   on_input_done=reporter.input_done, result=result)


def _write_summary(path: Path | None, run: RunSummary | None, code: int) -> None:
    """The run summary with the run's exit status, atomically (never half a file)."""
    if path is None:
        return
    from .write.jsonl import dumps
    from .write.output import open_output

    run = run or RunSummary()
    run.exit_code = code
    with open_output(str(path)) as stream:
        stream.write(dumps(run.to_json()) + b"\n")


@app.command(help="""Read, map and check; write one record per item (JSON Lines by default).

Examples:

\b
  postconv convert samples/gba-20261120.xml
  postconv convert in/*.xml.gz -f csv -o records.csv
  zcat night.xml.gz | postconv convert - --profile us --fail-on error > out.jsonl
  postconv convert spool/ --glob '*.xml' --output-dir out/ --archive-dir done/ -q
""")
def convert(
    inputs: Inputs = None,
    glob: Glob = None,
    output: Output = "-",
    fmt: FormatOpt = None,
    dialect: DialectOpt = None,
    profile: ProfileOpt = "us",
    as_of: AsOf = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Which findings make the exit "
                                            "status 1.")] = FailOn.never,
    output_dir: OutputDir = None,
    archive_dir: ArchiveDir = None,
    lock_file: LockFile = None,
    summary_json: SummaryJson = None,
    jobs: Annotated[int | None, typer.Option("-j", "--jobs", min=1, metavar="N", help="Processes: "
                                             "several inputs in parallel, or the items of "
                                             "one large input shared out (default: the "
                                             "cores this run may use); output order and "
                                             "bytes are the same as with --jobs 1.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", metavar="ADDRESS", help="Convert on a Dask cluster, one task per "
        "input: a scheduler address (tcp://host:8786) or local:N (N worker processes "
        "here). Needs --output-dir and postconv[dask]; paths must be valid on the "
        "workers.")] = None,
    partition_on: Annotated[list[str] | None, typer.Option(
        "--partition-on", metavar="FIELD", help="With --scheduler: one folder per value "
        "of FIELD (origin_post, compliance.status; repeatable), as Hive names them.",
        show_default=False)] = None,
    quiet: Quiet = False,
    verbose: Verbose = 0,
    max_input_bytes: MaxInputBytes = limits.MAX_INPUT_BYTES,
    max_items: MaxItems = limits.MAX_ITEMS,
    max_field_chars: MaxFieldChars = limits.MAX_FIELD_CHARS,
    max_findings: MaxFindings = limits.MAX_FINDINGS,
    max_lines: MaxLines = limits.MAX_LINES,
) -> None:
    reporter = Reporter(quiet, verbose)
    result = RunSummary()

    def body() -> int:

        from .runner import RunOptions, hold_lock, run
        from .write.base import format_for

        nonlocal inputs
        inputs = _inputs(inputs, glob)
        if scheduler is not None or partition_on:
            return on_cluster()
        converter = _converter(dialect, profile, as_of, max_input_bytes, max_items,
                               max_field_chars, max_findings, max_lines)
        options = RunOptions(output=None if output_dir else output, output_dir=output_dir,
                             archive_dir=archive_dir,
                             format=format_for(None if output_dir else output,
                                               fmt.value if fmt else None),
                             jobs=jobs or _cores())
        with hold_lock(lock_file), reporter.progress(converter, inputs):
            run(converter, inputs, options, on_input_done=reporter.input_done, result=result)
            result.exit_code = _exit_status(result, fail_on)
        reporter.summary(result)
        return result.exit_code

    def on_cluster() -> int:
        from .limits import Limits
        from .runner import hold_lock

        if scheduler is None:
            raise UsageError("--partition-on needs --scheduler")
        if output_dir is None:
            raise UsageError("--scheduler writes a dataset: give --output-dir DIR")
        if archive_dir is not None or "-" in (inputs or []):
            raise UsageError("--scheduler reads named files and archives none: drop - and "
                             "--archive-dir")
        try:
            from .dask import convert as convert_on_cluster
        except ModuleNotFoundError as exc:
            raise UsageError(f"--scheduler needs {exc.name}: pip install "
                             "'postconv[dask]'") from None
        with hold_lock(lock_file):
            convert_on_cluster(inputs or [], output_dir, fmt.value if fmt else "jsonl",
                               partition_on or (), profile, dialect, _parse_date(as_of),
                               Limits(max_input_bytes, max_items, max_field_chars,
                                      max_findings, max_lines),
                               scheduler=scheduler, result=result)
        for summary in result.inputs:
            reporter.input_done(summary)
        result.exit_code = _exit_status(result, fail_on)
        reporter.summary(result)
        return result.exit_code

    _execute(body, reporter, summary_json, result)


@app.command(help="""Read, map and check; print a table of what is missing or unusable.

Examples:

\b
  postconv check samples/*.xml
  postconv check night.xml --profile us --as-of 2026-07-24 --fail-on warning
  postconv check night.xml --json | jq -r .code | sort | uniq -c
""")
def check(
    inputs: Inputs = None,
    glob: Glob = None,
    dialect: DialectOpt = None,
    profile: ProfileOpt = "us",
    as_of: AsOf = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Which findings make the exit "
                                            "status 1.")] = FailOn.error,
    json_out: Annotated[bool, typer.Option("--json", help="Write findings as JSON Lines "
                                           "instead of the table.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, metavar="N", help="Rows per table.")] = 20,
    summary_json: SummaryJson = None,
    quiet: Quiet = False,
    verbose: Verbose = 0,
    max_input_bytes: MaxInputBytes = limits.MAX_INPUT_BYTES,
    max_items: MaxItems = limits.MAX_ITEMS,
    max_field_chars: MaxFieldChars = limits.MAX_FIELD_CHARS,
    max_findings: MaxFindings = limits.MAX_FINDINGS,
    max_lines: MaxLines = limits.MAX_LINES,
) -> None:
    reporter = Reporter(quiet, verbose)
    result = RunSummary()

    def body() -> int:
        from .write.jsonl import dumps

        nonlocal inputs
        inputs = _inputs(inputs, glob)
        converter = _converter(dialect, profile, as_of, max_input_bytes, max_items,
                               max_field_chars, max_findings, max_lines)
        from .tally import CheckTally, finding_line

        tally = CheckTally()
        out = sys.stdout.buffer

        def on_record(record: Record, summary: InputSummary) -> None:
            tally.add(record)
            if json_out:
                for finding in record["compliance"]["findings"]:
                    out.write(dumps(finding_line(record, finding), newline=True))

        _run_records(reporter, converter, inputs, on_record, result)
        result.exit_code = _exit_status(result, fail_on)
        if not json_out:
            render_check(tally, result, top)
        out.flush()
        reporter.summary(result, writes=False)
        return result.exit_code

    _execute(body, reporter, summary_json, result)


@app.command(help="""Write a self-contained HTML compliance report (charts, no scripts).

Examples:

\b
  postconv report samples/ -o report.html
  postconv report night/*.xml.gz --profile us --as-of 2026-07-24 -o /srv/www/itmatt.html
""")
def report(
    inputs: Inputs = None,
    glob: Glob = None,
    output: Annotated[str, typer.Option("-o", "--output", help="The HTML file (written "
                                        "atomically), or - for stdout.")] = "report.html",
    dialect: DialectOpt = None,
    profile: ProfileOpt = "us",
    as_of: AsOf = None,
    top: Annotated[int, typer.Option("--top", min=1, metavar="N",
                                     help="Rows per chart and table.")] = 25,
    summary_json: SummaryJson = None,
    quiet: Quiet = False,
    verbose: Verbose = 0,
    max_input_bytes: MaxInputBytes = limits.MAX_INPUT_BYTES,
    max_items: MaxItems = limits.MAX_ITEMS,
    max_field_chars: MaxFieldChars = limits.MAX_FIELD_CHARS,
    max_findings: MaxFindings = limits.MAX_FINDINGS,
    max_lines: MaxLines = limits.MAX_LINES,
) -> None:
    reporter = Reporter(quiet, verbose)
    result = RunSummary()

    def body() -> int:
        from .runner import worth_keeping
        from .write.output import open_output
        from .write.report import ReportData, outcome_of, report_page

        nonlocal inputs
        inputs = _inputs(inputs, glob)
        converter = _converter(dialect, profile, as_of, max_input_bytes, max_items,
                               max_field_chars, max_findings, max_lines)
        data = ReportData(inputs=list(inputs))
        _run_records(reporter, converter, inputs, lambda record, summary: data.add(record),
                     result)
        data.outcomes = [outcome_of(s) for s in result.inputs]
        page = report_page(data, converter.profile, top)
        with open_output(output, keep=lambda: worth_keeping(result.inputs)) as stream:
            stream.write(page.encode("utf-8"))
        result.exit_code = _exit_status(result, FailOn.never)
        reporter.summary(result, writes=False)
        return result.exit_code

    _execute(body, reporter, summary_json, result)


class DutyFailOn(StrEnum):
    exception = "exception"
    never = "never"


def _parse_dates(**given: str | None) -> dict[str, date | None]:
    """Date options (``--arrival-date``…) as dates; a bad one is a usage error."""
    from .pipeline import as_date

    try:
        return {name: as_date(text, "--" + name.replace("_", "-"))
                for name, text in given.items()}
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _money(amount: Any) -> str:
    return f"${amount:,.2f}"


@app.command(help="""Write CBP's International Mail Duty Worksheet (duty per item) from the inputs.

Examples:

\b
  postconv duty samples/ --rates samples/duty/rates.csv --fx samples/duty/fx.csv \\
      --conveyance samples/duty/conveyance.csv --party samples/duty/party.toml \\
      --month 2026-11 -o worksheet.xlsx --exceptions exceptions.csv
  postconv duty night.xml --rates rates.csv --fx fx.csv --carrier AB --flight 123 \\
      --port 4701 --arrival-date 2026-11-24 -f csv > page2.csv

One row per item and country of origin and rate: the value in USD at the certified
exchange rate for the date of exportation (19 CFR 159.34), the rate for the origin on the
arrival date (and HTS line), the duty, all rounded to the cent half up. An item with
goods that cannot be computed is listed in --exceptions and makes the exit status 1.
""")
def duty(
    inputs: Inputs = None,
    rates: Annotated[Path, typer.Option("--rates", metavar="RATES.csv", help="Duty rates by "
                                        "origin, date range and HTS prefix (README, Duty).",
                                        show_default=False)] = ...,  # type: ignore[assignment]
    fx: Annotated[Path, typer.Option("--fx", metavar="FX.csv", help="Certified exchange "
                                     "rates, quarterly and daily.",
                                     show_default=False)] = ...,  # type: ignore[assignment]
    conveyance: Annotated[Path | None, typer.Option(
        "--conveyance", metavar="FILE.csv", help="Conveyance by tracking number, receptacle "
        "or dispatch id (instead of --carrier … for the whole run).")] = None,
    carrier: Annotated[str | None, typer.Option("--carrier", metavar="CODE", help="The "
                                                "run's carrier: IATA airline code or SCAC.")]
    = None,
    flight: Annotated[str | None, typer.Option("--flight", metavar="NO", help="The run's "
                                               "flight or trip number.")] = None,
    port: Annotated[str | None, typer.Option("--port", metavar="CODE", help="The run's CBP "
                                             "arrival port code (4 digits).")] = None,
    arrival_date: Annotated[str | None, typer.Option("--arrival-date", metavar="DATE",
                                                     help="The run's arrival date.")] = None,
    departure_date: Annotated[str | None, typer.Option(
        "--departure-date", metavar="DATE", help="The run's date of exportation (default: "
        "each item's posting date).")] = None,
    party: Annotated[Path | None, typer.Option("--party", metavar="PARTY.toml", help="Who "
                                               "files: Sheet1's header ([party] name, "
                                               "tax_id, contact, phone, email, scac_icao).")]
    = None,
    month: Annotated[str | None, typer.Option("--month", metavar="YYYY-MM", help="The month "
                                              "of importation (by arrival date); items of "
                                              "other months are exceptions. Default: the "
                                              "one month every row falls in.")] = None,
    method: Annotated[str, typer.Option("--method", metavar="ad-valorem|specific",
                                        help="Rate × value, or a specific amount per item "
                                             "(the rates' specific_usd).")] = "ad-valorem",
    output: Annotated[str, typer.Option("-o", "--output", metavar="PATH", help="The worksheet "
                                        "(written atomically), or - for stdout (not .xlsx).")]
    = "-",
    fmt: Annotated[str | None, typer.Option(
        "-f", "--format", metavar="xlsx|csv|jsonl", help="Worksheet format (default: from "
        "the -o file's extension, else csv).", show_default=False)] = None,
    exceptions: Annotated[Path | None, typer.Option(
        "--exceptions", metavar="FILE.csv", help="The items with goods that could not be "
        "computed, with the reason.")] = None,
    detail: Annotated[Path | None, typer.Option(
        "--detail", metavar="FILE.csv", help="Each row's sources: input and line, currency "
        "and amount, FX rate, dates, rate row.")] = None,
    fail_on: Annotated[DutyFailOn, typer.Option("--fail-on", help="Whether exceptions make "
                                                "the exit status 1.")]
    = DutyFailOn.exception,
    glob: Glob = None,
    dialect: DialectOpt = None,
    profile: ProfileOpt = "us",
    as_of: AsOf = None,
    summary_json: SummaryJson = None,
    quiet: Quiet = False,
    verbose: Verbose = 0,
    max_input_bytes: MaxInputBytes = limits.MAX_INPUT_BYTES,
    max_items: MaxItems = limits.MAX_ITEMS,
    max_field_chars: MaxFieldChars = limits.MAX_FIELD_CHARS,
    max_findings: MaxFindings = limits.MAX_FINDINGS,
    max_lines: MaxLines = limits.MAX_LINES,
) -> None:
    reporter = Reporter(quiet, verbose)
    result = RunSummary()

    def body() -> int:
        from .duty import (
            METHODS,
            WORKSHEET_FORMATS,
            DutyCalculator,
            DutyOutputs,
            FxTable,
            Party,
            RateTable,
            parse_month,
            run_duty,
        )
        from .duty.tables import conveyances_from
        from .write.base import format_for

        nonlocal inputs
        if method not in METHODS:
            raise UsageError(f"--method {method!r}: choose {' or '.join(METHODS)}")
        suffixes = {ending: name for name, endings in WORKSHEET_FORMATS.items()
                    for ending in endings}
        outputs = DutyOutputs(output, format_for(output, fmt, "csv", suffixes),
                              None if exceptions is None else str(exceptions),
                              None if detail is None else str(detail))
        try:
            chosen = parse_month(month) if month else None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        dates = _parse_dates(arrival_date=arrival_date, departure_date=departure_date)
        inputs = _inputs(inputs, glob)
        calculator = DutyCalculator(
            RateTable.load(rates), FxTable.load(fx),
            conveyances_from(conveyance, carrier, flight, port, dates["arrival_date"],
                             dates["departure_date"]), method, chosen)
        filer = Party.load(party) if party else Party()
        converter = _converter(dialect, profile, as_of, max_input_bytes, max_items,
                               max_field_chars, max_findings, max_lines)
        with reporter.progress(converter, inputs):
            done = run_duty(converter, inputs, calculator, filer, outputs,
                            on_input_done=reporter.input_done, result=result)
        totals = done.totals
        if not quiet:
            for warning in done.warnings:
                print(f"postconv: warning: {warning}", file=sys.stderr)
        if totals.exceptions:
            where = (f"listed in {exceptions}" if exceptions
                     else "give --exceptions FILE.csv to list them")
            print(f"postconv: duty: {plural(totals.exceptions, 'item')} with goods could not be "
                  f"computed ({where})", file=sys.stderr)
        if not quiet or totals.exceptions:
            print(f"postconv: duty: {plural(totals.rows, 'row')} for "
                  f"{plural(totals.package_count, 'package')}, shipment value "
                  f"{_money(totals.shipment_value)}, duties owed {_money(totals.total_paid)}; "
                  f"{plural(totals.exceptions, 'exception')}, {totals.documents} of documents "
                  "(not dutiable)", file=sys.stderr)
        code = _exit_status(result, FailOn.never)
        if not code and totals.exceptions and fail_on is DutyFailOn.exception:
            code = 1
        result.exit_code = code
        reporter.summary(result, writes=False)
        return code

    _execute(body, reporter, summary_json, result)


@app.command(help="""Validate XML inputs against the XSD of the reference ITMATT binding.

Examples:

\b
  postconv validate samples/gba-20261120.xml
  postconv validate in/*.xml 2> errors.txt

Every error is reported with its line and path, not only the first. Exit 0 when all
inputs are valid, 1 when any has errors, 65 when one is not well-formed.
""")
def validate(
    inputs: Inputs = None,
    glob: Glob = None,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    reporter = Reporter(quiet, verbose)

    def body() -> int:
        from .validate import validate as validate_input

        nonlocal inputs
        inputs = _inputs(inputs, glob)
        code = 0
        for spec in inputs:
            errors = 0
            try:
                for error in validate_input(spec):
                    errors += 1
                    name = display_name(spec)
                    where = f"{name}:{error.line}" if error.line else name
                    print(f"{where}: {error.path}: {error.reason}")
            except PostconvError as exc:
                reporter.error(str(exc))
                code = max(code, exc.exit_code)
                continue
            except Exception as exc:  # a bug ends this input, not the others
                reporter.error(f"{spec}: internal error: {type(exc).__name__}: {exc}")
                if verbose >= 2:
                    traceback.print_exc(file=sys.stderr)
                code = max(code, 70)
                continue
            if errors:
                code = max(code, 1)
            if not quiet:
                print(f"postconv: {display_name(spec)}: "
                      f"{'valid' if not errors else plural(errors, 'error')}",
                      file=sys.stderr)
        return code

    _execute(body, reporter)


@app.command(help="""Print the JSON Schema of the record (or the Arrow schema of its Parquet form).

Examples:

\b
  postconv schema > record.schema.json
  postconv schema --parquet
""")
def schema(parquet: Annotated[bool, typer.Option(
        "--parquet", help="The Arrow schema of -f parquet (needs pyarrow).")] = False) -> None:
    if parquet:
        try:
            from .write.parquet import schema_text
        except ModuleNotFoundError:
            print("postconv: error: --parquet needs pyarrow: pip install 'postconv[parquet]'",
                  file=sys.stderr)
            raise typer.Exit(UsageError.exit_code) from None
        sys.stdout.write(schema_text())
        return
    from .record import json_schema
    from .write.jsonl import dumps

    sys.stdout.buffer.write(dumps(json_schema()) + b"\n")


@app.command(help="""List the rules of a profile: field, check, severity per tier, dates, source.

Examples:

\b
  postconv rules
  postconv rules --profile eu-ics2
  postconv rules --profile my-us.toml --json
""")
def rules(
    profile: ProfileOpt = "us",
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per rule.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown tables of every "
                                           "built-in profile (the README section).")] = False,
    checks: Annotated[bool, typer.Option("--checks", help="List the named checks a rule "
                                         "can use.")] = False,
    path: Annotated[bool, typer.Option("--path", help="Print only the file of the profile "
                                       "(to copy it).")] = False,
) -> None:
    reporter = Reporter(False, 0)

    def body() -> int:
        from .check import builtin_profiles, resolve_profile
        from .check.docs import check_catalog, profiles_markdown, rule_json, rule_rows
        from .write.jsonl import dumps

        if markdown:
            ordered = sorted(builtin_profiles().values(), key=lambda p: (p.name != "us", p.name))
            sys.stdout.write(profiles_markdown(ordered))
            return 0
        if checks:
            print_table(["check", "what it does"], [list(c) for c in check_catalog()])
            return 0
        loaded = resolve_profile(profile)
        if path:
            print(loaded.path)
            return 0
        if json_out:
            for rule in loaded.rules:
                sys.stdout.buffer.write(dumps(rule_json(loaded, rule), newline=True))
            return 0
        if not sys.stdout.isatty():  # a pipe: whole ids and fields, one rule a line
            print_table(*rule_rows(loaded))
            return 0
        render_rules(loaded, *rule_rows(loaded))
        return 0

    _execute(body, reporter)


@app.command(help="""List the input formats known: built-in dialects and their files.

Examples:

\b
  postconv dialects
  cp "$(postconv dialects --path itmatt)" my-partner.toml
""")
def dialects(
    path: Annotated[str | None, typer.Option("--path", help="Print only the file of this "
                                             "dialect.", metavar="NAME")] = None,
) -> None:
    reporter = Reporter(False, 0)

    def body() -> int:
        from .dialects import builtin_dialects

        known = builtin_dialects()
        if path is not None:
            if path not in known:
                raise UsageError(f"unknown dialect {path!r}; known: {', '.join(known)}")
            print(known[path].path)
            return 0
        for dialect in known.values():
            print(f"{dialect.name:<14} {dialect.syntax:<8} {dialect.title}\n"
                  f"{'':<14} {dialect.path}")
        return 0

    _execute(body, reporter)


def main() -> None:
    """Console entry point."""
    app()
