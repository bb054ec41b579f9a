"""Serve cached chapter outputs only when they were computed from these very sources.

The book builds with ``execute_notebooks: cache`` so that ``tools/execute.py`` can run
the chapters two kernels at a time beforehand and the build reads their outputs from
the jupyter-cache. But jupyter-cache matches a notebook by its code cells alone: after
an edit to ``gdutils`` (or a data file, or ``_ext``), or under another ``GDBOOK_SEED``,
it would serve outputs, and pass asserts, that the current sources never produced.

So the cache carries a stamp: the SHA-256 of every file the chapters' outputs depend on
(``chapters/``, ``gdutils/``, ``_ext/``, ``requirements.txt``), the builder (the PDF
edition orders its cells differently), ``GDBOOK_SEED`` and ``GDBOOK_STUDENT``. When a
build starts and the stamp is missing or differs, the cache is emptied: every chapter is
then executed again, by ``tools/execute.py`` or by the build itself. When a build ends
without error, everything in the cache was computed from these sources, and the stamp
says so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[1]
STAMP = "gdbook-sources.sha256"
INPUTS = ("chapters", "gdutils", "_ext", "requirements.txt")
ENVIRONMENT = ("GDBOOK_SEED", "GDBOOK_STUDENT")

logger = logging.getLogger(__name__)


def _files(root: Path):
    for name in INPUTS:
        top = root / name
        found = [top] if top.is_file() else sorted(top.rglob("*"))
        for p in found:
            skip = {"__pycache__", ".ipynb_checkpoints"} & set(p.parts)
            if p.is_file() and not skip and p.suffix != ".pyc":
                yield p


def sources_digest(builder: str, root: Path = ROOT) -> str:
    """The stamp for outputs built by ``builder`` ("html", "latex") from ``root``.

    >>> sources_digest("html") == sources_digest("html")
    True
    >>> sources_digest("html") == sources_digest("latex")
    False
    """
    h = hashlib.sha256(f"builder={builder}\n".encode())
    for var in ENVIRONMENT:
        h.update(f"{var}={os.environ.get(var, '')}\n".encode())
    for p in _files(root):
        h.update(f"{p.relative_to(root).as_posix()}\n".encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def cache_dir(outdir: str | Path) -> Path:
    """myst-nb's default cache for a Sphinx output folder (``<out>/_build/html``)."""
    return Path(outdir).parent / ".jupyter_cache"


def is_fresh(cache: Path, digest: str) -> bool:
    stamp = cache / STAMP
    return stamp.exists() and stamp.read_text().strip() == digest


def write_stamp(cache: Path, digest: str) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    (cache / STAMP).write_text(digest + "\n")


def _builder(app) -> str:
    return "latex" if app.builder.name == "latex" else "html"


def _on_builder_inited(app) -> None:
    cache = cache_dir(app.outdir)
    app.gdbook_digest = sources_digest(_builder(app))
    if cache.exists() and not is_fresh(cache, app.gdbook_digest):
        logger.info("jupyter-cache is from other sources: emptied (%s)", cache)
        shutil.rmtree(cache)


def _on_build_finished(app, exception) -> None:
    if exception is None and getattr(app, "gdbook_digest", None):
        if cache_dir(app.outdir).exists():
            write_stamp(cache_dir(app.outdir), app.gdbook_digest)


def setup(app):
    app.connect("builder-inited", _on_builder_inited, priority=100)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
