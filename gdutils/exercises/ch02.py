"""Checkers for chapter 2 (batch, stochastic and mini-batch gradient descent)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import losses, schedules, stochastic
from ._core import Feedback, Mistake, check_function, check_value

__all__ = [
    "minibatch_epoch",
    "check_minibatch_epoch",
    "check_robbins_monro",
    "variance_at",
    "check_variance_prediction",
    "check_ema",
]


# --- exercise 1: one epoch of mini-batch SGD ------------------------------------------------

def minibatch_epoch(theta, X, y, batch_size: int, learning_rate: float, order) -> np.ndarray:
    """One epoch of mini-batch SGD on the MSE (bias last), visiting the samples in ``order``.

    >>> X = np.array([[1.0], [2.0], [3.0]]); y = 2 * X[:, 0]
    >>> minibatch_epoch(np.zeros(2), X, y, 2, 0.1, np.array([2, 0, 1]))
    array([1.68, 0.64])
    """
    theta = np.array(theta, dtype=float)
    for start in range(0, len(y), batch_size):
        idx = order[start : start + batch_size]
        theta = theta - learning_rate * losses.mse_grad(theta, X[idx], y[idx])
    return theta


def _batches(n, b, order, *, drop_last=False):
    stop = n - n % b if drop_last else n
    return [order[s : s + b] for s in range(0, stop, b)]


def _full_batch_steps(theta, X, y, b, lr, order):
    theta = np.array(theta, dtype=float)
    for _ in _batches(len(y), b, order):
        theta = theta - lr * losses.mse_grad(theta, X, y)
    return theta


def _frozen_gradients(theta, X, y, b, lr, order):
    theta0 = np.array(theta, dtype=float)
    total = sum(losses.mse_grad(theta0, X[i], y[i]) for i in _batches(len(y), b, order))
    return theta0 - lr * total


def _drop_last(theta, X, y, b, lr, order):
    theta = np.array(theta, dtype=float)
    for i in _batches(len(y), b, order, drop_last=True):
        theta = theta - lr * losses.mse_grad(theta, X[i], y[i])
    return theta


def _natural_order(theta, X, y, b, lr, order):
    return minibatch_epoch(theta, X, y, b, lr, np.arange(len(y)))


def _y_unshuffled(theta, X, y, b, lr, order):
    theta = np.array(theta, dtype=float)
    for s in range(0, len(y), b):
        theta = theta - lr * losses.mse_grad(theta, X[order[s : s + b]], y[s : s + b])
    return theta


def _summed(theta, X, y, b, lr, order):
    theta = np.array(theta, dtype=float)
    for i in _batches(len(y), b, order):
        theta = theta - lr * len(i) * losses.mse_grad(theta, X[i], y[i])
    return theta


def _one_step(theta, X, y, b, lr, order):
    return np.array(theta, dtype=float) - lr * losses.mse_grad(theta, X, y)


def _wrong_sign(theta, X, y, b, lr, order):
    theta = np.array(theta, dtype=float)
    for i in _batches(len(y), b, order):
        theta = theta + lr * losses.mse_grad(theta, X[i], y[i])
    return theta


_MISTAKES_EPOCH = [
    Mistake("full-batch gradient", _full_batch_steps,
            "Every step used the gradient of the whole data set: compute it on the batch, "
            "`mse_grad(theta, X[idx], y[idx])` with `idx = order[start:start + batch_size]`."),
    Mistake("theta not updated between batches", _frozen_gradients,
            "All batch gradients were taken at the starting theta: update theta after each batch, "
            "so the next batch's gradient is computed where you have moved to."),
    Mistake("last batch dropped", _drop_last,
            "The last, smaller batch is missing: loop `for start in range(0, n, batch_size)` so that "
            "every sample is visited once per epoch."),
    Mistake("order ignored", _natural_order,
            "The batches follow the data's own order: take the samples in the given `order` "
            "(`idx = order[start:start + batch_size]`)."),
    Mistake("y not shuffled with X", _y_unshuffled,
            "X was taken in the shuffled order but y in the original one, so inputs and targets no "
            "longer match: index both with the same `idx`."),
    Mistake("sum instead of mean", _summed,
            "Each step is batch_size times too long: the batch gradient is the gradient of the *mean* "
            "loss over the batch (which `mse_grad` on the batch already is)."),
    Mistake("one step per epoch", _one_step,
            "That is one full-batch step: an epoch of mini-batch SGD makes one update per batch."),
    Mistake("wrong sign", _wrong_sign,
            "Each update went uphill: theta = theta - learning_rate * gradient."),
]


def _cases_epoch():
    rng = np.random.default_rng(2)
    cases = []
    for n, d, b, lr in [(10, 2, 3, 0.05), (12, 1, 4, 0.1), (7, 3, 1, 0.02)]:
        X = rng.standard_normal((n, d))
        y = X @ rng.standard_normal(d) + 0.5 + 0.1 * rng.standard_normal(n)
        cases.append((rng.standard_normal(d + 1), X, y, b, lr, rng.permutation(n)))
    return cases


def check_minibatch_epoch(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y, batch_size, learning_rate, order)`` -> theta after one epoch.

    >>> check_minibatch_epoch(minibatch_epoch).passed
    True
    >>> check_minibatch_epoch(_drop_last).mistake
    'last batch dropped'
    """
    return check_function(fn, minibatch_epoch, _cases_epoch(), _MISTAKES_EPOCH, what="`minibatch_epoch`")


