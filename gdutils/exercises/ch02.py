"""Checkers for chapter 2 (batch, stochastic and mini-batch gradient descent).

Five exercises: one epoch of mini-batch SGD (``epoch``), a schedule that satisfies the
Robbins–Monro conditions (``robbins_monro``), the variance of a larger batch predicted
from a measured one (``variance``), and two transfer exercises whose answers the chapter
does not print: the exact noise floor of SGD on a one-dimensional quadratic at a finite
learning rate (``floor``), and the critical batch size from a table of measured steps
(``critical``). Each checker names the known mistakes of its exercise.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import losses, schedules, stochastic
from ._core import Exercise, Feedback, Mistake, check_function, check_value

__all__ = [
    "minibatch_epoch",
    "check_minibatch_epoch",
    "check_robbins_monro",
    "variance_at",
    "check_variance_prediction",
    "check_predict_v64",
    "check_ema",
    "floor_1d",
    "check_floor_1d",
    "critical_batch",
    "check_critical_batch",
    "epoch",
    "robbins_monro",
    "variance",
    "floor",
    "critical",
]


# --- exercise 1: one epoch of mini-batch SGD ------------------------------------------


def minibatch_epoch(
    theta, X, y, batch_size: int, learning_rate: float, order
) -> np.ndarray:
    """One epoch of mini-batch SGD on the MSE (bias last), visiting the samples in
    ``order``.

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
    Mistake(
        "full-batch gradient",
        _full_batch_steps,
        "Every step used the gradient of the whole data set: compute it on the batch,"
        " `mse_grad(theta, X[idx], y[idx])` with `idx = order[start:start +"
        " batch_size]`.",
    ),
    Mistake(
        "theta not updated between batches",
        _frozen_gradients,
        "All batch gradients were taken at the starting `theta`: update `theta` after"
        " each batch, so the next batch's gradient is computed where you have"
        " moved to.",
    ),
    Mistake(
        "last batch dropped",
        _drop_last,
        "The last, smaller batch is missing: loop `for start in range(0, n,"
        " batch_size)` so that every sample is visited once per epoch.",
    ),
    Mistake(
        "order ignored",
        _natural_order,
        "The batches follow the data's own order: take the samples in the given `order`"
        " (`idx = order[start:start + batch_size]`).",
    ),
    Mistake(
        "y not shuffled with X",
        _y_unshuffled,
        "`X` was taken in the shuffled order but `y` in the original one, so inputs and"
        " targets no longer match: index both with the same `idx`.",
    ),
    Mistake(
        "sum instead of mean",
        _summed,
        "Each step is `batch_size` times too long: the batch gradient is the gradient"
        " of the MEAN loss over the batch (which `mse_grad` on the batch already is).",
    ),
    Mistake(
        "one step per epoch",
        _one_step,
        "That is one full-batch step: an epoch of mini-batch SGD makes one update per"
        " batch.",
    ),
    Mistake(
        "wrong sign",
        _wrong_sign,
        "Each update went uphill: `theta = theta - learning_rate * gradient`.",
    ),
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
    """Check ``fn(theta, X, y, batch_size, learning_rate, order)`` -> theta after one
    epoch.

    >>> check_minibatch_epoch(minibatch_epoch).passed
    True
    >>> check_minibatch_epoch(_drop_last).mistake
    'last batch dropped'
    """
    return check_function(
        fn, minibatch_epoch, _cases_epoch(), _MISTAKES_EPOCH, what="`minibatch_epoch`"
    )


# --- exercise 2: a schedule that satisfies the Robbins–Monro conditions ---------------


def _rate(schedule: Callable, k: int):
    r = schedule(k)
    if r is None or r is Ellipsis:
        return None
    return float(r)


