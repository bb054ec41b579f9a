"""Exercises of the convergence-rates chapter: steps from kappa, Armijo along any
direction,
the exact step on a quadratic, the condition number of ridge regression.

Each exercise is an :class:`~gdutils.exercises.Exercise` (``ch08.steps``,
``ch08.armijo``, ``ch08.exact``, ``ch08.ridge``) whose checker runs the learner's
function on fixed cases with the core's :func:`~gdutils.exercises.check_function`
(copies of the inputs, mutation detected, relative differences reported) and names the
known mistakes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..linesearch import armijo_step
from ._core import Exercise, Feedback, Mistake, check_function

__all__ = [
    "steps",
    "armijo",
    "exact",
    "ridge",
    "check_steps_needed",
    "check_armijo",
    "check_exact_step",
    "check_ridge_condition",
    "steps_needed",
    "exact_step",
    "ridge_condition",
]


# --- exercise 1: steps predicted from kappa -------------------------------------------


def _smallest_k(rho: float, tol: float) -> int:
    k = int(np.ceil(np.log(tol) / np.log(rho)))
    while k > 0 and rho ** (k - 1) <= tol:
        k -= 1
    while rho**k > tol:
        k += 1
    return k


def _rhos(kappa: float) -> tuple[float, float]:
    return 1 - 1 / kappa, (kappa - 1) / (kappa + 1)


def steps_needed(kappa: float, tol: float) -> tuple[int, int]:
    """Smallest k with rho^k <= tol, at the step 1/L (rho = 1 - 1/kappa) and at 2/(L +
    mu) (rho = (kappa - 1)/(kappa + 1)).

    >>> steps_needed(10.0, 1e-6)
    (132, 69)
    """
    return tuple(_smallest_k(r, tol) for r in _rhos(kappa))


_CASES_STEPS = [(10.0, 1e-6), (100.0, 1e-3), (1000.0, 1e-8), (3.5, 0.01)]

_MISTAKES_STEPS = [
    Mistake(
        "swapped",
        lambda kap, tol: steps_needed(kap, tol)[::-1],
        "Right numbers, wrong order: return the count at $\\eta = 1/L$ first, then the"
        " count at $\\eta = 2/(L+\\mu)$ (the optimal step needs fewer).",
    ),
    Mistake(
        "rounded down",
        lambda kap, tol: tuple(
            int(np.floor(np.log(tol) / np.log(r))) for r in _rhos(kap)
        ),
        "You rounded down: after `floor(log(tol) / log(rho))` steps $\\rho^k$ is still"
        " above `tol`. Round up (`np.ceil`).",
    ),
    Mistake(
        "not rounded",
        lambda kap, tol: tuple(np.log(tol) / np.log(r) for r in _rhos(kap)),
        "A number of steps is a whole number: the smallest $k$ with $\\rho^k \\le$"
        " `tol` is `ceil(log(tol) / log(rho))`.",
    ),
    Mistake(
        "kappa log(1/tol) approximation",
        lambda kap, tol: (
            int(np.ceil(kap * np.log(1 / tol))),
            int(np.ceil((kap + 1) / 2 * np.log(1 / tol))),
        ),
        "You used the approximation $\\log(1 - 1/\\kappa) \\approx -1/\\kappa$. It"
        " overestimates the steps; use the exact `log(tol) / log(rho)`, rounded up.",
    ),
    Mistake(
        "square root of kappa",
        lambda kap, tol: steps_needed(np.sqrt(kap), tol),
        "That is a momentum rate (it depends on $\\sqrt\\kappa$). Plain gradient"
        " descent contracts by $1 - 1/\\kappa$ at $1/L$ and by"
        " $(\\kappa-1)/(\\kappa+1)$ at $2/(L+\\mu)$.",
    ),
    Mistake(
        "log10 over natural log",
        lambda kap, tol: tuple(
            int(np.ceil(np.log10(tol) / np.log(r))) for r in _rhos(kap)
        ),
        "You mixed logarithms: `np.log10(tol) / np.log(rho)`. Use the same base for"
        " both (any base works).",
    ),
    Mistake(
        "function values instead of distances",
        lambda kap, tol: tuple(_smallest_k(r * r, tol) for r in _rhos(kap)),
        "You used $\\rho^2$, the contraction of $f - f^\\star$; the exercise asks for"
        " the distance $\\lVert x_k - x^\\star\\rVert$, which contracts by $\\rho$.",
    ),
    Mistake(
        "one step too many",
        lambda kap, tol: tuple(k + 1 for k in steps_needed(kap, tol)),
        "One step too many: the smallest $k$ with $\\rho^k \\le$ `tol` already meets"
        " the tolerance (count the steps, not the iterates).",
    ),
]


def check_steps_needed(fn: Callable) -> Feedback:
    """Check ``fn(kappa, tol)`` -> (steps at 1/L, steps at 2/(L + mu)) for the distance
    to shrink by ``tol``.

    >>> check_steps_needed(steps_needed).passed
    True
    >>> check_steps_needed(lambda k, t: steps_needed(k, t)[::-1]).mistake
    'swapped'
    """
    return check_function(
        fn,
        steps_needed,
        _CASES_STEPS,
        _MISTAKES_STEPS,
        rtol=1e-12,
        atol=0.0,
        what="`steps_needed`",
    )


def _context_steps() -> dict:
    from .. import rates

    return {"rates": rates}


steps = Exercise(
    "ch08.steps",
    "ch08-ex-steps",
    check_steps_needed,
    hints=[
        (
            "Each step multiplies the distance $\\lVert x_k - x^\\star\\rVert$ by at"
            " most the contraction factor $\\rho$: $\\rho = 1 - 1/\\kappa$ at $\\eta ="
            " 1/L$ and $\\rho = (\\kappa-1)/(\\kappa+1)$ at $\\eta = 2/(L+\\mu)$. You"
            " want the smallest whole $k$ with $\\rho^k \\le$ `tol`."
        ),
        (
            "Take logarithms: $k \\log\\rho \\le \\log(\\mathrm{tol})$, and $\\log\\rho"
            " < 0$ flips the inequality, so $k \\ge \\log(\\mathrm{tol}) / \\log\\rho$:"
            " round that up."
        ),
        (
            "For each `rho` in `(1 - 1 / kappa, (kappa - 1) / (kappa + 1))`: `k ="
            " int(np.ceil(np.log(tol) / np.log(rho)))`, then `while rho**k > tol: k +="
            " 1` to guard against round-off; return the two counts as a tuple, the one"
            " at `1/L` first."
        ),
    ],
    solution_code="""\
