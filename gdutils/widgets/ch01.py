"""Chapter 1 explorer: how the learning rate changes gradient descent on a 2-parameter
MSE."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import OptimizeResult

from ..losses import mse, mse_grad, mse_hessian
from ..optimizers import gradient_descent
from ..plotting import contour_path
from . import lay_out_once, show_figure

__all__ = [
    "LearningRateExplorer",
    "draw_learning_rate",
    "learning_rate_explorer",
    "regime",
]


def regime(fraction: float) -> str:
    """What gradient descent on a quadratic does at the rate ``fraction * 2/L``.

    Along the stiffest direction each step multiplies the error by ``1 - 2 * fraction``:
    positive below 1/L (``fraction < 0.5``), negative between 1/L and 2/L (the path
    zig-zags across the valley), of modulus one exactly at 2/L and above one past it.

    >>> [regime(f) for f in (0.2, 0.8, 1.0, 1.1)]
    ['converges smoothly', 'zig-zags, converges', 'at 2/L: never settles', 'diverges']
    """
    if np.isclose(fraction, 1.0):
        return "at 2/L: never settles"
    if fraction > 1.0:
        return "diverges"
    return "zig-zags, converges" if fraction > 0.5 else "converges smoothly"


def draw_learning_rate(
    axes,
    X: np.ndarray,
    y: np.ndarray,
    fraction: float,
    *,
    steps: int = 25,
    xlim: tuple[float, float] = (-1, 5),
    ylim: tuple[float, float] = (-3, 4),
    values: np.ndarray | None = None,
    fontsize: float | None = None,
) -> OptimizeResult:
    """Draw ``steps`` of gradient descent at rate ``fraction * 2/L`` on (contour, loss)
    axes.

    The path panel's title gives the rate, the loss panel's title the regime
    (:func:`regime`). ``fontsize`` shrinks labels and ticks for a small figure.
    Returns the result of :func:`gdutils.gradient_descent`.

    >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([3.0, 5.0, 7.0])
    >>> fig, axes = plt.subplots(1, 2)
    >>> draw_learning_rate(axes, X, y, 0.5, steps=5, values=np.zeros((81, 81))).nit
    5
    """
    limit = 2.0 / np.linalg.eigvalsh(mse_hessian(X))[-1]
    res = gradient_descent(
        mse,
        np.array([0.0, -2.0]),
        (X, y),
        mse_grad,
        learning_rate=fraction * limit,
        maxiter=steps,
        gtol=0.0,
    )
    ax_path, ax_loss = axes
    ax_path.clear()
    ax_loss.clear()
    contour_path(
        lambda t: mse(t, X, y),
        res.trajectory,
        xlim=xlim,
        ylim=ylim,
        ax=ax_path,
        values=values,
        log_levels=True,
        levels=15,
    )
    ax_path.set_xlabel("weight $w$", fontsize=fontsize)
    ax_path.set_ylabel("bias $b$", fontsize=fontsize)
    ax_path.set_title(f"$\\eta$ = {fraction:.2f} $\\times$ 2/L", fontsize=fontsize)
    ax_loss.semilogy(res.loss_history, "o-", ms=3 if fontsize is None else 2)
    ax_loss.set_xlabel("step", fontsize=fontsize)
    ax_loss.set_ylabel("MSE", fontsize=fontsize)
    ax_loss.set_title(regime(fraction), fontsize=fontsize)
    ax_loss.set_ylim(1e-3, 1e4)
    if fontsize is not None:
        for ax in axes:
            ax.tick_params(labelsize=fontsize)
    return res


@dataclass
class LearningRateExplorer:
    """The explorer's parts: the widget to display, the figure, and
    ``update(fraction)``.

    >>> parts = LearningRateExplorer(widget=None, figure=None, update=lambda f: f)
    >>> parts.update(0.5)
    0.5
    """

    widget: object
    figure: object
    update: object


def learning_rate_explorer(X, y, *, steps: int = 25) -> LearningRateExplorer:
    """A slider for the learning rate (as a fraction of 2/L) that redraws path and loss.

    >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([3.0, 5.0, 7.0])
    >>> ex = learning_rate_explorer(X, y, steps=3)
    >>> res = ex.update(1.2)  # past the stability limit: the loss grows
    >>> bool(res.loss_history[-1] > res.loss_history[0])
    True
    """
    import ipywidgets as widgets

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    plt.close(fig)  # shown through the Output widget only
    xs, ys = np.linspace(-1, 5, 81), np.linspace(-3, 4, 81)
    values = np.array([[mse(np.array([a, b]), X, y) for a in xs] for b in ys])
    out = widgets.Output()

    def update(fraction: float):
        res = draw_learning_rate(axes, X, y, fraction, steps=steps, values=values)
        lay_out_once(fig)
        show_figure(out, fig)
        return res

    slider = widgets.FloatSlider(
        value=0.5,
        min=0.05,
        max=1.2,
        step=0.05,
        description="rate / (2/L)",
        continuous_update=False,
        style={"description_width": "initial"},
    )
    slider.observe(lambda change: update(change["new"]), names="value")
    update(slider.value)
    return LearningRateExplorer(widgets.VBox([slider, out]), fig, update)
