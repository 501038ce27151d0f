"""A duty run: records from the inputs → the worksheet, exceptions and detail files.

Rows are written as records stream (one item in memory at a time); the header and the
month check need every row, so they come at the end, and every output is committed only
then (a run whose rows span two months leaves no file, and nothing on stdout).
"""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..check.seen import SeenSet
from ..errors import UsageError
from ..record import Record
from ..summary import InputSummary, RunSummary
from .compute import DutyCalculator, ItemDuty
from .sheets import ROW_WRITERS, DetailWriter, ExceptionsWriter, Header, RowWriter
from .tables import Party


def parse_month(text: str) -> tuple[int, int]:
    """``2026-11`` → (2026, 11); ValueError otherwise."""
    year, _, month = text.partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit() \
            or not 1 <= int(month) <= 12:
        raise ValueError(f"--month {text!r} is not a month (YYYY-MM)")
    return int(year), int(month)


@dataclass
class DutyTotals:
    """What a run found: rows and sums (Sheet1), exceptions, months, items not dutiable."""

    rows: int = 0
    items_listed: int = 0
    exceptions: int = 0
    documents: int = 0
    shipment_value: Decimal = Decimal("0.00")
    total_paid: Decimal = Decimal("0.00")
    months: Counter[tuple[int, int]] = field(default_factory=Counter)
    tariffs: set[Decimal] = field(default_factory=set)
    packages: SeenSet = field(default_factory=SeenSet)

    @property
    def package_count(self) -> int:
        """Distinct tracking numbers listed."""
        return len(self.packages)


class Worksheet:
    """Feeds each record's rows to the writers and keeps the totals."""

    def __init__(self, calculator: DutyCalculator, rows: RowWriter,
                 exceptions: ExceptionsWriter | None = None,
                 detail: DetailWriter | None = None) -> None:
        self.calculator = calculator
        self.rows = rows
        self.exceptions = exceptions
        self.detail = detail
        self.totals = DutyTotals()

    def add(self, record: Record, summary: InputSummary | None = None) -> None:
        item = self.calculator.item(record)
        totals = self.totals
        if item is None:
            totals.documents += 1
        elif item.problems:
            totals.exceptions += 1
            if self.exceptions is not None:
                self.exceptions.item(item)
        else:
            self._list(item)

    def _list(self, item: ItemDuty) -> None:
        totals = self.totals
        totals.items_listed += 1
        write, detail = self.rows.row, self.detail
        for row in item.rows:
            write(row)
            if detail is not None:
                detail.row(row)
            if row.value_usd is not None:
                totals.shipment_value += row.value_usd
            totals.total_paid += row.duty
            totals.tariffs.add(row.tariff)
        totals.rows += len(item.rows)
        day = item.rows[0].conveyance.arrival_date  # one conveyance per item
        totals.months[(day.year, day.month)] += len(item.rows)
        totals.packages.add(item.tracking_number or "")

    def header(self, party: Party) -> Header:
        """Sheet1's values; UsageError when the rows fall in more than one month and no
        ``--month`` chose one (a worksheet is for one month of importation)."""
        totals = self.totals
        month = self.calculator.month
        if month is None and len(totals.months) > 1:
            found = ", ".join(f"{y:04d}-{m:02d} ({n:,} rows)"
                              for (y, m), n in sorted(totals.months.items()))
            raise UsageError(f"the rows fall in several months of importation: {found}; "
                             "choose one with --month")
        if month is None and totals.months:
            month = next(iter(totals.months))
        fixed = next(iter(totals.tariffs)) if len(totals.tariffs) == 1 else None
        return Header(party, month[0] if month else None, month[1] if month else None,
                      self.calculator.method, totals.shipment_value, totals.package_count,
                      totals.total_paid,
                      fixed if self.calculator.method == "specific" else None)


@dataclass(frozen=True)
class DutyOutputs:
    """Where a duty run writes: the worksheet (``-`` for stdout) in ``format``, and the
    optional exceptions and detail CSV files."""

    output: str = "-"
    format: str = "csv"
    exceptions: str | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.format not in ROW_WRITERS:
            raise UsageError(f"-f {self.format!r}: choose {', '.join(ROW_WRITERS)}")
        if self.format == "xlsx" and self.output == "-":
            raise UsageError("an .xlsx worksheet needs a file: give -o WORKSHEET.xlsx")


@dataclass
class DutyResult:
    totals: DutyTotals
    header: Header
    #: things a user must know that do not stop the run (a party field not given)
    warnings: list[str] = field(default_factory=list)


def run_duty(converter: Any, inputs: list[str], calculator: DutyCalculator, party: Party,
             outputs: DutyOutputs, on_input_done: Any = None,
             result: RunSummary | None = None) -> DutyResult:
    """Convert ``inputs`` with ``converter`` (a :class:`postconv.Converter`) and write the
    worksheet of their items. ``result``: the run summary to fill (inputs, items)."""
    from ..runner import RunOptions, remove_stale_parts, run, worth_keeping
    from ..scratch import scratch_folder
    from ..write.output import open_output

    result = RunSummary() if result is None else result

    def keep() -> bool:
        return worth_keeping(result.inputs)

    with ExitStack() as stack:
        def opened(target: str) -> Any:
            if target != "-":
                remove_stale_parts(Path(target))  # a killed run's temporary files
            return stack.enter_context(open_output(target, keep=keep, hold=True))

        scratch = stack.enter_context(scratch_folder())
        rows = ROW_WRITERS[outputs.format](opened(outputs.output), scratch)
        exceptions = (ExceptionsWriter(opened(outputs.exceptions))
                      if outputs.exceptions else None)
        detail = DetailWriter(opened(outputs.detail)) if outputs.detail else None
        sheet = Worksheet(calculator, rows, exceptions, detail)
        run(converter, inputs, RunOptions(output=None), on_record=sheet.add,
            on_input_done=on_input_done, result=result)
        header = sheet.header(party)
        rows.close(header)
        for writer in (exceptions, detail):
            if writer is not None:
                writer.close()
    warnings = []
    if party.missing:
        warnings.append(f"party fields not given, blank on Sheet1: {', '.join(party.missing)}"
                        " (see --party)")
    return DutyResult(sheet.totals, header, warnings)
