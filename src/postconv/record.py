"""The normalized record: its shape, the type of every field, and its JSON Schema.

Every input format maps to this one shape (see README, "The record"). Records are plain
dicts so that writers and other programs need nothing of ours to use them; decimals are
:class:`decimal.Decimal` and never pass through a float.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]
Finding = dict[str, Any]

PARTY_FIELDS = (
    "name", "company", "address_lines", "city", "state", "postal_code", "country",
    "phone", "email", "tax_id",
)
LINE_FIELDS = (
    "line_number", "description", "quantity", "net_weight_kg", "value", "hts_number",
    "country_of_origin",
)

#: The value type of each scalar record field, by dotted path. Money fields are given
#: as ``<path>.amount`` and ``<path>.currency``; line fields are relative to a line.
ITEM_FIELD_TYPES: dict[str, str] = {
    "tracking_number": "s10",
    "mail_class": "mail_class",
    "mail_category": "mail_category",
    "category": "category",
    "category_explanation": "text",
    "posted_at": "datetime",
    "posting_office": "text",
    "origin_post": "code",
    "destination_post": "code",
    "gross_weight_kg": "decimal",
    "declared_value.amount": "decimal",
    "declared_value.currency": "currency",
    "postal_charges.amount": "decimal",
    "postal_charges.currency": "currency",
    "insured_value.amount": "decimal",
    "insured_value.currency": "currency",
    "documents.invoice": "text",
    "documents.licences": "text_list",
    "documents.certificates": "text_list",
    "comments": "text",
    "dispatch.dispatch_id": "code",
    "dispatch.receptacle_id": "code",
}
for _party in ("shipper", "consignee"):
    ITEM_FIELD_TYPES.update({
        f"{_party}.name": "text",
        f"{_party}.company": "text",
        f"{_party}.address_lines": "text_list",
        f"{_party}.city": "text",
        f"{_party}.state": "code",
        f"{_party}.postal_code": "code",
        f"{_party}.country": "country",
        f"{_party}.phone": "text",
        f"{_party}.email": "text",
        f"{_party}.tax_id": "text",
    })

LINE_FIELD_TYPES: dict[str, str] = {
    "description": "text",
    "quantity": "integer",
    "net_weight_kg": "decimal",
    "value.amount": "decimal",
    "value.currency": "currency",
    "hts_number": "hts",
    "country_of_origin": "country",
}

MONEY_FIELDS = ("declared_value", "postal_charges", "insured_value")
SOURCE_FIELDS = ("file", "format", "message_id", "item_index", "line")


def new_party() -> dict[str, Any]:
    """An empty party: every field present, null or empty list."""
    return {
        "name": None, "company": None, "address_lines": [], "city": None, "state": None,
        "postal_code": None, "country": None, "phone": None, "email": None, "tax_id": None,
    }


def new_record() -> Record:
    """An empty record with every field of record.md present, in the documented order."""
    return {
        "tracking_number": None,
        "mail_class": None,
        "mail_category": None,
        "category": None,
        "category_explanation": None,
        "posted_at": None,
        "posting_office": None,
        "origin_post": None,
        "destination_post": None,
        "shipper": new_party(),
        "consignee": new_party(),
        "gross_weight_kg": None,
        "declared_value": None,
        "postal_charges": None,
        "insured_value": None,
        "line_items": [],
        "documents": {"invoice": None, "licences": [], "certificates": []},
        "comments": None,
        "dispatch": None,
        "source": {"file": None, "format": None, "message_id": None, "item_index": None,
                   "line": None},
        "compliance": {"profile": None, "as_of": None, "status": None, "findings": []},
    }


def new_line(number: int) -> dict[str, Any]:
    """An empty line item numbered ``number`` (1-based)."""
    return {
        "line_number": number, "description": None, "quantity": None, "net_weight_kg": None,
        "value": None, "hts_number": None, "country_of_origin": None,
    }


CATEGORIES = (
    "sale_of_goods", "returned_goods", "gift", "commercial_sample", "documents", "other",
)
MAIL_CLASSES = ("letter_post", "parcel", "ems")
STATUSES = ("complete", "incomplete", "invalid")
SEVERITIES = ("error", "warning", "info")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every record written as JSON conforms to."""
    text = _nullable({"type": "string", "minLength": 1})
    decimal = _nullable({"type": "number"})
    country = _nullable({"type": "string", "pattern": "^[A-Z]{2}$"})
    money = _nullable({
        "type": "object",
        "required": ["amount", "currency"],
        "additionalProperties": False,
        "properties": {
            "amount": {"type": "number"},
            "currency": _nullable({"type": "string", "pattern": "^[A-Z]{3}$"}),
        },
    })
    text_list = {"type": "array", "items": {"type": "string", "minLength": 1}}
    party = {
        "type": "object",
        "additionalProperties": False,
        "required": list(PARTY_FIELDS),
        "properties": {
            "name": text, "company": text, "address_lines": text_list, "city": text,
            "state": text, "postal_code": text, "country": country, "phone": text,
            "email": text, "tax_id": text,
        },
    }
    line = {
        "type": "object",
        "additionalProperties": False,
        "required": list(LINE_FIELDS),
        "properties": {
            "line_number": {"type": "integer", "minimum": 1},
            "description": text,
            "quantity": _nullable({"type": "integer"}),
            "net_weight_kg": decimal,
            "value": money,
            "hts_number": _nullable({"type": "string", "pattern": "^[0-9]+$"}),
            "country_of_origin": country,
        },
    }
    finding = {
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
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://postconv.readthedocs.io/schema/record-1.json",
        "title": "postconv record",
        "description": "One postal item, normalized from an ITMATT/CUSITM declaration.",
        "type": "object",
        "additionalProperties": False,
        "required": list(new_record()),
        "properties": {
            "tracking_number": _nullable({"type": "string", "pattern": "^[A-Z0-9]+$"}),
            "mail_class": _nullable({"enum": list(MAIL_CLASSES)}),
            "mail_category": _nullable({"enum": ["A", "B", "C", "D"]}),
            "category": _nullable({"enum": list(CATEGORIES)}),
            "category_explanation": text,
            "posted_at": _nullable({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"}),
            "posting_office": text,
            "origin_post": text,
            "destination_post": text,
            "shipper": party,
            "consignee": party,
            "gross_weight_kg": decimal,
            "declared_value": money,
            "postal_charges": money,
            "insured_value": money,
            "line_items": {"type": "array", "items": line},
            "documents": {
                "type": "object",
                "additionalProperties": False,
                "required": ["invoice", "licences", "certificates"],
                "properties": {"invoice": text, "licences": text_list,
                               "certificates": text_list},
            },
            "comments": text,
            "dispatch": _nullable({
                "type": "object",
                "additionalProperties": False,
                "required": ["dispatch_id", "receptacle_id"],
                "properties": {"dispatch_id": text, "receptacle_id": text},
            }),
            "source": {
                "type": "object",
                "additionalProperties": False,
                "required": list(SOURCE_FIELDS),
                "properties": {
                    "file": {"type": "string"},
                    "format": {"type": "string"},
                    "message_id": text,
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
                    "findings": {"type": "array", "items": finding},
                },
            },
        },
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