def steps_needed(kappa, tol):
    counts = []
    for rho in (1 - 1 / kappa, (kappa - 1) / (kappa + 1)):
        k = int(np.ceil(np.log(tol) / np.log(rho)))
        while k > 0 and rho ** (k - 1) <= tol:
            # guard against round-off in the logarithms
            k -= 1
        while rho**k > tol:
            k += 1
        counts.append(k)
    return tuple(counts)


# the check against a run: kappa = 100, gradient descent at 1/L from a start on the slow
# direction
q100 = gdu.objectives.quadratic(np.diag([1.0, 100.0]))
run100 = gdu.gradient_descent(
    q100.fun,
    np.array([1.0, 0.0]),
    jac=q100.grad,
    learning_rate=1 / 100,
    maxiter=2000,
    gtol=0.0,
)
measured = rates.steps_to(np.linalg.norm(run100.trajectory, axis=1), 1e-6)
print(f"predicted {steps_needed(100.0, 1e-6)}, measured at 1/L: {measured}")
assert steps_needed(100.0, 1e-6)[0] == measured
""",
    check_args="steps_needed",
    context=_context_steps,
    transfer=False,
)


# --- exercise 2: Armijo backtracking along any descent direction ----------------------


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
    return np.array(
        [-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)]
    )


_A_ARMIJO = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 20.0]])


def _fq(x):
    return float(0.5 * x @ _A_ARMIJO @ x - x.sum())


def _gq(x):
    return _A_ARMIJO @ x - 1.0


def _cases_armijo():
    xq = np.array([2.0, -1.0, 1.0])
    # a scaled gradient: a descent direction that is not -g
    scaled = -np.array([2.0, 1.5, 1.0]) * _gq(xq)
    xr = np.array([-1.2, 1.0])
    gr = _rosen_grad(xr)
    # (every case keeps the slips below terminating: a learner's loop must not hang the
    # checker)
    return [
        (_fq, _gq, xq, scaled, 1.0, 0.4, 0.8),
        (_fq, _gq, xq, -_gq(xq), 1.0, 0.3, 0.7),
        # t0 passes at once
        (
            _fq,
            _gq,
            xq,
            -np.array([3.0, 1.0, 2.0]) * _gq(xq),
            0.02,
            0.1,
            0.5,
        ),
        (_rosen, _rosen_grad, xr, -gr / np.linalg.norm(gr), 1.0, 1e-4, 0.5),
        (
            _rosen,
            _rosen_grad,
            np.array([0.5, 0.9]),
            np.array([0.3, -1.0]),
            2.0,
            1e-3,
            0.3,
        ),
    ]


def _variant(name, hint):
    return Mistake(name, lambda *c: _armijo_variant(*c, variant=name), hint)


_MISTAKES_ARMIJO = [
    _variant(
        "gradient norm",
        "You used $-\\lVert g\\rVert^2$ as the slope. That is $g^\\top p$ only for "
        "$p = -g$; for a general direction the sufficient-decrease test is "
        "$f(x + tp) \\le f(x) + c\\,t\\,g^\\top p$.",
    ),
    _variant(
        "wrong sign",
        "The sign of the decrease term is flipped: $g^\\top p < 0$, so the test is $f(x"
        " + tp) \\le f(x) + c\\,t\\,g^\\top p$ (the right-hand side lies below"
        " $f(x)$).",
    ),
    _variant(
        "simple decrease",
        "You accept any decrease, $f(x + tp) < f(x)$. Armijo asks for a sufficient "
        "decrease, proportional to the step: $f(x + tp) \\le f(x) +"
        " c\\,t\\,g^\\top p$.",
    ),
    _variant(
        "never tries t0",
        "You shrink before the first test, so $t_0$ itself is never tried. Test "
        "$t = t_0$ first.",
    ),
    _variant(
        "one shrink too many",
        "You return the step after the accepted one (one shrink too many): "
        "return the first $t$ that passes the test.",
    ),
    _variant(
        "gradient at the trial point",
        "You evaluated the slope at the trial point, `grad(x + t * p)`. "
        "The Armijo line is tangent at $x$: use `g = grad(x)` for every "
        "trial.",
    ),
    Mistake(
        "returned the new point",
        lambda f, grad, x, p, *rest: x + _armijo_reference(f, grad, x, p, *rest) * p,
        "You returned the new point $x + tp$; return the step length $t$.",
    ),
]


def check_armijo(fn: Callable) -> Feedback:
    """Check ``fn(f, grad, x, p, t0, c, shrink)`` -> the Armijo step t along the descent
    direction ``p``.

    t is the first of t0, t0 * shrink, t0 * shrink^2, ... with f(x + t p) <= f(x) + c t
    grad(x).p.

    >>> check_armijo(_armijo_reference).passed
    True
    >>> check_armijo(lambda *c: _armijo_variant(*c, variant="gradient norm")).mistake
    'gradient norm'
    """
    return check_function(
        fn,
        _armijo_reference,
        _cases_armijo(),
        _MISTAKES_ARMIJO,
        rtol=1e-12,
        atol=0.0,
        what="`armijo`",
    )


armijo = Exercise(
    "ch08.armijo",
    "ch08-ex-armijo",
    check_armijo,
    hints=[
        (
            "The Armijo test compares $f(x + tp)$ with the tangent line at $x$, made"
            " less steep by the factor $c$. Along $p = -g$ the slope of that line is"
            " $-\\lVert g\\rVert^2$; what is the slope of $t \\mapsto f(x + tp)$ at $t"
            " = 0$ for a general $p$?"
        ),
        (
            "The slope is the directional derivative $g^\\top p$ (negative for a"
            " descent direction), so the test is $f(x + tp) \\le f(x) + c\\,t\\,g^\\top"
            " p$, with $g$ the gradient at $x$, computed once."
        ),
        (
            "`fx, slope = f(x), grad(x) @ p`, `t = t0`, then `while f(x + t * p) > fx +"
            " c * t * slope: t *= shrink`, and `return t` (the step length, not the new"
            " point)."
        ),
    ],
    solution_code="""\
