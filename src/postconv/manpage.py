"""``postconv --help-man``: a man page (roff) made from the same help text as ``--help``
and ``docs/cli``, with the exit statuses, so the three never disagree."""

from __future__ import annotations

from typing import Any


def _roff(text: str) -> str:
    """Text safe in roff: backslashes doubled, no line starting with a control character,
    other than ASCII as roff's Unicode escapes (``×`` is ``\\[u00D7]``)."""
    text = text.replace("\\", "\\e")
    text = "".join(c if c.isascii() else f"\\[u{ord(c):04X}]" for c in text)
    lines = []
    for line in text.splitlines():
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def man_page(app: Any, exit_codes: dict[int, str], version: str) -> str:
    """The page for the typer ``app``: each command's help as ``--help`` prints it."""
    import typer.main

    group: Any = typer.main.get_command(app)
    context_of = group.context_class  # typer's own click
    root = context_of(group, info_name="postconv", max_content_width=80, terminal_width=80)
    out = [f'.TH POSTCONV 1 "" "postconv {version}" "User Commands"',
           ".SH NAME", "postconv \\- " + _roff((group.help or "").split("\n", 1)[0]),
           ".SH SYNOPSIS", ".B postconv", "COMMAND [OPTIONS] [INPUT]...",
           ".SH DESCRIPTION", _roff((group.help or "").strip()), ".SH COMMANDS"]
    for name in group.list_commands(root):
        command = group.get_command(root, name)
        if command is None or command.hidden:
            continue
        context = context_of(command, info_name=f"postconv {name}", max_content_width=80,
                             terminal_width=80)
        out += [f".SS postconv {name}", ".nf", _roff(command.get_help(context)), ".fi"]
    out.append(".SH EXIT STATUS")
    for code, meaning in exit_codes.items():
        out += [".TP", f".B {code}", _roff(meaning)]
    out += [".SH SEE ALSO", "The README and docs/cli of the postconv project."]
    return "\n".join(out) + "\n"
