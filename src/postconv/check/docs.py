"""Profiles for people: the README section "What is checked and why", and what
``postconv rules`` prints, made from the profile files themselves."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from .engine import Profile


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def profile_markdown(profile: Profile) -> str:
    """One profile: its tiers, then one row per rule with severity per tier and source."""
    out = [f"### `{profile.name}` — {profile.title}", "",
           "| tier | in force from | what | source |", "|---|---|---|---|"]
    for tier in profile.tiers:
        out.append(f"| `{tier.id}` | {tier.start.isoformat()} | {_cell(tier.title)} | "
                   f"{_cell(tier.source)} |")
    tiers = [t.id for t in profile.tiers]
    out += ["", "| rule | field | check | " + " | ".join(tiers) + " | when | source |",
            "|---|---|---|" + "---|" * len(tiers) + "---|---|"]
    for rule in profile.rules:
        check = rule.check + (", required" if rule.required else "")
        when = ", ".join(rule.when)
        if rule.start or rule.end:
            span = f"from {rule.start}" if rule.start else ""
            span += f" until {rule.end}" if rule.end else ""
            when = f"{when}; {span.strip()}" if when else span.strip()
        severities = " | ".join(rule.severity.get(t, "–") for t in tiers)
        out.append(f"| `{rule.id}` | `{rule.field}` | {check} | {severities} | {when or '–'} "
                   f"| {_cell(rule.source)} |")
    return "\n".join(out) + "\n"


def profiles_markdown(profiles: Iterable[Profile]) -> str:
    return "\n".join(profile_markdown(p) for p in profiles)


def rule_json(profile: Profile, rule: Any) -> dict[str, Any]:
    """One rule as ``postconv rules --json`` gives it (a stable shape for scripts)."""
    return {
        "profile": profile.name, "id": rule.id, "title": rule.title,
        "field": rule.field, "check": rule.check, "required": rule.required,
        "severity": rule.severity, "when": list(rule.when),
        "from": rule.start.isoformat() if rule.start else None,
        "until": rule.end.isoformat() if rule.end else None,
        "source": rule.source,
    }


def rule_rows(profile: Profile) -> tuple[list[str], list[list[str]]]:
    """The rules as a table: header, then one row per rule (for a screen or a TSV)."""
    tiers = [t.id for t in profile.tiers]
    header = ["id", "field", "check", *tiers, "when", "source"]
    rows = []
    for rule in profile.rules:
        dates = ""
        if rule.start or rule.end:
            dates = f" [{rule.start or ''}..{rule.end or ''})"
        check = rule.check + (" (required)" if rule.required else "")
        rows.append([rule.id, rule.field, check, *(rule.severity.get(t, "-") for t in tiers),
                     ", ".join(rule.when) + dates, rule.source])
    return header, rows


def check_catalog() -> list[tuple[str, str]]:
    """Every named check a profile rule can use, with the first line of what it does."""
    from .checks import CHECKS, MESSAGE_CHECKS

    named = {**CHECKS, **MESSAGE_CHECKS}
    return [(name, (inspect.getdoc(function) or "").split("\n", 1)[0])
            for name, function in sorted(named.items())]
