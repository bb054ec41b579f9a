"""No stalled kernels: the chapters with explorers, executed back to back under a CPU
hog.

Every explorer chapter runs ``GDBOOK_STRESS_REPEATS`` times (CI: 1; the acceptance run
in the closing note of the stall issue used 20) while two busy processes load both
cores, two kernels at a time. The watchdog of ``nbrun`` fails a run whose kernel sits
idle with no message for more than 30 s and says where the client was waiting. This is
the test that caught the Output-widget race fixed in ``gdutils.widgets.show_figure``.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from contextlib import contextmanager

import nbrun
import pytest
from book import load, notebooks, source

REPEATS = int(os.environ.get("GDBOOK_STRESS_REPEATS", "1"))
WORKERS = int(os.environ.get("GDBOOK_WORKERS", "2"))


def explorer_chapters():
    return [
        nb
        for nb in notebooks()
        if any(
            c["cell_type"] == "code"
            and re.search(r"gdutils\.widgets|gdu\.widgets", source(c))
            for c in load(nb)["cells"]
        )
    ]


def _spin():
    while True:
        pass


@contextmanager
def cpu_hog(n: int = 2):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_spin, daemon=True) for _ in range(n)]
    for p in procs:
        p.start()
    try:
        yield
    finally:
        for p in procs:
            p.terminate()
            p.join()


def test_there_are_explorer_chapters_to_stress():
    assert len(explorer_chapters()) >= 4


@pytest.mark.stress
def test_explorer_chapters_never_stall_under_load():
    jobs = [(nb, None) for _ in range(REPEATS) for nb in explorer_chapters()]
    with cpu_hog(2):
        results = nbrun.execute_many(jobs, workers=WORKERS, gap_limit=30)
    print("\nstress:\n" + "\n".join(r.summary() for r in results))
    stalls = [f"{r.summary()}\n  {r.stall}" for r in results if r.stall]
    assert not stalls, "stalled kernels:\n" + "\n".join(stalls)
    # A chapter whose assert fails under this load is reported, not failed here: the
    # seed sweep (two kernels at a time) is where claims are held to every draw.
    failed = [r.summary() for r in results if not r.ok]
    if failed:
        print("claims that did not hold under the CPU hog:\n" + "\n".join(failed))