# --- exercise 2: a schedule that satisfies the Robbins–Monro conditions ---------------------

def _rate(schedule: Callable, k: int):
    r = schedule(k)
    if r is None or r is Ellipsis:
        return None
    return float(r)


def check_robbins_monro(schedule: Callable, first_rate: float = 0.1) -> Feedback:
    """Check that ``schedule(k)`` starts at ``first_rate`` and satisfies sum = inf, sum of squares < inf.

    >>> check_robbins_monro(lambda k: 0.1 / (1 + k / 100)).passed
    True
    >>> check_robbins_monro(lambda k: 0.1).mistake
    'constant'
    >>> check_robbins_monro(lambda k: 0.1 * 0.5 ** (k // 100)).mistake
    'finite total step'
    """
    what = "`schedule`"
    try:
        r0 = _rate(schedule, 0)
    except NotImplementedError:
        return Feedback("not attempted", f"Replace the `raise NotImplementedError` in {what} with your code, then run this cell again.")
    except Exception as exc:
        return Feedback("fail", f"{what}(0) raised {type(exc).__name__}: {exc}. The first update has k = 0.")
    if r0 is None:
        return Feedback("fail", f"{what} returns nothing (`None`): did you forget `return`?", "no return")
    if not math.isclose(r0, first_rate, rel_tol=1e-9):
        return Feedback("fail", f"{what}(0) = {r0:.6g}; the exercise asks for a first rate of {first_rate:g}.", "first rate")
    steps = (1, 10, 100, 1000, 10**9, 10**12)
    try:
        sample = [_rate(schedule, k) for k in steps]
    except Exception as exc:
        return Feedback("fail", f"{what} failed for a large step k: {type(exc).__name__}: {exc}")
    # positive where it matters; far out (k >= 1e9) a geometric decay may underflow to 0
    if any(r is None or not math.isfinite(r) or r <= 0 for r in sample[:4]) or any(
        r is None or not math.isfinite(r) or r < 0 for r in sample[4:]
    ):
        return Feedback("fail", f"{what}(k) must be a positive number for every k; got {sample} "
                        "at k = 1, 10, 100, 1000, 1e9, 1e12.", "not positive")
    try:
        verdict = schedules.robbins_monro(schedule)
    except ValueError as exc:
        return Feedback("fail", f"{what}: {exc}")
    p = verdict.exponent
    if verdict.satisfied:
        return Feedback("pass", f"The rates fall like k^-{p:.3g}: their sum diverges and the sum of their squares converges.")
    if p == 0:
        return Feedback("fail", "The rate settles at a constant: the sum of squared rates grows without bound, so the "
                        "gradient noise never averages out and SGD keeps hovering at a noise floor.", "constant")
    if p < 0:
        return Feedback("fail", "The rate grows with k: both sums diverge. A schedule must decay.", "growing")
    if math.isinf(p):
        return Feedback("fail", "The rate decays faster than any power of k (geometrically, or to 0): the total step "
                        "sum(rate) is finite, so the iterates can stop before they reach the minimum.", "finite total step")
    if p > 1:
        return Feedback("fail", f"The rate falls like k^-{p:.3g}, faster than 1/k: the total step sum(rate) is finite, so "
                        "the iterates can stall before the minimum. Use an exponent in (1/2, 1].", "too fast")
    return Feedback("fail", f"The rate falls like k^-{p:.3g}, not faster than 1/sqrt(k): the sum of squared rates "
                    "diverges, so the noise is never averaged away. Use an exponent in (1/2, 1].", "too slow")


