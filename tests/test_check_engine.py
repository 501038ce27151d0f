"""Profiles as data: tiers by date, conditions, overrides, invalid files, status."""

import json
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import ITEM, REPO, SAMPLES, itmatt, records, run
from postconv import Converter
from postconv.check import Checker, builtin_profiles, load_profile
from postconv.check.engine import status_of

PROFILE_DIR = REPO / "src" / "postconv" / "profiles"


def convert_text(tmp_path: Path, xml: str, **options) -> list[dict]:
    path = tmp_path / "in.xml"
    path.write_text(xml, encoding="utf-8")
    return list(Converter(today=date(2026, 11, 27), **options).records(str(path)))


def with_posting(day: str) -> str:
    return itmatt(ITEM.replace("2026-11-19T16:40:00+00:00", day))


@pytest.mark.parametrize(("posted", "tier"), [
    ("2021-03-14", "us-aed"),  # before the first tier: the first tier applies
    ("2021-03-15", "us-aed"), ("2025-08-28", "us-aed"),
    ("2025-08-29", "us-2025"), ("2026-07-23", "us-2025"),
    ("2026-07-24", "us-2026"), ("2026-11-19T16:40:00+00:00", "us-2026"),
])
def test_tier_by_posting_date(tmp_path, posted, tier):
    (record,) = convert_text(tmp_path, with_posting(posted))
    assert record["compliance"]["profile"] == tier


def test_as_of_overrides_posting_date(tmp_path):
    (record,) = convert_text(tmp_path, with_posting("2026-11-19"), as_of=date(2025, 9, 1))
    assert record["compliance"]["profile"] == "us-2025"
    assert record["compliance"]["as_of"] == "2025-09-01"


def test_no_posting_date_uses_today(tmp_path):
    xml = itmatt(re.sub(r"<Posting>.*?</Posting>", "", ITEM, flags=re.S))
    (record,) = convert_text(tmp_path, xml)
    assert record["compliance"]["as_of"] == "2026-11-27"
    codes = {(f["field"], f["code"]) for f in record["compliance"]["findings"]}
    assert ("posted_at", "MISSING_ELEMENT") in codes


def _six_digit(xml: str) -> str:
    return xml.replace("6109100012", "610910")


def test_six_digit_hts_by_tier(tmp_path):
    findings = {}
    for day in ("2025-09-01", "2026-07-24"):
        (record,) = convert_text(tmp_path, _six_digit(with_posting(day)))
        findings[day] = [f for f in record["compliance"]["findings"]
                         if f["field"] == "line_items[0].hts_number"]
    assert findings["2025-09-01"] == []
    (finding,) = findings["2026-07-24"]
    assert finding["code"] == "HTS_NUMBER_TOO_SHORT" and finding["severity"] == "error"
    assert "10-digit HTSUS numbers are required from 2026-07-24" in finding["message"]


def test_vague_description_severity_by_tier(tmp_path):
    xml = ITEM.replace("Men's cotton T-shirt", "gift")
    severities = {}
    for day in ("2024-01-10", "2025-09-01"):
        (record,) = convert_text(tmp_path, itmatt(xml.replace(
            "2026-11-19T16:40:00+00:00", day)))
        (finding,) = [f for f in record["compliance"]["findings"]
                      if f["code"] == "VAGUE_DESCRIPTION"]
        severities[day] = finding["severity"]
    assert severities == {"2024-01-10": "warning", "2025-09-01": "error"}


def test_documents_item_is_exempt_from_goods_rules(tmp_path):
    item = re.sub(r"<ContentPiece.*?</ContentPiece>", "", ITEM, flags=re.S)
    item = item.replace("<NatureOfTransaction>11", "<NatureOfTransaction>91")
    item = item.replace('<TotalValue currency="GBP">20.00</TotalValue>', "")
    (record,) = convert_text(tmp_path, itmatt(item))
    assert record["category"] == "documents"
    assert record["compliance"]["status"] == "complete", record["compliance"]["findings"]


