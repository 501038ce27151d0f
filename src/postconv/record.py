"""The normalized record: its shape, the type of every field, and its JSON Schema.

Every input format maps to this one shape (see README, "The record"). Records are plain
dicts so that writers and other programs need nothing of ours to use them; decimals are
:class:`decimal.Decimal` and never pass through a float.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]
Finding = dict[str, Any]

CATEGORIES = (
    "sale_of_goods", "returned_goods", "gift", "commercial_sample", "documents", "other",
)
MAIL_CLASSES = ("letter_post", "parcel", "ems")
STATUSES = ("complete", "incomplete", "invalid")
SEVERITIES = ("error", "warning", "info")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_TEXT = _nullable({"type": "string", "minLength": 1})
_COUNTRY = _nullable({"type": "string", "pattern": "^[A-Z]{2}$"})
_TEXT_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}}
_MONEY = _nullable({
    "type": "object",
    "required": ["amount", "currency"],
    "additionalProperties": False,
    "properties": {
        "amount": {"type": "number"},
        "currency": _nullable({"type": "string", "pattern": "^[A-Z]{3}$"}),
    },
})

#: What each kind of value is in JSON (the kinds of a leaf are the value readers' names,
#: see :data:`postconv.values.READERS`; ``money`` is an amount with its currency).
KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "s10": _nullable({"type": "string", "pattern": "^[A-Z0-9]+$"}),
    "mail_class": _nullable({"enum": list(MAIL_CLASSES)}),
    "mail_category": _nullable({"enum": ["A", "B", "C", "D"]}),
    "category": _nullable({"enum": list(CATEGORIES)}),
    "text": _TEXT,
    "code": _TEXT,
    "datetime": _nullable({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"}),
    "date": _nullable({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
    "decimal": _nullable({"type": "number"}),
    "integer": _nullable({"type": "integer"}),
    "line_number": {"type": "integer", "minimum": 1},
    "hts": _nullable({"type": "string", "pattern": "^[0-9]+$"}),
    "country": _COUNTRY,
    "text_list": _TEXT_LIST,
    "money": _MONEY,
}


#: Decimal places a decimal value of the record may have: every value then fits one exact
#: column type (Parquet's ``decimal128(38, 10)``); a value with more is not rounded but
#: refused when read (``INVALID_DECIMAL``), so that every form of a record holds the same.
DECIMAL_SCALE = 10


@dataclass(frozen=True)
class Field:
    """One field of the record, declared once: the record's constructors, the JSON Schema,
    the value types dialects map to, the mapper's containers, the checker's field names
    and the CSV columns are all derived from the tables below.

    ``kind``: a value kind (:data:`KIND_SCHEMAS`) for a leaf, or a group of ``fields``
    (``object``: always there; ``nullable``: null until one of its fields has a value;
    ``lines``: the list of line items). ``csv``: how a CSV cell shows it (``text``:
    free text, guarded against formulas; ``plain``: a code, number or date), under
    ``column`` (default: the field's name, after the group's ``prefix``), or no column.
    ``mapped``: a dialect maps it (the others come from the run: source, compliance).
    """

    name: str
    kind: str
    csv: str | None = None
    column: str | None = None
    fields: tuple[Field, ...] = ()
    prefix: str = ""
    mapped: bool = True

    @property
    def group(self) -> bool:
        return bool(self.fields)

    def empty(self) -> Any:
        """The value of the field in a record nothing was read into."""
        if self.kind == "object":
            return {f.name: f.empty() for f in self.fields}
        if self.kind in ("text_list", "lines", "findings"):
            return []
        return None

    def schema(self) -> dict[str, Any]:
        if not self.group:
            return KIND_SCHEMAS[self.kind]
        inner = {"type": "object", "additionalProperties": False,
                 "required": [f.name for f in self.fields],
                 "properties": {f.name: f.schema() for f in self.fields}}
        if self.kind in ("lines", "findings"):
            return {"type": "array", "items": inner}
        return _nullable(inner) if self.kind == "nullable" else inner


PARTY = (
    Field("name", "text", "text"),
    Field("company", "text", "text"),
    Field("address_lines", "text_list", "text", column="address"),
    Field("city", "text", "text"),
    Field("state", "code", "text"),
    Field("postal_code", "code", "text"),
    Field("country", "country", "plain"),
    Field("phone", "text", "text"),
    Field("email", "text", "text"),
    Field("tax_id", "text", "text"),
)
LINE = (
    Field("line_number", "line_number", "plain", mapped=False),
    Field("description", "text", "text"),
    Field("quantity", "integer", "plain"),
    Field("net_weight_kg", "decimal", "plain"),
    Field("value", "money", "plain"),
    Field("hts_number", "hts", "plain"),
    Field("country_of_origin", "country", "plain"),
)
#: A finding: what a rule or reader found wrong with a field (``value`` and ``line``
#: only where they apply; absent, not null, in JSON).
FINDING = (
    Field("code", "code"),
    Field("rule", "text"),
    Field("severity", "text"),
    Field("field", "text"),
    Field("message", "text"),
    Field("value", "text"),
    Field("line", "integer"),
)
#: Keys of a finding that are left out when they do not apply.
FINDING_OPTIONAL = ("value", "line")
#: The record, in the order it is written.
RECORD = (
    Field("tracking_number", "s10", "text"),
    Field("mail_class", "mail_class", "plain"),
    Field("mail_category", "mail_category", "plain"),
    Field("category", "category", "plain"),
    Field("category_explanation", "text", "text"),
    Field("posted_at", "datetime", "plain"),
    Field("posting_office", "text", "text"),
    Field("origin_post", "code", "text"),
    Field("destination_post", "code", "text"),
    Field("shipper", "object", fields=PARTY, prefix="shipper_"),
    Field("consignee", "object", fields=PARTY, prefix="consignee_"),
    Field("gross_weight_kg", "decimal", "plain"),
    Field("declared_value", "money", "plain"),
    Field("postal_charges", "money", "plain"),
    Field("insured_value", "money", "plain"),
    Field("line_items", "lines", fields=LINE),
    Field("documents", "object", fields=(
        Field("invoice", "text", "text"),
        Field("licences", "text_list"),
        Field("certificates", "text_list"),
    )),
    Field("comments", "text", "text"),
    Field("dispatch", "nullable", fields=(
        Field("dispatch_id", "code"),
        Field("receptacle_id", "code"),
    )),
    Field("source", "object", mapped=False, fields=(
        Field("file", "text"),
        Field("format", "text"),
        Field("message_id", "text"),
        Field("item_index", "integer"),
        Field("line", "integer"),
    )),
    Field("compliance", "object", mapped=False, fields=(
        Field("profile", "text"),
        Field("as_of", "date"),
        Field("status", "text"),
        Field("findings", "findings", fields=FINDING),
    )),
)
_BY_NAME = {f.name: f for f in RECORD}

PARTY_FIELDS = tuple(f.name for f in PARTY)
LINE_FIELDS = tuple(f.name for f in LINE)
MONEY_FIELDS = tuple(f.name for f in RECORD if f.kind == "money")
SOURCE_FIELDS = tuple(f.name for f in _BY_NAME["source"].fields)
#: The record's groups whose fields generated mapping code fills in place.
CONTAINERS = tuple(f.name for f in RECORD if f.kind == "object" and f.mapped)
#: Groups that stay null until one of their fields has a value: their fields' names.
NULLABLE_GROUPS = {f.name: tuple(g.name for g in f.fields) for f in RECORD
                   if f.kind == "nullable"}
LINE_MONEY_FIELDS = tuple(f.name for f in LINE if f.kind == "money")


def is_field(path: str) -> bool:
    """Whether a profile rule may name ``path``: a mapped field, a money field as a whole,
    a group that may be null, the lines; a line's field as ``line_items[].name``."""
    lines = "line_items[]."
    if path.startswith(lines):
        tail = path[len(lines):]
        return tail in LINE_FIELD_TYPES or tail in LINE_MONEY_FIELDS
    return (path in ITEM_FIELD_TYPES or path in MONEY_FIELDS or path == "line_items"
            or path in NULLABLE_GROUPS)


