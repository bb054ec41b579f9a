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


@pytest.mark.parametrize("chapter", ["ch01", "ch03", "ch06", "ch08"])
def test_explorers_lay_out_once_not_on_every_redraw(chapter, monkeypatch):
    """tight_layout was about nine tenths of a redraw: only the first draw runs it."""
    import importlib

    import numpy as np

    import gdutils as gdu

    calls = []
    monkeypatch.setattr(Figure, "tight_layout", lambda self, *a, **k: calls.append(1))
    mod = importlib.import_module(f"gdutils.widgets.{chapter}")
    if chapter == "ch01":
        X, y, _ = gdu.data.linear_regression(n=30, d=2, rng=np.random.default_rng(0))
        ex = mod.learning_rate_explorer(X, y, steps=5)
        settings = [{"fraction": 0.5}, {"fraction": 0.9}]
    elif chapter == "ch03":
        ex = mod.saddle_explorer(steps=5)
        settings = [{"noise": 0.05}, {"noise": 0.0}]
    elif chapter == "ch06":
        ex = mod.momentum_explorer(25.0, steps=5)
        settings = [
            {"rate_times_L": 0.5, "beta": 0.5},
            {"rate_times_L": 0.9, "beta": 0.8},
        ]
    else:
        ex = mod.rate_explorer(steps=5)
        settings = [
            {"kappa": 10.0, "step_times_L": 0.5},
            {"kappa": 100.0, "step_times_L": 1.0},
        ]
    first = len(calls)
    for s in settings * 2:
        ex.update(**s)
    assert first == 1 and len(calls) == 1
