"""The HTML compliance report: aggregates built while records stream, one page at the end.

Self-contained (inline CSS and SVG, no script, nothing fetched when opened), readable on
paper: totals, status breakdown, completeness per required element, completeness per
origin post, the most frequent findings with their rule and legal source, and example
items by tracking number. Memory is bounded by the number of distinct fields, codes and
origins, not by the number of items.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..record import Record, origin_of
from ..sources import display_name
from ..summary import InputSummary

_INDEX = re.compile(r"\[\d+\]")
EXAMPLES_PER_CODE = 5
STATUS_COLOURS = {"complete": "#2e7d32", "incomplete": "#f9a825", "invalid": "#c62828"}


@dataclass
class _Origin:
    items: int = 0
    statuses: Counter[str] = field(default_factory=Counter)


@dataclass
class ReportData:
    """Everything the report shows, updated one record at a time."""

    items: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    fields_failed: Counter[str] = field(default_factory=Counter)
    findings: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    origins: dict[str, _Origin] = field(default_factory=dict)
    tiers: Counter[str] = field(default_factory=Counter)
    inputs: list[str] = field(default_factory=list)
    #: each input's outcome: (name, status, items read, records, what went wrong)
    outcomes: list[tuple[str, str, int, int, str]] = field(default_factory=list)

    def add(self, record: Record) -> None:
        compliance = record["compliance"]
        self.items += 1
        self.statuses[compliance["status"]] += 1
        self.tiers[compliance["profile"]] += 1
        origin_key = origin_of(record)
        origin = self.origins.get(origin_key)
        if origin is None:
            origin = self.origins[origin_key] = _Origin()
        origin.items += 1
        origin.statuses[compliance["status"]] += 1
        failed: set[str] = set()
        for finding in compliance["findings"]:
            path = _INDEX.sub("[]", finding["field"] or "-")
            key = (finding["code"], finding["rule"], path)
            self.findings[key] += 1
            if finding["severity"] == "error":
                failed.add(path)
            examples = self.examples.setdefault(key, [])
            if len(examples) < EXAMPLES_PER_CODE:  # where to look: number, file and line
                source = record["source"]
                file = str(source["file"] or "").rsplit("/", 1)[-1]
                example = (f"{record['tracking_number'] or '(no number)'} "
                           f"{file}:{source['line'] or source['item_index']}")
                if example not in examples:
                    examples.append(example)
        for path in failed:
            self.fields_failed[path] += 1


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


#: Where a bar chart's axis may start, so that shares all near 100 % still differ visibly.
_AXIS_STARTS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def axis_start(shares: list[float]) -> float:
    """The highest of :data:`_AXIS_STARTS` below every share (the lowest bar keeps some
    length): on 100k items the elements are all 99.x % complete, and a 0–100 axis would
    draw them the same."""
    lowest = min(shares, default=0.0)
    return max(start for start in _AXIS_STARTS if start < lowest or start == 0.0)


def _bar_chart(rows: list[tuple[str, float, str]], width: int = 900) -> str:
    """Horizontal bars (label, share 0..1, caption), as inline SVG, on an axis from
    :func:`axis_start` to 100 % (said above the chart when it is not 0)."""
    label_width, bar_height, gap = 230, 18, 6
    height = max(1, len(rows)) * (bar_height + gap)
    start = axis_start([share for _, share, _ in rows])
    parts = []
    if start:
        parts.append(f'<p class="sub">The bars start at {start * 100:g} % so that the '
                     "differences show; the captions give the exact shares.</p>")
    parts.append(f'<svg class="chart" role="img" width="{width}" height="{height}" '
                 f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">')
    span = width - label_width - 200
    for n, (label, share, caption) in enumerate(rows):
        y = n * (bar_height + gap)
        colour = "#2e7d32" if share >= 0.95 else "#f9a825" if share >= 0.8 else "#c62828"
        parts.append(f'<text x="{label_width - 8}" y="{y + 13}" text-anchor="end" '
                     f'font-size="12">{_e(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{span}" height="{bar_height}" '
                     'fill="#eceff1"/>')
        parts.append(f'<rect class="bar" x="{label_width}" y="{y}" '
                     f'width="{max(0.0, span * (share - start) / (1 - start)):.1f}" '
                     f'height="{bar_height}" '
                     f'fill="{colour}"><title>{_e(label)}: {_e(caption)}</title></rect>')
        parts.append(f'<text x="{label_width + span + 6}" y="{y + 13}" font-size="12">'
                     f"{_e(caption)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _status_chart(statuses: Counter[str], total: int, width: int = 900) -> str:
    """One stacked bar of the item statuses, as inline SVG."""
    parts = [f'<svg class="chart" role="img" width="{width}" height="46" '
             f'viewBox="0 0 {width} 46" xmlns="http://www.w3.org/2000/svg">']
    x = 0.0
    for status, colour in STATUS_COLOURS.items():
        share = statuses[status] / total if total else 0
        w = width * share
        if w > 0:
            parts.append(f'<rect class="bar" x="{x:.1f}" y="0" width="{w:.1f}" height="24" '
                         f'fill="{colour}"><title>{status}: {statuses[status]}</title></rect>')
        x += w
    x = 0
    for status, colour in STATUS_COLOURS.items():
        parts.append(f'<rect x="{x}" y="32" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="43" font-size="12">{status} '
                     f"{statuses[status]} ({_pct(statuses[status], total)})</text>")
        x += 210
    parts.append("</svg>")
    return "".join(parts)


CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2833;
margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:2px solid #cfd8dc;padding-bottom:.2rem}
.sub{color:#546e7a;margin-top:0}
.totals{display:flex;gap:1rem;flex-wrap:wrap}.totals div{border:1px solid #cfd8dc;
border-radius:6px;padding:.6rem 1rem;min-width:9rem}.totals b{display:block;font-size:1.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #e0e0e0;
padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f5f7f8}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em}
table.findings{table-layout:fixed;font-size:.92em}table.findings td{overflow-wrap:break-word}
tr.bad td{color:#b71c1c}
table.findings td.ex code{display:block}
.chart{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none;font-size:11px}h2{break-after:avoid}
table,svg{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _breakable(name: str) -> str:
    """``name`` escaped, with line breaks allowed after ``_`` and ``.`` only (a code is
    never cut mid-word: ``DECLARED_VALUE_MISMAT`` / ``CH``)."""
    return _e(name).replace("_", "_<wbr>").replace(".", ".<wbr>")


def _outcomes(outcomes: list[tuple[str, str, int, int, str]]) -> list[str]:
    """Each input with its outcome: a failed or flagged input is never hidden behind the
    totals of the others."""
    if not outcomes:
        return []
    out = ['<h2 id="inputs">Inputs</h2><table><thead><tr><th>input</th><th>status</th>'
           "<th>items read</th><th>records</th><th>what went wrong</th></tr></thead><tbody>"]
    for name, status, read, written, detail in outcomes:
        mark = ' class="bad"' if status != "ok" else ""
        out.append(f"<tr{mark}><td>{_e(name)}</td><td>{_e(status)}</td><td class=n>{read:,}"
                   f"</td><td class=n>{written:,}</td><td>{_e(detail) or '–'}</td></tr>")
    out.append("</tbody></table>")
    return out


def render_report(data: ReportData, sources: dict[str, str], profile: str,
                  top: int = 25, required: list[str] | None = None) -> str:
    """The report page. ``sources`` maps rule ids to their legal source; ``required``
    lists the fields the profile requires, each shown even when nothing fails on it."""
    total = data.items
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>postconv compliance report</title>",
           f"<style>{CSS}</style></head><body>",
           "<h1>Customs data compliance report</h1>",
           f'<p class="sub">Profile <b>{_e(profile)}</b> · tiers applied: '
           f"{_e(', '.join(f'{t} ({n:,})' for t, n in data.tiers.most_common()) or 'none')}"
           " · "
           f"generated {now} by postconv · inputs: "
           f"{_e(', '.join(name.rsplit('/', 1)[-1] for name in data.inputs))}</p>",
           '<h2 id="totals">Totals</h2><div class="totals">',
           f"<div>items<b>{total:,}</b></div>"]
    for status in STATUS_COLOURS:
        out.append(f"<div>{status}<b>{data.statuses[status]:,}</b>"
                   f"{_pct(data.statuses[status], total)}</div>")
    out.append("</div>")
    out += _outcomes(data.outcomes)
    out.append('<h2 id="status">Status breakdown</h2>')
    out.append(_status_chart(data.statuses, total))
    out.append('<h2 id="elements">Completeness per required element</h2>'
               "<p>Share of items with no error finding on the element, worst first.</p>")
    elements = dict.fromkeys([*(required or []), *data.fields_failed])
    ranked_elements = sorted(elements, key=lambda p: (-data.fields_failed[p], p))
    rows = [(path, 1 - data.fields_failed[path] / total if total else 0.0,
             f"{_pct(total - data.fields_failed[path], total)} · "
             f"{data.fields_failed[path]} with an error")
            for path in ranked_elements[: max(top, len(required or []))]]
    out.append(_bar_chart(rows) if rows else "<p>No element has an error finding.</p>")
    out.append('<h2 id="origins">Completeness per origin post, worst first</h2>')
    ranked = sorted(data.origins.items(),
                    key=lambda kv: (kv[1].statuses["complete"] / kv[1].items, kv[0]))
    out.append(_bar_chart([(name, o.statuses["complete"] / o.items,
                            f"{_pct(o.statuses['complete'], o.items)} of {o.items} items")
                           for name, o in ranked[:top]]))
    out.append("<table><thead><tr><th>origin</th><th>items</th><th>complete</th>"
               "<th>incomplete</th><th>invalid</th><th>complete share</th></tr></thead><tbody>")
    for name, origin in ranked:
        out.append(f"<tr><td>{_e(name)}</td><td class=n>{origin.items}</td>"
                   + "".join(f"<td class=n>{origin.statuses[s]}</td>" for s in STATUS_COLOURS)
                   + f"<td class=n>{_pct(origin.statuses['complete'], origin.items)}</td></tr>")
    out.append("</tbody></table>")
    out.append('<h2 id="findings">Most frequent findings</h2>'
               '<table class="findings"><colgroup><col style="width:17%">'
               '<col style="width:17%"><col style="width:7%"><col style="width:17%">'
               '<col style="width:26%"><col style="width:16%"></colgroup>'
               "<thead><tr><th>code</th><th>field</th><th>count</th><th>rule</th>"
               "<th>legal source</th><th>examples</th></tr></thead><tbody>")
    for (code, rule, path), count in data.findings.most_common(top):
        examples = "".join(f"<code>{_e(x)}</code>" for x in data.examples.get(
            (code, rule, path), []))
        out.append(f"<tr><td><code>{_breakable(code)}</code></td>"
                   f"<td><code>{_breakable(path)}</code></td>"
                   f"<td class=n>{count}</td><td><code>{_e(rule)}</code></td>"
                   f"<td>{_e(sources.get(rule, 'value could not be read'))}</td>"
                   f'<td class="ex">{examples}</td></tr>')
    out.append("</tbody></table>")
    out.append("<p class=sub>Rules and sources: <code>postconv rules --profile "
               f"{_e(profile)}</code>. Confidence tags: [C] primary source, [S] secondary, "
               "[I] inferred.</p></body></html>\n")
    return "\n".join(out)


def outcome_of(summary: InputSummary) -> tuple[str, str, int, int, str]:
    """An input's line in the report: name, status, items read, records, what went wrong."""
    problems = "; ".join(f"{p.code}: {p.message}" for p in summary.problems)
    if summary.exit_code:
        status = f"failed (exit {summary.exit_code})"
        detail = "; ".join(filter(None, [summary.error or "", problems]))
    else:
        status = "input finding" if problems else "ok"
        detail = problems
    return (display_name(summary.input), status, summary.items_read, summary.records_written,
            detail)


def report_page(data: ReportData, profile: Any, top: int = 25) -> str:
    """The report page for a run checked with ``profile``: the legal source of each of its
    rules, and the fields it requires (each shown even when nothing fails on it)."""
    sources = {rule.id: rule.source for rule in profile.rules}
    required = list(dict.fromkeys(rule.field for rule in profile.rules if rule.required))
    return render_report(data, sources, profile.name, top, required)
