"""Leave sphinx-thebe's scripts out of the pages: the book has no live code cells.

Jupyter Book 1 always loads the ``sphinx_thebe`` extension, and it adds its
configuration script (``const THEBE_JS_URL = ...``) at every ``env-before-read-docs``,
which fires more than once in a build: every page then declared ``THEBE_JS_URL`` twice
and threw "Identifier 'THEBE_JS_URL' has already been declared". Launch buttons go to
Binder and Colab (``launch_buttons.thebe: false``), so the scripts are dropped instead
of deduplicated.
"""

from __future__ import annotations


def is_thebe_script(js) -> bool:
    """True for sphinx-thebe's inline configuration, its loader and the thebe bundle.

    >>> is_thebe_script("_static/sphinx-thebe.js"), is_thebe_script("_static/jquery.js")
    (True, False)
    """
    body = getattr(js, "attributes", {}).get("body", "") or ""
    filename = getattr(js, "filename", None) or str(js)
    return "THEBE_JS_URL" in body or "thebe" in filename.rsplit("/", 1)[-1]


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [js for js in scripts if not is_thebe_script(js)]


def setup(app):
    # after every script is added
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
