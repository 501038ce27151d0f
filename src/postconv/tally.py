"""Aggregates kept while records stream, for the tables of ``postconv check``, and the
findings as ``check --json`` writes them: a 1M-item run needs no more memory than a
small one."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .record import Finding, Record, origin_of


def field_pattern(field: str | None) -> str:
    """``line_items[3].description`` → ``line_items[].description`` for aggregation."""
    if not field or "[" not in field:
        return field or "-"
    head, _, rest = field.partition("[")
    return f"{head}[]{rest.partition(']')[2]}"


class CheckTally:
    """Items by status, findings by (severity, code, field), items by origin and status."""

    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.findings: Counter[tuple[str, str, str]] = Counter()
        self.posts: dict[str, Counter[str]] = {}

    def add(self, record: Record) -> None:
        status = record["compliance"]["status"]
        self.statuses[status] += 1
        for finding in record["compliance"]["findings"]:
            self.findings[(finding["severity"], finding["code"],
                           field_pattern(finding["field"]))] += 1
        self.posts.setdefault(origin_of(record), Counter())[status] += 1

    def worst_origins(self) -> list[tuple[str, Counter[str]]]:
        """Origins by the share of their items that are not complete, worst first."""
        return sorted(self.posts.items(),
                      key=lambda kv: (-(sum(kv[1].values()) - kv[1]["complete"])
                                      / sum(kv[1].values()), kv[0]))


def finding_line(record: Record, finding: Finding) -> dict[str, Any]:
    """One finding with the item it is about (``check --json``: one per line)."""
    return {
        "tracking_number": record["tracking_number"],
        "file": record["source"]["file"],
        "item_index": record["source"]["item_index"],
        "line": record["source"]["line"],
        "status": record["compliance"]["status"],
        "profile": record["compliance"]["profile"],
        **finding,
    }