def armijo(f, grad, x, p, t0, c, shrink):
    # the directional derivative at x, negative for a descent direction
    fx, slope = (
        f(x),
        grad(x) @ p,
    )
    t = t0
    while f(x + t * p) > fx + c * t * slope:
        t *= shrink
    return t
""",
    check_args="armijo",
    context=None,
    transfer=True,
)


# --- exercise 3: the exact line-search step on a quadratic ----------------------------


def exact_step(A, b, x) -> float:
    """The t that minimizes f(x - t g) for f = 1/2 x^T A x - b^T x and g = A x - b: t =
    g.g / g.A g.

    >>> exact_step(np.diag([1.0, 3.0]), np.zeros(2), np.array([1.0, 1.0]))
    0.35714285714285715
    """
    g = A @ x - b
    return float(g @ g / (g @ A @ g))


def _cases_exact():
    return [
        (np.diag([1.0, 10.0]), np.array([1.0, -2.0]), np.array([3.0, 1.0])),
        (
            np.array([[3.0, 1.0], [1.0, 2.0]]),
            np.array([0.5, 0.5]),
            np.array([-1.0, 2.0]),
        ),
        (
            np.array([[5.0, 2.0, 0.0], [2.0, 3.0, 1.0], [0.0, 1.0, 50.0]]),
            np.array([1.0, 0.0, -1.0]),
            np.array([0.3, -0.7, 0.2]),
        ),
    ]


def _g(A, b, x):
    return A @ x - b


_MISTAKES_EXACT = [
    Mistake(
        "inverted",
        lambda A, b, x: 1 / exact_step(A, b, x),
        "Upside down: the step is `g @ g / (g @ A @ g)`, a length of order $1/L$, not"
        " $L$.",
    ),
    Mistake(
        "norm of A g",
        lambda A, b, x: float(
            _g(A, b, x) @ _g(A, b, x) / (np.linalg.norm(A @ _g(A, b, x)) ** 2)
        ),
        "The denominator is the curvature along $g$, `g @ A @ g`, not $\\lVert"
        " Ag\\rVert^2$.",
    ),
    Mistake(
        "constant 1/L",
        lambda A, b, x: float(1 / np.linalg.eigvalsh(A)[-1]),
        "$1/L$ is the safe constant step; the exact step depends on the point, through"
        " $g$: `g @ g / (g @ A @ g)`.",
    ),
    Mistake(
        "factor 2",
        lambda A, b, x: 2 * exact_step(A, b, x),
        "A factor 2 too large: along $-g$, $f(x - tg) = f(x) - t\\,g^\\top g +"
        " \\frac{t^2}{2} g^\\top A g$, minimized at $t = g^\\top g / g^\\top A g$.",
    ),
    Mistake(
        "sign",
        lambda A, b, x: -exact_step(A, b, x),
        "Your step is negative: you minimized along $+g$ or lost a sign. The step along"
        " $-g$ is $t = g^\\top g / g^\\top A g > 0$.",
    ),
    Mistake(
        "forgot b",
        lambda A, b, x: exact_step(A, np.zeros_like(b), x),
        "Your gradient is $Ax$; for $f = \\frac12 x^\\top A x - b^\\top x$ it is $g ="
        " Ax - b$.",
    ),
    Mistake(
        "not normalised",
        lambda A, b, x: float(1 / (_g(A, b, x) @ A @ _g(A, b, x))),
        "Only the denominator is there: the numerator $g^\\top g$ belongs too "
        "($t = g^\\top g / g^\\top A g$).",
    ),
    Mistake(
        "returned the new point",
        lambda A, b, x: x - exact_step(A, b, x) * _g(A, b, x),
        "You returned the new point $x - tg$; return the step length $t$.",
    ),
]


def check_exact_step(fn: Callable) -> Feedback:
    """Check ``fn(A, b, x)`` -> the exact line-search step along -g on f = 1/2 x^T A x -
    b^T x.

    >>> check_exact_step(exact_step).passed
    True
    >>> check_exact_step(lambda A, b, x: 2 * exact_step(A, b, x)).mistake
    'factor 2'
    """
    return check_function(
        fn,
        exact_step,
        _cases_exact(),
        _MISTAKES_EXACT,
        rtol=1e-9,
        atol=0.0,
        what="`exact_step`",
    )


def _context_exact() -> dict:
    """The zig-zag of the chapter's exact line search (Brent's method on the 2-D
    quadratic)."""
    from scipy.optimize import minimize_scalar

    from .. import objectives

    kappa_2d = 10.0
    q2 = objectives.quadratic(np.diag([1.0, kappa_2d]))
    x = np.array([kappa_2d, 1.0])
    exact_path = [x.copy()]
    for _ in range(12):
        g = q2.grad(x)
        t_exact = minimize_scalar(
            lambda t, x=x, g=g: q2.fun(x - t * g), bracket=(0.0, 1.0), tol=1e-12
        ).x
        x = x - t_exact * g
        exact_path.append(x.copy())
    return {"kappa_2d": kappa_2d, "q2": q2, "exact_path": np.array(exact_path)}


exact = Exercise(
    "ch08.exact",
    "ch08-ex-exact",
    check_exact_step,
    hints=[
        (
            "Write $\\varphi(t) = f(x - tg)$ and expand it: on a quadratic it is a"
            " parabola in $t$."
        ),
        (
            "$\\varphi(t) = f(x) - t\\,g^\\top g + \\frac{t^2}{2}\\,g^\\top A g$ (with"
            " $g = Ax - b$). Set $\\varphi'(t) = 0$ and solve for $t$."
        ),
        (
            "`g = A @ x - b` and `return (g @ g) / (g @ A @ g)`. For the perpendicular"
            " steps: $\\varphi'(t) = -\\nabla f(x - tg)^\\top g$, which is zero at the"
            " exact step."
        ),
    ],
    solution_code="""\
