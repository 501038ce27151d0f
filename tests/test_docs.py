"""The README stays true: generated sections match what the code produces."""

import re

from conftest import REPO, run


def section(name: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", readme, re.S)
    assert match, f"README has no {name} section"
    return match.group(1)


def test_rules_section_matches_the_profiles():
    generated = run("rules", "--markdown").stdout.decode()
    assert section("rules") == generated


def test_readme_commands_exist():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = re.findall(r"```sh\n(python3 -m venv .*)\n```", readme)
    assert len(quick) == 2
    assert "postconv convert samples/" in quick[0] and "pytest" in quick[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quick[1] in ci


def test_documented_options_exist(cli):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(--[a-z-]+)", readme))
    helps = "".join(cli(command, "--help").stdout
                    for command in ("convert", "check", "rules", "dialects", "duty"))
    missing = [o for o in documented if o not in helps and o not in {"--install-completion"}]
    assert missing == []


def test_first_screen_pipelines_print_what_the_readme_shows():
    import subprocess
    import sys
    from pathlib import Path

    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    bin_dir = Path(sys.executable).parent
    checked = 0
    for n, line in enumerate(block):
        if line.startswith("$ postconv convert") and "| grep" in line:
            shown = block[n + 1]
            done = subprocess.run(["bash", "-c", line[2:]], cwd=REPO, capture_output=True,
                                  env={"PATH": f"{bin_dir}:/usr/bin:/bin"}, check=False)
            assert done.stdout.decode().strip() == shown, line
            checked += 1
    assert checked == 2
