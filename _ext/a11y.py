"""Accessibility fixes for markup the book does not write itself (checked by axe-core).

Two kinds, both measured by ``tests/test_book.py::test_page_is_accessible``:

* In the page body (docutils, myst-nb), rewritten at build time: the citation list is
  ``role="list"`` with ``doc-biblioentry`` children, which ARIA does not allow (a list
  needs ``listitem`` children: axe "aria-required-children", critical) and
  ``doc-biblioentry`` is deprecated; the plain ``div``s read the same. A hidden cell's
  ``<summary aria-label="Toggle hidden content">`` names the control differently from
  the text it shows ("Show code cell source"; axe "label-content-name-mismatch",
  serious): the visible text is the better name.
* In the theme's header (pydata-sphinx-theme templates), fixed by a small script when
  the page loads: the search button's ``aria-label="Search"`` hides its visible text
  ("Search Ctrl+K"), and the colour-mode button's icons carry ``title``s ("Light",
  "Dark") that differ from its label "Color mode".

And one colour: links in exercise boxes lacked contrast (``static/a11y.css``).
"""

from __future__ import annotations

import re
from pathlib import Path

_BODY_FIXES = (
    (
        re.compile(r'<div role="list" class="citation-list">'),
        '<div class="citation-list">',
    ),
    (re.compile(r'(<div class="citation" id="[^"]+") role="doc-biblioentry">'), r"\1>"),
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
)

HEADER_FIX_JS = """
const gdbookA11yFix = () => {
  // a control whose visible text differs from its aria-label is named by its text
  document.querySelectorAll("button.search-button__button[aria-label]").forEach((b) => {
    if (b.innerText.trim()) b.removeAttribute("aria-label");
  });
  // the colour-mode icons are decorative: the button's label says what it does
  // (Font Awesome may already have turned the <i> into an <svg> with a <title>)
  document.querySelectorAll(".theme-switch-button .theme-switch").forEach((icon) => {
    icon.removeAttribute("title");
    icon.removeAttribute("aria-labelledby");
    icon.querySelectorAll("title").forEach((t) => t.remove());
    icon.setAttribute("aria-hidden", "true");
  });
};
// once the markup is there, and again after the theme's deferred scripts have run
document.addEventListener("DOMContentLoaded", gdbookA11yFix);
window.addEventListener("load", gdbookA11yFix);
"""


def fix_body(html: str) -> str:
    """Apply the body fixes to one page's HTML.

    >>> fix_body(
    ...     '<div role="list" class="citation-list">'
    ...     '<div class="citation" id="x" role="doc-biblioentry">'
    ... )
    '<div class="citation-list"><div class="citation" id="x">'
    >>> fix_body('<summary aria-label="Toggle hidden content">Show code</summary>')
    '<summary>Show code</summary>'
    """
    for pattern, repl in _BODY_FIXES:
        html = pattern.sub(repl, html)
    return html


def _fix_page(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = fix_body(context["body"])


def _add_static(app, config) -> None:
    config.html_static_path.append(str(Path(__file__).with_name("static")))


def setup(app):
    app.connect("config-inited", _add_static)
    app.add_css_file("a11y.css")
    app.add_js_file(None, body=HEADER_FIX_JS)
    app.connect("html-page-context", _fix_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
