"""Checkers for chapter 5 (gradient descent versus ``scipy.optimize``).

Four exercises: a forward-difference gradient that costs exactly d + 1 evaluations
(``forward``), the residual vector that ``least_squares`` wants (``residuals``), and two
transfer exercises on an objective the chapter never shows, Poisson regression: its
gradient, to hand to ``minimize`` as ``jac`` (``poisson_jac``), and its Hessian–vector
product, to hand to Newton-CG as ``hessp`` (``poisson_hessp``). Each checker names the
known mistakes: all coordinates nudged at once, 2h for h, f(x) recomputed per
coordinate, x changed in place, squared or summed residuals, the MSE's or the logistic
loss's formula copied over, a missing 1/n, the weights of the Hessian forgotten or
squared, the full Hessian returned instead of its product with v.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..counting import CountedObjective
from ._core import Exercise, Feedback, Mistake, check_function

__all__ = [
    "check_forward_gradient",
    "check_residuals",
    "poisson_loss",
    "poisson_gradient",
    "poisson_hessian_product",
    "check_poisson_gradient",
    "check_poisson_hessp",
    "poisson_data",
    "forward",
    "residuals",
    "poisson_jac",
    "poisson_hessp",
]


def _bias_col(X):
    X = np.asarray(X, dtype=float)
    return np.column_stack([X, np.ones(len(X))])


# --- exercise 1: a forward-difference gradient that costs d + 1 evaluations -----------


def _forward(f, x, h):
    f0 = f(x)
    return np.array([(f(x + h * e) - f0) / h for e in np.eye(x.size)])


def _central(f, x, h):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


def _all_at_once(f, x, h):
    return np.full(x.size, (f(x + h) - f(x)) / h)


def _backward(f, x, h):
    f0 = f(x)
    return np.array([(f0 - f(x - h * e)) / h for e in np.eye(x.size)])


def _sum_exp(x):
    return float(np.sum(np.exp(x)))


def _rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def _sin_bowl(x):
    return float(x @ x + np.sin(x[0]))


def _cases_forward():
    # h is large enough that forward, backward and central differences differ visibly
    # (truncation ~ h f''/2)
    return [
        (_sum_exp, np.array([0.3, -1.0, 2.0]), 1e-3),
        (_rosen, np.array([-1.2, 1.0, 0.5, 0.8]), 1e-4),
        (_sin_bowl, np.array([1.0, -2.0]), 1e-3),
    ]


_MISTAKES_FORWARD = [
    Mistake(
        "all coordinates at once",
        _all_at_once,
        "Every entry is the same number: you nudged all coordinates at once, `x + h`. A"
        " partial derivative moves one coordinate, `x + h * e`, with `e` the j-th unit"
        " vector (`np.eye(x.size)[j]`).",
    ),
    Mistake(
        "divided by 2h",
        lambda f, x, h: _forward(f, x, h) / 2,
        "Half the right size: a forward difference `(f(x + h * e) - f(x)) / h` divides"
        " by `h`; the `2 * h` belongs to the central difference.",
    ),
    Mistake(
        "wrong sign",
        lambda f, x, h: -_forward(f, x, h),
        "Right size, wrong sign: the forward difference is `f(x + h * e) - f(x)`, not"
        " `f(x) - f(x + h * e)`.",
    ),
    Mistake(
        "backward differences",
        _backward,
        "These are backward differences, `(f(x) - f(x - h * e)) / h`: they cost d + 1"
        " evaluations too, but the exercise asks for the forward step `x + h * e`, the"
        " one SciPy takes.",
    ),
    Mistake(
        "central differences",
        _central,
        "These are central differences: accurate, but they cost 2d evaluations of f."
        " The exercise asks for forward differences, which reuse `f(x)`: d + 1"
        " evaluations.",
    ),
    Mistake(
        "not divided by h",
        lambda f, x, h: _forward(f, x, h) * h,
        "These are the differences `f(x + h * e) - f(x)` themselves: divide them by `h`"
        " to get slopes.",
    ),
]


def check_forward_gradient(fn: Callable) -> Feedback:
    """Check ``fn(f, x, h)`` -> the forward-difference gradient, made with exactly d + 1
    calls of ``f``.

    The calls are counted with :class:`gdutils.counting.CountedObjective`; central
    differences (2d calls) and recomputing f(x) for every coordinate are named.

    >>> def forward_gradient(f, x, h=1e-7):
    ...     f0 = f(x)
    ...     return np.array([(f(x + h * e) - f0) / h for e in np.eye(x.size)])
    >>> check_forward_gradient(forward_gradient).passed
    True
    >>> check_forward_gradient(
    ...     lambda f, x, h: np.full(x.size, (f(x + h) - f(x)) / h)
    ... ).mistake
    'all coordinates at once'
    """
    cases = _cases_forward()
    calls = []
    for f, x, h in cases:  # first pass: count the calls and watch the caller's x
        counted, x_given = CountedObjective(f), x.copy()
        try:
            fn(counted.fun, x_given, h)
        # noqa: BLE001  (not attempted or broken: check_function reports it below)
        except Exception:
            calls.append(None)
            continue
        if not np.array_equal(x_given, x):
            return Feedback(
                "fail",
                "Your function changed the `x` it was given (an in-place `x[j] += h`"
                " that is never undone). Work on a copy, e.g. `x + h * e`, so the"
                " caller's point stays put.",
                "modified x in place",
            )
        calls.append(counted.nfev)
    fb = check_function(
        fn,
        _forward,
        [(f, x.copy(), h) for f, x, h in cases],
        _MISTAKES_FORWARD,
        rtol=1e-9,
        atol=1e-12,
        what="`forward_gradient`",
    )
    if not fb.passed:
        return fb
    for i, (n_calls, (_, x, _)) in enumerate(zip(calls, cases, strict=True), 1):
        d = x.size
        if n_calls == 2 * d:
            return Feedback(
                "fail",
                f"Right values, but {n_calls} calls of f for d = {d} (test case {i}):"
                " you recompute `f(x)` for every coordinate. Compute it once, before"
                f" the loop: d + 1 = {d + 1} calls.",
                "f(x) recomputed",
            )
        if n_calls != d + 1:
            return Feedback(
                "fail",
                f"Right values, but {n_calls} calls of f for d = {d} (test case {i}); a"
                f" forward difference needs d + 1 = {d + 1}.",
                "too many calls",
            )
    return Feedback(
        "pass",
        "Right values (tolerance: rtol=1e-09) with d + 1 evaluations of f in every"
        " case. SciPy, which already knows `f(x)` from its line search, pays the other"
        " d for each gradient when you do not pass `jac`.",
    )


# --- exercise 2: residuals for least_squares ------------------------------------------


def _residuals(theta, x, y):
    a, b, c = theta
    return a * x**2 + b * x + c - y


def _cases_residuals():
    rng = np.random.default_rng(5)
    cases = []
    for n in (7, 12, 5):
        x = rng.uniform(-1, 1, n)
        cases.append(
            (
                rng.standard_normal(3),
                x,
                2 * x**2 - 4 * x + 3 + 0.1 * rng.standard_normal(n),
            )
        )
    return cases


_MISTAKES_RESIDUALS = [
    Mistake(
        "squared residuals",
        lambda t, x, y: _residuals(t, x, y) ** 2,
        "`least_squares` squares the residuals itself: return `r = model - y`, not `r"
        " ** 2` (with `r ** 2` it would minimise the sum of the fourth powers).",
    ),
    Mistake(
        "sum of squares",
        lambda t, x, y: float(np.sum(_residuals(t, x, y) ** 2)),
        "`least_squares` wants the vector of residuals (shape `(n,)`), not the loss: it"
        " sums the squares itself.",
    ),
    Mistake(
        "mean squared error",
        lambda t, x, y: float(np.mean(_residuals(t, x, y) ** 2)),
        "That is the MSE, one number; `least_squares` wants the n residuals and squares"
        " them itself.",
    ),
    Mistake(
        "parameters reversed",
        lambda t, x, y: _residuals(t[::-1], x, y),
        "The parameters are `theta = (a, b, c)` for `a * x**2 + b * x + c`; you used"
        " them in the reverse order.",
    ),
    Mistake(
        "target forgotten",
        lambda t, x, y: _residuals(t, x, np.zeros_like(y)),
        "These are the predictions, not the residuals: subtract the target `y`.",
    ),
    Mistake(
        "absolute residuals",
        lambda t, x, y: np.abs(_residuals(t, x, y)),
        "You returned `abs(r)`: the squares are the same, but the Jacobian of `abs`"
        " flips sign at every zero residual, and the solver's model is built from that"
        " Jacobian. Return `r` itself.",
    ),
    Mistake(
        "linear term squared",
        lambda t, x, y: t[0] * x**2 + t[1] * x**2 + t[2] - y,
        "The middle term is `b * x`, not `b * x**2`.",
    ),
]


def check_residuals(fn: Callable) -> Feedback:
    """Check ``fn(theta, x, y)`` -> the residuals a*x**2 + b*x + c - y (either sign) of
    shape (n,).

    >>> check_residuals(lambda t, x, y: t[0] * x**2 + t[1] * x + t[2] - y).passed
    True
    >>> check_residuals(
    ...     lambda t, x, y: np.sum((t[0] * x**2 + t[1] * x + t[2] - y) ** 2)
    ... ).mistake
    'sum of squares'
    """
    cases = _cases_residuals()
    flip = False
    if callable(fn):
        try:
            first = fn(*[np.copy(c) for c in cases[0]])
            flip = np.shape(first) == (len(cases[0][1]),) and np.allclose(
                first, -_residuals(*cases[0])
            )
        # noqa: BLE001  (reported by check_function below, with the right wording)
        except Exception:
            flip = False
    candidate = (lambda *c: -np.asarray(fn(*c), dtype=float)) if flip else fn
    return check_function(
        candidate, _residuals, cases, _MISTAKES_RESIDUALS, what="`residuals`"
    )


# --- exercises 3 and 4 (transfer): Poisson regression, its jac and its hessp ----------


def poisson_loss(theta, X, y) -> float:
    """Poisson regression's negative log-likelihood up to a constant: mean(exp(a_i
    theta) - y_i a_i theta).

    ``A = [X, 1]`` (bias last); the model predicts the rate ``exp(A theta)`` of a count
    ``y``.

    >>> poisson_loss(np.zeros(2), np.array([[1.0], [2.0]]), np.array([0.0, 3.0]))
    1.0
    """
    z = _bias_col(X) @ np.asarray(theta, dtype=float)
    return float(np.mean(np.exp(z) - y * z))


def poisson_gradient(theta, X, y) -> np.ndarray:
    """The reference gradient of :func:`poisson_loss`: ``A.T @ (exp(A theta) - y) / n``.

    >>> poisson_gradient(np.zeros(2), np.array([[1.0], [2.0]]), np.array([0.0, 3.0]))
    array([-1.5, -0.5])
    """
    A = _bias_col(X)
    return A.T @ (np.exp(A @ np.asarray(theta, dtype=float)) - y) / len(y)


def poisson_hessian_product(theta, v, X, y) -> np.ndarray:
    """The reference Hessian-vector product of :func:`poisson_loss`: ``A.T @ (exp(A
    theta) * (A v)) / n``.

    >>> poisson_hessian_product(
    ...     np.zeros(2),
    ...     np.array([1.0, 0.0]),
    ...     np.array([[1.0], [2.0]]),
    ...     np.array([0.0, 3.0]),
    ... )
    array([2.5, 1.5])
    """
    A = _bias_col(X)
    return (
        A.T
        @ (
            np.exp(A @ np.asarray(theta, dtype=float))
            * (A @ np.asarray(v, dtype=float))
        )
        / len(y)
    )


def _poisson_cases(with_v: bool):
    rng = np.random.default_rng(6)
    cases = []
    for n, d in [(9, 2), (15, 3), (6, 1)]:
        X = rng.uniform(-1, 1, (n, d))
        theta = 0.7 * rng.standard_normal(d + 1)
        y = rng.poisson(np.exp(_bias_col(X) @ rng.standard_normal(d + 1))).astype(float)
        cases.append(
            (theta, rng.standard_normal(d + 1), X, y) if with_v else (theta, X, y)
        )
    return cases


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _grad_with(rate: Callable, *, factor=1.0, mean=True, target=True):
    def g(t, X, y):
        A = _bias_col(X)
        r = rate(A @ t) - (y if target else 0.0)
        return factor * A.T @ r / (len(y) if mean else 1.0)

    return g


_JAC_MISTAKES = [
    Mistake(
        "MSE formula copied",
        _grad_with(lambda z: z, factor=2.0),
        "That is the gradient of the mean squared error, `2 / n * A.T @ (A @ theta -"
        " y)`. Here the model's rate is `exp(A @ theta)`: differentiate `exp(z) - y *"
        " z` with respect to `z`.",
    ),
    Mistake(
        "MSE formula without the 2",
        _grad_with(lambda z: z),
        "That is `A.T @ (A @ theta - y) / n`, a least-squares gradient: the rate is"
        " `exp(A @ theta)`, so the residual is `exp(A @ theta) - y`.",
    ),
    Mistake(
        "logistic formula copied",
        _grad_with(_sigmoid),
        "That is the logistic loss's gradient, with `sigmoid(A @ theta)`. The"
        " derivative of `exp(z)` is `exp(z)` itself, so the residual is `exp(A @ theta)"
        " - y`.",
    ),
    Mistake(
        "sum instead of mean",
        _grad_with(np.exp, mean=False),
        "Off by a factor of n: the loss is a mean over the samples, so divide by `n ="
        " len(y)`.",
    ),
    Mistake(
        "wrong sign",
        lambda t, X, y: -poisson_gradient(t, X, y),
        "Right size, wrong sign: the derivative of `exp(z) - y * z` is `exp(z) - y`."
        " With this sign BFGS would climb.",
    ),
    Mistake(
        "target forgotten",
        _grad_with(np.exp, target=False),
        "The `- y * z` term of the loss has gradient `- A.T @ y / n`: the target is"
        " missing.",
    ),
    Mistake(
        "factor 2",
        _grad_with(np.exp, factor=2.0),
        "Off by a factor of 2: nothing is squared here, so there is no 2 (that came"
        " from the MSE).",
    ),
    Mistake(
        "bias gradient missing",
        lambda t, X, y: poisson_gradient(t, X, y)[:-1],
        "You returned d entries; `theta` has d + 1 (the bias is last): the bias has a"
        " gradient too, `mean(exp(A @ theta) - y)`.",
    ),
    Mistake(
        "bias first",
        lambda t, X, y: (lambda A: A.T @ (np.exp(A @ t) - y) / len(y))(
            np.column_stack([np.ones(len(X)), X])
        ),
        "You put the column of ones first: the book's convention puts the bias LAST, "
        "`A = np.column_stack([X, np.ones(n)])`.",
    ),
]


def _transpose_hint(fb: Feedback) -> Feedback:
    if fb.mistake == "raised an exception" and any(
        w in fb.message for w in ("matmul", "not aligned", "shapes", "broadcast")
    ):
        return Feedback(
            "fail",
            f"{fb.message} The shapes of a matrix product do not fit: with `A` of shape"
            " `(n, d + 1)`, a vector of n numbers becomes d + 1 numbers through `A.T @"
            " ...` (the transpose), and `A @ theta` or `A @ v` gives n numbers.",
            "missing transpose",
        )
    return fb


def check_poisson_gradient(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y)`` -> the gradient of :func:`poisson_loss` (shape (d +
    1,)).

    >>> check_poisson_gradient(poisson_gradient).passed
    True
    >>> check_poisson_gradient(
    ...     lambda t, X, y: 2 / len(y) * _bias_col(X).T @ (_bias_col(X) @ t - y)
    ... ).mistake
    'MSE formula copied'
    """
    return _transpose_hint(
        check_function(
            fn,
            poisson_gradient,
            _poisson_cases(False),
            _JAC_MISTAKES,
            what="`poisson_grad`",
        )
    )


