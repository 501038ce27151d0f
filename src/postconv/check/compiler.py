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


def _access(leaf: str, owner: str, hoisted: set[str]) -> str:
    head, _, tail = leaf.partition(".")
    if not tail:
        return f"{owner}[{head!r}]"
    if owner == "record":  # a part of the record: looked up once per item, at the top
        hoisted.add(head)
        return f"H_{head}.get({tail!r})"
    return f"({owner}[{head!r}] or EMPTY).get({tail!r})"


def compile_tier(steps: list[Any]) -> Callable[..., None]:
    """``steps``: objects with rule, severity, leaf, on_lines, check, when, needs_message
    (see engine). The function is ``run(record, findings, pending, day, message)``.

    Conditions (``when``) are evaluated once per item each, at the top, however many
    rules share them; so are the parts of the record (``shipper``...) rules read into.
    """
    namespace: dict[str, Any] = {"missing": missing, "EMPTY": {}}
    body: list[str] = []
    hoisted: set[str] = set()
    conditions: dict[tuple[str, ...], int] = {}
    for n, step in enumerate(steps):
        rule = step.rule
        namespace.update({f"C{n}": step.check, f"P{n}": rule.params, f"RULE{n}": rule})
        indent = "    "
        body.append(f"{indent}# {rule.id}")
        if step.dated:
            body.append(f"{indent}if RULE{n}.in_force(day):")
            indent += "    "
        if step.when is not None:
            k = conditions.setdefault(tuple(rule.when), len(conditions))
            namespace[f"W{k}"] = step.when
            body.append(f"{indent}if w{k}:")
            indent += "    "
        if step.on_lines:
            body.append(f"{indent}for n, line in enumerate(record['line_items']):")
            indent += "    "
            value = _access(step.leaf, "line", hoisted)
            path = f"f'line_items[{{n}}].{step.leaf}'"
        else:
            value = _access(step.leaf, "record", hoisted)
            path = repr(step.leaf)
        body.append(f"{indent}v = {value}")
        body.append(f"{indent}if v is None or v == []:")
        body.append(f"{indent}    missing({rule.id!r}, {rule.required!r}, {rule.title!r}, "
                    f"{step.severity!r}, {path}, pending, findings)")
        if step.check is not None:
            extra = ", message" if step.needs_message else ""
            body.append(f"{indent}else:")
            body.append(f"{indent}    p = C{n}(v, record, P{n}{extra})")
            body.append(f"{indent}    if p is not None:")
            body.append(f"{indent}        findings.append({{'code': p[0], 'rule': {rule.id!r}, "
                        f"'severity': {step.severity!r}, 'field': {path}, 'message': p[1]}})")
    head = ["def run(record, findings, pending, day, message):"]
    head += [f"    H_{name} = record[{name!r}] or EMPTY" for name in sorted(hoisted)]
    head += [f"    w{k} = W{k}(record)" for k in conditions.values()]
    body = head + body
    body.append("    return None")
    source = "\n".join(body) + "\n"
    exec(compile(source, "<postconv profile>", "exec"), namespace)
    function: Callable[..., None] = namespace["run"]
    function.__source__ = source  # type: ignore[attr-defined]
    return function
