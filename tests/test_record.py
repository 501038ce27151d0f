"""Real output validates against the published JSON Schema of the record."""

import json
from decimal import Decimal

import jsonschema

from conftest import SAMPLE_INPUTS, SAMPLES, records, run
from postconv.record import json_schema, new_record


def test_schema_is_valid_and_new_record_conforms():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    record = new_record()
    record["source"].update(file="x", format="itmatt", item_index=0)
    jsonschema.validate(json.loads(json.dumps(record)), schema)


def test_every_sample_record_validates():
    validator = jsonschema.Draft202012Validator(json_schema())
    result = run("convert", *[str(p) for p in SAMPLE_INPUTS], "-q")
    out = records(result.stdout)
    assert len(out) > 100
    for record in out:
        errors = list(validator.iter_errors(record))
        assert errors == [], (record["tracking_number"], errors[0].message)


def test_decimals_round_trip_exactly():
    result = run("convert", str(SAMPLES / "gba-20261120.xml"), "-q")
    for line in result.stdout.splitlines():
        record = json.loads(line, parse_float=Decimal)
        weight = record["gross_weight_kg"]
        assert weight is None or isinstance(weight, Decimal)
    assert b'"net_weight_kg":0.180' in result.stdout  # not 0.18: the decimal as written


def test_the_record_table_is_where_every_view_of_the_record_comes_from():
    from postconv import record
    from postconv.write.csv import HEADER

    names = [f.name for f in record.RECORD]
    assert list(record.new_record()) == names == json_schema()["required"]
    assert list(json_schema()["properties"]) == names
    assert tuple(record.new_party()) == record.PARTY_FIELDS
    for path in record.ITEM_FIELD_TYPES:  # every mapped leaf is a field profiles may name
        assert record.is_field(path), path
    assert record.is_field("line_items[].value") and not record.is_field("nope")
    assert record.CONTAINERS == ("shipper", "consignee", "documents")
    assert record.NULLABLE_GROUPS == {"dispatch": ("dispatch_id", "receptacle_id")}
    csv_fields = [f.column or f.name for f in record.RECORD if f.csv] + ["invoice"]
    assert all(name in HEADER or f"{name}_currency" in HEADER for name in csv_fields)
    assert HEADER[-(len(record.LINE) + 1)] == "line_number"  # (value: amount, currency)