def _far_exponent(schedule: Callable) -> float | None:
    """The tail exponent p of rate ~ k^-p read between k = 1e100 and 1e300 (None if
    unreadable).

    So far out, a power law's exponent is exact to many digits: 1.0001 is not 1.
    """
    for ks in ((1e100, 1e300), (10**100, 10**300)):
        try:
            r = [float(schedule(k)) for k in ks]
        except Exception:  # noqa: BLE001  (a schedule that only takes small ints)
            continue
        if all(math.isfinite(v) and v > 0 for v in r):
            p = -math.log(r[1] / r[0]) / math.log(1e200)
            return round(p, 9) + 0.0
    return None


def check_robbins_monro(schedule: Callable, first_rate: float = 0.1) -> Feedback:
    """Check that ``schedule(k)`` starts at ``first_rate`` and satisfies sum = inf, sum
    of squares < inf.

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
        return Feedback(
            "not attempted",
            f"Replace the `raise NotImplementedError` in {what} with your code, then"
            " run this cell again.",
        )
    except Exception as exc:
        return Feedback(
            "fail",
            f"{what}(0) raised `{type(exc).__name__}: {exc}`. The first update has k"
            " = 0.",
            "raised an exception",
        )
    if r0 is None:
        return Feedback(
            "fail",
            f"{what} returns nothing (`None`): did you forget `return`?",
            "no return",
        )
    if not math.isclose(r0, first_rate, rel_tol=1e-9):
        return Feedback(
            "fail",
            f"{what}(0) = {r0:.6g}; the exercise asks for a first rate of"
            f" {first_rate:g}.",
            "first rate",
        )
    steps = (1, 10, 100, 1000, 10**9, 10**12)
    try:
        sample = [_rate(schedule, k) for k in steps]
    except Exception as exc:
        return Feedback(
            "fail",
            f"{what} failed for a large step k: `{type(exc).__name__}: {exc}`.",
            "raised an exception",
        )
    # positive where it matters; far out (k >= 1e9) a geometric decay may underflow to 0
    if any(r is None or not math.isfinite(r) or r <= 0 for r in sample[:4]) or any(
        r is None or not math.isfinite(r) or r < 0 for r in sample[4:]
    ):
        return Feedback(
            "fail",
            f"{what}(k) must be a positive number for every k; got `{sample}` "
            "at k = 1, 10, 100, 1000, 1e9, 1e12.",
            "not positive",
        )
    try:
        verdict = schedules.robbins_monro(schedule)
    except ValueError as exc:
        return Feedback("fail", f"{what}: {exc}", "not a rate")
    p = verdict.exponent
    far = _far_exponent(schedule)  # k = 1e100 .. 1e300: tells k^-1.0001 from k^-1
    if far is not None and math.isfinite(p) and 0 < p:
        p = far
        verdict = schedules.RobbinsMonro(p, p <= 1 + 1e-9, 2 * p > 1 + 1e-9)
    if verdict.satisfied:
        return Feedback(
            "pass",
            f"The rates fall like $k^{{-{p:.6g}}}$: their sum diverges and the sum of"
            " their squares converges.",
        )
    if p == 0:
        return Feedback(
            "fail",
            "The rate settles at a constant: the sum of squared rates grows without"
            " bound, so the gradient noise never averages out and SGD keeps hovering at"
            " its noise floor.",
            "constant",
        )
    if p < 0:
        return Feedback(
            "fail",
            "The rate grows with k: both sums diverge. A schedule must decay.",
            "growing",
        )
    if math.isinf(p):
        return Feedback(
            "fail",
            "The rate decays faster than any power of k (geometrically, or to 0): the"
            " total step $\\sum_k \\eta_k$ is finite, so the iterates can stop before"
            " they reach the minimum.",
            "finite total step",
        )
    if p > 1:
        return Feedback(
            "fail",
            f"The rate falls like $k^{{-{p:.6g}}}$, faster than $1/k$: the total step"
            " $\\sum_k \\eta_k$ is finite, so the iterates can stall before the"
            " minimum. Use an exponent in $(1/2, 1]$.",
            "too fast",
        )
    return Feedback(
        "fail",
        f"The rate falls like $k^{{-{p:.6g}}}$, not faster than $1/\\sqrt k$: the sum"
        " of squared rates diverges, so the noise is never averaged away. Use an"
        " exponent in $(1/2, 1]$.",
        "too slow",
    )


# --- exercise 3: predict the variance at b = 64 from the measured value at b = 8 ------


def variance_at(b_new: int, v_old: float, b_old: int, n: int) -> float:
    """Variance of the batch-mean gradient at ``b_new`` from its value ``v_old`` at
    ``b_old`` (without replacement).

    Both follow sigma^2 / b * (n - b) / (n - 1), so the ratio needs neither sigma^2 nor
    n - 1.

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
    """Check a prediction of the b = 64 variance from the measured b = 8 variance ``v8``
    on ``n`` samples.

    >>> check_variance_prediction(variance_at(64, 2.0, 8, 100), 2.0).passed
    True
    >>> check_variance_prediction(2.0 / 8, 2.0).mistake
    'no finite-population correction'
    """
    expected = variance_at(64, v8, 8, n)
    mistakes = {
        "no finite-population correction": (
            v8 / 8,
            (
                "That is v8 / 8: right for sampling *with* replacement, but batches are"
                " drawn without replacement, so each variance carries (n - b) / (n"
                " - 1)."
            ),
        ),
        "correction at b = 64 only": (
            v8 / 8 * (n - 64) / (n - 1),
            (
                "You applied (n - 64) / (n - 1) but v8 already "
                "contains (n - 8) / (n - 1): divide that one out."
            ),
        ),
        "standard-deviation scaling": (
            v8 / math.sqrt(8),
            (
                "That scales by 1/sqrt(8): the *standard deviation* falls as "
                "1/sqrt(b), the variance as 1/b."
            ),
        ),
        "ratio inverted": (
            v8 * 8 * (n - 64) / (n - 8),
            "A bigger batch has a *smaller* variance: multiply by 8/64, not 64/8.",
        ),
        "ratio inverted, no correction": (
            v8 * 8,
            "A bigger batch has a smaller variance: multiply by 8/64, not 64/8.",
        ),
    }
    return check_value(answer, expected, mistakes, what="`v64_predicted`")


