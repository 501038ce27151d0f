"""Duty: CBP's International Mail Duty Worksheet from the records.

Each item with goods gets one row per country of origin and rate: its value in USD at
the certified exchange rate for the date of exportation (19 CFR 159.34), the rate for
its origin, arrival date and HTS line from a table the user supplies, and the duty; an
item that cannot be computed is an exception, never a silent gap::

    from pathlib import Path
    import postconv
    from postconv.duty import (DutyCalculator, DutyOutputs, FxTable, Party, RateTable,
                               conveyance, run_duty)

    calculator = DutyCalculator(RateTable.load(Path("rates.csv")), FxTable.load(Path("fx.csv")),
                                conveyance("AB", "123", "4701", date(2026, 11, 24)))
    result = run_duty(postconv.Converter(), ["night.xml"], calculator, Party(),
                      DutyOutputs("worksheet.xlsx", "xlsx", exceptions="exceptions.csv"))
    print(result.totals.total_paid, result.totals.exceptions)

``DutyCalculator.item(record)`` gives one record's rows (or its problems) without a run.
"""

from __future__ import annotations

from .compute import METHODS, Converted, DutyCalculator, DutyRow, ItemDuty, to_cent
from .run import DutyOutputs, DutyResult, DutyTotals, Worksheet, parse_month, run_duty
from .sheets import PAGE2_COLUMNS, SHEET1_LABELS, WORKSHEET_FORMATS
from .tables import (
    Conveyance,
    ConveyanceTable,
    FxRate,
    FxTable,
    Party,
    RateRow,
    RateTable,
    conveyance,
)

__all__ = [
    "METHODS",
    "PAGE2_COLUMNS",
    "SHEET1_LABELS",
    "WORKSHEET_FORMATS",
    "Converted",
    "Conveyance",
    "ConveyanceTable",
    "DutyCalculator",
    "DutyOutputs",
    "DutyResult",
    "DutyRow",
    "DutyTotals",
    "FxRate",
    "FxTable",
    "ItemDuty",
    "Party",
    "RateRow",
    "RateTable",
    "Worksheet",
    "conveyance",
    "parse_month",
    "run_duty",
    "to_cent",
]
