"""Execute the book's chapters afresh, two kernels at a time, into the build's cache.

``make book`` (and ``make pdf``, and the tests that build the book) run this first, then
``jupyter-book build``. The book's ``_config.yml`` sets ``execute_notebooks: cache``:
myst-nb takes each chapter's outputs from the jupyter-cache in
``<path-output>/_build/.jupyter_cache`` when its code cells match, and executes it
itself otherwise. Executing one chapter after another inside Sphinx left one of the
two cores idle for the whole run; here every chapter runs in its own fresh, watched
kernel (``nbrun``: ipc transport, so kernels started together never race for TCP
ports), ``--workers`` at a time, and its executed notebook goes into the cache.

What runs is what the build runs: each chapter as ``_ext/book_exercises.py`` rewrites it
(the worked solutions and their checks added; none in the student edition,
``GDBOOK_STUDENT=1``; gathered at the end for ``--builder latex``), since jupyter-cache
matches a notebook by its code cells and their metadata.

The cache is emptied first, every time, and stamped afterwards with the digest of the
sources it was computed from (``_ext/fresh_cache.py``, which empties a cache with
another stamp when a build starts): jupyter-cache's match ignores everything outside
the notebook itself, so outputs computed with an older ``gdutils`` would otherwise be
served as current. A chapter that fails (or stalls) here is left out of the cache, so
the build executes it again and fails on it with its usual traceback.

    python tools/execute.py                          # every chapter of _toc.yml
    python tools/execute.py --path-output /tmp/book --toc /tmp/toc.yml
    python tools/execute.py --builder latex          # before a PDF build

``GDBOOK_SEED``, when set, is passed to every kernel, as the build would.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbrun  # noqa: E402  (tools/ is not a package)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _ext import book_exercises, fresh_cache  # noqa: E402


def as_built(path: Path, builder: str = "html") -> str:
    """The chapter's JSON as the build executes it (see the module docstring)."""
    nb = json.loads(path.read_text())
    return json.dumps(
        book_exercises.transform(
            nb,
            student=book_exercises.student_edition(),
            solutions_at_end=builder == "latex",
        )
    )


def chapters(toc: Path) -> list[Path]:
    """The notebooks a table of contents lists, in its order."""
    spec = yaml.safe_load(toc.read_text())
    files = [spec["root"]] + [
        entry["file"]
        for part in spec.get("parts", [])
        for entry in part.get("chapters", [])
    ]
    found = [ROOT / f"{f}.ipynb" for f in files]
    return [p for p in found if p.exists()]


def cache_path(path_output: Path) -> Path:
    """Where ``jupyter-book build --path-output path_output`` keeps its cache."""
    return path_output / "_build" / ".jupyter_cache"


def as_cached(nb: dict) -> nbformat.NotebookNode:
    """The executed notebook as myst-nb's own execution caches it: nbclient's timing
    record (cell ``metadata.execution``) dropped, since myst-nb executes without it
    and merges every cell metadata key of a cached notebook into the page."""
    nb = nbformat.from_dict(copy.deepcopy(nb))
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    return nb


def fill(cache_dir: Path, results: list[nbrun.RunResult], digest: str) -> list[Path]:
    """Empty ``cache_dir``, cache every executed notebook and stamp the cache with
    ``digest``; return the notebooks cached."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    shutil.rmtree(cache_dir, ignore_errors=True)
    cache = get_cache(str(cache_dir))
    cached = []
    for r in results:
        if not r.ok:
            continue
        bundle = CacheBundleIn(
            as_cached(r.notebook), r.path, data={"execution_seconds": r.wall}
        )
        cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        cached.append(Path(r.path))
    fresh_cache.write_stamp(cache_dir, digest)
    return cached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path-output", type=Path, default=ROOT)
    parser.add_argument("--toc", type=Path, default=ROOT / "_toc.yml")
    parser.add_argument("--builder", choices=["html", "latex"], default="html")
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("GDBOOK_WORKERS", "2"))
    )
    args = parser.parse_args(argv)
    seed = os.environ.get("GDBOOK_SEED")
    jobs = [
        (p, None if seed is None else int(seed), as_built(p, args.builder))
        for p in chapters(args.toc)
    ]
    digest = fresh_cache.sources_digest(args.builder)
    start = time.perf_counter()
    results = nbrun.execute_many(jobs, workers=args.workers, timeout=300, keep=True)
    cached = fill(cache_path(args.path_output.resolve()), results, digest)
    for r in results:
        print(r.summary(), flush=True)
    print(
        f"executed {len(results)} chapters, {args.workers} kernels at a time, in"
        f" {time.perf_counter() - start:.1f} s; {len(cached)} cached"
        + ("" if len(cached) == len(results) else "; the build re-runs the others")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