def exact_step(A, b, x):
    g = A @ x - b
    # f(x - t g) = f(x) - t g.g + t^2/2 g.A g; its derivative in t vanishes at t = g.g /
    # g.A g. That derivative is -grad f(x - t g).g, so at the exact step the new
    # gradient is orthogonal to g.
    return (g @ g) / (g @ A @ g)


# the check against the zig-zag above: the steps Brent's method found along -g
A2 = np.diag([1.0, kappa_2d])
closed_form = np.array([exact_step(A2, np.zeros(2), p) for p in exact_path[:-1]])
brent = np.array(
    [
        np.linalg.norm(b - a) / np.linalg.norm(q2.grad(a))
        for a, b in zip(exact_path[:-1], exact_path[1:])
    ]
)
print(
    "largest relative difference from the Brent steps:"
    f" {np.max(np.abs(closed_form / brent - 1)):.1e}"
)
assert np.allclose(closed_form, brent, rtol=1e-6)
""",
    check_args="exact_step",
    context=_context_exact,
    transfer=True,
)


# --- exercise 4: the condition number of ridge regression -----------------------------


def ridge_condition(X, lam) -> float:
    """kappa of f(w) = (1/n) ||X w - y||^2 + lam ||w||^2: its Hessian is (2/n) X^T X + 2
    lam I.

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
    # fixed test cases of the checker (not a draw of the chapter)
    rng = np.random.default_rng(8)
    X1 = rng.standard_normal((40, 3)) * np.array([1.0, 5.0, 0.2])
    X2 = rng.standard_normal((25, 4)) + np.array([3.0, 0.0, -1.0, 2.0])
    return [(X1, 0.1), (X2, 0.01), (X1[:, :2], 1.0)]


