"""Compile a profile tier into one Python function that runs its rules over a record.

A rule costs a dictionary look-up and, where its value is present, one call of its
check; generating the code once per tier keeps the per-item cost near that, instead
of interpreting rule objects for every item. ``__source__`` keeps the generated text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..record import Finding


def missing(rule_id: str, required: bool, title: str, severity: str, path: str,
            pending: dict[str, Finding], findings: list[Finding]) -> None:
    """A rule's value is absent: claim the read finding that explains why, or report it."""
    unread = (pending.get(path) or pending.get(path + ".amount")) if pending else None
    if unread is not None:
        if required and unread["rule"] == "read":
            unread["rule"] = rule_id  # the rule that needs the value owns the finding
            unread["severity"] = severity
    elif required:
        findings.append({"code": "MISSING_ELEMENT", "rule": rule_id, "severity": severity,
                         "field": path, "message": f"{title or path} is missing"})


def _access(leaf: str, owner: str) -> str:
    head, _, tail = leaf.partition(".")
    if not tail:
        return f"{owner}[{head!r}]"
    return f"({owner}[{head!r}] or EMPTY).get({tail!r})"


def compile_tier(steps: list[Any]) -> Callable[..., None]:
    """``steps``: objects with rule, severity, leaf, on_lines, check, when, needs_message
    (see engine). The function is ``run(record, findings, pending, day, message)``."""
    namespace: dict[str, Any] = {"missing": missing, "EMPTY": {}}
    body = ["def run(record, findings, pending, day, message):"]
    for n, step in enumerate(steps):
        rule = step.rule
        namespace.update({f"C{n}": step.check, f"W{n}": step.when, f"P{n}": rule.params,
                          f"RULE{n}": rule})
        indent = "    "
        body.append(f"{indent}# {rule.id}")
        if step.dated:
            body.append(f"{indent}if RULE{n}.in_force(day):")
            indent += "    "
        if step.when is not None:
            body.append(f"{indent}if W{n}(record):")
            indent += "    "
        if step.on_lines:
            body.append(f"{indent}for n, line in enumerate(record['line_items']):")
            indent += "    "
            value = _access(step.leaf, "line")
            path = f"f'line_items[{{n}}].{step.leaf}'"
        else:
            value = _access(step.leaf, "record")
            path = repr(step.leaf)
        body.append(f"{indent}v = {value}")
        body.append(f"{indent}if v is None or v == []:")
        body.append(f"{indent}    missing({rule.id!r}, {rule.required!r}, {rule.title!r}, "
                    f"{step.severity!r}, {path}, pending, findings)")
        if step.check is not None:
            body.append(f"{indent}else:")
            extra = ", message" if getattr(step, "needs_message", False) else ""
            body.append(f"{indent}    p = C{n}(v, record, P{n}{extra})")
            body.append(f"{indent}    if p is not None:")
            body.append(f"{indent}        findings.append({{'code': p[0], 'rule': {rule.id!r}, "
                        f"'severity': {step.severity!r}, 'field': {path}, 'message': p[1]}})")
    body.append("    return None")
    source = "\n".join(body) + "\n"
    exec(compile(source, "<postconv profile>", "exec"), namespace)
    function: Callable[..., None] = namespace["run"]
    function.__source__ = source  # type: ignore[attr-defined]
    return function
