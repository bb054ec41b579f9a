"""Chapter 6 explorer: heavy-ball and Nesterov momentum on an ill-conditioned
quadratic."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from ..accelerated import momentum, momentum_rate
from ..objectives import ill_conditioned_quadratic
from ..plotting import contour_path
from . import lay_out_once, show_figure

__all__ = ["MomentumExplorer", "momentum_explorer", "draw_momentum", "measured_rate"]


def measured_rate(errors) -> float:
    """Error decrease per step: exp of the slope of a least-squares line through (k, log
    e_k).

    For an error behaving like C rho^k this is rho; the fit averages out the wobble of
    oscillating (complex-root) errors better than a ratio of two points.

    >>> round(measured_rate(3 * 0.5 ** np.arange(10)), 12)
    0.5
    """
    e = np.asarray(errors, dtype=float)
    if e.ndim != 1 or e.size < 3:
        raise ValueError(
            f"errors must be a 1-D array with at least 3 entries; got shape {e.shape}."
        )
    if not np.all(np.isfinite(e)):
        return float("inf")
    k = np.flatnonzero(e > 0)
    if k.size < 2:
        return 0.0
    return float(np.exp(np.polyfit(k, np.log(e[k]), 1)[0]))


def draw_momentum(
    axes,
    objective,
    rate_times_L: float,
    beta: float,
    *,
    nesterov: bool = False,
    steps: int = 60,
    x0=(-2.0, 1.0),
    xlim=(-2.5, 2.5),
    ylim=(-1.6, 1.6),
    values=None,
):
    """Run ``steps`` of momentum at learning rate ``rate_times_L / L`` and draw it on
    (path, error) axes.

    Left: the path over the contours. Right: the distance to the minimizer against the
    step, with the theoretical envelope rho^k (rho from
    :func:`gdutils.accelerated.momentum_rate`). The right title reports the theoretical
    and the measured rate. Returns the result of :func:`gdutils.accelerated.momentum`
    with ``rho`` and ``measured`` added.

    >>> q = ill_conditioned_quadratic(2, 25.0)
    >>> fig, axes = plt.subplots(1, 2)
    >>> res = draw_momentum(axes, q, 1.0, 0.5, values=np.zeros((81, 81)))
    >>> axes[1].get_title()
    'theory rate 0.911, measured 0.912'
    """
    eig = np.linalg.eigvalsh(objective.hess(np.zeros(objective.dim)))
    L = eig[-1]
    xstar = objective.minimizers[0]
    res = momentum(
        objective.fun,
        np.asarray(x0, dtype=float),
        jac=objective.grad,
        learning_rate=rate_times_L / L,
        beta=beta,
        nesterov=nesterov,
        maxiter=steps,
        gtol=0.0,
    )
    res.rho = momentum_rate(rate_times_L / L, beta, eig, nesterov=nesterov)
    err = np.linalg.norm(res.trajectory - xstar, axis=1)
    res.measured = measured_rate(err) if res.status != 2 else float("inf")
    ax_path, ax_err = axes
    ax_path.clear()
    ax_err.clear()
    contour_path(
        objective.fun,
        res.trajectory,
        xlim=xlim,
        ylim=ylim,
        ax=ax_path,
        values=values,
        log_levels=True,
        levels=12,
        mark={"": tuple(xstar)},
    )
    name = "Nesterov" if nesterov else "heavy ball"
    ax_path.set(
        xlabel="$x_1$",
        ylabel="$x_2$",
        title=f"{name}: η = {rate_times_L:.2f}/L, β = {beta:.2f}",
    )
    k = np.arange(len(err))
    ax_err.semilogy(k, err, "o-", ms=2.5, label="measured")
    if np.isfinite(res.rho) and res.rho > 0:
        ax_err.semilogy(k, err[0] * res.rho**k, "k--", lw=1, label=r"$\rho^k$ (theory)")
    ax_err.set(
        xlabel="step $k$",
        ylabel=r"distance to minimum",
        ylim=(1e-8, 1e3),
        xlim=(0, steps),
        yticks=[1e-8, 1e-5, 1e-2, 1e1],
    )
    # fixed ticks: a redraw need not recompute a log locator
    ax_err.yaxis.set_minor_locator(plt.NullLocator())
    if res.status == 2 or res.rho >= 1:
        ax_err.set_title(f"diverges: theory rate {res.rho:.3f} >= 1")
    else:
        ax_err.set_title(f"theory rate {res.rho:.3f}, measured {res.measured:.3f}")
    ax_err.legend(loc="lower left")
    return res


@dataclass
class MomentumExplorer:
    """The explorer's parts: the widget to display, the figure, and
    ``update(rate_times_L, beta, nesterov)``.

    >>> MomentumExplorer(None, None, print).update("no widget here")
    no widget here
    """

    widget: object
    figure: object
    update: object


def momentum_explorer(condition: float = 25.0, *, steps: int = 60) -> MomentumExplorer:
    """Sliders for the learning rate (times L) and beta, and a Nesterov switch, on a 2-D
    quadratic.

    >>> ex = momentum_explorer(steps=20)
    >>> # 5 > 2 (1 + 0.9): diverges
    >>> ex.update(1.0, 0.0).status, ex.update(5.0, 0.9).status
    (1, 2)
    """
    import ipywidgets as widgets

    q = ill_conditioned_quadratic(2, condition)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    plt.close(fig)  # shown through the Output widget only
    xs, ys = np.linspace(-2.5, 2.5, 81), np.linspace(-1.6, 1.6, 81)
    values = np.array([[q.fun(np.array([a, b])) for a in xs] for b in ys])
    out = widgets.Output()

    def update(rate_times_L: float, beta: float, nesterov: bool = False):
        res = draw_momentum(
            axes, q, rate_times_L, beta, nesterov=nesterov, steps=steps, values=values
        )
        lay_out_once(fig)
        show_figure(out, fig)
        return res

    style = {"description_width": "initial"}
    rate = widgets.FloatSlider(
        value=1.8,
        min=0.1,
        max=4.2,
        step=0.05,
        description="rate x L",
        continuous_update=False,
        style=style,
    )
    beta = widgets.FloatSlider(
        value=0.0,
        min=0.0,
        max=0.98,
        step=0.02,
        description="beta",
        continuous_update=False,
        style=style,
    )
    nesterov = widgets.Checkbox(value=False, description="Nesterov")
    for w in (rate, beta, nesterov):
        w.observe(
            lambda change: update(rate.value, beta.value, nesterov.value), names="value"
        )
    update(rate.value, beta.value, nesterov.value)
    return MomentumExplorer(
        widgets.VBox([widgets.HBox([rate, beta, nesterov]), out]), fig, update
    )