def empty(name: str) -> Any:
    """The empty value of the record's field ``name`` (a new party, empty documents)."""
    return _BY_NAME[name].empty()


def _leaf_types(fields: tuple[Field, ...], prefix: str = "") -> dict[str, str]:
    """The value type of each mapped leaf, by dotted path (money as ``.amount`` and
    ``.currency``)."""
    types: dict[str, str] = {}
    for f in fields:
        if not f.mapped or f.kind == "lines":
            continue
        if f.group:
            types.update(_leaf_types(f.fields, f"{prefix}{f.name}."))
        elif f.kind == "money":
            types[f"{prefix}{f.name}.amount"] = "decimal"
            types[f"{prefix}{f.name}.currency"] = "currency"
        else:
            types[f"{prefix}{f.name}"] = f.kind
    return types


#: The value type of each field a dialect maps, by dotted path; line fields relative to
#: a line.
ITEM_FIELD_TYPES: dict[str, str] = _leaf_types(RECORD)
LINE_FIELD_TYPES: dict[str, str] = _leaf_types(LINE)


def _maker(fields: tuple[Field, ...]) -> Callable[[], dict[str, Any]]:
    """A constructor of the empty group of ``fields``: one copy of its nulls, then a new
    list or group for each field that needs its own (a record is made once per item, so
    the table is walked here once, not per item)."""
    nulls = {f.name: f.empty() if f.kind not in _MUTABLE else None for f in fields}
    fresh = [(f.name, _maker(f.fields) if f.kind == "object" else list)
             for f in fields if f.kind in _MUTABLE]

    def make() -> dict[str, Any]:
        group = nulls.copy()
        for name, new in fresh:
            group[name] = new()
        return group

    return make


