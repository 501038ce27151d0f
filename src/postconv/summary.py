"""Run accounting: every item read is written or rejected with its reason.

The shape of :meth:`RunSummary.to_json` is versioned (``summary_version``) because
monitoring scripts read it (``--summary-json``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .read import ReadProblem
from .record import Record

SUMMARY_VERSION = 1


@dataclass
class InputSummary:
    """What happened to one input."""

    input: str
    format: str | None = None
    items_read: int = 0
    records_written: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    severities: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    problems: list[ReadProblem] = field(default_factory=list)
    rejected_items: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None
    exit_code: int = 0
    output: str | None = None
    archived_to: str | None = None

    @property
    def items_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def balanced(self) -> bool:
        """items read = records written + items rejected."""
        return self.items_read == self.records_written + self.items_rejected

    def count(self, record: Record) -> None:
        """Count a record about to be written, with its status and findings."""
        self.records_written += 1
        compliance = record["compliance"]
        self.statuses[compliance["status"]] += 1
        for finding in compliance["findings"]:
            self.findings[finding["code"]] += 1
            self.severities[finding["severity"]] += 1

    def problem(self, problem: ReadProblem) -> None:
        """A finding on the input as a whole (e.g. a truncated interchange)."""
        self.problems.append(problem)

    def reject(self, reason: str, item_index: int | None = None) -> None:
        """Count an item that was read but could not become a record, with why."""
        self.rejected[reason] += 1
        if item_index is not None and len(self.rejected_items) < 20:
            self.rejected_items.append((item_index, reason))

    @property
    def status(self) -> str:
        return "failed" if self.exit_code else "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "format": self.format,
            "status": self.status,
            "error": self.error,
            "exit_code": self.exit_code,
            "items_read": self.items_read,
            "records_written": self.records_written,
            "items_rejected": self.items_rejected,
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "rejected_items": [{"item_index": i, "reason": r} for i, r in self.rejected_items],
            "records_by_status": dict(sorted(self.statuses.items())),
            "findings_by_code": dict(sorted(self.findings.items())),
            "findings_by_severity": dict(sorted(self.severities.items())),
            "input_findings": [{"code": p.code, "message": p.message} for p in self.problems],
            "output": self.output,
            "archived_to": self.archived_to,
        }


@dataclass
class RunSummary:
    """All inputs of a run, in order."""

    inputs: list[InputSummary] = field(default_factory=list)
    exit_code: int = 0

    def add(self, name: str) -> InputSummary:
        summary = InputSummary(name)
        self.inputs.append(summary)
        return summary

    def total(self, attribute: str) -> int:
        return sum(int(getattr(s, attribute)) for s in self.inputs)

    def counter(self, attribute: str) -> Counter[str]:
        total: Counter[str] = Counter()
        for summary in self.inputs:
            total.update(getattr(summary, attribute))
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "summary_version": SUMMARY_VERSION,
            "exit_code": self.exit_code,
            "totals": {
                "inputs": len(self.inputs),
                "inputs_failed": sum(1 for s in self.inputs if s.exit_code),
                "items_read": self.total("items_read"),
                "records_written": self.total("records_written"),
                "items_rejected": self.total("items_rejected"),
                "records_by_status": dict(sorted(self.counter("statuses").items())),
                "findings_by_code": dict(sorted(self.counter("findings").items())),
            },
            "inputs": [s.to_json() for s in self.inputs],
        }
