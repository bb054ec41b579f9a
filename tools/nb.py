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

import json
import re
import sys
from pathlib import Path

import nbformat

REPO_URL = re.search(
    r"^\s*url:\s*(\S+)",
    Path(__file__).resolve().parents[1].joinpath("_config.yml").read_text(),
    re.M,
).group(1)

VERSION = re.search(
    r'^__version__ = "([^"]+)"',
    Path(__file__).resolve().parents[1].joinpath("gdutils", "__init__.py").read_text(),
    re.M,
).group(1)
"""gdutils' version, written once in gdutils/__init__.py; its release is tagged
v<version>."""

COLAB_SOURCE = f"""# Colab only: install the book's helper package `gdutils`, pinned
# to this book's release (does nothing elsewhere).
import sys

if "google.colab" in sys.modules:
    import subprocess

    url = "git+{REPO_URL}@v{VERSION}"
    cmd = [sys.executable, "-m", "pip", "install", "-q", f"gdutils[learner] @ {{url}}"]
    subprocess.run(cmd, check=True)"""


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


def sync_colab_cells(paths) -> list[str]:
    """Set the first code cell of each notebook to :data:`COLAB_SOURCE` (keeping its id
    and tags); return the paths that changed. Run ``python tools/nb.py sync-colab``
    after a version bump: every chapter's Colab cell then installs the new release."""
    changed = []
    for path in paths:
        text = Path(path).read_text()
        nb = json.loads(text)
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        if "google.colab" not in "".join(cell["source"]):
            raise ValueError(f"{path}: the first code cell is not the Colab cell")
        cell["source"] = COLAB_SOURCE.splitlines(keepends=True)
        new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if new != text:
            Path(path).write_text(new)
            changed.append(str(path))
    return changed


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


if __name__ == "__main__":
    if sys.argv[1:] != ["sync-colab"]:
        sys.exit("usage: python tools/nb.py sync-colab")
    root = Path(__file__).resolve().parents[1]
    for p in sync_colab_cells(sorted(root.glob("chapters/*.ipynb"))):
        print("updated", p)
