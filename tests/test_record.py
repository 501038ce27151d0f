"""Real output validates against the published JSON Schema of the record."""

import json
from decimal import Decimal

import jsonschema

from conftest import SAMPLES, records, run
from postconv.record import json_schema, new_record


def test_schema_is_valid_and_new_record_conforms():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    record = new_record()
    record["source"].update(file="x", format="itmatt", item_index=0)
    jsonschema.validate(json.loads(json.dumps(record)), schema)


def test_every_sample_record_validates():
    validator = jsonschema.Draft202012Validator(json_schema())
    result = run("convert", *[str(p) for p in sorted(SAMPLES.iterdir())], "-q")
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
