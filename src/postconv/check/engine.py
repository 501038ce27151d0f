"""The checker: a profile file, compiled once per tier into named checks over records.

Pure: no I/O and no clock; the date an item is judged by is its posting date, or the
run's ``as_of``, or the ``today`` the caller passes. Findings carry the rule that made
them; ``postconv rules`` shows each rule's legal source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from .._data import package_file
from ..errors import ConfigInvalid, UsageError
from ..limits import MAX_FINDINGS
from ..record import Finding, Record, is_field
from ..tomlfile import config_error, load_toml
from .checks import (
    CHECKS,
    MESSAGE_CHECKS,
    NO_POSTCODE_COUNTRIES,
    US_TERRITORIES,
    Check,
    MessageCheck,
    Problem,
)
from .compiler import compile_tier
from .seen import RunState, SeenSet

KIND = "profile"
SEVERITIES = ("error", "warning", "info")
LINES = "line_items[]."

Predicate = Callable[[Record], bool]
PREDICATES: dict[str, Predicate] = {
    "always": lambda r: True,
    "goods": lambda r: r["category"] != "documents",
    "documents": lambda r: r["category"] == "documents",
    "commercial": lambda r: r["category"] in ("sale_of_goods", "commercial_sample"),
    "sale_of_goods": lambda r: r["category"] == "sale_of_goods",
    "consignee_us": lambda r: r["consignee"]["country"] in US_TERRITORIES
    or r["consignee"]["country"] is None,
    "shipper_uses_postcodes": lambda r: r["shipper"]["country"] not in NO_POSTCODE_COUNTRIES,
    "consignee_uses_postcodes": lambda r: r["consignee"]["country"] not in NO_POSTCODE_COUNTRIES,
}


@dataclass(frozen=True)
class Tier:
    """A set of rules in force from a date (e.g. ``us-2026`` from 2026-07-24)."""

    id: str
    start: date
    title: str
    source: str


@dataclass(frozen=True)
class Rule:
    """One requirement: which field, which check, how severe in which tier, and why."""

    id: str
    field: str
    check: str
    required: bool
    severity: dict[str, str]
    when: tuple[str, ...]
    params: dict[str, Any]
    source: str
    title: str
    start: date | None
    end: date | None

    def in_force(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Profile:
    """A loaded profile file."""

    name: str
    title: str
    path: Path
    tiers: tuple[Tier, ...]
    rules: tuple[Rule, ...]

    def tier_for(self, day: date) -> Tier:
        """The latest tier in force on ``day`` (the first tier before any is in force)."""
        chosen = self.tiers[0]
        for tier in self.tiers:
            if tier.start <= day:
                chosen = tier
        return chosen


def _date(value: Any, fail: Callable[[str, str], Exception], where: str,
          what: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    raise fail(where, f"{what} must be a TOML date (YYYY-MM-DD, without quotes), not "
                      f"{value!r}")


def load_profile(path: Path) -> Profile:
    """Load and check a profile file; problems raise ``ConfigInvalid`` naming file and line."""
    data, text = load_toml(path, KIND)

    def fail(needle: str, problem: str) -> ConfigInvalid:
        return config_error(path, text, needle, KIND, problem)

    head = data.get("profile")
    if not isinstance(head, dict) or not isinstance(head.get("name"), str):
        raise fail("[profile]", "needs a [profile] table with a name")
    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        raise fail("[[tiers]]", "needs at least one [[tiers]] entry with id and from")
    tiers = []
    for index, entry in enumerate(raw_tiers):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise fail(f"tiers[{index}].id", "each tier needs an id")
        start = _date(entry.get("from"), fail, f"tiers[{index}].from",
                      f"tier {entry['id']!r}: from")
        if start is None:
            raise fail(f"tiers[{index}]", f"tier {entry['id']!r} needs a from date")
        tiers.append(Tier(entry["id"], start, str(entry.get("title", "")),
                          str(entry.get("source", ""))))
    tiers.sort(key=lambda t: t.start)
    tier_ids = {t.id for t in tiers}
    rules = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("rules", [])):
        rules.append(_rule(entry, tier_ids, _at_rule(fail, index)))
        if rules[-1].id in seen:
            raise fail(f"rules[{index}].id", f"rule id {rules[-1].id!r} is used twice")
        seen.add(rules[-1].id)
    if not rules:
        raise fail("[[rules]]", "no [[rules]]: the profile would check nothing")
    return Profile(head["name"], str(head.get("title", head["name"])), path, tuple(tiers),
                   tuple(rules))


def _at_rule(fail: Callable[[str, str], ConfigInvalid],
             index: int) -> Callable[[str, str], ConfigInvalid]:
    """``fail`` for the keys of the ``index``-th rule: the line of the bad key."""
    return lambda key, problem: fail(f"rules[{index}].{key}" if key else f"rules[{index}]",
                                     problem)


def _rule(entry: Any, tier_ids: set[str], fail: Callable[[str, str], ConfigInvalid]) -> Rule:
    """One rule; ``fail(key, problem)`` points at the rule's bad key."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise fail("", "each rule needs an id")
    rid = entry["id"]
    unknown = set(entry) - {"id", "field", "check", "required", "severity", "when", "params",
                            "source", "title", "from", "until"}
    if unknown:
        raise fail(sorted(unknown)[0],
                   f"rule {rid!r}: unknown key(s) {', '.join(sorted(unknown))}")
    field = entry.get("field")
    if not isinstance(field, str) or not is_field(field):
        raise fail("field", f"rule {rid!r}: unknown field {field!r}")
    check = entry.get("check", "present")
    if check not in CHECKS and check not in STATEFUL_CHECKS and check not in MESSAGE_CHECKS:
        known = ", ".join(sorted([*CHECKS, *STATEFUL_CHECKS, *MESSAGE_CHECKS]))
        raise fail("check", f"rule {rid!r}: unknown check {check!r} (known: {known})")
    if check in STATEFUL_CHECKS and field != UNIQUE_FIELD:
        raise fail("field", f"rule {rid!r}: {check} works on {UNIQUE_FIELD} only (the run "
                            "keeps a compact table of S10 numbers, exact across parallel "
                            f"workers), not on {field!r}")
    severity = entry.get("severity", "error")
    if isinstance(severity, str):
        severity = dict.fromkeys(tier_ids, severity)
    if not isinstance(severity, dict) or not severity:
        raise fail("severity", f"rule {rid!r}: severity is a word or a table of tier = word")
    for tier, word in severity.items():
        if tier not in tier_ids:
            raise fail("severity", f"rule {rid!r}: no tier {tier!r} in this profile")
        if word not in SEVERITIES:
            raise fail("severity", f"rule {rid!r}: severity {word!r} is not one of "
                                   f"{', '.join(SEVERITIES)}")
    when = entry.get("when", [])
    when = [when] if isinstance(when, str) else when
    for name in when:
        if not isinstance(name, str) or name.removeprefix("not ") not in PREDICATES:
            raise fail("when", f"rule {rid!r}: unknown condition {name!r} (known: "
                               f"{', '.join(PREDICATES)}, each may start with 'not ')")
    params = entry.get("params", {})
    if not isinstance(params, dict):
        raise fail("params", f"rule {rid!r}: params must be a table")
    required = entry.get("required", False)
    if not isinstance(required, bool):
        raise fail("required", f"rule {rid!r}: required is true or false")
    return Rule(rid, field, check, required, severity, tuple(when), params,
                str(entry.get("source", "")), str(entry.get("title", "")),
                _date(entry.get("from"), fail, "from", f"rule {rid!r}: from"),
                _date(entry.get("until"), fail, "until", f"rule {rid!r}: until"))