# --- exercise 4: an exponential moving average with bias correction -------------------


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
    Mistake(
        "no bias correction",
        _ema_no_debias,
        "Starting from `s = 0` pulls the first values towards 0: divide `s_t` by `1 -"
        " beta**(t + 1)`.",
    ),
    Mistake(
        "weights swapped",
        _ema_swapped,
        "`beta` weighs the OLD average and `1 - beta` the new value: `s = beta * s + (1"
        " - beta) * v`.",
    ),
    Mistake(
        "started at the first value",
        _ema_start_at_first,
        "You started the average at the first value (a valid smoother, but not the one"
        " asked for): start at `s = 0` and divide by `1 - beta**(t + 1)`.",
    ),
]


def check_ema(fn: Callable) -> Feedback:
    """Check ``fn(values, beta)`` -> the bias-corrected exponential moving average.

    >>> check_ema(stochastic.ema).passed
    True
    >>> check_ema(_ema_no_debias).mistake
    'no bias correction'
    """
    rng = np.random.default_rng(3)
    cases = [
        (np.array([1.0, 2.0, 3.0, 4.0]), 0.5),
        (rng.standard_normal(30) + 5, 0.9),
        (rng.exponential(size=12), 0.7),
    ]
    return check_function(
        fn, lambda v, beta: stochastic.ema(v, beta), cases, _MISTAKES_EMA, what="`ema`"
    )


# --- exercise 3 (as a function): predict the variance at b = 64 from the one at b = 8 -


def _predict_cases():
    return [(0.37, 100), (2.5, 100), (11.0, 80), (0.02, 1000)]


