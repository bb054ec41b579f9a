"""Keep saved ipywidgets state out of the HTML.

Executing a chapter records the state of its explorer widgets in the notebook, and
myst-nb embeds it in the page for a widget renderer loaded from a CDN. Without a kernel
those widgets would be dead (and offline, blank), so the book shows a static twin
instead and drops the state here: lighter pages, no dead controls.
"""

from __future__ import annotations


def _drop_widget_state(app, pagename, *args) -> None:
    js_files = getattr(app.env, "nb_metadata", {}).get(pagename, {}).get("js_files", {})
    for key in [k for k in js_files if k.startswith("ipywidgets")]:
        del js_files[key]


def setup(app):
    # run before myst-nb adds the page's JS files (default priority 500)
    app.connect("html-page-context", _drop_widget_state, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