def _hessp_with(weight: Callable, *, mean=True):
    def hp(t, v, X, y):
        A = _bias_col(X)
        return A.T @ (weight(A @ t, y) * (A @ v)) / (len(y) if mean else 1.0)

    return hp


_HESSP_MISTAKES = [
    Mistake(
        "weights forgotten",
        _hessp_with(lambda z, y: 1.0),
        "That is `A.T @ (A @ v) / n`, the Hessian of a least-squares loss (up to a"
        " factor). Poisson's Hessian weights each sample by its rate: `A.T @ (exp(A @"
        " theta) * (A @ v)) / n`.",
    ),
    Mistake(
        "weights squared",
        _hessp_with(lambda z, y: np.exp(2 * z)),
        "Each sample's weight is `exp(z)`, not `exp(z) ** 2`: the second derivative of"
        " `exp(z) - y * z` is `exp(z)`.",
    ),
    Mistake(
        "logistic weights copied",
        _hessp_with(lambda z, y: _sigmoid(z) * (1 - _sigmoid(z))),
        "Those are the logistic loss's weights `p * (1 - p)`. For Poisson the second"
        " derivative of `exp(z) - y * z` is `exp(z)`.",
    ),
    Mistake(
        "target in the Hessian",
        _hessp_with(lambda z, y: np.exp(z) - y),
        "The target drops out when you differentiate twice: `y * z` is linear in `z`."
        " The weights are `exp(A @ theta)`, not the residuals `exp(A @ theta) - y`.",
    ),
    Mistake(
        "sum instead of mean",
        _hessp_with(lambda z, y: np.exp(z), mean=False),
        "Off by a factor of n: the loss is a mean, so its Hessian carries `1 / n` too.",
    ),
    Mistake(
        "gradient returned",
        lambda t, v, X, y: poisson_gradient(t, X, y),
        "That is the gradient, which does not depend on `v`. `hessp(theta, v)` must"
        " return the Hessian at `theta` times the vector `v`.",
    ),
    Mistake(
        "full Hessian returned",
        lambda t, v, X, y: (lambda A: (A.T * np.exp(A @ t)) @ A / len(y))(_bias_col(X)),
        "You returned the whole Hessian, shape `(d + 1, d + 1)`. `hessp` returns its"
        " product with `v`, shape `(d + 1,)`, and need not form the matrix at all: `A.T"
        " @ (w * (A @ v)) / n`.",
    ),
    Mistake(
        "v multiplied entrywise",
        lambda t, v, X, y: (
            (lambda A: (A.T * np.exp(A @ t)) @ A / len(y))(_bias_col(X)) * v
        ).sum(axis=0),
        "`H * v` multiplies entry by entry (column j by `v[j]`), and summing that over"
        " a column is not a matrix-vector product. Use `H @ v`, or better `A.T @ (w *"
        " (A @ v)) / n` without forming `H`.",
    ),
]