def test_documents_item_declaring_goods_is_a_warning(tmp_path):
    item = ITEM.replace("<NatureOfTransaction>11", "<NatureOfTransaction>91")
    (record,) = convert_text(tmp_path, itmatt(item))
    (finding,) = [f for f in record["compliance"]["findings"]
                  if f["code"] == "DOCUMENTS_WITH_GOODS"]
    assert finding["severity"] == "warning"


def test_clean_item_is_complete_without_findings(tmp_path):
    (record,) = convert_text(tmp_path, itmatt(ITEM))
    assert record["compliance"] == {"profile": "us-2026", "as_of": "2026-11-19",
                                    "status": "complete", "findings": []}


def test_unreadable_value_is_null_with_raw_text_in_finding(tmp_path):
    item = ITEM.replace("<GrossWeight>0.450", "<GrossWeight>abc").replace(
        '<Value currency="GBP">20.00', '<Value currency="GBP">12,50')
    item = item.replace("<CountryCode>GB", "<CountryCode>XX")
    (record,) = convert_text(tmp_path, itmatt(item))
    assert record["gross_weight_kg"] is None and record["shipper"]["country"] is None
    assert str(record["line_items"][0]["value"]["amount"]) == "12.50"
    by_field = {f["field"]: f for f in record["compliance"]["findings"]}
    assert by_field["gross_weight_kg"]["code"] == "INVALID_DECIMAL"
    assert by_field["gross_weight_kg"]["value"] == "abc"
    assert by_field["gross_weight_kg"]["rule"] == "us.gross_weight_kg"
    assert by_field["shipper.country"]["value"] == "XX"
    assert by_field["line_items[0].value.amount"]["code"] == "DECIMAL_COMMA_NORMALISED"
    assert record["compliance"]["status"] == "invalid"


def test_messages_carry_no_personal_data(tmp_path):
    item = ITEM.replace("John Sample", "N/A")
    text = " ".join(f["message"] for r in convert_text(tmp_path, itmatt(item, item))
                    for f in r["compliance"]["findings"])
    assert "placeholder" in text and "already seen" in text
    for personal in ("Jane", "High Street", "Washington", "SW1A"):
        assert personal not in text


def test_duplicate_tracking_number_in_run(tmp_path):
    records_ = convert_text(tmp_path, itmatt(ITEM, ITEM))
    codes = [[f["code"] for f in r["compliance"]["findings"]] for r in records_]
    assert codes == [[], ["DUPLICATE_TRACKING_NUMBER"]]


def test_status_precedence():
    missing = {"code": "MISSING_ELEMENT", "severity": "error"}
    invalid = {"code": "INVALID_ZIP_CODE", "severity": "error"}
    warning = {"code": "INVALID_ZIP_CODE", "severity": "warning"}
    assert status_of([]) == "complete"
    assert status_of([warning]) == "complete"
    assert status_of([missing]) == "incomplete"
    assert status_of([missing, invalid]) == "invalid"


def test_profile_override_file(tmp_path, cli):
    text = (PROFILE_DIR / "us.toml").read_text(encoding="utf-8")
    edited = text.replace('id = "us.shipper.postal_code"', 'id = "us.shipper.postal_code"',
                          1)
    edited = re.sub(r'(id = "us.shipper.postal_code".*?severity = )"warning"', r'\1"error"',
                    edited, flags=re.S)
    mine = tmp_path / "my-us.toml"
    mine.write_text(edited, encoding="utf-8")
    xml = itmatt(ITEM.replace("<PostCode>SW1A 1AA</PostCode>", ""))
    source = tmp_path / "in.xml"
    source.write_text(xml, encoding="utf-8")
    default = records(cli("convert", str(source), "-q").stdout)[0]
    custom = records(cli("convert", str(source), "-q", "--profile", str(mine)).stdout)[0]
    assert default["compliance"]["status"] == "complete"
    assert custom["compliance"]["status"] == "incomplete"


