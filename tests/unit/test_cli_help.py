"""``midback --help`` without Typer: the same text as the Typer group's, in Click's layout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer._click.formatting import HelpFormatter
from typer.testing import CliRunner

from midback.cli.app import app
from midback.cli.commands import COMMANDS, OPTIONS, ROOT_HELP, USAGE_ARGS, help_width, root_help


def _click_layout(prog: str, width: int) -> str:
    """The same content laid out by Click's own formatter, as a group's help is."""
    f = HelpFormatter(width=width)
    f.write_usage(prog, USAGE_ARGS)
    f.write_paragraph()
    with f.indentation():
        f.write_text(ROOT_HELP)
    with f.section("Options"):
        f.write_dl(list(OPTIONS))
    with f.section("Commands"):
        f.write_dl([(name, text) for name, (_, text) in COMMANDS.items()])
    return f.getvalue().rstrip("\n")


@pytest.mark.parametrize("width", [50, 57, 64, 78, 100, 118])
@pytest.mark.parametrize("prog", ["midback", "python -m midback", "m" * 40])
def test_the_help_is_laid_out_as_click_lays_out_a_group(prog: str, width: int) -> None:
    assert root_help(prog, width) == _click_layout(prog, width)


@pytest.mark.parametrize("columns", ["40", "72", "80", "160"])
def test_the_width_is_the_one_click_would_choose(
    columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert help_width() == HelpFormatter().width


@pytest.mark.parametrize("args", [["--help"], []])
def test_the_typer_group_prints_the_same_help(args: list[str]) -> None:
    result = CliRunner().invoke(app, args, prog_name="midback")
    assert result.exit_code == (0 if args else 2)
    # Click's test runner lays help out in 80 columns, whatever the terminal
    assert result.output.rstrip("\n") == root_help("midback", 80)


def test_the_console_script_writes_it_without_loading_typer(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['midback', '--help']\n"
        "from midback.cli.entry import main\n"
        "main()\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('typer', 'pydantic', 'rich'))))\n"
    )
    env = {**os.environ, "COLUMNS": "64"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout == root_help("midback", 62) + "\n"
    assert done.stderr == "[]"
    # anything else still reaches the Typer app
    done = subprocess.run(
        [sys.executable, "-c", probe.replace("'--help'", "'--nonsense'")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "No such option: --nonsense" in done.stderr
