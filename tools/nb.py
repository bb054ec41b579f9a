"""Authoring helper: write a chapter notebook from a list of cells (outputs empty).

Chapters are committed as .ipynb without outputs; the build executes them. Writing the
JSON by hand is error-prone, so authors may keep a throwaway script such as::

    import sys; sys.path.insert(0, "tools")
    from nb import md, code, colab_cell, write
    write("chapters/01-mse-gradient.ipynb", [md("# Title"), colab_cell(), code("x =
    1")])

Figures: ``code(src, alt="...", caption="...", name="fig-...")`` sets the myst-nb cell
metadata that gives the rendered image its alt text and a numbered caption.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

REPO_URL = re.search(
    r"^\s*url:\s*(\S+)",
    Path(__file__).resolve().parents[1].joinpath("_config.yml").read_text(),
    re.M,
).group(1)

COLAB_SOURCE = f"""# Colab only: install the book's helper package `gdutils` (does nothing elsewhere).
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "gdutils[learner] @ git+{REPO_URL}@main"], check=True)"""


def md(source: str, **metadata):
    return nbformat.v4.new_markdown_cell(source.strip("\n"), metadata=metadata)


def code(
    source: str,
    *,
    tags=(),
    alt: str | None = None,
    caption: str | None = None,
    name: str | None = None,
):
    meta: dict = {}
    if tags:
        meta["tags"] = list(tags)
    if alt or caption:
        mystnb: dict = {}
        if alt:
            mystnb["image"] = {"alt": alt}
        if caption:
            mystnb["figure"] = {"caption": caption, **({"name": name} if name else {})}
        meta["mystnb"] = mystnb
    return nbformat.v4.new_code_cell(source.strip("\n"), metadata=meta)


def colab_cell():
    return code(COLAB_SOURCE, tags=["remove-cell"])


def write(path: str, cells) -> None:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(nb.cells):  # stable ids keep diffs small
        c["id"] = f"c{i:03d}"
    nbformat.validate(nb)
    nbformat.write(nb, path)
