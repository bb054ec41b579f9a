"""A fixed sample of planted bugs that the unit tests must catch.

Mutation testing (``python tools/mutation.py MODULE``, see CONTRIBUTING) is too heavy
for every test run; this sample keeps it honest between runs: each row plants one
meaningful bug (a mutant mutmut generated and the tests killed) in a scratch copy of
``gdutils`` and checks that the module's own test file fails. A row whose original
text is gone (the code was rewritten) fails too, so the sample follows the code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# (module, original text, planted bug, tests that must fail)
MUTANTS = [
    (
        "losses",
        "    np.dot(r, X, out=g[:d])\n    g[d] = r.sum()",
        "    np.dot(r, X, out=g[:d])\n    g[d] = r.mean()",
        "test_losses.py::test_mse_gradient_against_autograd_and_check_grad",
    ),
    (
        "optimizers",
        "x = x - (fixed if",
        "x = x + (fixed if",
        "test_optimizers.py::test_fast_path_retraces_the_generic_path",
    ),
    (
        "optimizers",
        "                if not finite(x):\n                    x[:] = start",
        "                if False:\n                    x[:] = start",
        "test_optimizers.py::"
        "test_fast_path_stops_at_the_first_non_finite_update_as_the_generic_path",
    ),
    (
        "losses",
        "        w -= np.dot(r, Xb, out=g)",
        "        w += np.dot(r, Xb, out=g)",
        "test_losses.py::test_mse_epoch_is_the_textbook_loop",
    ),
    (
        "optimizers",
        "if shuffle is True or (shuffle and epoch == 0):",
        "if shuffle:",
        "test_optimizers.py::test_shuffle_once_visits_one_fixed_order_every_epoch",
    ),
    (
        "gradcheck",
        "(fp - fm) / (2 * h)",
        "(fp - fm) / h",
        "test_gradcheck.py::test_agrees_with_scipy_approx_fprime",
    ),
    (
        "accelerated",
        "x + beta * v - step * g if nesterov else x + v",
        "x + v if nesterov else x + v",
        "test_accelerated.py::test_nesterov_is_sutskever_lookahead_form",
    ),
    (
        "nn",
        'dz1 = _relu_backward(dh1, cache["z1"])',
        "dz1 = dh1",
        "test_nn.py::test_gradients_match_autograd",
    ),
    (
        "stochastic",
        "for start in range(0, n, b))",
        "for start in range(0, n - 1, b))",
        "test_stochastic.py::test_epoch_batches_are_partitions",
    ),
    (
        "nn",
        "dout * (z > 0)",
        "dout * (z >= 0)",
        "test_nn.py::test_relu_gradient_at_the_kink_is_zero",
    ),
    (
        "stochastic",
        "or np.any(row < 0)",
        "or np.any(row <= 0)",
        "test_stochastic.py::test_sgd_runs_schedule_may_pause_at_rate_zero",
    ),
    (
        "schedules",
        "self.factor ** (_check_step(k) // self.every)",
        "self.factor ** (_check_step(k) // (self.every + 1))",
        "test_schedules.py",
    ),
]


def _scratch_copy(tmp_path: Path) -> Path:
    """A copy of ``gdutils`` under ``tmp_path``, the one a subprocess there imports."""
    shutil.copytree(
        ROOT / "gdutils",
        tmp_path / "gdutils",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp_path / "gdutils"


def _run_tests(tmp_path: Path, tests: list[str]) -> subprocess.CompletedProcess:
    """Run ``tests`` (paths under tests/) against the scratch copy in ``tmp_path``."""
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    find = "import importlib.util as u; print(u.find_spec('gdutils').origin)"
    where = subprocess.run(
        [sys.executable, "-c", find], env=env, cwd=tmp_path, capture_output=True
    )
    assert f"{tmp_path}/gdutils".encode() in where.stdout  # the copy is imported
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-x",
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            # no notebook plugin (nor the ini's nbval options): importing nbformat
            # alone costs seconds, and these are unit tests
            "-p",
            "no:nbval",
            "-o",
            "addopts=",
            "-W",
            "ignore",
            *[f"{ROOT / 'tests'}/{test}" for test in tests],
            "-m",
            "not slow and not sweep and not stress",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_sampled_tests_pass_without_a_planted_bug(tmp_path):
    """The control: on the untouched copy, run the same way, every test that a row
    expects to fail passes (so a row's failure is its bug, not the set-up)."""
    _scratch_copy(tmp_path)
    done = _run_tests(tmp_path, sorted({test for *_, test in MUTANTS}))
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.parametrize(
    ("module", "original", "bug", "test"),
    MUTANTS,
    ids=[f"{m}-{i}" for i, (m, *_) in enumerate(MUTANTS)],
)
def test_planted_bug_is_caught(tmp_path, module, original, bug, test):
    source = _scratch_copy(tmp_path) / f"{module}.py"
    text = source.read_text()
    assert text.count(original) == 1, f"{original!r} not found once in {module}.py"
    source.write_text(text.replace(original, bug))
    done = _run_tests(tmp_path, [test])
    assert done.returncode == 1, done.stdout[-2000:]  # 1: tests failed (not an error)
