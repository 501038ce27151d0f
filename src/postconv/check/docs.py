"""The README section "What is checked and why", made from the profile files themselves."""

from __future__ import annotations

from collections.abc import Iterable

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
