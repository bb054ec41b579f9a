"""Chapter 2 explorer: learning rate, batch size and schedule -> the path and the loss
curve.

The explorer runs :func:`gdutils.minibatch_gd` on a two-parameter problem (one feature
and a bias, theta = (w, b)) and redraws, on one figure, the path over the loss contours
and the full-data loss after every epoch. ``update(...)`` does the work and can be
called without any widget (tests and the chapter's static twin do); ``widget()`` wraps
it in ipywidgets controls for a live kernel.

>>> import numpy as np
>>> x = np.linspace(0.0, 2.0, 16)
>>> ex = BatchExplorer(x.reshape(-1, 1), 2 * x - 1, [0.0, 0.0], epochs=2, resolution=11)
>>> res = ex.update(learning_rate=0.1, batch_size=4, schedule="1/t")
>>> res.nit, ex.path_line.get_xdata().shape
(8, (9,))
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure

from .. import losses, schedules
from .._validation import as_data, as_positive, as_rng, as_vector
from ..optimizers import minibatch_gd
from ..stochastic import steps_per_epoch
from . import show_figure

__all__ = ["SCHEDULES", "make_schedule", "BatchExplorer"]


def _constant(rate: float, per_epoch: int, epochs: int):
    return schedules.constant(rate)


def _step(rate: float, per_epoch: int, epochs: int):
    return schedules.step_decay(rate, factor=0.5, every=max(1, epochs // 4) * per_epoch)


def _inverse(rate: float, per_epoch: int, epochs: int):
    return schedules.inverse_time(rate, decay=1.0 / per_epoch)


def _cosine(rate: float, per_epoch: int, epochs: int):
    return schedules.cosine(rate, total_steps=epochs * per_epoch)


#: Schedule names offered by the explorer -> factory(rate, updates per epoch, epochs).
SCHEDULES: dict[str, Callable] = {
    "constant": _constant,
    "step decay": _step,  # halve every quarter of the run
    "1/t": _inverse,  # rate / (1 + epoch), in updates
    "cosine": _cosine,  # from rate to 0 over the run
}


def make_schedule(
    name: str, rate: float, per_epoch: int, epochs: int
) -> Callable[[int], float]:
    """The explorer's schedule ``name`` for a run of ``epochs`` epochs of ``per_epoch``
    updates.

    "step decay" halves the rate every quarter of the run, "1/t" divides it by
    1 + (epochs so far), "cosine" anneals it to 0 at the end of the run.

    >>> make_schedule("1/t", 0.1, per_epoch=10, epochs=5)(20)
    0.03333333333333333
    """
    if name not in SCHEDULES:
        raise ValueError(f"schedule must be one of {sorted(SCHEDULES)}; got {name!r}.")
    as_positive(rate, "learning_rate")
    as_positive(per_epoch, "per_epoch", integer=True)
    as_positive(epochs, "epochs", integer=True)
    return SCHEDULES[name](rate, per_epoch, epochs)


class BatchExplorer:
    """Mini-batch gradient descent on one feature plus a bias, drawn as path and loss
    curve.

    ``X`` (n, 1) and ``y`` (n,) define the mean-squared-error loss of theta = (w, b);
    ``theta0`` is the start. Every :meth:`update` reruns ``epochs`` epochs with the same
    ``seed`` (an integer, a SeedSequence, or a Generator such as ``gdu.book_rng(name)``,
    whose state is copied for every run: so only the settings change the picture) and
    moves the artists of :attr:`fig`: :attr:`path_line` (the iterates),
    :attr:`loss_line` (loss per epoch).

    >>> x = np.linspace(0.0, 2.0, 8)
    >>> ex = BatchExplorer(x.reshape(-1, 1), 2 * x, [0.0, 0.0], epochs=3, resolution=11)
    >>> before = ex.loss_line.get_ydata().copy()
    >>> _ = ex.update(learning_rate=0.01, batch_size=None)
    >>> # a smaller rate: higher losses
    >>> bool(np.all(ex.loss_line.get_ydata()[1:] > before[1:]))
    True
    """

    def __init__(
        self,
        X,
        y,
        theta0,
        *,
        epochs: int = 10,
        seed: int | np.random.Generator | np.random.SeedSequence = 0,
        xlim: tuple[float, float] | None = None,
        ylim: tuple[float, float] | None = None,
        resolution: int = 61,
        figsize: tuple[float, float] = (5.0, 3.5),
        defaults: dict | None = None,
    ):
        X, y = as_data(X, y)
        if X.shape[1] != 1:
            raise ValueError(
                "X must have shape (n, 1): one feature, plus the bias, makes a 2-D"
                f" picture; got {X.shape}."
            )
        self.X, self.y = X, y
        self.theta0 = as_vector(theta0, "theta0", size=2)
        as_positive(epochs, "epochs", integer=True)
        as_positive(resolution, "resolution", integer=True)
        self.epochs, self.seed = int(epochs), seed
        self._gen = as_rng(seed)  # validated; every run starts from a copy of its state
        A = np.column_stack([X[:, 0], np.ones(len(y))])
        self.minimizer = np.linalg.lstsq(A, y, rcond=None)[0]
        if xlim is None or ylim is None:
            span = np.abs(self.theta0 - self.minimizer).max() * 1.3 + 0.5
            lo, hi = (
                np.minimum(self.theta0, self.minimizer) - 0.3 * span,
                np.maximum(self.theta0, self.minimizer) + 0.3 * span,
            )
            xlim = xlim or (float(lo[0]), float(hi[0]))
            ylim = ylim or (float(lo[1]), float(hi[1]))
        self.xlim, self.ylim = xlim, ylim
        self.settings = {
            "learning_rate": 0.05,
            "batch_size": 8,
            "schedule": "constant",
            **(defaults or {}),
        }
        self.result = None

        self.fig = Figure(figsize=figsize, layout="constrained")
        self.ax_path, self.ax_loss = self.fig.subplots(1, 2, width_ratios=[1.15, 1])
        W, B = np.meshgrid(
            np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
        )
        Z = np.mean((W[..., None] * X[:, 0] + B[..., None] - y) ** 2, axis=-1)
        levels = np.geomspace(Z.min() * 1.02 + 1e-12, Z.max(), 12)
        self.ax_path.contour(W, B, Z, levels=levels, colors="0.6", linewidths=0.6)
        self.ax_path.plot(*self.minimizer, "k*", ms=10, zorder=5)
        (self.path_line,) = self.ax_path.plot([], [], "-", lw=0.8, color="#0072B2")
        (self.end_point,) = self.ax_path.plot(
            [], [], "o", ms=6, mfc="none", mew=1.5, color="#D55E00", zorder=6
        )
        self.ax_path.set(xlim=xlim, ylim=ylim, xlabel="weight $w$", ylabel="bias $b$")
        self.loss_star = losses.mse(self.minimizer, X, y)
        self.ax_loss.axhline(self.loss_star, ls="--", c="k", lw=0.8)
        (self.loss_line,) = self.ax_loss.plot(
            [], [], "o-", ms=2.5, lw=1.2, color="#0072B2"
        )
        self.ax_loss.set(
            yscale="log", xlabel="epoch", ylabel="loss", xlim=(0, self.epochs)
        )
        start = losses.mse(self.theta0, X, y)
        self.ax_loss.set_ylim(self.loss_star * 0.8, start * 3)
        self.update()

    def run(
        self, learning_rate: float, batch_size: int | None, schedule: str = "constant"
    ):
        """Run ``minibatch_gd`` with these settings (the same seed every time) and
        return its result.

        >>> x = np.linspace(0.0, 2.0, 8)
        >>> BatchExplorer(
        ...     x.reshape(-1, 1), 2 * x, [0.0, 0.0], epochs=1, resolution=11
        ... ).run(0.1, 8).nit
        1
        """
        per_epoch = steps_per_epoch(len(self.y), batch_size)
        rate = make_schedule(schedule, learning_rate, per_epoch, self.epochs)
        return minibatch_gd(
            losses.mse,
            self.theta0,
            (self.X, self.y),
            losses.mse_grad,
            batch_size=batch_size,
            learning_rate=rate,
            epochs=self.epochs,
            rng=copy.deepcopy(self._gen),
        )

    def update(
        self,
        learning_rate: float | None = None,
        batch_size: int | None | str = "keep",
        schedule: str | None = None,
    ):
        """Change any of the settings, rerun, redraw; returns the optimizer's result.

        ``batch_size=None`` means the full batch; leave it out to keep the current one.

        >>> x = np.linspace(0.0, 2.0, 8)
        >>> ex = BatchExplorer(
        ...     x.reshape(-1, 1), 2 * x, [0.0, 0.0], epochs=1, resolution=11
        ... )
        >>> ex.update(batch_size=None).nit, ex.settings["batch_size"]
        (1, None)
        """
        if learning_rate is not None:
            self.settings["learning_rate"] = learning_rate
        if batch_size != "keep":
            self.settings["batch_size"] = batch_size
        if schedule is not None:
            self.settings["schedule"] = schedule
        s = self.settings
        res = self.run(s["learning_rate"], s["batch_size"], s["schedule"])
        self.result = res
        path = res.trajectory
        self.path_line.set_data(path[:, 0], path[:, 1])
        self.end_point.set_data([path[-1, 0]], [path[-1, 1]])
        self.loss_line.set_data(np.arange(len(res.loss_history)), res.loss_history)
        b = "full" if s["batch_size"] in (None, len(self.y)) else s["batch_size"]
        verdict = "diverged" if res.status == 2 else f"loss {res.fun:.3g}"
        self.ax_path.set_title(f"rate {s['learning_rate']:.3g}, batch {b}", fontsize=9)
        self.ax_loss.set_title(f"{s['schedule']}: {verdict}", fontsize=9)
        self.fig.canvas.draw_idle()
        return res

    def widget(
        self,
        batch_sizes: Sequence[int] = (1, 2, 4, 8, 16, 32),
        rates: tuple[float, float] = (0.003, 1.0),
    ):
        """ipywidgets controls (rate, batch size, schedule) above the figure, for a live
        kernel.

        >>> x = np.linspace(0.0, 2.0, 8)
        >>> ex = BatchExplorer(
        ...     x.reshape(-1, 1), 2 * x, [0.0, 0.0], epochs=1, resolution=11
        ... )
        >>> box = ex.widget(batch_sizes=(1, 2))
        >>> [c.description for c in box.children[:3]]
        ['rate', 'batch size', 'schedule']
        """
        import ipywidgets as w

        n = len(self.y)
        options = [(str(b), b) for b in batch_sizes if b < n] + [(f"full ({n})", n)]
        s = self.settings
        lo, hi = np.log10(rates[0]), np.log10(rates[1])
        rate = w.FloatLogSlider(
            value=s["learning_rate"],
            base=10,
            min=lo,
            max=hi,
            step=0.05,
            description="rate",
            readout_format=".3g",
            continuous_update=False,
        )
        current = n if s["batch_size"] is None else s["batch_size"]
        batch = w.SelectionSlider(
            options=options,
            value=current if current in dict(options).values() else n,
            description="batch size",
            continuous_update=False,
        )
        sched = w.Dropdown(
            options=list(SCHEDULES), value=s["schedule"], description="schedule"
        )
        out = w.Output()

        def redraw(_change=None):
            self.update(
                learning_rate=rate.value, batch_size=batch.value, schedule=sched.value
            )
            show_figure(out, self.fig)

        for control in (rate, batch, sched):
            control.observe(redraw, names="value")
        redraw()
        return w.VBox([rate, batch, sched, out])