@pytest.mark.parametrize(("change", "problem"), [
    (lambda t: t.replace('check = "s10"', 'check = "nonsense"', 1), "unknown check"),
    (lambda t: t.replace('field = "tracking_number"', 'field = "tracking_numbr"', 1),
     "unknown field"),
    (lambda t: t.replace('severity = "error"', 'severity = "fatal"', 1), "severity"),
    (lambda t: t.replace('[profile]', '[profile', 1), "invalid profile file"),
    (lambda t: t.replace('when = "goods"', 'when = "weekends"', 1), "unknown condition"),
])
def test_invalid_profile_exit_78_names_file_and_line(tmp_path, cli, change, problem):
    bad = tmp_path / "bad.toml"
    bad.write_text(change((PROFILE_DIR / "us.toml").read_text(encoding="utf-8")),
                   encoding="utf-8")
    result = cli("convert", str(REPO / "samples" / "jpa-20261122.xml"), "--profile", str(bad))
    assert result.exit_code == 78
    assert re.search(rf"{re.escape(str(bad))}:\d+: .*{problem}", result.stderr), result.stderr


def test_builtin_profiles_load():
    profiles = builtin_profiles()
    assert set(profiles) == {"us", "eu-ics2", "upu-cn23"}
    assert [t.id for t in profiles["us"].tiers] == ["us-aed", "us-2025", "us-2026"]
    for profile in profiles.values():
        for rule in profile.rules:
            assert re.search(r"\[(C|S|I)", rule.source), rule.id


def test_checker_needs_no_xml():
    from postconv.record import new_record

    checker = Checker(load_profile(PROFILE_DIR / "us.toml"), as_of=date(2026, 8, 1))
    record = new_record()
    checker.check(record, [])
    assert record["compliance"]["status"] == "incomplete"
    fields = {f["field"] for f in record["compliance"]["findings"]}
    assert {"tracking_number", "consignee.postal_code", "line_items"} <= fields


def test_eu_profile_rules_by_date(tmp_path):
    xml = itmatt(ITEM.replace("<CountryCode>US", "<CountryCode>DE").replace(
        "6109100012", "6109"))
    (before,) = convert_text(tmp_path, xml, profile="eu-ics2", as_of=date(2022, 1, 1))
    (after,) = convert_text(tmp_path, xml, profile="eu-ics2", as_of=date(2023, 3, 1))
    hts = lambda r: [f["code"] for f in r["compliance"]["findings"]  # noqa: E731
                     if f["field"] == "line_items[0].hts_number"]
    assert hts(before) == [] and hts(after) == ["HTS_NUMBER_TOO_SHORT"]


def test_rules_command_shows_sources(cli):
    result = cli("rules", "--json")
    assert result.exit_code == 0
    rules = records(result.stdout)
    sources = " ".join(r["source"] for r in rules)
    for citation in ("EO 14324", "86 FR 14245", "91 FR 37801"):
        assert citation in sources
    eu = records(cli("rules", "--profile", "eu-ics2", "--json").stdout)
    assert any(r["id"] == "eu.line.hts_number" and r["from"] == "2023-03-01" for r in eu)
    table = cli("rules", "--profile", "eu-ics2")  # in a pipe: one rule a line, ids whole
    assert table.exit_code == 0 and "ICS2" in table.stdout
    lines = table.stdout.splitlines()
    assert lines[0].startswith("id\tfield\tcheck\t")
    assert len(lines) == len(eu) + 1
    assert any(line.startswith("eu.line.hts_number\tline_items[].hts_number\t")
               for line in lines)


def test_rules_checks_and_path(cli):
    from postconv.check.checks import CHECKS

    listed = cli("rules", "--checks").stdout.splitlines()
    assert listed[0] == "check\twhat it does"
    assert {line.split("\t")[0] for line in listed[1:]} >= set(CHECKS)
    assert all(line.split("\t")[1] for line in listed[1:])  # each says what it does
    path = cli("rules", "--path", "--profile", "eu-ics2").stdout.strip()
    assert path.endswith("eu-ics2.toml")
    with open(path) as handle:
        assert "[profile]" in handle.read()