def check_poisson_hessp(fn: Callable) -> Feedback:
    """Check ``fn(theta, v, X, y)`` -> the Hessian of :func:`poisson_loss` at theta
    times v (shape (d + 1,)).

    >>> check_poisson_hessp(poisson_hessian_product).passed
    True
    >>> check_poisson_hessp(
    ...     lambda t, v, X, y: _bias_col(X).T @ (_bias_col(X) @ v) / len(y)
    ... ).mistake
    'weights forgotten'
    """
    fb = check_function(
        fn,
        poisson_hessian_product,
        _poisson_cases(True),
        _HESSP_MISTAKES,
        what="`poisson_hessp`",
    )
    if fb.mistake == "shape" and "(d + 1, d + 1)" not in fb.message:
        cases = _poisson_cases(True)
        try:
            out = np.asarray(fn(*[np.copy(c) for c in cases[0]]))
        except Exception:  # noqa: BLE001
            out = None
        if out is not None and out.ndim == 2:
            return Feedback(
                "fail",
                "You returned a matrix: `hessp` returns the product of the Hessian with"
                " `v`, a vector of shape `(d + 1,)`.",
                "full Hessian returned",
            )
    return _transpose_hint(fb)


# --- the exercises --------------------------------------------------------------------


def _polynomial() -> dict:
    """The chapter's polynomial-fit data and start."""
    from .. import data

    X_poly, y_clean, theta_poly = data.polynomial()
    return {
        "x_poly": X_poly[:, 1],
        "y_clean": y_clean,
        "theta_poly": theta_poly,
        "p0": np.array([-11 / 6, -395 / 3, -2400.0]),
    }