@cache
def _builtin_profile(name: str) -> Profile:
    return load_profile(package_file(f"profiles/{name}.toml"))


@cache
def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped in this package, by name."""
    found = {}
    for entry in sorted(package_file("profiles").glob("*.toml")):
        profile = load_profile(entry)
        found[profile.name] = profile
    return found


def resolve_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a user's profile file by path."""
    shipped = package_file(f"profiles/{name_or_path}.toml")
    if "/" not in name_or_path and shipped.is_file():
        return _builtin_profile(name_or_path)
    known = builtin_profiles()
    if name_or_path in known:
        return known[name_or_path]
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load_profile(path)
    raise UsageError(f"unknown profile {name_or_path!r}; known: {', '.join(known)} "
                     "(or give a profile .toml file)")


def _make_unique(seen: SeenSet) -> Check:
    def unique_in_run(value: str, record: Record, params: dict[str, Any]) -> Problem | None:
        if seen.add(value):
            return Problem("DUPLICATE_TRACKING_NUMBER",
                           "tracking number already seen in this run")
        return None

    return unique_in_run


#: The one field a run remembers across items (and across parallel workers).
UNIQUE_FIELD = "tracking_number"

#: Checks that keep state over a run, made from the checker's run state (the tracking
#: numbers seen so far, :attr:`Checker.state`).
STATEFUL_CHECKS: dict[str, Callable[[SeenSet], Check]] = {"unique_in_run": _make_unique}