_MISTAKES_V64 = [
    Mistake(
        "no finite-population correction",
        lambda v8, n: v8 / 8,
        "That is `v8 / 8`: right for batches drawn WITH replacement, but an epoch draws"
        " without replacement, so each variance carries the factor $(n - b)/(n - 1)$.",
    ),
    Mistake(
        "correction at b = 64 only",
        lambda v8, n: v8 / 8 * (n - 64) / (n - 1),
        "You applied $(n - 64)/(n - 1)$, but `v8` already contains $(n - 8)/(n - 1)$:"
        " divide that one out.",
    ),
    Mistake(
        "standard-deviation scaling",
        lambda v8, n: v8 / math.sqrt(8),
        "That scales by $1/\\sqrt 8$: the STANDARD DEVIATION falls as $1/\\sqrt b$, the"
        " variance as $1/b$.",
    ),
    Mistake(
        "ratio inverted",
        lambda v8, n: v8 * 8 * (n - 64) / (n - 8),
        "A bigger batch has a SMALLER variance: multiply by $8/64$, not $64/8$.",
    ),
    Mistake(
        "ratio inverted, no correction",
        lambda v8, n: v8 * 8,
        "A bigger batch has a smaller variance: multiply by $8/64$, not $64/8$ (and"
        " keep the factor $(n - b)/(n - 1)$).",
    ),
    Mistake(
        "correction inverted",
        lambda v8, n: v8 * 8 / 64 * (n - 8) / (n - 64),
        "The correction is upside down: a batch of 64 out of n is LESS noisy than $1/b$"
        " says, so multiply by $(n - 64)/(n - 8)$, which is below 1.",
    ),
    Mistake(
        "correction with n",
        lambda v8, n: v8 * 8 / 64 * (1 - 64 / n) / (1 - 8 / n) * (n - 1) / n,
        "Almost: the ratio of the two corrections is $(n - 64)/(n - 8)$ exactly; an"
        " extra factor $(n - 1)/n$ crept in.",
    ),
]


def check_predict_v64(fn: Callable) -> Feedback:
    """Check ``fn(v8, n)`` -> the variance of a batch of 64 from the measured ``v8`` of
    a batch of 8.

    >>> check_predict_v64(lambda v8, n: variance_at(64, v8, 8, n)).passed
    True
    >>> check_predict_v64(lambda v8, n: v8 / 8).mistake
    'no finite-population correction'
    """
    return check_function(
        fn,
        lambda v8, n: variance_at(64, v8, 8, n),
        _predict_cases(),
        _MISTAKES_V64,
        rtol=1e-9,
        atol=0.0,
        what="`predict_v64`",
    )


# --- exercise 4 (transfer): the exact noise floor of SGD on a 1-D quadratic -----------


def floor_1d(h: float, s2: float, eta: float, b: int) -> float:
    """Stationary E f(theta) - f* of SGD on f = h theta^2 / 2 with gradient noise of
    variance s2 / b.

    theta_{k+1} = (1 - eta h) theta_k - eta xi_k with independent xi_k of variance s2 /
    b has Var theta = eta s2 / (b h (2 - eta h)) (stable for 0 < eta h < 2), so the
    excess is h Var / 2 = eta s2 / (2 b (2 - eta h)); for small eta h it is the
    chapter's eta s2 / (4 b).

    >>> floor_1d(1.0, 1.0, 1.0, 1)
    0.5
    """
    if not 0 < eta * h < 2:
        raise ValueError(
            "SGD on this quadratic is stable only for 0 < eta h < 2; got eta h ="
            f" {eta * h:g}."
        )
    return float(eta * s2 / (2 * b * (2 - eta * h)))


def _floor_cases():
    return [
        (2.0, 1.0, 0.5, 1),
        (1.0, 3.0, 0.9, 4),
        (4.0, 0.5, 0.1, 2),
        (0.5, 2.0, 1.5, 8),
        (3.0, 1.5, 0.05, 16),
    ]


