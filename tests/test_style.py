"""House style: `ruff format` and `ruff check` (pyflakes, pycodestyle, isort, NumPy and
bugbear rules; configured in pyproject.toml) are clean on every Python file and
notebook, so no line scrolls sideways (at most 88 characters)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    if not RUFF.exists():
        pytest.fail(f"ruff is pinned in requirements.txt; {RUFF} is missing")
    return subprocess.run(
        [str(RUFF), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_code_is_formatted():
    proc = _ruff("format", "--check", "--diff", ".")
    assert proc.returncode == 0, (
        "run `.venv/bin/ruff format .`:\n" + proc.stdout[-4000:]
    )


def test_lint_is_clean():
    proc = _ruff("check", "--output-format", "concise", ".")
    assert proc.returncode == 0, "ruff check found:\n" + proc.stdout[-4000:]


def test_the_lint_catches_a_long_line_and_an_unused_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\nx = " + " + ".join(["1"] * 40) + "\n")
    proc = _ruff("check", "--config", str(ROOT / "pyproject.toml"), str(bad))
    assert "E501" in proc.stdout and "F401" in proc.stdout
