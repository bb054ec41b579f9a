"""Chapter 3 explorer: start point, gradient noise and learning rate on a landscape with
saddles.

The explorer runs :func:`gdutils.landscape.noisy_gd` on a 2-D objective (by default
:func:`gdutils.objectives.multi_well`, four minima and four saddles), draws the path
over the contours and the loss against the step, and says where the run ended. A start
within ``snap`` of a critical point in both coordinates is moved exactly onto it, so a
slider can start a run *exactly* on a saddle; the explorer snaps only the slider
position nearest to each critical point (half a slider step), so every step of a slider
moves the start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from ..landscape import noisy_gd
from ..objectives import Objective, multi_well
from . import lay_out_once, show_figure

__all__ = [
    "ExplorerRun",
    "describe_end",
    "draw_run",
    "SaddleExplorer",
    "saddle_explorer",
]

_MARKERS = {
    "minimum": ("*", "#009E73"),
    "saddle": ("X", "#D55E00"),
    "maximum": ("^", "#CC79A7"),
    "degenerate": ("D", "#E69F00"),
}


@dataclass(frozen=True)
class ExplorerRun:
    """One run of the explorer: its ``trajectory`` (steps + 1, 2), the loss at every
    step and a verdict.

    >>> ExplorerRun(np.zeros((1, 2)), np.zeros(1), "stayed on a saddle").verdict
    'stayed on a saddle'
    """

    trajectory: np.ndarray
    losses: np.ndarray
    verdict: str


def describe_end(
    objective: Objective, x, *, diverged: bool = False, tol: float = 0.1
) -> str:
    """Where a run ended: at which minimum (global or not), near which other critical
    point, or nowhere.

    >>> w = multi_well()
    >>> describe_end(w, w.minimizers[0] + 0.01)
    'reached the global minimum (f = -0.778)'
    >>> describe_end(w, w.critical_points["saddle"][0])
    'stuck at a saddle (f = -0.351)'
    """
    if diverged:
        return "diverged (the step is too large)"
    x = np.asarray(x, dtype=float)
    for i, m in enumerate(objective.minimizers):
        if np.linalg.norm(x - m) <= tol:
            which = (
                "the global minimum"
                if i == 0
                else f"a local minimum, number {i + 1} by depth"
            )
            return f"reached {which} (f = {objective.fun(m):.3f})"
    for label, points in objective.critical_points.items():
        for p in points:
            if label != "minimum" and np.linalg.norm(x - p) <= tol:
                return f"stuck at a {label} (f = {objective.fun(p):.3f})"
    return "not settled at any critical point"


def draw_run(
    axes,
    objective: Objective,
    start,
    *,
    noise: float = 0.0,
    learning_rate: float = 0.1,
    steps: int = 150,
    seed: int = 0,
    xlim: tuple[float, float] = (-2.5, 2.5),
    ylim: tuple[float, float] = (-2.5, 2.5),
    values: np.ndarray | None = None,
    snap: float = 0.03,
) -> ExplorerRun:
    """Run noisy gradient descent from ``start`` and draw it on (contour, loss)
    ``axes``.

    ``values`` are precomputed contour values (rows = y) on a grid of ``xlim`` x
    ``ylim``.

    >>> fig, axes = plt.subplots(1, 2)
    >>> w = multi_well()
    >>> # snapped onto the saddle
    >>> run = draw_run(axes, w, w.critical_points["saddle"][1] + 0.01, steps=5)
    >>> run.verdict, len(run.losses)
    ('stuck at a saddle (f = -0.457)', 6)
    """
    start = np.asarray(start, dtype=float)
    if start.shape != (2,):
        raise ValueError(f"start must be a point of shape (2,); got {start.shape}.")
    snapped = False
    for points in objective.critical_points.values():
        for p in points:
            if np.max(np.abs(start - p)) <= snap:
                start, snapped = np.array(p, dtype=float), True
    traj = noisy_gd(
        objective.grad,
        start,
        learning_rate=learning_rate,
        noise=noise,
        steps=steps,
        rng=seed,
    )
    diverged = len(traj) < steps + 1 or bool(np.max(np.abs(traj[-1])) > 1e3)
    with np.errstate(over="ignore", invalid="ignore"):
        # a diverging run's last values may overflow
        losses = np.array([objective.fun(p) for p in traj])
    # average out the noise's jitter around the end point
    tail = traj[-max(1, min(20, len(traj) // 4)) :]
    verdict = describe_end(objective, tail.mean(axis=0), diverged=diverged)

    ax_path, ax_loss = axes
    ax_path.clear()
    ax_loss.clear()
    if values is None:
        xs, ys = np.linspace(*xlim, 81), np.linspace(*ylim, 81)
        gx, gy = np.meshgrid(xs, ys)
        values = objective.fun(np.column_stack([gx.ravel(), gy.ravel()])).reshape(
            gx.shape
        )
    ny, nx = values.shape
    # resolve the wells, not the walls
    levels = np.linspace(np.min(values), np.quantile(values, 0.7), 20)
    ax_path.contour(
        np.linspace(*xlim, nx),
        np.linspace(*ylim, ny),
        values,
        levels=levels,
        linewidths=0.7,
        cmap="Greys_r",
        alpha=0.8,
    )
    for label, points in objective.critical_points.items():
        marker, color = _MARKERS.get(label, ("o", "k"))
        P = np.array(points)
        ax_path.plot(
            P[:, 0], P[:, 1], marker, color=color, ms=8, ls="none", label=label
        )
    ax_path.plot(traj[:, 0], traj[:, 1], "-", color="#0072B2", lw=1.2)
    ax_path.plot(*traj[0], "o", color="#0072B2", ms=5)
    ax_path.set(
        xlim=xlim,
        ylim=ylim,
        xlabel="$x$",
        ylabel="$y$",
        title=("start on a critical point, " if snapped else "")
        + f"rate {learning_rate:g}, noise {noise:g}",
    )
    ax_path.title.set_fontsize(10)
    ax_path.legend(loc="lower left", fontsize=8, ncol=3)
    ax_loss.plot(np.arange(len(losses)), losses, color="#0072B2")
    for i, m in enumerate(objective.minimizers):
        ax_loss.axhline(
            objective.fun(m), color="#009E73", lw=0.8, ls="-" if i == 0 else ":"
        )
    finite = losses[np.isfinite(losses)]
    top = max(float(np.max(finite)), 0.5) if finite.size else 1.0
    ax_loss.set(
        xlabel="step",
        ylabel="$f(x_k)$",
        xlim=(0, steps),
        ylim=(min(objective.minimum or 0.0, 0.0) - 0.1, min(top, 5.0) + 0.1),
        title=verdict,
    )
    ax_loss.title.set_fontsize(10)
    return ExplorerRun(traj, losses, verdict)


@dataclass
class SaddleExplorer:
    """The explorer's parts: the ``widget`` to display, the ``figure`` and ``update(x0,
    y0, noise, learning_rate)``.

    >>> SaddleExplorer(None, None, lambda *a: None).widget is None
    True
    """

    widget: object
    figure: object
    update: Callable[..., ExplorerRun]


def saddle_explorer(
    objective: Objective | None = None,
    *,
    steps: int = 150,
    seed: int = 0,
    xlim: tuple[float, float] = (-2.5, 2.5),
    ylim: tuple[float, float] = (-2.5, 2.5),
) -> SaddleExplorer:
    """Sliders for the start (x0, y0), the gradient noise and the learning rate; each
    change redraws.

    The default start is the first saddle of the objective, with no noise: the run
    stays.

    >>> ex = saddle_explorer()
    >>> ex.update(noise=0.0).verdict
    'stuck at a saddle (f = -0.351)'
    >>> ex.update(noise=0.05).verdict
    'reached a local minimum, number 2 by depth (f = -0.651)'
    >>> ex.update(x0=2.4, y0=2.4, noise=0.0, learning_rate=0.6).verdict
    'diverged (the step is too large)'
    """
    import ipywidgets as widgets

    obj = multi_well() if objective is None else objective
    if obj.dim != 2:
        raise ValueError(f"the explorer draws 2-D objectives; got dim = {obj.dim}.")
    saddles = obj.critical_points.get("saddle") or [np.zeros(2)]
    x_start, y_start = (round(float(v), 2) for v in saddles[0])
    step = 0.01  # of the start sliders; only the nearest position snaps (half a step)
    xs, ys = np.linspace(*xlim, 81), np.linspace(*ylim, 81)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    try:  # the chapter's landscapes evaluate a stack of points at once
        values = np.asarray(obj.fun(points), dtype=float).reshape(gx.shape)
    except ValueError:
        values = np.array([obj.fun(p) for p in points]).reshape(gx.shape)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    plt.close(fig)  # shown through the Output widget only
    out = widgets.Output()
    slider = dict(continuous_update=False, style={"description_width": "initial"})
    controls = {
        "x0": widgets.FloatSlider(
            value=x_start,
            min=xlim[0],
            max=xlim[1],
            step=step,
            description="start x0",
            **slider,
        ),
        "y0": widgets.FloatSlider(
            value=y_start,
            min=ylim[0],
            max=ylim[1],
            step=step,
            description="start y0",
            **slider,
        ),
        "noise": widgets.FloatSlider(
            value=0.0,
            min=0.0,
            max=0.5,
            step=0.01,
            description="gradient noise",
            **slider,
        ),
        "learning_rate": widgets.FloatSlider(
            value=0.1,
            min=0.02,
            max=0.7,
            step=0.02,
            description="learning rate",
            **slider,
        ),
    }

    def update(
        x0: float | None = None,
        y0: float | None = None,
        noise: float | None = None,
        learning_rate: float | None = None,
    ) -> ExplorerRun:
        given = {"x0": x0, "y0": y0, "noise": noise, "learning_rate": learning_rate}
        v = {k: controls[k].value if val is None else val for k, val in given.items()}
        run = draw_run(
            axes,
            obj,
            [v["x0"], v["y0"]],
            noise=v["noise"],
            learning_rate=v["learning_rate"],
            steps=steps,
            seed=seed,
            xlim=xlim,
            ylim=ylim,
            values=values,
            snap=step / 2,
        )
        lay_out_once(fig)
        show_figure(out, fig)
        return run

    for c in controls.values():
        c.observe(lambda change: update(), names="value")
    update()
    box = widgets.VBox(
        [
            widgets.HBox([controls["x0"], controls["y0"]]),
            widgets.HBox([controls["noise"], controls["learning_rate"]]),
            out,
        ]
    )
    return SaddleExplorer(box, fig, update)
