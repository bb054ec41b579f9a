"""The chapter 1 explorer works without a browser: update() redraws the figure."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from gdutils import data  # noqa: E402
from gdutils.widgets.ch01 import learning_rate_explorer  # noqa: E402


def test_update_redraws_path_and_reports_regime():
    X, y, _ = data.linear_regression(n=30, d=1, weights=[2.0], bias=1.0, noise=0.3, rng=0)
    ex = learning_rate_explorer(X + 1.5, y, steps=10)
    ax_path, ax_loss = ex.figure.axes
    before = ax_path.lines[0].get_xydata().copy()
    slow = ex.update(0.2)
    after = ax_path.lines[0].get_xydata().copy()
    assert not np.array_equal(before, after)
    assert ax_loss.get_title() == "converges monotonically" and slow.loss_history[-1] < slow.loss_history[0]
    fast = ex.update(1.15)
    assert ax_loss.get_title() == "diverges" and fast.loss_history[-1] > fast.loss_history[0]
    assert ex.update(0.8).loss_history[-1] < slow.loss_history[-1]  # larger stable rate: faster
    assert ax_path.get_title() == "rate = 0.80 x 2/L"
    # the slider drives the same update
    slider = ex.widget.children[0]
    slider.value = 1.2
    assert ax_path.get_title() == "rate = 1.20 x 2/L"
