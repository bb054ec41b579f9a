"""Small measurement helpers for convergence rates: conditioning, predicted and measured
steps, slopes.

The convergence chapter compares what theory predicts with what a run does. The
predictions come from the extreme Hessian eigenvalues mu and L (condition number
kappa = L / mu); the measurements from a sequence of errors (distances to the minimizer
or f(x_k) - f*).

>>> mu, L = extreme_eigenvalues(np.diag([1.0, 4.0, 10.0]))
>>> rho = gd_factor(1 / L, [mu, L])      # 1 - 1/kappa at the step 1/L
>>> rho, predicted_steps(rho, 1e-6)      # smallest k with rho^k <= 1e-6
(0.9, 132)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_positive, as_real_array
from .objectives import Objective, quadratic

__all__ = [
    "extreme_eigenvalues",
    "gd_factor",
    "predicted_steps",
    "steps_to",
    "per_step_rate",
    "loglog_slope",
    "random_quadratic",
    "nesterov_worst_function",
    "nesterov_lower_bound",
]


def _symmetric(H) -> np.ndarray:
    H = as_real_array(H, "H")
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.size == 0:
        raise ValueError(
            f"H must be a square matrix of shape (d, d); got shape {H.shape}."
        )
    if not np.all(np.isfinite(H)) or not np.allclose(H, H.T):
        raise ValueError("H must be a finite symmetric matrix (a Hessian).")
    return H


def extreme_eigenvalues(H: ArrayLike) -> tuple[float, float]:
    """(mu, L): the smallest and largest eigenvalues of a symmetric matrix ``H``.

    For a quadratic with Hessian H, f is L-smooth and mu-strongly convex (when mu > 0).

    >>> extreme_eigenvalues([[2.0, 1.0], [1.0, 2.0]])
    (1.0, 3.0)
    """
    eig = np.linalg.eigvalsh(_symmetric(H))
    return float(eig[0]), float(eig[-1])


def gd_factor(step: float, eigenvalues: ArrayLike) -> float:
    """max |1 - step * lam| over ``eigenvalues``: the error's worst contraction per
    gradient step.

    On a quadratic, ||x_k - x*|| <= factor^k ||x_0 - x*||, with equality in the limit
    for a start that has a component along the worst eigenvector.

    >>> # the optimal step 2/(L + mu): (kappa - 1)/(kappa + 1)
    >>> round(gd_factor(2 / 11, [1.0, 10.0]), 12)
    0.818181818182
    """
    as_positive(step, "step")
    lam = as_real_array(eigenvalues, "eigenvalues")
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError(
            "eigenvalues must be a non-empty 1-D array of finite numbers; got shape"
            f" {lam.shape}."
        )
    return float(np.max(np.abs(1 - step * lam)))


def predicted_steps(rho: float, tol: float) -> int:
    """The smallest k with rho^k <= tol: ceil(log(tol) / log(rho)), for 0 < rho < 1 and
    0 < tol < 1.

    >>> predicted_steps(0.5, 1e-3)   # 0.5^10 = 1/1024
    10
    """
    as_positive(rho, "rho")
    as_positive(tol, "tol")
    if not (rho < 1 and tol < 1):
        raise ValueError(
            f"rho and tol must be in (0, 1); got rho={rho!r}, tol={tol!r}."
        )
    k = int(np.ceil(np.log(tol) / np.log(rho)))
    # guard against round-off at exact powers: the smallest k that really satisfies
    # rho^k <= tol
    while k > 0 and rho ** (k - 1) <= tol:
        k -= 1
    while rho**k > tol:
        k += 1
    return k


def steps_to(errors: ArrayLike, tol: float) -> int | None:
    """The first k with errors[k] <= tol * errors[0] (measured steps to a relative
    tolerance); None if never.

    >>> steps_to([8.0, 4.0, 2.0, 1.0, 0.5], 0.2)
    3
    """
    e = as_real_array(errors, "errors")
    if e.ndim != 1 or e.size == 0:
        raise ValueError(f"errors must be a non-empty 1-D array; got shape {e.shape}.")
    as_positive(tol, "tol")
    if not (np.isfinite(e[0]) and e[0] > 0):
        raise ValueError(
            "errors[0] must be finite and > 0 (the tolerance is relative to it); got"
            f" {e[0]!r}."
        )
    if np.any(e < 0):
        raise ValueError(
            "errors must be >= 0 (distances or gaps f(x_k) - f*); got a negative entry."
        )
    hit = np.flatnonzero(e <= tol * e[0])
    return int(hit[0]) if hit.size else None


def per_step_rate(errors: ArrayLike, lo: int = 0, hi: int | None = None) -> float:
    """Measured contraction per step: exp of the least-squares slope of log(errors[k])
    over k in [lo, hi).

    >>> round(per_step_rate(3 * 0.9 ** np.arange(50), 10, 40), 12)
    0.9
    """
    e = as_real_array(errors, "errors")
    if e.ndim != 1:
        raise ValueError(f"errors must be a 1-D array; got shape {e.shape}.")
    as_positive(lo, "lo", integer=True, allow_zero=True)
    if hi is not None:
        as_positive(hi, "hi", integer=True)
    hi = e.size if hi is None else hi
    k = np.arange(lo, hi)
    if k.size < 2 or not np.all(e[lo:hi] > 0) or not np.all(np.isfinite(e[lo:hi])):
        raise ValueError(
            f"need at least two positive, finite errors in [lo, hi) = [{lo}, {hi})."
        )
    return float(np.exp(np.polyfit(k, np.log(e[lo:hi]), 1)[0]))


def loglog_slope(k: ArrayLike, values: ArrayLike) -> float:
    """Least-squares slope of log(values) against log(k): -1 for values ~ C / k, -2 for
    C / k^2.

    >>> k = np.arange(1, 100)
    >>> round(loglog_slope(k, 5.0 / k**2), 12)
    -2.0
    """
    k = as_real_array(k, "k")
    v = as_real_array(values, "values")
    if k.shape != v.shape or k.ndim != 1 or k.size < 2:
        raise ValueError(
            f"k and values must be 1-D arrays of the same length >= 2; got {k.shape}"
            f" and {v.shape}."
        )
    if not (np.all(np.isfinite(k)) and np.all(np.isfinite(v))):
        raise ValueError("k and values must be finite.")
    if not (np.all(k > 0) and np.all(v > 0)):
        raise ValueError("k and values must be positive (they are put on a log scale).")
    if np.ptp(k) == 0:
        raise ValueError(
            "k must take at least two different values (a slope needs a spread in k)."
        )
    return float(np.polyfit(np.log(k), np.log(v), 1)[0])


def random_quadratic(
    d: int,
    kappa: float,
    rng: np.random.Generator,
    *,
    mu: float = 1.0,
    margin: float = 1.0,
) -> Objective:
    """f(x) = 1/2 x^T A x with A = Q diag(lam) Q^T: a random rotation Q, eigenvalues mu,
    ..., kappa mu.

    The extremes mu and kappa * mu are always eigenvalues; the d - 2 others are drawn
    log-uniformly in [margin * mu, kappa * mu / margin] (``margin > 1`` keeps them away
    from the extremes, so that the slowest direction alone sets the late rate). The
    minimizer is the origin.

    >>> q = random_quadratic(5, 100.0, np.random.default_rng(0))
    >>> mu, L = extreme_eigenvalues(q.hess(np.zeros(5)))
    >>> round(mu, 10), round(L, 10)
    (1.0, 100.0)
    """
    as_positive(d, "d", integer=True)
    as_positive(kappa, "kappa")
    as_positive(mu, "mu")
    as_positive(margin, "margin")
    if kappa < 1 or d < 2 or margin < 1 or margin**2 > kappa:
        raise ValueError(
            f"need d >= 2, kappa >= 1 and 1 <= margin <= sqrt(kappa); got d={d!r}, "
            f"kappa={kappa!r}, margin={margin!r}."
        )
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy Generator (e.g. gdu.book_rng(...)); got {rng!r}."
        )
    inner = np.exp(rng.uniform(np.log(margin), np.log(kappa / margin), d - 2))
    lam = mu * np.concatenate([[1.0], np.sort(inner), [kappa]])
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    Q = Q * np.sign(np.diag(R))  # a uniformly random rotation
    A = (Q * lam) @ Q.T
    return quadratic((A + A.T) / 2, name=f"random quadratic (d={d}, kappa={kappa:g})")


def nesterov_worst_function(d: int, L: float = 1.0) -> Objective:
    """Nesterov's hard quadratic: f(x) = L/4 (1/2 [x_1^2 + sum (x_i - x_{i+1})^2 +
    x_d^2] - x_1).

    Its Hessian is L/4 times the tridiagonal matrix (2, -1) (eigenvalues in (0, L)); its
    minimizer is x*_i = 1 - i / (d + 1) with value L/8 (-1 + 1/(d + 1)). From x0 = 0,
    any method whose iterates stay in the span of the gradients seen so far has
    x_k supported on the first k coordinates (Nesterov 2004, section 2.1.2).

    >>> f = nesterov_worst_function(3, L=4.0)
    >>> f.minimizers[0], round(f.minimum, 12)
    (array([0.75, 0.5 , 0.25]), -0.375)
    """
    as_positive(d, "d", integer=True)
    as_positive(L, "L")
    A = L / 4 * (2 * np.eye(d) - np.eye(d, k=1) - np.eye(d, k=-1))
    b = np.zeros(d)
    b[0] = L / 4
    return quadratic(A, b, name=f"Nesterov's worst function (d={d}, L={L:g})")


def nesterov_lower_bound(k: ArrayLike, d: int, L: float = 1.0) -> np.ndarray:
    """Smallest f(x_k) - f* any first-order method can reach in k steps from 0 on
    ``nesterov_worst_function(d, L)``.

    For k < d it is L/8 (1/(k + 1) - 1/(d + 1)): x_k lies in the span of the first k
    coordinates, where the best value is the minimum of the same function in dimension
    k.

    >>> nesterov_lower_bound([0, 1], 3, L=8.0)
    array([0.75, 0.25])
    """
    as_positive(d, "d", integer=True)
    as_positive(L, "L")
    k = as_real_array(k, "k")
    if np.any(k < 0) or np.any(k >= d):
        raise ValueError(
            f"the bound holds for 0 <= k < d = {d}; got k in [{k.min()}, {k.max()}]."
        )
    return L / 8 * (1 / (k + 1) - 1 / (d + 1))
