"""A training loop for real data: mini-batch SGD, momentum, Adam and AdamW, with
validation.

:func:`gdutils.minibatch_gd` runs plain mini-batch SGD and the optimizers of
:mod:`gdutils.accelerated` run full-batch; a practitioner's loop needs both at once,
plus what the book's optimizers do not track: the loss and accuracy on a validation set
after every epoch, early stopping with patience (keeping the best parameters), a warm-up
of the learning rate, and monitors (per-layer gradient norms and update-to-weight
ratios). :func:`train` uses the *same update rules* as those optimizers (the tests check
that its trajectories agree with theirs) and adds the rest.

The model is anything with ``loss_and_grad(theta, X, y, l2)``, ``loss(theta, X, y)`` and
``accuracy(theta, X, y)`` (for instance :class:`gdutils.classifier.SoftmaxNet`).

>>> from gdutils.classifier import SoftmaxNet
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((60, 3)); y = (X[:, 0] > 0).astype(int)
>>> net = SoftmaxNet(3, 8, 2, rng=0)
>>> res = train(
...     net, net.get_theta(), (X, y), (X, y), optimizer="adam", learning_rate=0.05,
...     epochs=30, batch_size=20, rng=0,
... )
>>> res.status, bool(res.history["val_acc"][-1] > 0.9)
(0, True)
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import OptimizeResult

from ._validation import as_positive, as_real_array, as_rng, as_vector
from .multiclass import as_labels
from .schedules import as_schedule

__all__ = [
    "OPTIMIZERS",
    "train",
    "warmup",
    "early_stopping",
    "lr_range_test",
    "suggest_rate",
    "plot_history",
]

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")

_MESSAGES = {
    0: "Completed every epoch.",
    2: "Diverged: the training loss became non-finite.",
    3: "Stopped early: the validation loss did not improve for `patience` epochs.",
}


def warmup(
    learning_rate: float | Callable[[int], float], steps: int
) -> Callable[[int], float]:
    """Linear warm-up: rate(k) * (k + 1) / steps for the first ``steps`` updates, then
    rate(k).

    >>> r = warmup(0.1, 4)
    >>> [round(r(k), 3) for k in range(6)]
    [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
    """
    as_positive(steps, "steps", integer=True)
    base = as_schedule(learning_rate)
    return lambda k: base(k) * min(1.0, (k + 1) / steps)


def early_stopping(val_losses, patience: int) -> tuple[int, int]:
    """Best epoch and stopping epoch of a validation curve under early stopping with
    ``patience``.

    ``val_losses[k]`` is the validation loss after epoch k (k = 0, 1, ...). An epoch
    *improves* when its loss is strictly below every earlier one. Training stops at the
    first epoch k with k - best >= patience (``patience`` epochs in a row without
    improvement), or at the last epoch. Returns ``(best, stop)``. A NaN loss (a diverged
    epoch) never improves; at least one loss must be a number.

    >>> early_stopping([3.0, 2.0, 2.5, 2.0, 2.6, 1.0], patience=3)
    (1, 4)
    """
    v = as_real_array(val_losses, "val_losses")
    if v.ndim != 1 or v.size == 0:
        raise ValueError(
            f"val_losses must be a non-empty 1-D array; got shape {v.shape}."
        )
    as_positive(patience, "patience", integer=True)
    if np.all(np.isnan(v)):
        raise ValueError(
            "val_losses are all NaN: no epoch to choose (did every epoch diverge?)."
        )
    v = np.where(np.isnan(v), np.inf, v)
    best = 0
    for k in range(1, v.size):
        if v[k] < v[best]:
            best = k
        elif k - best >= patience:
            return best, k
    return best, v.size - 1


def _norms(vec: np.ndarray, slices: dict | None) -> dict[str, float]:
    if slices is None:
        return {"all": float(np.linalg.norm(vec))}
    return {name: float(np.linalg.norm(vec[s])) for name, s in slices.items()}


def _data(model, data, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Check (X, y) once, so that the loop can call the model's unchecked fast path."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"{name} must be a pair (X, y).")
    X = as_real_array(data[0], "X")
    if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError(
            f"{name}: X must be a finite array of shape (n, d) with n >= 1; got shape"
            f" {X.shape}."
        )
    if hasattr(model, "n_classes"):
        y = as_labels(data[1], model.n_classes, n=X.shape[0])
        if hasattr(model, "d_in") and X.shape[1] != model.d_in:
            raise ValueError(
                f"{name}: X must have shape (n, {model.d_in}) for {model!r}; got"
                f" {X.shape}."
            )
    else:
        y = np.asarray(data[1])
        if y.shape != (X.shape[0],):
            raise ValueError(
                f"{name}: y must have shape ({X.shape[0]},); got {y.shape}."
            )
    return X, y


def _evaluator(model) -> Callable:
    if hasattr(model, "fast_eval"):
        return model.fast_eval

    def evaluate(theta, X, y):
        with np.errstate(all="ignore"):
            loss = model.loss(theta, X, y)
        return (
            (loss, model.accuracy(theta, X, y))
            if np.isfinite(loss)
            else (np.nan, np.nan)
        )

    return evaluate


def train(
    model,
    theta0,
    train_data: tuple,
    val_data: tuple | None = None,
    *,
    optimizer: str = "sgd",
    learning_rate: float | Callable[[int], float] = 0.01,
    epochs: int = 20,
    batch_size: int = 32,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    l2: float = 0.0,
    weight_decay: float = 0.0,
    patience: int | None = None,
    monitor: bool = False,
    rng=None,
) -> OptimizeResult:
    """Train ``model`` from ``theta0`` on ``train_data = (X, y)`` by mini-batches;
    validate after every epoch.

    Updates, with g the mini-batch gradient (including the ``l2 * ||W||^2`` penalty when
    ``l2 > 0``) and r = learning_rate(k) at update k:

    * ``"sgd"``: x -= r g (as :func:`gdutils.minibatch_gd`);
    * ``"momentum"``: v = beta v - r g, x += v (heavy ball, as
      :func:`gdutils.accelerated.momentum`);
    * ``"adam"``: bias-corrected moments of g and g^2, as
      :func:`gdutils.accelerated.adam`;
    * ``"adamw"``: Adam, plus decoupled weight decay x -= r * weight_decay * x on the
      weights (Loshchilov and Hutter), applied before the Adam step as PyTorch does.

    Each epoch visits every sample once in a fresh random order from ``rng``. After
    every epoch the full training and validation loss and accuracy are recorded in
    ``history`` (index 0 holds the values at the start). With ``patience`` the run stops
    after that many epochs without a new best validation loss and returns the best
    parameters seen; without it ``x`` is the last iterate. ``monitor=True`` also
    records, after every update, the gradient norm and the update-to-weight ratio ||dx||
    / ||x|| of every parameter block (``model.slices``, if the model has them), and the
    loss of every mini-batch (before its update) in ``history["batch_loss"]``.

    Status: 0 every epoch ran, 2 diverged (non-finite loss or parameters), 3
    early-stopped.

    >>> from gdutils.classifier import SoftmaxNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 4); y = np.array([0, 1] * 4)
    >>> net = SoftmaxNet(2, 4, 2, rng=0)
    >>> res = train(
    ...     net,
    ...     net.get_theta(),
    ...     (X, y),
    ...     (X, y),
    ...     learning_rate=0.5,
    ...     epochs=40,
    ...     batch_size=4,
    ...     rng=0,
    ... )
    >>> res.message, float(res.history["val_acc"][-1])
    ('Completed every epoch.', 1.0)
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}; got {optimizer!r}.")
    X, y = _data(model, train_data, "train_data")
    if val_data is not None:
        val_data = _data(model, val_data, "val_data")
    n = X.shape[0]
    as_positive(batch_size, "batch_size", integer=True)
    if batch_size > n:
        raise ValueError(f"batch_size must be between 1 and n = {n}; got {batch_size}.")
    as_positive(epochs, "epochs", integer=True, allow_zero=True)
    as_positive(l2, "l2", allow_zero=True)
    as_positive(weight_decay, "weight_decay", allow_zero=True)
    if weight_decay and optimizer != "adamw":
        raise ValueError(
            "weight_decay is the decoupled decay of optimizer='adamw'; for the others"
            " use l2=."
        )
    if patience is not None:
        as_positive(patience, "patience", integer=True)
        if val_data is None:
            raise ValueError("early stopping (patience=...) needs val_data.")
    rate = as_schedule(learning_rate)
    gen = as_rng(rng)
    x = as_vector(theta0, "theta0").copy()
    slices = getattr(model, "slices", None)
    decay_mask = (
        model.weight_mask()
        if hasattr(model, "weight_mask")
        else np.ones(x.size, dtype=bool)
    )

    hist: dict[str, list] = {
        k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc")
    }
    mon: dict[str, dict[str, list]] = {
        "grad_norm": {},
        "update_ratio": {},
        "batch_loss": {},
    }

    evaluate = _evaluator(model)

    def record(theta) -> bool:
        tl, ta = (
            evaluate(theta, X, y) if np.all(np.isfinite(theta)) else (np.nan, np.nan)
        )
        hist["train_loss"].append(float(tl))
        hist["train_acc"].append(float(ta))
        if not np.isfinite(tl):
            if val_data is not None:
                hist["val_loss"].append(np.nan)
                hist["val_acc"].append(np.nan)
            return False
        if val_data is not None:
            vl, va = evaluate(theta, *val_data)
            hist["val_loss"].append(vl)
            hist["val_acc"].append(va)
        return True

    lossgrad = getattr(model, "fast_loss_and_grad", model.loss_and_grad)
    record(x)
    v = m = s = None
    status, k, epoch = 0, 0, 0
    best_x, best_val, best_epoch, since = x.copy(), np.inf, 0, 0
    if val_data is not None:
        best_val = hist["val_loss"][0]
    with np.errstate(over="ignore", invalid="ignore"):
        while epoch < epochs:
            order = gen.permutation(n)
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                batch_loss, g = lossgrad(x, X[idx], y[idx], l2)
                r = rate(k)
                as_positive(r, f"learning_rate({k})", allow_zero=True)
                old = x
                if optimizer == "sgd":
                    x = x - r * g
                elif optimizer == "momentum":
                    v = -r * g if v is None else beta * v - r * g
                    x = x + v
                else:
                    if m is None:
                        m, s = (1 - beta1) * g, (1 - beta2) * g * g
                    else:
                        m = beta1 * m + (1 - beta1) * g
                        s = beta2 * s + (1 - beta2) * g * g
                    t = k + 1
                    step = (
                        r * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps)
                    )
                    if optimizer == "adamw" and weight_decay:
                        x = x - r * weight_decay * x * decay_mask
                    x = x - step
                k += 1
                if monitor:
                    mon["batch_loss"].setdefault("all", []).append(float(batch_loss))
                    for name, val in _norms(g, slices).items():
                        mon["grad_norm"].setdefault(name, []).append(val)
                    dn, wn = _norms(x - old, slices), _norms(old, slices)
                    for name in dn:
                        mon["update_ratio"].setdefault(name, []).append(
                            dn[name] / max(wn[name], 1e-300)
                        )
                if not np.all(np.isfinite(x)):
                    status = 2
                    break
            epoch += 1
            if not record(x):
                status = 2
            if status == 2:
                break
            if val_data is not None:
                if hist["val_loss"][-1] < best_val:
                    best_x, best_val, best_epoch, since = (
                        x.copy(),
                        hist["val_loss"][-1],
                        epoch,
                        0,
                    )
                else:
                    since += 1
                if patience is not None and since >= patience:
                    status = 3
                    break
    out_x = best_x if (patience is not None and status != 2) else x
    history = {key: np.array(val, dtype=float) for key, val in hist.items()}
    if monitor:
        history.update(
            {
                key: {name: np.array(v_) for name, v_ in d.items()}
                for key, d in mon.items()
            }
        )
        history["batch_loss"] = history["batch_loss"].get("all", np.array([]))
    return OptimizeResult(
        x=out_x,
        last_x=x,
        fun=history["train_loss"][-1],
        nit=k,
        nepoch=epoch,
        status=status,
        success=status in (0, 3),
        message=_MESSAGES[status],
        history=history,
        best_epoch=best_epoch,
        best_val_loss=best_val,
    )


