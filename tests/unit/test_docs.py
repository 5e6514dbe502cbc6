"""Every command is documented in the README (a test fails when one is missing)."""

from __future__ import annotations

import re
from pathlib import Path

from midback.cli.app import load_command
from midback.cli.commands import COMMANDS

README = Path(__file__).parents[2] / "README.md"


def _commands() -> list[str]:
    names: list[str] = []
    for name in COMMANDS:
        command = load_command(name)
        sub = getattr(command, "commands", None)
        if sub:
            names += [f"{name} {child}" for child in sub]
        else:
            names.append(name)
    return names


def test_the_quick_help_lines_match_each_commands_own_help() -> None:
    for name, (_, line) in COMMANDS.items():
        command = load_command(name)
        own = (command.help or "").strip().splitlines()[0]
        assert own == line, f"{name}: COMMANDS says {line!r}, the command says {own!r}"


def test_every_cli_command_is_in_the_readme() -> None:
    text = README.read_text()
    missing = [c for c in _commands() if not re.search(rf"`midback {re.escape(c)}\b", text)]
    assert not missing, f"commands missing from README.md: {missing}"


def test_the_readme_opens_with_the_two_setup_commands() -> None:
    text = README.read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    assert blocks, "README has a sh block of set-up commands"
    lines = [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.strip()]
    assert lines == ["./dev run", "./dev test"]


def test_every_setting_is_in_the_readme() -> None:
    from midback.settings import ENV_VARS

    text = README.read_text()
    missing = [v for v in ENV_VARS.values() if f"`{v}`" not in text]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_registered_command_is_listed_in_commands() -> None:
    import importlib
    import pkgutil

    import typer

    import midback.cli

    found: set[str] = set()
    for module in pkgutil.iter_modules(midback.cli.__path__):
        if module.name.endswith("_cmds"):
            holder = typer.Typer()
            importlib.import_module(f"midback.cli.{module.name}").register(holder)
            found |= {c.name or c.callback.__name__ for c in holder.registered_commands}  # type: ignore[union-attr]
            found |= {g.name for g in holder.registered_groups if g.name}
    assert found == set(COMMANDS), f"COMMANDS differs: {found ^ set(COMMANDS)}"