_MUTABLE = ("object", "text_list", "lines", "findings")
_new_party = _maker(PARTY)
_new_record = _maker(RECORD)
_new_line = _maker(LINE)


def new_party() -> dict[str, Any]:
    """An empty party: every field present, null or empty list."""
    return _new_party()


def new_record() -> Record:
    """An empty record with every field of record.md present, in the documented order."""
    return _new_record()


def new_line(number: int) -> dict[str, Any]:
    """An empty line item numbered ``number`` (1-based)."""
    line = _new_line()
    line["line_number"] = number
    return line


_FINDING = {
    "type": "object",
    "required": ["code", "rule", "severity", "field", "message"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
        "rule": {"type": "string"},
        "severity": {"enum": list(SEVERITIES)},
        "field": _nullable({"type": "string"}),
        "message": {"type": "string"},
        "value": {"type": "string"},
        "line": {"type": "integer"},
    },
}
#: The fields the run fills in (not read from the item), whose JSON is exact, not lax.
_RUN_SCHEMAS: dict[str, dict[str, Any]] = {
    "source": {
        "type": "object",
        "additionalProperties": False,
        "required": list(SOURCE_FIELDS),
        "properties": {
            "file": {"type": "string"},
            "format": {"type": "string"},
            "message_id": _TEXT,
            "item_index": {"type": "integer", "minimum": 0},
            "line": _nullable({"type": "integer"}),
        },
    },
    "compliance": {
        "type": "object",
        "additionalProperties": False,
        "required": ["profile", "as_of", "status", "findings"],
        "properties": {
            "profile": _nullable({"type": "string"}),
            "as_of": _nullable({"type": "string"}),
            "status": _nullable({"enum": list(STATUSES)}),
            "findings": {"type": "array", "items": _FINDING},
        },
    },
    # the origin and destination posts come from the message, as plain texts
    "origin_post": _TEXT,
    "destination_post": _TEXT,
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every record written as JSON conforms to."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://postconv.readthedocs.io/schema/record-1.json",
        "title": "postconv record",
        "description": "One postal item, normalized from an ITMATT/CUSITM declaration.",
        "type": "object",
        "additionalProperties": False,
        "required": list(new_record()),
        "properties": {f.name: _RUN_SCHEMAS.get(f.name) or f.schema() for f in RECORD},
    }


#: How tables name an item whose origin post and shipper country are both unknown.
UNKNOWN_ORIGIN = "unknown"


def origin_of(record: Record) -> str:
    """Where an item comes from, for tables by origin: the origin post's operator code
    (``GBA``), else the shipper's country marked as such (``DE (country)``: a country is
    not a post), else ``unknown``."""
    post = record["origin_post"]
    if post:
        return str(post)
    country = record["shipper"]["country"]
    return f"{country} (country)" if country else UNKNOWN_ORIGIN
