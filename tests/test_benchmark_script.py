"""benchmarks/bench.py runs (tiny sizes) and prints its five tables; the numbers are not
checked (timings are for `make bench`, not for tests)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_prints_its_tables():
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    ).stdout
    for title in (
        "## 1. One epoch of minibatch_gd in full-gradient passes",
        "## 1b. The floor of a reshuffled epoch before any arithmetic",
        "## 2. Full-data MSE gradient",
        "## 3. Time to the noise floor",
        "## 4. Peak memory",
    ):
        assert title in out, title
    epochs = re.findall(r"^\| (1|32|256|4096) +\| (reshuffle|once) ", out, re.M)
    assert len(epochs) == 8, epochs
    assert len(re.findall(r"^\| (draw|gather) .*\| \d+\.\d\d +\|$", out, re.M)) == 3
    assert re.search(r"^\| gdu\.mse_grad .*\| \d+\.\d+ +\|$", out, re.M)
    assert re.search(r"^\| gdu\.minibatch_gd, b = 256 +\| \S", out, re.M)
    assert re.search(r"^\| sklearn SGDRegressor .*\| \d+\.\d\d +\|$", out, re.M)
    assert (
        len(re.findall(r"^\| (256|1) +\| [\d,]+ +\| (all|epoch|none) ", out, re.M)) == 6
    )
