"""The Binder plan, checked offline with repo2docker: light, pinned, and cached apart
from the code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from book import ROOT

BINDER = ROOT / "binder"


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_learner_runtime_is_light_pinned_and_consistent():
    learner = pins(BINDER / "requirements.txt")
    lines = [
        ln
        for ln in (BINDER / "requirements.txt").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert len(learner) == len(lines), "every Binder requirement is pinned with =="
    for heavy in (
        "torch",
        "tensorflow",
        "jax",
        "jupyter-book",
        "sphinx",
        "pytest",
        "playwright",
    ):
        assert heavy not in learner
    full = pins(ROOT / "requirements.txt")
    for name, version in learner.items():
        assert full.get(name) == version, (
            f"binder pins {name}=={version}, requirements.txt pins {full.get(name)}"
        )
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_repo2docker_installs_dependencies_before_copying_the_repository():
    exe = Path(sys.executable).with_name("repo2docker")
    exe = str(exe) if exe.exists() else shutil.which("repo2docker")
    if exe is None:
        pytest.skip("repo2docker not installed")
    out = subprocess.run(
        [exe, "--no-build", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    plan = out.stdout + out.stderr
    install = plan.find('pip install --no-cache-dir -r "binder/requirements.txt"')
    copy_repo = plan.find("src/ ${REPO_DIR}/")
    post = plan.find("./binder/postBuild")
    assert install != -1, "Binder must install binder/requirements.txt"
    assert copy_repo != -1 and post != -1
    assert install < copy_repo < post, (
        "dependencies must be installed in a layer before the repository is copied"
    )
    assert "python=3.11" in plan, "Binder must use Python 3.11 (binder/runtime.txt)"
    assert "pyproject" not in plan.split("src/ ${REPO_DIR}/")[0], (
        "pyproject.toml must not enter the cached layer"
    )
