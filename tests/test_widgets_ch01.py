"""The chapter 1 explorer works without a browser: update() redraws the figure."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from gdutils import data  # noqa: E402
from gdutils.widgets.ch01 import learning_rate_explorer, regime  # noqa: E402


def test_update_redraws_path_and_reports_regime():
    X, y, _ = data.linear_regression(
        n=30, d=1, weights=[2.0], bias=1.0, noise=0.3, rng=0
    )
    ex = learning_rate_explorer(X + 1.5, y, steps=10)
    ax_path, ax_loss = ex.figure.axes
    before = ax_path.lines[0].get_xydata().copy()
    slow = ex.update(0.2)
    after = ax_path.lines[0].get_xydata().copy()
    assert not np.array_equal(before, after)
    assert (
        ax_loss.get_title() == "converges smoothly"
        and slow.loss_history[-1] < slow.loss_history[0]
    )
    fast = ex.update(1.15)
    assert (
        ax_loss.get_title() == "diverges"
        and fast.loss_history[-1] > fast.loss_history[0]
    )
    # larger stable rate: faster
    assert ex.update(0.8).loss_history[-1] < slow.loss_history[-1]
    assert (
        ax_path.get_title() == "$\\eta$ = 0.80 $\\times$ 2/L"
        and ax_loss.get_title() == "zig-zags, converges"
    )
    # the slider drives the same update
    slider = ex.widget.children[0]
    slider.value = 1.2
    assert ax_path.get_title() == "$\\eta$ = 1.20 $\\times$ 2/L"


@pytest.mark.parametrize("fraction", [0.2, 0.45, 0.55, 0.9, 1.0, 1.1])
def test_regime_names_what_the_iterates_do(fraction):
    """The label agrees with the iterates along the stiffest direction (factor 1 - 2 *
    fraction)."""
    X, y, _ = data.linear_regression(
        n=30, d=1, weights=[2.0], bias=1.0, noise=0.3, rng=0
    )
    X = X + 1.5
    A = np.column_stack([X, np.ones(len(X))])
    H = 2 / len(X) * A.T @ A
    eigs, vecs = np.linalg.eigh(H)
    theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
    theta = theta_star + vecs[:, -1]  # start on the stiffest direction
    errors = []
    for _ in range(8):
        theta = theta - fraction * 2 / eigs[-1] * 2 / len(X) * A.T @ (A @ theta - y)
        errors.append((theta - theta_star) @ vecs[:, -1])
    errors = np.array(errors)
    label = regime(fraction)
    flips = np.all(errors[1:] * errors[:-1] < 0)
    shrinks = np.all(np.diff(np.abs(errors)) < 0)
    if label == "converges smoothly":
        assert np.all(errors > 0) and shrinks
    elif label == "zig-zags, converges":
        assert flips and shrinks
    elif label == "at 2/L: never settles":
        assert flips and np.allclose(np.abs(errors), 1.0)
    else:
        assert label == "diverges" and flips and np.all(np.diff(np.abs(errors)) > 0)