forward = Exercise(
    "ch05.forward",
    "ch05-ex-forward",
    check_forward_gradient,
    hints=[
        (
            "Compute `f0 = f(x)` once, before anything else: every coordinate's"
            " difference reuses it."
        ),
        (
            "For coordinate j, move only that coordinate: `x + h * e` with `e ="
            " np.eye(x.size)[j]` builds a new point and leaves the caller's `x` alone."
            " The j-th entry is `(f(x + h * e) - f0) / h`."
        ),
        (
            "`f0 = f(x)`, then `return np.array([(f(x + h * e) - f0) / h for e in"
            " np.eye(x.size)])`: one call at `x` and one per coordinate, d + 1 in all."
        ),
    ],
    solution_code="""\
def forward_gradient(f, x, h=1e-7):
    f0 = f(x)  # computed once, shared by every coordinate
    return np.array([(f(x + h * e) - f0) / h for e in np.eye(x.size)])


# against SciPy's own forward differences, with a counter on f
from scipy.optimize import approx_fprime, rosen

counted = gdu.counting.CountedObjective(rosen)
x_try = np.array([-1.2, 1.0, 0.5])
assert np.allclose(
    forward_gradient(counted.fun, x_try, 1e-7),
    approx_fprime(x_try, rosen, 1e-7),
    rtol=1e-6,
)
print(f"{counted.nfev} calls of f for d = {x_try.size}")
""",
    check_args="forward_gradient",
)