_MISTAKES_FLOOR = [
    Mistake(
        "first-order law only",
        lambda h, s2, eta, b: eta * s2 / (4 * b),
        "That is the small-rate law $\\eta s^2/(4b)$: right when $\\eta h \\ll 1$, but"
        " here the rate is not small. Keep the exact stationary variance: from $e_{k+1}"
        " = (1 - \\eta h) e_k - \\eta\\xi_k$, $V = (1 - \\eta h)^2 V + \\eta^2 s^2/b$.",
    ),
    Mistake(
        "variance, not excess loss",
        lambda h, s2, eta, b: eta * s2 / (b * h * (2 - eta * h)),
        "That is the stationary variance of $\\theta$; the question asks for the excess"
        " LOSS, $\\mathbb E f - f^* = \\frac h2 \\mathrm{Var}\\,\\theta$.",
    ),
    Mistake(
        "missing one half",
        lambda h, s2, eta, b: eta * s2 / (b * (2 - eta * h)),
        "Off by a factor of 2: $f = \\frac h2 \\theta^2$, so the excess is $\\frac h2$"
        " times the variance, not $h$ times.",
    ),
    Mistake(
        "batch size forgotten",
        lambda h, s2, eta, b: eta * s2 / (2 * (2 - eta * h)),
        "The batch size is missing: a batch of b independent examples has noise"
        " variance $s^2/b$.",
    ),
    Mistake(
        "batch size squared",
        lambda h, s2, eta, b: eta * s2 / (2 * b**2 * (2 - eta * h)),
        "The noise VARIANCE falls as $1/b$, not $1/b^2$ (the standard deviation as"
        " $1/\\sqrt b$).",
    ),
    Mistake(
        "rate squared kept",
        lambda h, s2, eta, b: eta**2 * s2 / (2 * b * (2 - eta * h)),
        "One $\\eta$ too many: the kick has variance $\\eta^2 s^2/b$, but the"
        " contraction $1 - (1 - \\eta h)^2 = \\eta h (2 - \\eta h)$ takes one $\\eta$"
        " back.",
    ),
    Mistake(
        "wrong sign in the correction",
        lambda h, s2, eta, b: eta * s2 / (2 * b * (2 + eta * h)),
        "Check the sign: $1 - (1 - \\eta h)^2 = \\eta h (2 - \\eta h)$, so the floor"
        " GROWS faster than linearly in $\\eta$.",
    ),
    Mistake(
        "standard deviation for variance",
        lambda h, s2, eta, b: eta * math.sqrt(s2) / (2 * b * (2 - eta * h)),
        "`s2` is already the variance $s^2$ of one example's gradient noise: do not"
        " take its square root.",
    ),
]


def check_floor_1d(fn: Callable) -> Feedback:
    """Check ``fn(h, s2, eta, b)`` -> the exact stationary excess loss (see
    :func:`floor_1d`).

    >>> check_floor_1d(floor_1d).passed
    True
    >>> check_floor_1d(lambda h, s2, eta, b: eta * s2 / (4 * b)).mistake
    'first-order law only'
    """
    return check_function(
        fn,
        floor_1d,
        _floor_cases(),
        _MISTAKES_FLOOR,
        rtol=1e-9,
        atol=0.0,
        what="`floor_1d`",
    )


# --- exercise 5 (transfer): the critical batch size from measured steps ---------------


def critical_batch(batch_sizes, steps) -> float:
    """B_crit = E_min / S_min from a least-squares fit of steps = S_min + E_min / b.

    S_min is the fewest updates any batch size needs, E_min the fewest sample gradients;
    at b = B_crit a run needs twice both (McCandlish et al. 2018).

    >>> round(critical_batch([1, 4, 16, 64], [3 + 120 / b for b in (1, 4, 16, 64)]), 9)
    40.0
    """
    b = np.asarray(batch_sizes, dtype=float)
    S = np.asarray(steps, dtype=float)
    if b.ndim != 1 or b.shape != S.shape or b.size < 2:
        raise ValueError(
            f"batch_sizes and steps must be 1-D of the same length >= 2; got {b.shape},"
            f" {S.shape}."
        )
    e_min, s_min = np.polyfit(1.0 / b, S, 1)
    return float(e_min / s_min)