def test_run_state_fields_and_remember():
    from postconv.record import new_record

    us = Checker(load_profile(PROFILE_DIR / "us.toml"), as_of=date(2026, 8, 1))
    assert us.state.fields == frozenset({"tracking_number"})
    record = new_record()
    record["tracking_number"] = "RR473124829GB"
    us.state.remember(record)
    assert record["compliance"]["findings"] == []  # remember judges nothing
    us.check(record, [])
    codes = [f["code"] for f in record["compliance"]["findings"]]
    assert "DUPLICATE_TRACKING_NUMBER" in codes


def test_run_state_fields_when_the_state_depends_on_more(tmp_path):
    text = (PROFILE_DIR / "us.toml").read_text(encoding="utf-8")
    conditional = re.sub(r'(check = "unique_in_run"\n)', r'\1when = "goods"\n', text)
    assert conditional != text
    mine = tmp_path / "mine.toml"
    mine.write_text(conditional, encoding="utf-8")
    assert Checker(load_profile(mine)).state.fields is None
    stateless = re.sub(r'\[\[rules\]\]\nid = "us.tracking_number.unique".*?\n\n', "", text,
                       flags=re.S)
    assert stateless != text
    mine.write_text(stateless, encoding="utf-8")
    assert Checker(load_profile(mine)).state.fields == frozenset()


def test_posting_after_the_message_date_is_an_error(tmp_path, cli):
    late = ITEM.replace("<DateTime>2026-11-19T16:40:00+00:00</DateTime>",
                        "<DateTime>2026-11-25T16:40:00+00:00</DateTime>").replace(
        "RR473124829GB", "EE123456785US")
    assert late != ITEM
    document = itmatt(ITEM, late).replace(
        "<MessageId>T-1</MessageId>", "<MessageId>T-1</MessageId>"
        "<DateTime>2026-11-20T10:15:00Z</DateTime>")
    source = tmp_path / "in.xml"
    source.write_text(document, encoding="utf-8")
    first, second = records(cli("convert", str(source), "-q").stdout)
    assert first["compliance"]["findings"] == []
    assert second["compliance"]["status"] == "invalid"
    assert [(f["code"], f["rule"], f["severity"], f["field"])
            for f in second["compliance"]["findings"]] == [
        ("POSTED_AFTER_MESSAGE", "us.posted_at", "error", "posted_at")]
    assert "message_date" not in json.dumps(second)  # the message date is no record field


def test_unique_in_run_on_another_field_is_refused(tmp_path):
    from postconv.check.engine import package_file

    text = package_file("profiles/us.toml").read_text()
    copy = tmp_path / "invoice.toml"
    copy.write_text(re.sub(r'field = "tracking_number"\ncheck = "unique_in_run"',
                           'field = "documents.invoice"\ncheck = "unique_in_run"', text))
    assert copy.read_text() != text
    line = next(n for n, row in enumerate(copy.read_text().splitlines(), 1)
                if row == 'field = "documents.invoice"')
    result = run("convert", str(SAMPLES / "jpa-20261122.xml"), "--profile", str(copy))
    assert result.returncode == 78
    assert f"invoice.toml:{line}: " in result.stderr.decode()
    assert "unique_in_run works on tracking_number only" in result.stderr.decode()
    # so --jobs 2 cannot disagree with --jobs 1 on it: both refuse it, byte for byte
    inputs = [str(SAMPLES / "jpa-20261122.xml"), str(SAMPLES / "gba-20261120.xml")]
    one, two = (run("convert", *inputs, "--profile", str(copy), "--jobs", jobs)
                for jobs in ("1", "2"))
    assert one.returncode == two.returncode == 78 and one.stdout == two.stdout == b""
    assert one.stderr == two.stderr == result.stderr
