"""What the book-level tests share: the table of contents, the notebooks, the
configuration."""

from __future__ import annotations

import functools
import html.parser
import json
import re
import subprocess
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
REPO_URL = CONFIG["repository"]["url"]


def toc_files() -> list[str]:
    """Every document in the table of contents (without extension), root first."""
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def notebooks() -> list[Path]:
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return (
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    )


def repo_slug() -> str:
    return re.sub(r"^https://github.com/", "", REPO_URL).rstrip("/")


# Fonts every Debian machine has: fonts-dejavu-core (chromium pulls in no others we
# can count on). A character outside them shows as an empty box on such a machine.
DEFAULT_FONTS = ("DejaVu Sans", "DejaVu Sans Mono", "DejaVu Serif")


class _Text(html.parser.HTMLParser):
    """The text a reader sees: no scripts, styles or MathJax source (math is drawn by
    MathJax's own fonts)."""

    SKIP = {"script", "style", "noscript", "svg"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "meta", "link", "input", "hr", "source", "wbr"):
            return
        classes = (dict(attrs).get("class") or "").split()
        skip = tag in self.SKIP or "math" in classes or (self.stack and self.stack[-1])
        self.stack.append(bool(skip))

    def handle_endtag(self, tag):
        if tag in ("br", "img", "meta", "link", "input", "hr", "source", "wbr"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(page_html: str) -> str:
    """The visible text of a built page (without math, scripts and styles)."""
    p = _Text()
    p.feed(page_html)
    return "".join(p.parts)


@functools.cache
def covered_by_default_fonts(char: str) -> bool:
    """Whether one of DEFAULT_FONTS has a glyph for ``char`` (asks fontconfig)."""
    if unicodedata.category(char) in ("Mn", "Cf", "Zs", "Cc") or char in "\ufe0f\ufe0e":
        return (
            True  # combining marks, variation selectors, spaces: no glyph of their own
        )
    out = subprocess.run(
        ["fc-list", f":charset={ord(char):x}", "family"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    families = {f.strip() for line in out.splitlines() for f in line.split(",")}
    return any(f in families for f in DEFAULT_FONTS)