def _critical_cases():
    out = []
    for bs, s_min, e_min in [
        ((1, 2, 4, 8, 16, 32, 64, 128, 256), 3.0, 120.0),
        ((1, 4, 16, 64, 256, 1024), 5.0, 400.0),
        ((8, 16, 32, 64, 128), 10.0, 2000.0),
        ((2, 8, 32, 128, 512), 2.5, 37.5),
    ]:
        b = np.array(bs, dtype=float)
        out.append((b, s_min + e_min / b))
    return out


def _fit(b, S):
    e_min, s_min = np.polyfit(1.0 / np.asarray(b, float), np.asarray(S, float), 1)
    return s_min, e_min


_MISTAKES_CRITICAL = [
    Mistake(
        "inverted",
        lambda b, S: _fit(b, S)[0] / _fit(b, S)[1],
        "Upside down: the critical batch size is $E_{\\min}/S_{\\min}$ (sample"
        " gradients per update), not $S_{\\min}/E_{\\min}$.",
    ),
    Mistake(
        "slope only",
        lambda b, S: _fit(b, S)[1],
        "That is $E_{\\min}$, the slope of the fit (the fewest sample gradients);"
        " divide it by the intercept $S_{\\min}$.",
    ),
    Mistake(
        "intercept only",
        lambda b, S: _fit(b, S)[0],
        "That is $S_{\\min}$, the intercept of the fit (the fewest updates); the"
        " critical batch size is $E_{\\min}/S_{\\min}$.",
    ),
    Mistake(
        "read off the ends",
        lambda b, S: float(np.asarray(S)[0] * np.asarray(b)[0] / np.asarray(S)[-1]),
        "You read $E_{\\min}$ off the smallest batch and $S_{\\min}$ off the largest:"
        " neither batch is at its limit, so fit `steps = S_min + E_min / b` through all"
        " the points.",
    ),
    Mistake(
        "most efficient batch",
        lambda b, S: float(np.asarray(b)[np.argmin(np.asarray(S) * np.asarray(b))]),
        "That is the batch size with the fewest sample gradients, always the smallest"
        " here: the critical batch size is where the two regimes meet,"
        " $E_{\\min}/S_{\\min}$ from the fit.",
    ),
    Mistake(
        "fewest steps",
        lambda b, S: float(np.asarray(b)[np.argmin(np.asarray(S))]),
        "That is the batch size with the fewest updates, always the largest here: past"
        " the critical batch size more examples barely cut the updates. Fit `steps ="
        " S_min + E_min / b`.",
    ),
    Mistake(
        "fit against b",
        lambda b, S: float(
            np.polyfit(np.asarray(b, float), np.asarray(S, float), 1)[1]
            / -np.polyfit(np.asarray(b, float), np.asarray(S, float), 1)[0]
        ),
        "The steps are linear in $1/b$, not in $b$: fit `S` against `1 / b`.",
    ),
]


def check_critical_batch(fn: Callable) -> Feedback:
    """Check ``fn(batch_sizes, steps)`` -> the critical batch size E_min / S_min.

    >>> check_critical_batch(critical_batch).passed
    True
    >>> check_critical_batch(lambda b, S: _fit(b, S)[1]).mistake
    'slope only'
    """
    return check_function(
        fn,
        critical_batch,
        _critical_cases(),
        _MISTAKES_CRITICAL,
        rtol=1e-6,
        atol=0.0,
        what="`critical_batch`",
    )


# --- the exercises --------------------------------------------------------------------


def _regression() -> dict:
    """The chapter's reference regression, built as the chapter builds it."""
    from .. import data
    from ..seeding import book_rng

    X, y, _ = data.linear_regression(rng=book_rng("ch02-regression"))
    return {"X": X, "y": y, "n": len(y)}