def _ridge_with(X, lam, scale, reg):
    n, d = X.shape
    mu, L = _extremes(scale(n) * X.T @ X + reg * lam * np.eye(d))
    return float(L / mu)


def _ridge_with_bias(X, lam):
    n, d = X.shape
    A = np.column_stack([X, np.ones(n)])
    mu, L = _extremes(2 / n * A.T @ A + 2 * lam * np.eye(d + 1))
    return float(L / mu)


_MISTAKES_RIDGE = [
    Mistake(
        "lam instead of 2 lam",
        lambda X, lam: _ridge_with(X, lam, lambda n: 2 / n, 1.0),
        "The Hessian of $\\lambda\\lVert w\\rVert^2$ is $2\\lambda I$ (not $\\lambda"
        " I$): add `2 * lam` to every eigenvalue.",
    ),
    Mistake(
        "no 2/n",
        lambda X, lam: _ridge_with(X, lam, lambda n: 1.0, 2.0),
        "The data term is the mean $\\frac1n\\lVert Xw - y\\rVert^2$: its Hessian is "
        "$\\frac2n X^\\top X$, not $X^\\top X$.",
    ),
    Mistake(
        "1/n instead of 2/n",
        lambda X, lam: _ridge_with(X, lam, lambda n: 1 / n, 2.0),
        "The Hessian of $\\frac1n\\lVert Xw - y\\rVert^2$ is $\\frac2n X^\\top X$: the"
        " square brings down a 2.",
    ),
    Mistake(
        "ignored lam",
        lambda X, lam: _ridge_with(X, lam, lambda n: 2 / n, 0.0),
        "That is the condition number without the penalty. $2\\lambda I$ raises every"
        " eigenvalue, so $\\kappa$ falls to $(L + 2\\lambda)/(\\mu + 2\\lambda)$.",
    ),
    Mistake(
        "singular values",
        lambda X, lam: float(np.sqrt(ridge_condition(X, lam))),
        "You took a ratio of singular values (or its equivalent). $\\kappa$ is the"
        " ratio of the Hessian's eigenvalues, which are the squared singular values of"
        " $X$ times $2/n$, plus $2\\lambda$.",
    ),
    Mistake(
        "penalty only on L",
        lambda X, lam: float(
            (_extremes(2 / X.shape[0] * X.T @ X)[1] + 2 * lam)
            / _extremes(2 / X.shape[0] * X.T @ X)[0]
        ),
        "The penalty adds $2\\lambda$ to every eigenvalue, the smallest one too: "
        "$\\kappa = (L + 2\\lambda)/(\\mu + 2\\lambda)$.",
    ),
    Mistake(
        "inverted",
        lambda X, lam: 1 / ridge_condition(X, lam),
        "Upside down: $\\kappa = L/\\mu \\ge 1$ (largest over smallest eigenvalue).",
    ),
    Mistake(
        "bias column",
        _ridge_with_bias,
        "You added a bias column (as `gdu.mse_hessian` does); this model has no bias:"
        " the Hessian is $\\frac2n X^\\top X + 2\\lambda I$, of size $d \\times d$.",
    ),
]


