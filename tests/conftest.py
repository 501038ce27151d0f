"""Shared helpers: paths, running the CLI in-process or as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
#: The sample inputs (samples/duty/ holds the duty example's tables, not inputs).
SAMPLE_INPUTS = sorted(p for p in SAMPLES.iterdir() if p.is_file())
GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(REPO / "bench"))

# CI runs the property tests on a fixed sequence of examples (a red run is then always
# reproducible); a developer's run explores new ones each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def cli() -> Any:
    """Run ``postconv ARGS`` in-process; returns click's Result (stdout, stderr, exit_code)."""
    from postconv.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None) -> Any:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


def run(*args: str, input: bytes | None = None, cwd: Path = REPO,
        env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[
            bytes]:
    """Run ``python -m postconv ARGS`` as a real process (streams, signals, exit status)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "postconv", *args], input=input,
                          capture_output=True, cwd=cwd, env=full_env, timeout=timeout,
                          check=False)


def records(output: str | bytes) -> list[dict[str, Any]]:
    text = output.decode() if isinstance(output, bytes) else output
    return [json.loads(line) for line in text.splitlines() if line.strip()]


ITEM = """
  <Item>
    <ItemId>RR473124829GB</ItemId>
    <MailClass>C</MailClass>
    <MailCategory>A</MailCategory>
    <NatureOfTransaction>11</NatureOfTransaction>
    <Posting><DateTime>2026-11-19T16:40:00+00:00</DateTime><Office>LONDON MC</Office></Posting>
    <GrossWeight>0.450</GrossWeight>
    <TotalValue currency="GBP">20.00</TotalValue>
    <PostalCharges currency="GBP">4.20</PostalCharges>
    <Sender><Name>Jane Example</Name><Address><Line>10 High Street</Line>
      <PostCode>SW1A 1AA</PostCode><City>London</City><CountryCode>GB</CountryCode></Address>
    </Sender>
    <Addressee><Name>John Sample</Name><Address><Line>1600 Example Ave NW</Line>
      <PostCode>20500</PostCode><City>Washington</City><State>DC</State>
      <CountryCode>US</CountryCode></Address></Addressee>
    <ContentPiece number="1"><Description>Men's cotton T-shirt</Description>
      <Quantity>2</Quantity><NetWeight>0.300</NetWeight><Value currency="GBP">20.00</Value>
      <HSTariffNumber>6109100012</HSTariffNumber><OriginCountry>CN</OriginCountry>
    </ContentPiece>
    <Documents><Invoice>INV-1</Invoice></Documents>
  </Item>
"""


def itmatt(*items: str, header: bool = True, root_attrs: str = "",
           declaration: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> str:
    """An ITMATT document holding ``items`` (XML text of Item elements)."""
    head = ("  <MessageHeader><MessageId>T-1</MessageId><OriginOperator>GBA</OriginOperator>"
            "<DestinationOperator>USA</DestinationOperator></MessageHeader>\n") if header else ""
    return f"{declaration}<ITMATT version=\"1.5\"{root_attrs}>\n{head}{''.join(items)}</ITMATT>\n"