epoch = Exercise(
    "ch02.epoch",
    "ch02-ex-epoch",
    check_minibatch_epoch,
    hints=[
        (
            "Loop over the batch starts, `for start in range(0, len(y), batch_size)`,"
            " take `idx = order[start:start + batch_size]`, and make one update per"
            " batch."
        ),
        (
            "Each update uses the gradient of the batch only, at the CURRENT `theta`: "
            "`theta = theta - learning_rate * gdu.mse_grad(theta, X[idx], y[idx])`."
        ),
        (
            "Start from a copy, `theta = np.array(theta, dtype=float)`, run the loop"
            " above, `return theta`."
        ),
    ],
    solution_code="""\
def minibatch_epoch(theta, X, y, batch_size, learning_rate, order):
    theta = np.array(theta, dtype=float)
    for start in range(0, len(y), batch_size):
        idx = order[start : start + batch_size]  # the same indices for X and y
        theta = theta - learning_rate * gdu.mse_grad(theta, X[idx], y[idx])
    return theta


# one epoch of gdu.minibatch_gd draws its order from the generator: the same stream, the
# same epoch
one = gdu.minibatch_gd(
    gdu.mse,
    np.zeros(6),
    (X, y),
    gdu.mse_grad,
    batch_size=32,
    learning_rate=0.01,
    epochs=1,
    rng=gdu.book_rng("ch02-ex-epoch"),
)
mine = minibatch_epoch(
    np.zeros(6), X, y, 32, 0.01, gdu.book_rng("ch02-ex-epoch").permutation(n)
)
assert np.allclose(mine, one.x, rtol=1e-12)
""",
    check_args="minibatch_epoch",
    context=_regression,
)

robbins_monro = Exercise(
    "ch02.robbins_monro",
    "ch02-ex-robbins-monro",
    check_robbins_monro,
    hints=[
        (
            "Both conditions are about the tail: a rate that falls like $k^{-p}$ has"
            " $\\sum_k \\eta_k = \\infty$ exactly when $p \\le 1$ and $\\sum_k"
            " \\eta_k^2 < \\infty$ exactly when $p > 1/2$."
        ),
        (
            "A constant breaks the second condition, a geometric decay (and $k^{-2}$)"
            " the first, $k^{-1/2}$ the second (its squares sum like $\\sum 1/k$). Any"
            " exponent in $(1/2, 1]$ works."
        ),
        (
            "`return 0.1 / (1 + k / 100)` (a $1/t$ schedule that halves after 100"
            " updates), or `return 0.1 / (1 + k) ** 0.75`."
        ),
    ],
    solution_code="""\
def schedule(k):
    return 0.1 / (1 + k / 100)  # 1/t, slowed down: halves after 100 updates


# the four candidates of the statement, each with the condition it breaks
for name, wrong in [
    ("0.1", lambda k: 0.1),
    ("0.1 * 0.99**k", lambda k: 0.1 * 0.99**k),
    ("0.1 / (1 + k)**2", lambda k: 0.1 / (1 + k) ** 2),
    ("0.1 / sqrt(1 + k)", lambda k: 0.1 / np.sqrt(1 + k)),
]:
    print(f"{name:18s} {ch02.robbins_monro.checker(wrong).mistake}")
""",
    check_args="schedule",
)

variance = Exercise(
    "ch02.variance",
    "ch02-ex-variance",
    check_predict_v64,
    hints=[
        (
            "Write the variance of a batch drawn without replacement,"
            " $\\frac{\\sigma^2}{b}\\frac{n - b}{n - 1}$, once for $b = 8$ and once for"
            " $b = 64$, and divide the two."
        ),
        (
            "In the ratio $\\sigma^2$ and $n - 1$ cancel: $v_{64}/v_8 ="
            " \\frac{8}{64}\\cdot\\frac{n - 64}{n - 8}$."
        ),
        "`return v8 * 8 / 64 * (n - 64) / (n - 8)`.",
    ],
    solution_code="""\
def predict_v64(v8, n):
    return v8 * 8 / 64 * (n - 64) / (n - 8)


# checked against a measurement on the chapter's per-example gradients
v8 = gdu.stochastic.minibatch_variance(
    G, 8, rng=gdu.book_rng("ch02-ex-v8"), num_batches=4000
)
v64 = gdu.stochastic.minibatch_variance(
    G, 64, rng=gdu.book_rng("ch02-ex-v64"), num_batches=4000
)
print(
    f"predicted {predict_v64(v8, n):.4g}, measured {v64:.4g}, without the correction"
    f" {v8 / 8:.4g}"
)
""",
    check_args="predict_v64",
    context=lambda: {**_regression(), "G": _per_example_context()},
)


