"""Compile a dialect's field specs into one Python function per item and per line.

Interpreting ~50 field specs per item costs more than reading the XML; generating the
code once per run (plain assignments into the record, plain text taken as is, a reader
called only for typed fields) makes mapping cost about as much as building a dict.
The generated source is kept on the function (``__source__``) for debugging.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..codes import country_codes, currency_codes
from ..record import (
    CONTAINERS,
    LINE_MONEY_FIELDS,
    MONEY_FIELDS,
    NULLABLE_GROUPS,
    new_line,
    new_record,
)
from ..values import (
    CATEGORY_CODES,
    DECIMAL_PATTERN,
    MAIL_CATEGORIES,
    MAIL_CLASS_CODES,
    READERS,
    read_text,
)

#: Inline forms of the readers for the common, well-formed case; anything else goes
#: through the full reader (``{slow}``), which reports problems. Each must give exactly
#: what the full reader gives for the texts it accepts (a test checks this).
_FAST = {
    "decimal": "Decimal(text) if len(text) <= 24 and DECIMAL(text) else {slow}",
    "integer": "int(text) if len(text) <= 9 and text.isascii() and text.isdigit() else {slow}",
    "country": "u if (u := text.upper()) in COUNTRIES else {slow}",
    "currency": "u if (u := text.upper()) in CURRENCIES else {slow}",
    "s10": "text.upper() if len(text) <= CAP and text.isascii() and text.isalnum() else {slow}",
    "hts": "text if len(text) <= CAP and text.isascii() and text.isdigit() else {slow}",
    "code": "text.upper() if len(text) <= CAP and text.isalnum() else {slow}",
    "category": "CATEGORY_CODES.get(text) or {slow}",
    "mail_class": "MAIL_CLASS_CODES.get(text) or {slow}",
    "mail_category": "text if text in MAIL_CATEGORIES else {slow}",
    "datetime": "FAST_DATETIME(text) or {slow}",
}


def _fast_datetime(text: str) -> str | None:
    """An ISO 8601 date-time as partners send it (``2026-11-01T08:00:00+00:00``), written
    back as the full reader does; None for anything else, which the full reader takes."""
    if len(text) > 10 and text[4] == "-":
        try:
            return datetime.fromisoformat(text).isoformat()
        except ValueError:
            return None
    return None

def _target(field: str, money: dict[str, str], groups: dict[str, str]) -> str:
    """The expression a field's value is assigned to in generated code: a container's
    key (bound to a local of the container's name), or a local for a field of money or
    of a group that stays null unless one of its fields has a value."""
    head, _, tail = field.partition(".")
    if not tail:
        return f"record[{head!r}]"
    if head in MONEY_FIELDS or head in LINE_MONEY_FIELDS:
        return money.setdefault(field, f"m_{head}_{tail}")
    if head in NULLABLE_GROUPS:
        return groups.setdefault(field, f"g_{head}_{tail}")
    assert head in CONTAINERS, field
    return f"{head}[{tail!r}]"


def compile_fields(specs: tuple[Any, ...], *, line: bool, cap: int,
                   value: Callable[..., Any]) -> Callable[..., Any]:
    """A function ``(values, findings, prefix) -> record or line`` for ``specs``."""
    namespace: dict[str, Any] = {
        "new_record": new_record, "new_line": new_line, "value": value, "CAP": cap,
        "Decimal": Decimal, "DECIMAL": DECIMAL_PATTERN.fullmatch, "COUNTRIES": country_codes(),
        "CURRENCIES": currency_codes(),
        "CATEGORY_CODES": CATEGORY_CODES, "MAIL_CLASS_CODES": MAIL_CLASS_CODES,
        "MAIL_CATEGORIES": MAIL_CATEGORIES, "FAST_DATETIME": _fast_datetime,
    }
    money: dict[str, str] = {}
    groups: dict[str, str] = {}
    body: list[str] = []
    for n, spec in enumerate(specs):
        reader = READERS[spec.kind]
        namespace[f"R{n}"] = reader
        namespace[f"M{n}"] = spec.value_map
        target = _target(spec.field, money, groups)
        path = f"prefix + {spec.field!r}"
        if spec.how == "path":
            body.append(f"    found = values.get({spec.keys[0]!r})")
        else:
            namespace[f"G{n}"] = spec.getter
            body.append(f"    found = G{n}(values)")
            if not spec.many:
                body.append("    found = [found] if found else None")
        body.append("    if found:")
        plain = reader is read_text and spec.value_map is None
        if spec.many:
            convert = (f"(t if len(t) <= CAP else value({path}, t, R{n}, M{n}, findings))"
                       if plain else f"value({path}, t, R{n}, M{n}, findings)")
            body.append(f"        {target} = [v for t in found if (v := {convert}) is not None]")
        elif plain:
            body.append("        text = found[0]")
            body.append(f"        {target} = text if len(text) <= CAP else "
                        f"value({path}, text, R{n}, M{n}, findings)")
        elif spec.value_map is None and spec.kind in _FAST:
            slow = f"value({path}, text, R{n}, M{n}, findings)"
            body.append("        text = found[0]")
            body.append(f"        {target} = {_FAST[spec.kind].format(slow=slow)}")
        else:
            body.append(f"        {target} = value({path}, found[0], R{n}, M{n}, findings)")
    head = ["def mapped(values, findings, prefix, number):"]
    if line:
        head.append("    record = new_line(number)")
    else:
        head.append("    record = new_record()")
        head += [f"    {name} = record[{name!r}]" for name in CONTAINERS]
    head += [f"    {var} = None" for var in [*money.values(), *groups.values()]]
    tail: list[str] = []
    for group in sorted({f.partition(".")[0] for f in money}):
        amount = money.get(f"{group}.amount", "None")
        currency = money.get(f"{group}.currency", "None")
        tail.append(f"    if {amount} is not None:")
        tail.append(f"        record[{group!r}] = {{'amount': {amount}, "
                    f"'currency': {currency}}}")
    for group in sorted({f.partition(".")[0] for f in groups}):
        names = NULLABLE_GROUPS[group]
        found = [groups.get(f"{group}.{name}", "None") for name in names]
        tail.append(f"    if {' or '.join(f'{v} is not None' for v in found)}:")
        tail.append(f"        record[{group!r}] = {{"
                    + ", ".join(f"{n!r}: {v}" for n, v in zip(names, found, strict=True))
                    + "}")
    source = "\n".join([*head, *body, *tail, "    return record", ""])
    exec(compile(source, "<postconv dialect>", "exec"), namespace)
    function: Callable[..., Any] = namespace["mapped"]
    function.__source__ = source  # type: ignore[attr-defined]
    return function
