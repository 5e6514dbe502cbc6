"""./dev syncs the environment only when uv.lock or pyproject.toml changed, compiles it then,
and otherwise runs the environment's programs directly, without uv.

The script runs for real (bash) on a copy in a temporary project whose ``uv``, ``python`` and
``midback`` are stand-ins that log how they were called.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
LOGGER = '#!/bin/sh\necho "{name} $*" >> "$DEV_TEST_LOG"\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with the real ./dev, a lock, sources and a stand-in environment and uv."""
    root = tmp_path / "project"
    (root / "src" / "pkg").mkdir(parents=True)
    shutil.copy(ROOT / "dev", root / "dev")
    (root / "uv.lock").write_text("version = 1\n")
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (root / "src" / "pkg" / "mod.py").write_text("x = 1\n")
    tools = tmp_path / "tools"
    tools.mkdir()
    for path, name in (
        (tools / "uv", "uv"),
        (root / ".venv" / "bin" / "python", "python"),
        (root / ".venv" / "bin" / "midback", "midback"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(LOGGER.format(name=name))
        path.chmod(0o755)
    return root


def _dev(root: Path, *args: str) -> list[str]:
    """Run ./dev ARGS; the stand-ins' calls, one line each."""
    log = root.parent / "calls.log"
    log.write_text("")
    env = {
        "PATH": f"{root.parent / 'tools'}:/usr/bin:/bin",
        "HOME": str(root.parent),
        "DEV_TEST_LOG": str(log),
    }
    done = subprocess.run(
        ["bash", str(root / "dev"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return log.read_text().splitlines()


def _edited_after_the_last_compile(root: Path, source: Path) -> None:
    """Make ``source`` look edited after ./dev last compiled src/ (its stamp moved back)."""
    stamp = root / ".venv" / ".dev-compiled-src"
    earlier = source.stat().st_mtime - 10
    os.utime(stamp, (earlier, earlier))


def test_the_first_run_syncs_compiles_once_then_runs(project: Path) -> None:
    calls = _dev(project, "cli", "plan", "--minutes", "10")

    assert calls == [
        "uv sync --frozen --quiet --compile-bytecode",
        "python -m compileall -qq src",
        "midback plan --minutes 10",
    ]


def test_a_run_whose_lock_and_environment_agree_skips_uv_and_compiling(project: Path) -> None:
    _dev(project, "cli", "--help")

    assert _dev(project, "cli", "show", "cat-cow") == ["midback show cat-cow"]
    assert _dev(project, "run", "--port", "8001") == ["midback serve --port 8001"]


@pytest.mark.parametrize("changed", ["uv.lock", "pyproject.toml"])
def test_a_changed_lock_or_project_file_syncs_and_compiles_again(
    project: Path, changed: str
) -> None:
    _dev(project, "cli", "--help")
    with (project / changed).open("a") as file:
        file.write("# changed\n")

    calls = _dev(project, "cli", "--help")

    assert calls[0] == "uv sync --frozen --quiet --compile-bytecode"
    assert calls[-1] == "midback --help"
    assert _dev(project, "cli", "--help") == ["midback --help"]


def test_a_missing_environment_is_synced(project: Path) -> None:
    _dev(project, "cli", "--help")
    midback = project / ".venv" / "bin" / "midback"
    midback.unlink()
    uv = project.parent / "tools" / "uv"  # this one installs midback again, as a sync would
    uv.write_text(
        LOGGER.format(name="uv") + f"cat > {midback} <<'EOF'\n{LOGGER.format(name='midback')}EOF\n"
        f"chmod +x {midback}\n"
    )

    calls = _dev(project, "cli", "--help")

    assert calls == [
        "uv sync --frozen --quiet --compile-bytecode",
        "python -m compileall -qq src",
        "midback --help",
    ]


def test_an_edited_source_is_compiled_once(project: Path) -> None:
    _dev(project, "cli", "--help")
    _edited_after_the_last_compile(project, project / "src" / "pkg" / "mod.py")

    assert _dev(project, "cli", "--help") == ["python -m compileall -qq src", "midback --help"]
    assert _dev(project, "cli", "--help") == ["midback --help"]


def test_the_environment_is_the_one_uv_run_would_give(project: Path) -> None:
    _dev(project, "cli", "--help")
    script = project / ".venv" / "bin" / "midback"
    script.write_text(
        '#!/bin/sh\necho "midback $VIRTUAL_ENV $(command -v midback)" >> "$DEV_TEST_LOG"\n'
    )

    venv = project / ".venv"
    assert _dev(project, "cli") == [f"midback {venv} {venv / 'bin' / 'midback'}"]