# --- exercise 3: predict the variance at b = 64 from the measured value at b = 8 ------------

def variance_at(b_new: int, v_old: float, b_old: int, n: int) -> float:
    """Variance of the batch-mean gradient at ``b_new`` from its value ``v_old`` at ``b_old`` (without replacement).

    Both follow sigma^2 / b * (n - b) / (n - 1), so the ratio needs neither sigma^2 nor n - 1.

    >>> variance_at(64, 1.0, 8, 100)
    0.04891304347826087
    """
    for name, b in (("b_new", b_new), ("b_old", b_old)):
        if not 1 <= b <= n:
            raise ValueError(f"{name} must be between 1 and n = {n}; got {b}.")
    if b_old == n:
        raise ValueError("b_old = n leaves no variance to scale from; pick b_old < n.")
    return float(v_old * b_old / b_new * (n - b_new) / (n - b_old))


def check_variance_prediction(answer, v8: float, n: int = 100) -> Feedback:
    """Check a prediction of the b = 64 variance from the measured b = 8 variance ``v8`` on ``n`` samples.

    >>> check_variance_prediction(variance_at(64, 2.0, 8, 100), 2.0).passed
    True
    >>> check_variance_prediction(2.0 / 8, 2.0).mistake
    'no finite-population correction'
    """
    expected = variance_at(64, v8, 8, n)
    mistakes = {
        "no finite-population correction": (v8 / 8, "That is v8 / 8: right for sampling *with* replacement, but batches "
                                            "are drawn without replacement, so each variance carries (n - b) / (n - 1)."),
        "correction at b = 64 only": (v8 / 8 * (n - 64) / (n - 1), "You applied (n - 64) / (n - 1) but v8 already "
                                      "contains (n - 8) / (n - 1): divide that one out."),
        "standard-deviation scaling": (v8 / math.sqrt(8), "That scales by 1/sqrt(8): the *standard deviation* falls as "
                                       "1/sqrt(b), the variance as 1/b."),
        "ratio inverted": (v8 * 8 * (n - 64) / (n - 8), "A bigger batch has a *smaller* variance: multiply by 8/64, not 64/8."),
        "ratio inverted, no correction": (v8 * 8, "A bigger batch has a smaller variance: multiply by 8/64, not 64/8."),
    }
    return check_value(answer, expected, mistakes, what="`v64_predicted`")


# --- exercise 4: an exponential moving average with bias correction --------------------------

def _ema_no_debias(values, beta):
    return stochastic.ema(values, beta, debias=False)


def _ema_swapped(values, beta):
    return stochastic.ema(values, 1.0 - beta)


def _ema_start_at_first(values, beta):
    v = np.asarray(values, dtype=float)
    out, s = np.empty_like(v), v[0]
    for t, x in enumerate(v):
        s = x if t == 0 else beta * s + (1 - beta) * x
        out[t] = s
    return out


_MISTAKES_EMA = [
    Mistake("no bias correction", _ema_no_debias,
            "Starting from s = 0 pulls the first values towards 0: divide s_t by 1 - beta**(t + 1)."),
    Mistake("weights swapped", _ema_swapped,
            "beta weighs the *old* average and 1 - beta the new value: s = beta * s + (1 - beta) * v."),
    Mistake("started at the first value", _ema_start_at_first,
            "You started the average at the first value (a valid smoother, but not the one asked for): "
            "start at s = 0 and divide by 1 - beta**(t + 1)."),
]


def check_ema(fn: Callable) -> Feedback:
    """Check ``fn(values, beta)`` -> the bias-corrected exponential moving average.

    >>> check_ema(stochastic.ema).passed
    True
    >>> check_ema(_ema_no_debias).mistake
    'no bias correction'
    """
    rng = np.random.default_rng(3)
    cases = [(np.array([1.0, 2.0, 3.0, 4.0]), 0.5), (rng.standard_normal(30) + 5, 0.9), (rng.exponential(size=12), 0.7)]
    return check_function(fn, lambda v, beta: stochastic.ema(v, beta), cases, _MISTAKES_EMA, what="`ema`")
