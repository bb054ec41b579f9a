"""show_figure: one state update of the Output widget, never a capture (see its
docstring)."""

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

ipywidgets = pytest.importorskip("ipywidgets")

from gdutils.widgets import show_figure  # noqa: E402


class _Shell:
    """Just enough of an IPython shell: the display formatter, with PNG for figures."""

    def __init__(self):
        from IPython.core.formatters import DisplayFormatter

        self.display_formatter = DisplayFormatter()
        png = self.display_formatter.formatters["image/png"]
        png.for_type(Figure, lambda fig: b"\x89PNG fake " + fig.get_label().encode())


def test_replaces_outputs_in_one_update_without_capturing(monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: _Shell())
    out = ipywidgets.Output()
    updates = []
    out.observe(lambda change: updates.append(change["new"]), names="outputs")
    captures = []
    monkeypatch.setattr(type(out), "__enter__", lambda self: captures.append(1))
    for label in ("first", "second"):
        fig = Figure()
        fig.set_label(label)
        assert show_figure(out, fig) is True
    assert captures == [], "show_figure must not capture with `with out:`"
    assert len(updates) == 2, "one state update per redraw"
    (shown,) = out.outputs  # the old figure is replaced, not appended to
    assert shown["output_type"] == "display_data"
    assert shown["data"]["image/png"] == b"\x89PNG fake second"
    assert "text/plain" in shown["data"]


def test_no_kernel_does_nothing():
    out = ipywidgets.Output()
    assert show_figure(out, plt.figure()) is False
    assert out.outputs == ()
    plt.close("all")