residuals = Exercise(
    "ch05.residuals",
    "ch05-ex-residuals",
    check_residuals,
    hints=[
        (
            "`least_squares` minimises half the sum of the squares of whatever vector"
            " you return: return one residual per data point, model minus target, and"
            " let it do the squaring."
        ),
        (
            "Unpack `a, b, c = theta`; the model at the points `x` is `a * x**2 + b * x"
            " + c`, an array of shape `(n,)`."
        ),
        (
            "`return a * x**2 + b * x + c - y`, then `optimize.least_squares(residuals,"
            " p0, args=(x_poly, y_clean))`."
        ),
    ],
    solution_code="""\
def residuals(theta, x, y):
    a, b, c = theta
    return a * x**2 + b * x + c - y


from scipy import optimize

fit = optimize.least_squares(residuals, p0, args=(x_poly, y_clean))
print(fit.x, f"after {fit.nfev} evaluations of the residuals")
assert np.allclose(fit.x, theta_poly, atol=1e-8)
""",
    check_args="residuals",
    context=_polynomial,
)


def poisson_data() -> dict:
    """The Poisson-regression data of the exercises, drawn from the book seed: 200
    counts, 3 features.

    >>> sorted(poisson_data())
    ['X_counts', 'theta_counts', 'y_counts']
    """
    from ..seeding import book_rng

    gen = book_rng("ch05-ex-poisson")
    X_counts = gen.uniform(-1, 1, (200, 3))
    theta_counts = np.array([0.8, -0.5, 0.3, 1.0])
    y_counts = gen.poisson(np.exp(_bias_col(X_counts) @ theta_counts)).astype(float)
    return {"X_counts": X_counts, "y_counts": y_counts, "theta_counts": theta_counts}