def lr_range_test(
    model,
    theta0,
    train_data: tuple,
    *,
    lr_min: float = 1e-4,
    lr_max: float = 10.0,
    steps: int = 100,
    batch_size: int = 32,
    beta: float = 0.0,
    stop_factor: float = 4.0,
    rng=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Learning-rate range test (Smith 2017): one short run whose rate grows
    geometrically.

    Update k is an SGD step (heavy-ball momentum when ``beta > 0``) with the rate
    lr_min * (lr_max / lr_min) ** (k / (steps - 1)); the loss recorded for it is the
    loss of its mini-batch *before* the update. The run stops once that loss exceeds
    ``stop_factor`` times its smallest value so far (it has diverged), or is not finite.
    Returns ``(rates, losses)``, one entry per mini-batch evaluated.

    >>> from gdutils.classifier import SoftmaxNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 4); y = np.array([0, 1] * 4)
    >>> net = SoftmaxNet(2, 4, 2, rng=0)
    >>> rates, losses = lr_range_test(
    ...     net, net.get_theta(), (X, y), lr_max=1e4, steps=50, batch_size=4, rng=0
    ... )
    >>> bool(rates[0] == 1e-4), len(rates) == len(losses) <= 50
    (True, True)
    """
    as_positive(lr_min, "lr_min")
    as_positive(lr_max, "lr_max")
    as_positive(steps, "steps", integer=True)
    as_positive(stop_factor, "stop_factor")
    if lr_max <= lr_min or steps < 2:
        raise ValueError(
            f"need lr_min < lr_max and steps >= 2; got {lr_min}, {lr_max}, {steps}."
        )
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1); got {beta!r}.")
    rates = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    X, y = _data(model, train_data, "train_data")
    n = len(y)
    lossgrad = getattr(model, "fast_loss_and_grad", model.loss_and_grad)
    as_positive(batch_size, "batch_size", integer=True)
    if batch_size > n:
        raise ValueError(f"batch_size must be between 1 and n = {n}; got {batch_size}.")
    gen = as_rng(rng)
    x = as_vector(theta0, "theta0").copy()
    v = np.zeros_like(x)
    losses, order, pos, best = [], gen.permutation(n), 0, np.inf
    with np.errstate(all="ignore"):
        for k in range(steps):
            if pos + batch_size > n:
                order, pos = gen.permutation(n), 0
            idx = order[pos : pos + batch_size]
            pos += batch_size
            if not np.all(np.isfinite(x)):
                losses.append(np.nan)
                break
            loss, g = lossgrad(x, X[idx], y[idx])
            losses.append(loss)
            if not np.isfinite(loss) or loss > stop_factor * best:
                break
            best = min(best, loss)
            v = beta * v - rates[k] * g
            x = x + v
    return rates[: len(losses)], np.array(losses, dtype=float)


def suggest_rate(rates, losses) -> float:
    """A rule of thumb for the range test: one tenth of the rate at which the loss is
    lowest.

    NaN losses (a diverged step) are ignored; on ties the smaller rate wins.

    >>> suggest_rate([0.01, 0.1, 1.0, 10.0], [2.0, 1.0, 1.5, np.nan])
    0.01
    """
    r = as_vector(rates, "rates")
    loss = as_real_array(losses, "losses")
    if loss.shape != r.shape:
        raise ValueError(
            f"losses must have the shape of rates, {r.shape}; got {loss.shape}."
        )
    if not np.any(np.isfinite(loss)):
        raise ValueError("losses has no finite value.")
    return float(r[np.nanargmin(np.where(np.isfinite(loss), loss, np.nan))] / 10)


def plot_history(
    history: dict, *, axes=None, best_epoch: int | None = None, title: str | None = None
):
    """Two panels: training and validation loss (log scale), and accuracy, against
    epochs.

    ``history`` is :func:`train`'s ``res.history``; ``best_epoch`` draws a vertical
    line. Returns the two axes.

    >>> axes = plot_history(
    ...     {
    ...         "train_loss": [1.0, 0.5],
    ...         "train_acc": [0.5, 0.9],
    ...         "val_loss": [],
    ...         "val_acc": [],
    ...     }
    ... )
    >>> axes[0].get_yscale()
    'log'
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.6, 3.6))
    ax_loss, ax_acc = axes
    ep = np.arange(len(history["train_loss"]))
    for key, label in (("train", "train"), ("val", "validation")):
        if len(history[f"{key}_loss"]):
            ax_loss.plot(ep, history[f"{key}_loss"], label=label)
            ax_acc.plot(ep, history[f"{key}_acc"], label=label)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    for ax in axes:
        if best_epoch is not None:
            ax.axvline(best_epoch, ls=":", c="k", lw=1, label="best validation loss")
        ax.legend(loc="best")
    if title:
        ax_loss.figure.suptitle(title)
    return axes
