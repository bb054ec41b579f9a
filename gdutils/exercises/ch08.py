"""Checkers for the convergence-rates chapter (conditioning, rates, line search)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

import numpy as np

from ..linesearch import armijo_step
from ._core import Feedback, Mistake, check_function

__all__ = ["check_steps_needed", "check_armijo", "check_exact_step", "check_ridge_condition", "steps_needed",
           "exact_step", "ridge_condition"]


def _pristine(fn: Callable) -> Callable:
    """Call ``fn`` on deep copies of the case, so that in-place edits cannot corrupt the case or the reference."""
    return lambda *case: fn(*copy.deepcopy(case))


def _relative(fb: Feedback, candidate, reference, cases) -> Feedback:
    """Replace the generic 'values differ' message by the relative difference on the first failing case."""
    m = re.match(r"Case (\d+): the values differ", fb.message) if fb.status == "fail" and fb.mistake is None else None
    if not m:
        return fb
    i = int(m.group(1))
    got = np.asarray(candidate(*cases[i - 1]), dtype=float)
    want = np.asarray(reference(*cases[i - 1]), dtype=float)
    rel = float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300))
    return Feedback("fail", f"Case {i}: your result differs from the reference by a relative {rel:.2e} "
                            f"(norm of the difference over the norm of the reference).")


def _check(fn, reference, cases, mistakes, *, rtol, atol, what) -> Feedback:
    cand, ref = _pristine(fn), _pristine(reference)
    fb = check_function(cand, ref, cases, [Mistake(m.name, _pristine(m.compute), m.hint) for m in mistakes],
                        rtol=rtol, atol=atol, what=what)
    return _relative(fb, cand, ref, cases)


# --- exercise 1: steps predicted from kappa --------------------------------------------------------

def _smallest_k(rho: float, tol: float) -> int:
    k = int(np.ceil(np.log(tol) / np.log(rho)))
    while k > 0 and rho ** (k - 1) <= tol:
        k -= 1
    while rho**k > tol:
        k += 1
    return k


def steps_needed(kappa: float, tol: float) -> tuple[int, int]:
    """Smallest k with rho^k <= tol, at the step 1/L (rho = 1 - 1/kappa) and at 2/(L + mu) (rho = (kappa - 1)/(kappa + 1)).

    >>> steps_needed(10.0, 1e-6)
    (132, 69)
    """
    return _smallest_k(1 - 1 / kappa, tol), _smallest_k((kappa - 1) / (kappa + 1), tol)


_CASES_STEPS = [(10.0, 1e-6), (100.0, 1e-3), (1000.0, 1e-8), (3.5, 0.01)]

_MISTAKES_STEPS = [
    Mistake("swapped", lambda kap, tol: steps_needed(kap, tol)[::-1],
            "Right numbers, wrong order: return (steps at 1/L, steps at 2/(L + mu)); the optimal step needs fewer."),
    Mistake("rounded down", lambda kap, tol: tuple(int(np.floor(np.log(tol) / np.log(r)))
                                                 for r in (1 - 1 / kap, (kap - 1) / (kap + 1))),
            "You rounded down: after floor(log(tol) / log(rho)) steps rho^k is still above tol. Round up (`np.ceil`)."),
    Mistake("not rounded", lambda kap, tol: tuple(np.log(tol) / np.log(r) for r in (1 - 1 / kap, (kap - 1) / (kap + 1))),
            "A number of steps is an integer: the smallest k with rho^k <= tol is `ceil(log(tol) / log(rho))`."),
    Mistake("kappa log(1/tol) approximation",
            lambda kap, tol: (int(np.ceil(kap * np.log(1 / tol))), int(np.ceil((kap + 1) / 2 * np.log(1 / tol)))),
            "You used the approximation log(1 - 1/kappa) ~ -1/kappa. It overestimates the steps; use "
            "the exact `log(tol) / log(rho)`, rounded up."),
    Mistake("square root of kappa", lambda kap, tol: steps_needed(np.sqrt(kap), tol),
            "That is a momentum rate (it depends on sqrt(kappa)). Plain gradient descent contracts by "
            "1 - 1/kappa at 1/L and (kappa - 1)/(kappa + 1) at 2/(L + mu)."),
    Mistake("log10 over natural log", lambda kap, tol: tuple(int(np.ceil(np.log10(tol) / np.log(r)))
                                                           for r in (1 - 1 / kap, (kap - 1) / (kap + 1))),
            "You mixed logarithms: `np.log10(tol) / np.log(rho)`. Use the same base for both (any base works)."),
    Mistake("function values instead of distances", lambda kap, tol: tuple(
        _smallest_k(r * r, tol) for r in (1 - 1 / kap, (kap - 1) / (kap + 1))),
            "You used rho^2, the contraction of f - f*; the exercise asks for the distance ||x_k - x*||, "
            "which contracts by rho."),
    Mistake("one step too many", lambda kap, tol: tuple(k + 1 for k in steps_needed(kap, tol)),
            "One step too many: the smallest k with rho^k <= tol already meets the tolerance."),
]


def check_steps_needed(fn: Callable) -> Feedback:
    """Check ``fn(kappa, tol)`` -> (steps at 1/L, steps at 2/(L + mu)) for the distance to shrink by ``tol``.

    >>> check_steps_needed(steps_needed).passed
    True
    >>> check_steps_needed(lambda k, t: steps_needed(k, t)[::-1]).mistake
    'swapped'
    """
    return _check(fn, steps_needed, _CASES_STEPS, _MISTAKES_STEPS, rtol=1e-12, atol=0.0, what="`steps_needed`")


# --- exercise 2: Armijo backtracking along any descent direction ----------------------------------

def _armijo_reference(f, grad, x, p, t0, c, shrink):
    return armijo_step(f, x, f(x), grad(x), p, initial_step=t0, c1=c, shrink=shrink)[0]


def _armijo_variant(f, grad, x, p, t0, c, shrink, *, variant):
    fx, g = f(x), grad(x)
    slope = -float(g @ g) if variant == "gradient norm" else float(g @ p)
    t = t0 * shrink if variant == "never tries t0" else t0
    for _ in range(60):
        if variant == "gradient at the trial point":
            slope = float(grad(x + t * p) @ p)
        if variant == "wrong sign":
            ok = f(x + t * p) <= fx - c * t * slope
        elif variant == "simple decrease":
            ok = f(x + t * p) < fx
        else:
            ok = f(x + t * p) <= fx + c * t * slope
        if ok:
            return t * shrink if variant == "one shrink too many" else t
        t *= shrink
    return float("nan")


def _rosen(x):
    return float(100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2)


def _rosen_grad(x):
    return np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])


def _cases_armijo():
    A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 20.0]])
    fq = lambda x: float(0.5 * x @ A @ x - x.sum())  # noqa: E731
    gq = lambda x: A @ x - 1.0  # noqa: E731
    xq = np.array([2.0, -1.0, 1.0])
    scaled = -np.array([2.0, 1.5, 1.0]) * gq(xq)  # a scaled gradient: a descent direction that is not -g
    xr = np.array([-1.2, 1.0])
    gr = _rosen_grad(xr)
    # (every case keeps the slips below terminating: a learner's loop must not hang the checker)
    return [
        (fq, gq, xq, scaled, 1.0, 0.4, 0.8),
        (fq, gq, xq, -gq(xq), 1.0, 0.3, 0.7),
        (fq, gq, xq, -np.array([3.0, 1.0, 2.0]) * gq(xq), 0.02, 0.1, 0.5),  # t0 passes at once
        (_rosen, _rosen_grad, xr, -gr / np.linalg.norm(gr), 1.0, 1e-4, 0.5),
        (_rosen, _rosen_grad, np.array([0.5, 0.9]), np.array([0.3, -1.0]), 2.0, 1e-3, 0.3),
    ]


def _mistake(name, hint):
    return Mistake(name, lambda *c: _armijo_variant(*c, variant=name), hint)


_MISTAKES_ARMIJO = [
    _mistake("gradient norm", "You used -||g||^2 as the slope. That is g.p only for p = -g; for a general "
                              "direction the sufficient-decrease test is f(x + t p) <= f(x) + c t g.p."),
    _mistake("wrong sign", "The sign of the decrease term is flipped: g.p < 0, so the test is "
                           "f(x + t p) <= f(x) + c t g.p (the right-hand side lies below f(x))."),
    _mistake("simple decrease", "You accept any decrease, f(x + t p) < f(x). Armijo asks for a *sufficient* "
                                "decrease, proportional to the step: f(x + t p) <= f(x) + c t g.p."),
    _mistake("never tries t0", "You shrink before the first test, so t0 itself is never tried. Test t = t0 first."),
    _mistake("one shrink too many", "You return the step after the accepted one (one shrink too many): "
                                    "return the first t that passes the test."),
    _mistake("gradient at the trial point", "You evaluated the slope at the trial point, grad(x + t p). The "
                                            "Armijo line is tangent at x: use g = grad(x) for every trial."),
    Mistake("returned the new point", lambda f, grad, x, p, *rest: x + _armijo_reference(f, grad, x, p, *rest) * p,
            "You returned the new point x + t p; return the step length t."),
]


def check_armijo(fn: Callable) -> Feedback:
    """Check ``fn(f, grad, x, p, t0, c, shrink)`` -> the Armijo step t along the descent direction ``p``.

    t is the first of t0, t0 * shrink, t0 * shrink^2, ... with f(x + t p) <= f(x) + c t grad(x).p.

    >>> check_armijo(_armijo_reference).passed
    True
    >>> check_armijo(lambda *c: _armijo_variant(*c, variant="gradient norm")).mistake
    'gradient norm'
    """
    return _check(fn, _armijo_reference, _cases_armijo(), _MISTAKES_ARMIJO, rtol=1e-12, atol=0.0,
                  what="`armijo`")


# --- exercise 3: the exact line-search step on a quadratic -----------------------------------------

def exact_step(A, b, x) -> float:
    """The t that minimizes f(x - t g) for f = 1/2 x^T A x - b^T x and g = A x - b: t = g.g / g.A g.

    >>> exact_step(np.diag([1.0, 3.0]), np.zeros(2), np.array([1.0, 1.0]))
    0.35714285714285715
    """
    g = A @ x - b
    return float(g @ g / (g @ A @ g))


def _cases_exact():
    return [
        (np.diag([1.0, 10.0]), np.array([1.0, -2.0]), np.array([3.0, 1.0])),
        (np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([0.5, 0.5]), np.array([-1.0, 2.0])),
        (np.array([[5.0, 2.0, 0.0], [2.0, 3.0, 1.0], [0.0, 1.0, 50.0]]), np.array([1.0, 0.0, -1.0]),
         np.array([0.3, -0.7, 0.2])),
    ]


def _g(A, b, x):
    return A @ x - b


_MISTAKES_EXACT = [
    Mistake("inverted", lambda A, b, x: 1 / exact_step(A, b, x),
            "Upside down: the step is `g @ g / (g @ A @ g)`, a length of order 1/L, not L."),
    Mistake("norm of A g", lambda A, b, x: float(_g(A, b, x) @ _g(A, b, x) / (np.linalg.norm(A @ _g(A, b, x)) ** 2)),
            "The denominator is the curvature along g, `g @ A @ g`, not `||A g||^2`."),
    Mistake("constant 1/L", lambda A, b, x: float(1 / np.linalg.eigvalsh(A)[-1]),
            "1/L is the safe constant step; the exact step depends on the point, through g: `g @ g / (g @ A @ g)`."),
    Mistake("factor 2", lambda A, b, x: 2 * exact_step(A, b, x),
            "A factor 2 too large: along -g, f(x - t g) = f(x) - t g.g + t^2/2 g.A g, minimized at t = g.g / g.A g."),
    Mistake("forgot b", lambda A, b, x: exact_step(A, np.zeros_like(b), x),
            "Your gradient is A x; for f = 1/2 x^T A x - b^T x it is A x - b."),
    Mistake("not normalised", lambda A, b, x: float(1 / (_g(A, b, x) @ A @ _g(A, b, x))),
            "Only the denominator is there: the numerator g.g belongs too (t = g.g / g.A g)."),
    Mistake("returned the new point", lambda A, b, x: x - exact_step(A, b, x) * _g(A, b, x),
            "You returned the new point x - t g; return the step length t."),
]


def check_exact_step(fn: Callable) -> Feedback:
    """Check ``fn(A, b, x)`` -> the exact line-search step along -g on f = 1/2 x^T A x - b^T x.

    >>> check_exact_step(exact_step).passed
    True
    >>> check_exact_step(lambda A, b, x: 2 * exact_step(A, b, x)).mistake
    'factor 2'
    """
    return _check(fn, exact_step, _cases_exact(), _MISTAKES_EXACT, rtol=1e-9, atol=0.0, what="`exact_step`")


# --- exercise 4: the condition number of ridge regression ------------------------------------------

def ridge_condition(X, lam) -> float:
    """kappa of f(w) = (1/n) ||X w - y||^2 + lam ||w||^2: its Hessian is (2/n) X^T X + 2 lam I.

    >>> ridge_condition(np.array([[1.0, 0.0], [0.0, 3.0]]), 0.5)
    5.0
    """
    n, d = X.shape
    eig = np.linalg.eigvalsh(2 / n * X.T @ X + 2 * lam * np.eye(d))
    return float(eig[-1] / eig[0])


def _extremes(M):
    eig = np.linalg.eigvalsh(M)
    return eig[0], eig[-1]


def _cases_ridge():
    rng = np.random.default_rng(8)
    X1 = rng.standard_normal((40, 3)) * np.array([1.0, 5.0, 0.2])
    X2 = rng.standard_normal((25, 4)) + np.array([3.0, 0.0, -1.0, 2.0])
    return [(X1, 0.1), (X2, 0.01), (X1[:, :2], 1.0)]


def _ridge_with(X, lam, scale, reg):
    n, d = X.shape
    mu, L = _extremes(scale(n) * X.T @ X + reg * lam * np.eye(d))
    return float(L / mu)


_MISTAKES_RIDGE = [
    Mistake("lam instead of 2 lam", lambda X, lam: _ridge_with(X, lam, lambda n: 2 / n, 1.0),
            "The Hessian of lam ||w||^2 is 2 lam I (not lam I): add 2 * lam to every eigenvalue."),
    Mistake("no 2/n", lambda X, lam: _ridge_with(X, lam, lambda n: 1.0, 2.0),
            "The data term is the *mean* (1/n) ||X w - y||^2: its Hessian is (2/n) X^T X, not X^T X."),
    Mistake("1/n instead of 2/n", lambda X, lam: _ridge_with(X, lam, lambda n: 1 / n, 2.0),
            "The Hessian of (1/n) ||X w - y||^2 is (2/n) X^T X: the square brings down a 2."),
    Mistake("ignored lam", lambda X, lam: _ridge_with(X, lam, lambda n: 2 / n, 0.0),
            "That is the condition number without the penalty. 2 lam I raises every eigenvalue, so kappa "
            "falls to (L + 2 lam) / (mu + 2 lam)."),
    Mistake("singular values", lambda X, lam: float(np.sqrt(ridge_condition(X, lam))),
            "You took a ratio of singular values (or its equivalent). kappa is the ratio of the Hessian's "
            "eigenvalues, which are squares of singular values of X (scaled), plus 2 lam."),
    Mistake("penalty only on L", lambda X, lam: float((_extremes(2 / X.shape[0] * X.T @ X)[1] + 2 * lam)
                                                      / _extremes(2 / X.shape[0] * X.T @ X)[0]),
            "The penalty adds 2 lam to *every* eigenvalue, the smallest one too: kappa = (L + 2 lam) / (mu + 2 lam)."),
    Mistake("inverted", lambda X, lam: 1 / ridge_condition(X, lam),
            "Upside down: kappa = L / mu >= 1 (largest over smallest eigenvalue)."),
]


def check_ridge_condition(fn: Callable) -> Feedback:
    """Check ``fn(X, lam)`` -> the condition number of (1/n) ||X w - y||^2 + lam ||w||^2 (no bias).

    >>> check_ridge_condition(ridge_condition).passed
    True
    >>> check_ridge_condition(lambda X, lam: ridge_condition(X, lam / 2)).mistake
    'lam instead of 2 lam'
    """
    return _check(fn, ridge_condition, _cases_ridge(), _MISTAKES_RIDGE, rtol=1e-9, atol=0.0,
                  what="`ridge_condition`")