poisson_jac = Exercise(
    "ch05.poisson_jac",
    "ch05-ex-jac",
    check_poisson_gradient,
    hints=[
        (
            "Write the loss as the mean over the samples of `exp(z) - y * z`, with `z ="
            " A @ theta` (one entry per sample). By the chain rule its gradient is `A.T"
            " @ g / n`, where `g` holds the derivative of each sample's term with"
            " respect to its own `z`."
        ),
        (
            "The derivative of `exp(z) - y * z` with respect to `z` is `exp(z) - y`:"
            " the Poisson model's residual (the rate minus the count). The bias is"
            " last, so `A = np.column_stack([X, np.ones(len(X))])`."
        ),
        (
            "`z = A @ theta`, then `return A.T @ (np.exp(z) - y) / len(y)`. Check it"
            " with `optimize.check_grad(ch05.poisson_loss, poisson_grad, theta,"
            " X_counts, y_counts)` before you ask the checker."
        ),
    ],
    solution_code="""\
def poisson_grad(theta, X, y):
    A = np.column_stack([X, np.ones(len(X))])
    # the rate minus the count, per sample
    return (
        A.T @ (np.exp(A @ theta) - y) / len(y)
    )


from scipy import optimize

theta_try = gdu.book_rng("ch05-ex-jac").standard_normal(4)
scale = np.linalg.norm(poisson_grad(theta_try, X_counts, y_counts))
err = optimize.check_grad(
    ch05.poisson_loss, poisson_grad, theta_try, X_counts, y_counts
)
print(f"check_grad: {err:.1e}, relative to the gradient's norm {err / scale:.1e}")
assert err / scale < 1e-5
with_jac = gdu.counting.CountedObjective(ch05.poisson_loss, jac=poisson_grad)
fit = optimize.minimize(
    with_jac.fun,
    np.zeros(4),
    args=(X_counts, y_counts),
    jac=with_jac.jac,
    method="BFGS",
)
without = gdu.counting.CountedObjective(ch05.poisson_loss)
fit_fd = optimize.minimize(
    without.fun, np.zeros(4), args=(X_counts, y_counts), method="BFGS"
)
print(
    f"BFGS with jac: {with_jac.evaluations} evaluations; without: {without.evaluations}"
)
assert fit.success and with_jac.evaluations < without.evaluations
""",
    check_args="poisson_grad",
    context=poisson_data,
    transfer=True,
)