def check_ridge_condition(fn: Callable) -> Feedback:
    """Check ``fn(X, lam)`` -> the condition number of (1/n) ||X w - y||^2 + lam ||w||^2
    (no bias).

    >>> check_ridge_condition(ridge_condition).passed
    True
    >>> check_ridge_condition(lambda X, lam: ridge_condition(X, lam / 2)).mistake
    'lam instead of 2 lam'
    """
    return check_function(
        fn,
        ridge_condition,
        _cases_ridge(),
        _MISTAKES_RIDGE,
        rtol=1e-9,
        atol=0.0,
        what="`ridge_condition`",
    )


def _context_ridge() -> dict:
    """The chapter's raw design ``X_raw`` (its first draw from the "conditioning"
    stream)."""
    from .. import rates
    from ..seeding import book_rng

    rng = book_rng("conditioning")
    X_raw = rng.standard_normal((200, 3)) * np.array([1.0, 3.0, 0.5]) + np.array(
        [2.0, -1.0, 0.5]
    )
    return {"X_raw": X_raw, "rates": rates}


ridge = Exercise(
    "ch08.ridge",
    "ch08-ex-ridge",
    check_ridge_condition,
    hints=[
        (
            "$\\kappa = L/\\mu$, the ratio of the largest to the smallest eigenvalue of"
            " the Hessian. What is the Hessian of each of the two terms?"
        ),
        (
            "The Hessian of $\\frac1n\\lVert Xw - y\\rVert^2$ is $\\frac2n X^\\top X$"
            " and that of $\\lambda\\lVert w\\rVert^2$ is $2\\lambda I$: the penalty"
            " adds $2\\lambda$ to every eigenvalue."
        ),
        (
            "`eig = np.linalg.eigvalsh(2 / n * X.T @ X + 2 * lam * np.eye(d))` and"
            " `return eig[-1] / eig[0]` (`eigvalsh` sorts the eigenvalues in increasing"
            " order)."
        ),
    ],
    solution_code="""\
def ridge_condition(X, lam):
    n, d = X.shape
    # the penalty's Hessian is 2 lam I
    eig = np.linalg.eigvalsh(
        2 / n * X.T @ X + 2 * lam * np.eye(d)
    )
    return eig[-1] / eig[0]


kappa_ridge = ridge_condition(X_raw, 0.1)
kappa_plain = ridge_condition(X_raw, 0.0)
print(
    f"kappa {kappa_plain:.1f} -> {kappa_ridge:.1f}; steps at 1/L:"
    f" {rates.predicted_steps(1 - 1 / kappa_plain, 1e-6)} ->"
    f" {rates.predicted_steps(1 - 1 / kappa_ridge, 1e-6)}"
)
assert kappa_ridge < kappa_plain  # (L + 2 lam) / (mu + 2 lam) < L / mu whenever L > mu
""",
    check_args="ridge_condition",
    context=_context_ridge,
    transfer=True,
)
