"""Measuring stochastic gradients: batches, their variance, and smoothing noisy curves.

Mini-batch gradient descent replaces the gradient of the mean loss by the mean of the
per-example gradients over a batch. These helpers count batches, reproduce the way
:func:`gdutils.minibatch_gd` draws them, measure how noisy the batch mean is, predict
that noise, and smooth a noisy loss curve.

>>> steps_per_epoch(100, 32)
4
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from ._validation import (
    as_bool,
    as_data,
    as_finite,
    as_positive,
    as_real_array,
    as_rng,
    as_vector,
)
from .rates import loglog_slope  # one implementation, shared with the rates chapter

__all__ = [
    "steps_per_epoch",
    "epoch_batches",
    "minibatch_variance",
    "predicted_variance",
    "loglog_slope",
    "ema",
    "sgd_runs",
    "excess_mse",
    "first_below",
]


def _check_batch(n: int, batch_size) -> int:
    as_positive(n, "n (the number of samples)", integer=True)
    if batch_size is None:
        return int(n)
    as_positive(batch_size, "batch_size", integer=True)
    if batch_size > n:
        raise ValueError(f"batch_size must be between 1 and n = {n}; got {batch_size}.")
    return int(batch_size)


def _check_per_example(G) -> np.ndarray:
    G = as_real_array(G, "G")
    if G.ndim != 2:
        raise ValueError(
            f"G must hold one gradient per row, shape (n, p); got shape {G.shape}. "
            "For scalar gradients use G.reshape(-1, 1)."
        )
    if G.shape[0] < 2:
        raise ValueError(
            f"G needs at least 2 rows (examples) to have a variance; got {G.shape[0]}."
        )
    if not np.all(np.isfinite(G)):
        raise ValueError(
            "G contains NaN or inf; expected finite per-example gradients."
        )
    return G


def steps_per_epoch(n: int, batch_size: int | None = None) -> int:
    """Updates in one epoch over ``n`` samples: ceil(n / batch_size) (1 for the full
    batch).

    Use it to turn "every 10 epochs" into a number of updates for a schedule.

    >>> steps_per_epoch(800, 1), steps_per_epoch(800, 16), steps_per_epoch(800, None)
    (800, 50, 1)
    """
    b = _check_batch(n, batch_size)
    return -(-int(n) // b)


def epoch_batches(
    n: int, batch_size: int | None, rng=None, *, epochs: int = 1
) -> list[np.ndarray]:
    """The index arrays of every batch, in order, as :func:`gdutils.minibatch_gd` draws
    them.

    Each epoch is a fresh random permutation of ``range(n)`` (drawn from ``rng``) cut
    into consecutive slices of ``batch_size``: sampling without replacement, every
    sample once per epoch, the last batch smaller when ``batch_size`` does not divide
    ``n``. With the same ``rng`` seed, batch k here is the batch of update k there.

    >>> [b.tolist() for b in epoch_batches(5, 2, rng=0)]
    [[2, 4], [3, 0], [1]]
    """
    b = _check_batch(n, batch_size)
    as_positive(epochs, "epochs", integer=True)
    gen = as_rng(rng)
    out = []
    for _ in range(epochs):
        order = gen.permutation(n)
        out.extend(order[start : start + b] for start in range(0, n, b))
    return out


def minibatch_variance(
    G,
    batch_size: int,
    *,
    rng=None,
    num_batches: int = 2000,
    replace: bool = False,
) -> float:
    """Measured variance E||g_B - g||^2 of the mean of a random batch of rows of ``G``.

    ``G`` (n, p) holds one per-example gradient per row, so its mean ``g`` is the full
    gradient and the mean over a batch B is the mini-batch gradient. Batches are drawn
    as in an epoch (consecutive slices of fresh permutations, full batches only) when
    ``replace=False``, or independently with replacement when ``replace=True``. About
    ``num_batches`` batches are averaged.

    >>> G = np.arange(8.0).reshape(-1, 1)
    >>> float(minibatch_variance(G, 8))   # the whole data set: no noise left
    0.0
    >>> bool(abs(minibatch_variance(G, 1, rng=0) - 5.25) < 0.3)   # the variance of 0..7
    True
    """
    G = _check_per_example(G)
    n = G.shape[0]
    b = _check_batch(n, batch_size)
    as_positive(num_batches, "num_batches", integer=True)
    replace = as_bool(replace, "replace")
    gen = as_rng(rng)
    mean = G.mean(axis=0)
    if replace:
        idx = gen.integers(0, n, size=(num_batches, b))
    else:
        per_perm = n // b
        rounds = -(-num_batches // per_perm)
        idx = np.concatenate(
            [
                gen.permutation(n)[: per_perm * b].reshape(per_perm, b)
                for _ in range(rounds)
            ]
        )
    dev = G[idx].mean(axis=1) - mean
    return float(np.mean(np.sum(dev**2, axis=1)))


def predicted_variance(G, batch_size: int, *, replace: bool = False) -> float:
    """sigma^2 / b, times (n - b) / (n - 1) when sampling without replacement.

    ``sigma^2 = mean_i ||G_i - g||^2`` is the variance of a single per-example gradient.
    A batch of b independent draws has b times less; drawing without replacement removes
    a little more (the finite-population correction), and nothing is left at b = n.

    >>> G = np.arange(8.0).reshape(-1, 1)
    >>> (
    ...     predicted_variance(G, 1),
    ...     predicted_variance(G, 4, replace=True),
    ...     predicted_variance(G, 8),
    ... )
    (5.25, 1.3125, 0.0)
    """
    G = _check_per_example(G)
    replace = as_bool(replace, "replace")
    n = G.shape[0]
    b = _check_batch(n, batch_size)
    sigma2 = float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))
    return sigma2 / b if replace else sigma2 / b * (n - b) / (n - 1)


def ema(values, beta: float = 0.9, *, debias: bool = True) -> np.ndarray:
    """Exponential moving average s_t = beta s_{t-1} + (1 - beta) v_t, t = 0, 1, ...,
    with s_{-1} = 0.

    ``debias=True`` divides by 1 - beta^(t+1) (as Adam does), so the start of the curve
    is not pulled towards 0. ``beta`` in [0, 1): 0 returns the values unchanged; close
    to 1 averages over about 1 / (1 - beta) recent values.

    >>> ema([1.0, 1.0, 1.0], beta=0.5)
    array([1., 1., 1.])
    >>> ema([1.0, 1.0, 1.0], beta=0.5, debias=False)
    array([0.5  , 0.75 , 0.875])
    """
    v = as_real_array(values, "values")
    if v.ndim != 1:
        raise ValueError(
            f"values must be a 1-D array of shape (t,); got shape {v.shape}."
        )
    if not np.all(np.isfinite(v)):
        raise ValueError(
            "values contains NaN or inf; an average of them would be NaN from there on."
        )
    debias = as_bool(debias, "debias")
    if (
        isinstance(beta, bool)
        or not isinstance(beta, (int, float, np.floating))
        or not 0 <= beta < 1
    ):
        raise ValueError(f"beta must be a number in [0, 1); got {beta!r}.")
    out = np.empty_like(v)
    s = 0.0
    for t, x in enumerate(v):
        s = beta * s + (1.0 - beta) * x
        out[t] = s
    if debias:
        out /= 1.0 - beta ** np.arange(1, v.size + 1)
    return out


def _rate_table(learning_rates, updates: int) -> np.ndarray:
    """Rates of shape (G, updates): one row per constant rate or schedule."""
    if callable(learning_rates) or np.ndim(learning_rates) == 0:
        learning_rates = [learning_rates]
    rows = []
    for r in learning_rates:
        if callable(r):
            row = np.array([r(k) for k in range(updates)], dtype=float)
        else:
            as_positive(r, "learning_rate")
            row = np.full(updates, float(r))
        if row.shape != (updates,) or not np.all(np.isfinite(row)) or np.any(row < 0):
            raise ValueError(
                "every learning rate (or schedule(k)) must be a finite number >= 0."
            )
        rows.append(row)
    if not rows:
        raise ValueError("learning_rates must hold at least one rate or schedule.")
    return np.array(rows)


def sgd_runs(
    X,
    y,
    theta0,
    *,
    batch_size: int,
    learning_rates,
    updates: int,
    rngs: Sequence,
    replace: bool = False,
) -> np.ndarray:
    """Many mini-batch SGD runs on the MSE at once (bias last, as :func:`gdutils.mse`).

    Runs every rate (or schedule of the update index) in ``learning_rates`` with every
    generator in ``rngs`` for ``updates`` updates from ``theta0``, vectorised over the
    runs. The batches of one generator are shared by all rates (common random numbers).
    ``replace=False`` draws them as :func:`gdutils.minibatch_gd` does (a fresh
    permutation per epoch cut into consecutive batches, the last one smaller), so run
    (g, r) equals ``minibatch_gd(..., learning_rate=rates[g], rng=<a copy of rngs[r]>)``
    update for update; ``replace=True`` draws every example independently (a stream of
    ``updates * batch_size`` indices, as ``minibatch_gd`` on ``X[stream]`` with
    ``shuffle=False``). The generators are copied, not advanced. Returns the iterates,
    shape ``(len(learning_rates), len(rngs), updates + 1, d + 1)``; a run that diverges
    holds inf or NaN from then on.

    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = 2 * X[:, 0] + 1
    >>> rngs = [np.random.default_rng(s) for s in (0, 1, 2)]
    >>> paths = sgd_runs(
    ...     X, y, [0.0, 0.0], batch_size=2, learning_rates=[0.05, 0.1], updates=400,
    ...     rngs=rngs,
    ... )
    >>> paths.shape, bool(np.allclose(paths[:, :, -1], [2.0, 1.0], atol=1e-6))
    ((2, 3, 401, 2), True)
    """
    X, y = as_data(X, y)
    n = X.shape[0]
    b = _check_batch(n, batch_size)
    as_positive(updates, "updates", integer=True)
    updates = int(updates)
    A = np.column_stack([X, np.ones(n)])
    p = A.shape[1]
    theta = as_vector(theta0, "theta0", size=p)
    gens = [
        copy.deepcopy(as_rng(g)) if isinstance(g, np.random.Generator) else as_rng(g)
        for g in rngs
    ]
    if not gens:
        raise ValueError("rngs must hold at least one generator (or seed).")
    rates = _rate_table(learning_rates, updates)
    if as_bool(replace, "replace"):
        index = np.stack([g.integers(0, n, size=updates * b) for g in gens]).reshape(
            len(gens), updates, b
        )
        batches = (index[:, k] for k in range(updates))
    else:
        per = steps_per_epoch(n, b)
        epochs = -(-updates // per)
        perms = np.stack(
            [np.stack([g.permutation(n) for _ in range(epochs)]) for g in gens]
        )
        batches = (
            perms[:, k // per, (k % per) * b : (k % per) * b + b]
            for k in range(updates)
        )
    G, R = rates.shape[0], len(gens)
    out = np.empty((G, R, updates + 1, p))
    cur = np.broadcast_to(theta, (G, R, p)).copy()
    out[:, :, 0] = cur
    with np.errstate(over="ignore", invalid="ignore"):
        for k, idx in enumerate(batches):
            Ab, yb = A[idx], y[idx]  # (R, m, p), (R, m)
            resid = np.einsum("rmp,grp->grm", Ab, cur) - yb
            grad = (2.0 / idx.shape[1]) * np.einsum("rmp,grm->grp", Ab, resid)
            cur = cur - rates[:, k, None, None] * grad
            out[:, :, k + 1] = cur
    return out


def excess_mse(paths, X, y) -> np.ndarray:
    """L(theta) - min L for the MSE (bias last) at every iterate in ``paths`` (shape
    (..., d + 1)).

    Exact for least squares: (theta - theta*)^T (A^T A / n) (theta - theta*), so no pass
    over the data per iterate. Diverged iterates give inf or NaN.

    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> excess_mse(np.array([[2.0, 1.0], [2.0, 2.0]]), X, y).round(12)
    array([0., 1.])
    """
    X, y = as_data(X, y)
    A = np.column_stack([X, np.ones(len(y))])
    paths = as_real_array(paths, "paths")
    if paths.shape[-1] != A.shape[1]:
        raise ValueError(
            f"paths must end in d + 1 = {A.shape[1]} parameters (bias last); got shape"
            f" {paths.shape}."
        )
    star = np.linalg.lstsq(A, y, rcond=None)[0]
    e = paths - star
    with np.errstate(over="ignore", invalid="ignore"):
        return np.maximum(np.einsum("...p,pq,...q->...", e, A.T @ A / len(y), e), 0.0)


def first_below(curves, level: float) -> np.ndarray:
    """Index of the first entry <= ``level`` along the last axis of ``curves``; inf
    where none is.

    >>> first_below(np.array([[5.0, 2.0, 0.5, 0.1], [5.0, 4.0, 3.0, 2.0]]), 1.0)
    array([ 2., inf])
    """
    c = as_real_array(curves, "curves")
    if c.ndim < 1 or c.shape[-1] == 0:
        raise ValueError(
            "curves must have at least one entry along the last axis; got shape"
            f" {c.shape}."
        )
    level = as_finite(level, "level")
    hit = c <= level  # NaN never counts as a hit
    return np.where(hit.any(axis=-1), np.argmax(hit, axis=-1).astype(float), np.inf)