poisson_hessp = Exercise(
    "ch05.poisson_hessp",
    "ch05-ex-hessp",
    check_poisson_hessp,
    hints=[
        (
            "Differentiate the gradient `A.T @ (exp(A @ theta) - y) / n` once more:"
            " only `exp(A @ theta)` depends on `theta`, so the Hessian is `A.T @"
            " diag(w) @ A / n` with the weights `w = exp(A @ theta)`."
        ),
        (
            "You never need the matrix: multiply from the right, `A @ v` (n numbers),"
            " weight them by `w`, then `A.T @ ...` brings them back to d + 1 numbers."
            " The target `y` drops out."
        ),
        (
            "`A = np.column_stack([X, np.ones(len(X))])`, then `return A.T @ (np.exp(A"
            " @ theta) * (A @ v)) / len(y)`; pass it to `minimize(...,"
            ' hessp=poisson_hessp, method="Newton-CG")`.'
        ),
    ],
    solution_code="""\
def poisson_hessp(theta, v, X, y):
    A = np.column_stack([X, np.ones(len(X))])
    return A.T @ (np.exp(A @ theta) * (A @ v)) / len(y)  # H v without forming H


from scipy import optimize

counted = gdu.counting.CountedObjective(
    ch05.poisson_loss, jac=ch05.poisson_gradient, hessp=poisson_hessp
)
fit = optimize.minimize(
    counted.fun,
    np.zeros(4),
    args=(X_counts, y_counts),
    jac=counted.jac,
    hessp=counted.hessp,
    method="Newton-CG",
)
print(
    f"Newton-CG: {counted.njev} gradients and {counted.nhev} Hessian-vector products;"
    f" theta = {np.round(fit.x, 3)}"
)
assert (
    fit.success
    and np.max(np.abs(ch05.poisson_gradient(fit.x, X_counts, y_counts))) < 1e-4
)
""",
    check_args="poisson_hessp",
    context=poisson_data,
    transfer=True,
)