def _per_example_context():
    d = _regression()
    A = np.column_stack([d["X"], np.ones(d["n"])])
    return 2 * (A @ np.zeros(A.shape[1]) - d["y"])[:, None] * A


floor = Exercise(
    "ch02.floor",
    "ch02-ex-floor",
    check_floor_1d,
    hints=[
        (
            "Write the error recursion $e_{k+1} = (1 - \\eta h)\\, e_k -"
            " \\eta\\,\\xi_k$ with independent $\\xi_k$ of mean 0 and variance $s^2/b$,"
            " and take the variance of both sides."
        ),
        (
            "In the stationary state $V = (1 - \\eta h)^2 V + \\eta^2 s^2/b$, so $V ="
            " \\frac{\\eta s^2}{b\\,h\\,(2 - \\eta h)}$; the excess loss is $\\frac"
            " h2 V$."
        ),
        (
            "`return eta * s2 / (2 * b * (2 - eta * h))`. For small `eta * h` it is the"
            " chapter's `eta * s2 / (4 * b)`."
        ),
    ],
    solution_code="""\
def floor_1d(h, s2, eta, b):
    return eta * s2 / (2 * b * (2 - eta * h))  # (h / 2) times the stationary variance


# a simulation: 2000 independent chains, 400 updates each (far past the transient)
h, s2, eta, b = 2.0, 1.0, 0.6, 2
gen = gdu.book_rng("ch02-ex-floor")
theta = np.zeros(2000)
for _ in range(400):
    theta = theta - eta * (h * theta + gen.normal(0.0, np.sqrt(s2 / b), theta.size))
measured = np.mean(h / 2 * theta**2)
se = np.std(h / 2 * theta**2) / np.sqrt(theta.size)
print(
    f"exact {floor_1d(h, s2, eta, b):.4f}, simulated {measured:.4f} +- {se:.4f}, "
    f"first-order law {eta * s2 / (4 * b):.4f}"
)
assert abs(measured - floor_1d(h, s2, eta, b)) < 5 * se
""",
    check_args="floor_1d",
    transfer=True,
)

critical = Exercise(
    "ch02.critical",
    "ch02-ex-critical",
    check_critical_batch,
    hints=[
        (
            "Below the critical batch size, doubling b halves the updates; above it,"
            " the updates barely fall. The law `steps = S_min + E_min / b` has both"
            " regimes: it is a straight line in $1/b$."
        ),
        (
            "Fit a line to `steps` against `1 / b` (`np.polyfit(1 / b, steps, 1)`"
            " returns the slope, then the intercept): the slope is $E_{\\min}$, the"
            " intercept $S_{\\min}$."
        ),
        (
            "`E_min, S_min = np.polyfit(1 / np.asarray(b, float), steps, 1)`, then"
            " `return E_min / S_min`."
        ),
    ],
    solution_code="""\
def critical_batch(b, steps):
    E_min, S_min = np.polyfit(
        1 / np.asarray(b, dtype=float), np.asarray(steps, dtype=float), 1
    )
    return E_min / S_min


# at b = B_crit the law gives twice the fewest updates AND twice the fewest sample
# gradients
b_demo = np.array([1, 4, 16, 64, 256])
steps_demo = 4.0 + 200.0 / b_demo
B = critical_batch(b_demo, steps_demo)
print(
    f"B_crit = {B:g}: steps there {4.0 + 200.0 / B:g} (twice 4), sample gradients"
    f" {(4.0 + 200.0 / B) * B:g} (twice 200)"
)
""",
    check_args="critical_batch",
    transfer=True,
)