@dataclass(frozen=True)
class _Compiled:
    """One rule, ready to run in one tier: everything looked up in advance."""

    rule: Rule
    severity: str
    on_lines: bool
    leaf: str
    check: Check | MessageCheck | None
    when: Predicate | None
    dated: bool
    #: the check also takes the message date (see :data:`~.checks.MESSAGE_CHECKS`)
    needs_message: bool = False


def _predicate(name: str) -> Predicate:
    if name.startswith("not "):
        inner = PREDICATES[name[4:]]
        return lambda r: not inner(r)
    return PREDICATES[name]


def _all_of(names: tuple[str, ...]) -> Predicate | None:
    predicates = [_predicate(n) for n in names]
    if not predicates:
        return None
    if len(predicates) == 1:
        return predicates[0]
    return lambda r: all(p(r) for p in predicates)


class Checker:
    """A profile compiled for one run; :meth:`check` fills a record's ``compliance``."""

    def __init__(self, profile: Profile, *, as_of: date | None = None,
                 today: date | None = None, max_findings: int = MAX_FINDINGS) -> None:
        self.profile = profile
        self.as_of = as_of
        self.today = today or date(2000, 1, 1)
        self.max_findings = max_findings
        #: What the run remembers across items: the tracking numbers seen (shared by
        #: every unique_in_run rule, and merged across workers through this object).
        self.state = RunState()
        stateful = {r.id: STATEFUL_CHECKS[r.check](self.state.seen) for r in profile.rules
                    if r.check in STATEFUL_CHECKS}
        self._plans: dict[str, list[_Compiled]] = {}
        self._runs: dict[str, Callable[..., None]] = {}
        for tier in profile.tiers:
            plan = []
            for rule in profile.rules:
                if tier.id not in rule.severity:
                    continue
                on_lines = rule.field.startswith(LINES)
                leaf = rule.field[len(LINES):] if on_lines else rule.field
                check = None if rule.check in ("present", "non_empty") else (
                    stateful.get(rule.id) or CHECKS.get(rule.check)
                    or MESSAGE_CHECKS[rule.check])
                plan.append(_Compiled(
                    rule, rule.severity[tier.id], on_lines, leaf, check,
                    _all_of(rule.when), rule.start is not None or rule.end is not None,
                    rule.check in MESSAGE_CHECKS,
                ))
            self._plans[tier.id] = plan
        self._memory_runs: dict[str, Callable[..., None]] = {}
        self._days: dict[str | None, tuple[date, str, Callable[..., None]]] = {}
        self._memory_fields = self._state_fields()
        self.state.attach(self._memory_fields, self._remember)

    def _memory_steps(self, tier_id: str) -> list[_Compiled]:
        return [s for s in self._plans[tier_id] if s.rule.check in STATEFUL_CHECKS]

    def _state_fields(self) -> frozenset[str] | None:
        """The record fields :meth:`_remember` needs, or None if it may need any of them.

        Usually just ``tracking_number``: the stateful rules are the same in every tier
        and have no conditions. Empty when the profile keeps no state at all.
        """
        plans = [self._memory_steps(tier.id) for tier in self.profile.tiers]
        if len({tuple(s.rule.id for s in steps) for steps in plans}) > 1:
            return None
        steps = plans[0] if plans else []
        if any(s.when is not None or s.dated or s.on_lines for s in steps):
            return None
        return frozenset(s.rule.field for s in steps)

    def _remember(self, record: Record) -> None:
        """Update the run state (tracking numbers seen) as :meth:`check` would, judging
        nothing (:meth:`RunState.remember`)."""
        if self._memory_fields is not None:  # the same in every tier, on any day
            tier_id, day = self.profile.tiers[0].id, self.today
        else:
            day = self.judging_date(record)
            tier_id = self.profile.tier_for(day).id
        run = self._memory_runs.get(tier_id)
        if run is None:
            run = self._memory_runs[tier_id] = compile_tier(self._memory_steps(tier_id))
        run(record, [], {}, day, None)

    def judging_date(self, record: Record) -> date:
        """The date an item is judged by: --as-of, else its posting date, else today."""
        if self.as_of is not None:
            return self.as_of
        posted = record["posted_at"]
        if posted:
            try:
                return date.fromisoformat(posted[:10])
            except ValueError:
                pass
        return self.today

    def _judged_on(self, record: Record) -> tuple[date, str, Callable[..., None]]:
        """The judging date, as text too, and the tier's compiled rules, cached by posting day
        (the items of a file share a handful of days)."""
        key = None if self.as_of is not None else record["posted_at"]
        if key is not None:
            key = key[:10]
        known = self._days.get(key)
        if known is None:
            day = self.judging_date(record)
            tier = self.profile.tier_for(day)
            run = self._runs.get(tier.id)
            if run is None:  # compiled on first use: most runs meet one tier only
                run = self._runs[tier.id] = compile_tier(self._plans[tier.id])
            if len(self._days) > 4096:
                self._days.clear()
            known = self._days[key] = (day, tier.id, run)
        return known

    def check(self, record: Record, read_findings: list[Finding],
              message_date: str | None = None) -> None:
        """Judge ``record``; set ``compliance`` (profile tier, date, status, findings).

        ``message_date``: the date-time of the message that carried the item, for the
        checks that compare with it (it is not part of the record).
        """
        day, tier_id, run = self._judged_on(record)
        pending = {f["field"]: f for f in read_findings if f["severity"] == "error"}
        findings: list[Finding] = []
        run(record, findings, pending, day, message_date)
        if read_findings:
            findings = read_findings + findings
        if len(findings) > self.max_findings:
            kept = findings[: self.max_findings]
            kept.append({"code": "FINDINGS_TRUNCATED", "rule": "read", "severity": "info",
                         "field": None, "message": f"{len(findings) - self.max_findings} "
                                                   "more findings not listed"})
            findings = kept
        compliance = record["compliance"]
        compliance["profile"] = tier_id
        compliance["as_of"] = day.isoformat()
        compliance["status"] = status_of(findings) if findings else "complete"
        compliance["findings"] = findings


def status_of(findings: list[Finding]) -> str:
    """complete (no error), invalid (an error on a present value), else incomplete."""
    status = "complete"
    for finding in findings:
        if finding["severity"] == "error":
            if not finding["code"].startswith("MISSING_"):
                return "invalid"
            status = "incomplete"
    return status
