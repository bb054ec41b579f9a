"""Convergence-rate explorer: the condition number and the step of gradient descent on a
2-D quadratic."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullLocator

from ..objectives import quadratic
from ..optimizers import gradient_descent
from ..plotting import contour_path
from ..rates import gd_factor, per_step_rate
from . import lay_out_once, show_figure

__all__ = ["RateExplorer", "rate_explorer", "draw_rate"]


def draw_rate(
    axes,
    kappa: float,
    step_times_L: float,
    *,
    steps: int = 40,
    x0=(1.0, 1.0),
    values=None,
):
    """Run ``steps`` of gradient descent on f = 1/2 (x1^2 + kappa x2^2) at the step
    ``step_times_L / L``; draw it.

    Left: the path over the contours. Right: the distance to the minimum against the
    step with the predicted envelope rho^k, rho = max(|1 - eta mu|, |1 - eta L|). The
    right title prints the predicted and the measured rate (the fitted slope of the log
    distance over the second half of the run). Returns the run with ``rho`` and
    ``measured`` added.

    >>> fig, axes = plt.subplots(1, 2)
    >>> res = draw_rate(axes, 10.0, 1.0)
    >>> axes[1].get_title()
    'predicted rate 0.900, measured 0.900'
    """
    L, mu = float(kappa), 1.0
    q = quadratic(np.diag([mu, L]))
    eta = step_times_L / L
    res = gradient_descent(
        q.fun,
        np.asarray(x0, dtype=float),
        jac=q.grad,
        learning_rate=eta,
        maxiter=steps,
        gtol=0.0,
        divergence_factor=1e30,
    )
    res.rho = gd_factor(eta, [mu, L])
    err = np.linalg.norm(res.trajectory, axis=1)
    ok = res.status != 2 and np.all(err[steps // 2 :] > 0)
    res.measured = per_step_rate(err, steps // 2, len(err)) if ok else float("inf")
    ax_path, ax_err = axes
    ax_path.clear()
    ax_err.clear()
    if values is None:
        # the quadratic on contour_path's default 81 x 81 grid, vectorised
        g1, g2 = np.meshgrid(np.linspace(-1.3, 1.3, 81), np.linspace(-1.3, 1.3, 81))
        values = 0.5 * (mu * g1**2 + L * g2**2)
    contour_path(
        q.fun,
        res.trajectory,
        xlim=(-1.3, 1.3),
        ylim=(-1.3, 1.3),
        ax=ax_path,
        values=values,
        log_levels=True,
        levels=12,
        mark={"": (0.0, 0.0)},
    )
    ax_path.set(
        xlabel="$x_1$", ylabel="$x_2$", title=f"κ = {kappa:g}, η = {step_times_L:.2f}/L"
    )
    k = np.arange(len(err))
    ax_err.semilogy(k, err, "o-", ms=2.5, label="measured")
    ax_err.semilogy(k, err[0] * res.rho**k, "k--", lw=1, label=r"$\rho^k$ (predicted)")
    ax_err.set(
        xlabel="step $k$",
        ylabel="distance to minimum",
        ylim=(1e-12, 1e3),
        xlim=(0, steps),
        yticks=[1e-12, 1e-8, 1e-4, 1.0],
    )
    # few log ticks: each tick label is typeset, every frame
    ax_err.yaxis.set_minor_locator(NullLocator())
    if res.rho >= 1:
        ax_err.set_title(f"diverges: predicted rate {res.rho:.3f} >= 1")
    else:
        ax_err.set_title(f"predicted rate {res.rho:.3f}, measured {res.measured:.3f}")
    ax_err.legend(loc="lower left")
    return res


@dataclass
class RateExplorer:
    """The explorer's parts: the widget, the figure, and ``update(kappa,
    step_times_L)``.

    >>> RateExplorer(None, None, print).update("no widget here")
    no widget here
    """

    widget: object
    figure: object
    update: object


def rate_explorer(*, steps: int = 40) -> RateExplorer:
    """Sliders for kappa and for the step (in units of 1/L) on f = 1/2 (x1^2 + kappa
    x2^2).

    >>> ex = rate_explorer(steps=20)
    >>> # 1 - 1/kappa; past 2/L: > 1
    >>> ex.update(10.0, 1.0).rho, round(ex.update(10.0, 2.1).rho, 12)
    (0.9, 1.1)
    """
    import ipywidgets as widgets

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    plt.close(fig)  # shown through the Output widget only
    out = widgets.Output()

    def update(kappa: float, step_times_L: float):
        res = draw_rate(axes, kappa, step_times_L, steps=steps)
        lay_out_once(fig)
        show_figure(out, fig)
        return res

    style = {"description_width": "initial"}
    kappa = widgets.FloatLogSlider(
        value=10.0,
        base=10,
        min=0,
        max=3,
        step=0.1,
        description="kappa",
        continuous_update=False,
        style=style,
    )
    step = widgets.FloatSlider(
        value=1.0,
        min=0.05,
        max=2.2,
        step=0.05,
        description="step x L",
        continuous_update=False,
        style=style,
    )
    for w in (kappa, step):
        w.observe(lambda change: update(kappa.value, step.value), names="value")
    update(kappa.value, step.value)
    return RateExplorer(widgets.VBox([widgets.HBox([kappa, step]), out]), fig, update)
