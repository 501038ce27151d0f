"""docs/cli/<command>.md is the --help of each command, kept in step by this test.

After changing an option: ``UPDATE_DOCS=1 pytest tests/test_help_docs.py``.
"""

import os

import pytest
from typer.testing import CliRunner

from conftest import REPO
from postconv.cli import app

COMMANDS = ["convert", "check", "validate", "report", "duty", "rules", "dialects", "schema"]
DOCS = REPO / "docs" / "cli"


def help_text(command: str) -> str:
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=100,
                                env={"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"})
    assert result.exit_code == 0
    return result.stdout


def page(command: str) -> str:
    return (f"# postconv {command}\n\n"
            "<!-- generated from `postconv " + command + " --help` by "
            "tests/test_help_docs.py; do not edit by hand -->\n\n"
            f"```text\n{help_text(command).rstrip()}\n```\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_docs_page_matches_help(command):
    path = DOCS / f"{command}.md"
    if os.environ.get("UPDATE_DOCS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        path.write_text(page(command), encoding="utf-8")
    assert path.read_text(encoding="utf-8") == page(command)


def test_every_command_is_documented():
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert names == set(COMMANDS)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"docs/cli/{command}.md" in readme


def test_shell_completion_script():
    from conftest import run

    result = run("--show-completion", "bash")
    assert result.returncode == 0
    assert b"COMPREPLY" in result.stdout and b"complete" in result.stdout
