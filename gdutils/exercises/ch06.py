"""Checkers for chapter 6 (momentum and adaptive steps).

Six exercises: the heavy ball as a loop (``heavy_ball``), Polyak's optimal parameters
for any quadratic (``parameters``), Adam as a loop (``adam``), the length of RMSProp's
first step (``rmsprop``), and two transfer exercises whose answers the chapter does not
print: momentum parameters for the chapter 1 regression, judged by the rate the heavy
ball then measures (``regression``), and the AMSGrad update (``amsgrad``). Every known
mistake is named by its hint: no momentum, a momentum term with the wrong sign, a
velocity that averages the gradient, Nesterov's look-ahead, an off-by-one loop, the
diagonal used for eigenvalues, a beta not squared, a missing bias correction or one with
the wrong power, corrected values stored as the state, the momentum state forgotten, a
Hessian without its 2/n or its bias column, a running maximum of the wrong quantity.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable

import numpy as np

from ._core import (
    Exercise,
    Feedback,
    Mistake,
    _not_attempted,
    _raised,
    _returned_none,
    check_function,
)

__all__ = [
    "check_heavy_ball",
    "heavy_ball_parameters",
    "check_heavy_ball_parameters",
    "check_adam",
    "rmsprop_first_step",
    "check_rmsprop_first_step",
    "regression_momentum",
    "check_regression_momentum",
    "measured_rate",
    "amsgrad_steps",
    "check_amsgrad",
    "heavy_ball",
    "parameters",
    "adam",
    "rmsprop",
    "regression",
    "amsgrad",
]


def _quadratic_grad(A, b):
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    return lambda x: A @ x - b


# --- exercise 1: heavy ball, written as a loop ----------------------------------------


def _heavy_ball(grad, x0, learning_rate, beta, steps, *, variant: str = "right"):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    n = {"one step short": steps - 1, "one step too many": steps + 1}.get(
        variant, steps
    )
    for _ in range(n):
        g = grad(x)
        if variant == "no momentum":
            v = -learning_rate * g
        elif variant == "momentum pushes back":
            v = -beta * v - learning_rate * g
        elif variant == "dampened velocity":
            v = beta * v - (1 - beta) * learning_rate * g
        elif variant == "Nesterov look-ahead":
            v = beta * v - learning_rate * grad(x + beta * v)
        elif variant == "gradient ascent":
            v = beta * v + learning_rate * g
        else:
            v = beta * v - learning_rate * g
        x = x + v
    return x


def _trajectory(grad, x0, learning_rate, beta, steps):
    xs = [np.array(x0, dtype=float)]
    x, v = xs[0].copy(), np.zeros(len(xs[0]))
    for _ in range(steps):
        v = beta * v - learning_rate * grad(x)
        x = x + v
        xs.append(x)
    return np.array(xs)


def _cases_heavy_ball():
    return [
        (
            _quadratic_grad([[1.0, 0.0], [0.0, 10.0]], [0.0, 0.0]),
            np.array([1.0, 1.0]),
            0.1,
            0.5,
            5,
        ),
        (
            _quadratic_grad([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0]),
            np.array([2.0, -1.0]),
            0.2,
            0.8,
            12,
        ),
        (
            _quadratic_grad(
                [[2.0, 0.0, 0.0], [0.0, 0.5, 0.2], [0.0, 0.2, 4.0]], [1.0, 0.0, -2.0]
            ),
            np.array([0.0, 3.0, 1.0]),
            0.15,
            0.3,
            7,
        ),
    ]


def _hb(variant):
    return lambda *c: _heavy_ball(*c, variant=variant)


_MISTAKES_HB = [
    Mistake(
        "no momentum",
        _hb("no momentum"),
        "This is plain gradient descent: the momentum state was forgotten. The velocity"
        " must remember the previous steps, `v = beta * v - learning_rate * g` (not `v"
        " = -learning_rate * g`), and `v` must live outside the loop, starting at"
        " zero.",
    ),
    Mistake(
        "momentum pushes back",
        _hb("momentum pushes back"),
        "The momentum term has the wrong sign: `v = beta * v - learning_rate * g` keeps"
        " moving in the direction of the previous step; `-beta * v` brakes against it.",
    ),
    Mistake(
        "dampened velocity",
        _hb("dampened velocity"),
        "You averaged the gradient, `v = beta * v - (1 - beta) * learning_rate * g`."
        " That is an exponential moving average (the form Adam uses), whose steps are"
        " `1 - beta` times smaller; the heavy ball adds the full `learning_rate * g`.",
    ),
    Mistake(
        "Nesterov look-ahead",
        _hb("Nesterov look-ahead"),
        "You took the gradient at the look-ahead point `x + beta * v`: that is"
        " Nesterov's method. The heavy ball uses the gradient at `x` itself.",
    ),
    Mistake(
        "gradient ascent",
        _hb("gradient ascent"),
        "Wrong sign on the gradient: `v = beta * v - learning_rate * g` goes downhill;"
        " with `+` the iterates climb.",
    ),
    Mistake(
        "one step short",
        _hb("one step short"),
        "Your `x` is one heavy-ball step behind. Either the loop runs `steps - 1`"
        " times, or `x` moves with the old velocity before `v` is updated. Update `v`"
        " first, then `x = x + v`, `steps` times.",
    ),
    Mistake(
        "one step too many",
        _hb("one step too many"),
        "Your `x` is one heavy-ball step ahead: the loop ran `steps + 1` times."
        " `range(steps)` runs exactly `steps` times.",
    ),
    Mistake(
        "returned the trajectory",
        _trajectory,
        "You returned every iterate (the start included); return only the final `x`.",
    ),
    Mistake(
        "returned the trajectory without the start",
        lambda *c: _trajectory(*c)[1:],
        "You returned every iterate; return only the final `x`.",
    ),
]


def check_heavy_ball(fn: Callable) -> Feedback:
    """Check ``fn(grad, x0, learning_rate, beta, steps)`` -> x after ``steps``
    heavy-ball steps.

    The update is v = beta * v - learning_rate * grad(x), then x = x + v, from v = 0.
    Updating ``x0`` in place is allowed: each call gets its own copy.

    >>> check_heavy_ball(
    ...     lambda grad, x0, a, b, n: _heavy_ball(grad, x0, a, b, n)
    ... ).passed
    True
    >>> check_heavy_ball(
    ...     lambda grad, x0, a, b, n: _heavy_ball(grad, x0, a, 0.0, n)
    ... ).mistake
    'no momentum'
    """
    return check_function(
        fn,
        _heavy_ball,
        _cases_heavy_ball(),
        _MISTAKES_HB,
        rtol=1e-9,
        atol=1e-12,
        what="`heavy_ball`",
        allow_mutation=True,
    )


# --- exercise 2: the optimal heavy-ball parameters of a quadratic ---------------------


def heavy_ball_parameters(A) -> tuple[float, float]:
    """Polyak's optimal (learning_rate, beta) for f(x) = 1/2 x^T A x - b^T x, A
    symmetric positive definite.

    learning_rate = 4 / (sqrt(L) + sqrt(mu))^2 and beta = ((sqrt(L) - sqrt(mu)) /
    (sqrt(L) + sqrt(mu)))^2, with mu and L the smallest and largest eigenvalues of A.

    >>> rate, beta = heavy_ball_parameters([[1.0, 0.0], [0.0, 100.0]])
    >>> bool(np.isclose(rate, 4 / 121)), bool(np.isclose(beta, (9 / 11) ** 2))
    (True, True)
    """
    eig = np.linalg.eigvalsh(np.asarray(A, dtype=float))
    return _polyak(eig[0], eig[-1])


def _polyak(
    mu, L, *, squared=True, gd_step=False, roots_in_alpha=True, kappa_root=True
):
    sm, sL = np.sqrt(mu), np.sqrt(L)
    alpha = (
        2 / (L + mu)
        if gd_step
        else (4 / (sL + sm) ** 2 if roots_in_alpha else 4 / (L + mu))
    )
    beta = (sL - sm) / (sL + sm) if kappa_root else (L - mu) / (L + mu)
    return float(alpha), float(beta**2 if squared else beta)


def _extremes(A):
    eig = np.linalg.eigvalsh(A)
    return eig[0], eig[-1]


def _cases_parameters():
    rng = np.random.default_rng(6)
    cases = []
    for d, spread in [(2, 30.0), (3, 200.0), (5, 10.0)]:
        Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        eig = np.geomspace(0.5, 0.5 * spread, d)
        cases.append((Q @ np.diag(eig) @ Q.T,))
    return cases


_MISTAKES_PARAMS = [
    Mistake(
        "diagonal instead of eigenvalues",
        lambda A: _polyak(np.min(np.diag(A)), np.max(np.diag(A))),
        "The formula needs the smallest and largest EIGENVALUES of `A`. The diagonal"
        " entries are the eigenvalues only when `A` is diagonal; use"
        " `np.linalg.eigvalsh(A)`.",
    ),
    Mistake(
        "beta not squared",
        lambda A: _polyak(*_extremes(A), squared=False),
        "Your beta is the convergence rate $(\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)$."
        " The optimal beta is its square: the rate is $\\sqrt\\beta$.",
    ),
    Mistake(
        "gradient-descent step",
        lambda A: _polyak(*_extremes(A), gd_step=True),
        "$2/(L + \\mu)$ is the best step of plain gradient descent. With momentum the"
        " optimal step is larger: $4/(\\sqrt L + \\sqrt\\mu)^2$.",
    ),
    Mistake(
        "square roots missing in the step",
        lambda A: _polyak(*_extremes(A), roots_in_alpha=False),
        "The step is $4/(\\sqrt L + \\sqrt\\mu)^2$, with square roots of the"
        " eigenvalues inside the square.",
    ),
    Mistake(
        "kappa instead of its root",
        lambda A: _polyak(*_extremes(A), kappa_root=False),
        "Your beta uses $\\kappa$ where $\\sqrt\\kappa$ belongs: $\\beta ="
        " \\big((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)\\big)^2$. The square roots are"
        " what make momentum need $\\sqrt\\kappa$ steps instead of $\\kappa$.",
    ),
    Mistake(
        "swapped",
        lambda A: heavy_ball_parameters(A)[::-1],
        "Right numbers, wrong order: return `(learning_rate, beta)`.",
    ),
]


def check_heavy_ball_parameters(fn: Callable) -> Feedback:
    """Check ``fn(A)`` -> (learning_rate, beta), Polyak's optimal heavy-ball parameters
    for A.

    >>> check_heavy_ball_parameters(heavy_ball_parameters).passed
    True
    >>> check_heavy_ball_parameters(
    ...     lambda A: heavy_ball_parameters(np.diag(np.diag(A)))
    ... ).mistake
    'diagonal instead of eigenvalues'
    """
    return check_function(
        fn,
        heavy_ball_parameters,
        _cases_parameters(),
        _MISTAKES_PARAMS,
        rtol=1e-8,
        atol=1e-12,
        what="`heavy_ball_parameters`",
    )


# --- exercise 3: Adam, written as a loop ----------------------------------------------


def _adam(
    grad, x0, learning_rate, steps, beta1=0.9, beta2=0.999, eps=1e-8, *, variant="right"
):
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    s = np.zeros_like(x)
    s_max = np.zeros_like(x)
    previous = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        if variant == "betas swapped":
            m = beta2 * m + (1 - beta2) * g
            s = beta1 * s + (1 - beta1) * g * g
        elif variant == "momentum state forgotten":
            m = (1 - beta1) * g
            s = beta2 * s + (1 - beta2) * g * g
        elif variant == "maximum stored in the average":
            s = np.maximum(s_max, beta2 * s + (1 - beta2) * g * g)
            m = beta1 * m + (1 - beta1) * g
        else:
            m = beta1 * m + (1 - beta1) * g
            s_before = s
            s = beta2 * s + (1 - beta2) * g * g
        s_max = np.maximum(s_max, s)
        used = s
        if variant in ("amsgrad", "amsgrad without bias correction"):
            used = s_max
        elif variant == "maximum of the corrected average":
            previous = np.maximum(previous, s / (1 - beta2**t))
        elif variant == "maximum of the squared gradients":
            previous = np.maximum(previous, g * g)
        elif variant == "maximum of the last two averages":
            used = np.maximum(s_before, s)
        elif variant == "maximum stored in the average":
            used = s
        if variant in ("no bias correction", "amsgrad without bias correction"):
            m_hat, s_hat = m, used
        elif variant == "bias correction one step late":
            m_hat, s_hat = m / (1 - beta1 ** (t + 1)), used / (1 - beta2 ** (t + 1))
        elif variant == "corrected state overwritten":
            m, s = m / (1 - beta1**t), s / (1 - beta2**t)
            m_hat, s_hat = m, s
        elif variant == "only m corrected":
            m_hat, s_hat = m / (1 - beta1**t), used
        elif variant == "only s corrected":
            m_hat, s_hat = m, used / (1 - beta2**t)
        elif variant in (
            "maximum of the corrected average",
            "maximum of the squared gradients",
        ):
            m_hat, s_hat = m / (1 - beta1**t), previous
        else:
            m_hat, s_hat = m / (1 - beta1**t), used / (1 - beta2**t)
        if variant == "square root missing":
            x = x - learning_rate * m_hat / (s_hat + eps)
        else:
            x = x - learning_rate * m_hat / (np.sqrt(s_hat) + eps)
    return x


#: Adam's steps do not change when the gradients are scaled, except through eps. Scaled
#: gradients keep eps negligible in every case, so every placement of eps (after the
#: root, inside it, or scaled by the bias correction as in the paper's "efficient"
#: form) gives the same iterates.
_GRADIENT_SCALE = 1e6


def _big_quadratic_grad(A, b):
    return _quadratic_grad(
        _GRADIENT_SCALE * np.asarray(A, dtype=float),
        _GRADIENT_SCALE * np.asarray(b, dtype=float),
    )


def _cases_adam():
    return [
        (
            _big_quadratic_grad([[1.0, 0.0], [0.0, 25.0]], [0.0, 0.0]),
            np.array([1.0, 1.0]),
            0.1,
            10,
        ),
        (
            _big_quadratic_grad([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0]),
            np.array([2.0, -1.0]),
            0.05,
            25,
        ),
        (
            _big_quadratic_grad(np.diag([0.01, 1.0, 100.0]), [0.1, 0.0, -2.0]),
            np.array([5.0, 3.0, 1.0]),
            0.2,
            6,
        ),
    ]


def _ad(variant, **kw):
    return lambda *c: _adam(*c, variant=variant, **kw)


_MISTAKES_ADAM = [
    Mistake(
        "no bias correction",
        _ad("no bias correction"),
        "No bias correction: `m` and `s` start at 0, so divide them by `1 - beta1 ** t`"
        " and `1 - beta2 ** t`, with `t = 1` at the first step. Without it the early"
        " steps are several times too long.",
    ),
    Mistake(
        "bias correction one step late",
        _ad("bias correction one step late"),
        "The bias correction uses the wrong power: at the first step (`t = 1`) divide"
        " by `1 - beta1` and `1 - beta2`, not by the next powers. Count `t` from 1 and"
        " use `beta1 ** t`.",
    ),
    Mistake(
        "corrected state overwritten",
        _ad("corrected state overwritten"),
        "You stored the bias-corrected values back into `m` and `s`. Keep the raw"
        " moving averages as the state and use `m_hat`, `s_hat` only for the step.",
    ),
    Mistake(
        "square root missing",
        _ad("square root missing"),
        "The step divides by the root mean square, `np.sqrt(s_hat) + eps`, not by"
        " `s_hat`.",
    ),
    Mistake(
        "momentum state forgotten",
        _ad("momentum state forgotten"),
        "Your `m` forgets its past: `m = (1 - beta1) * g` is recomputed from the"
        " current gradient alone. It is a moving average, `m = beta1 * m + (1 - beta1)"
        " * g`, with `m` kept between steps.",
    ),
    Mistake(
        "betas swapped",
        _ad("betas swapped"),
        "`beta1 = 0.9` belongs to the average of the gradients `m`, `beta2 = 0.999` to"
        " the average of their squares `s`: you swapped them.",
    ),
    Mistake(
        "only m corrected",
        _ad("only m corrected"),
        "`m` is bias-corrected but `s` is not: divide `s` by `1 - beta2 ** t` too.",
    ),
    Mistake(
        "only s corrected",
        _ad("only s corrected"),
        "`s` is bias-corrected but `m` is not: divide `m` by `1 - beta1 ** t` too.",
    ),
]


def _nan_from_t0(fn, cases, what) -> Feedback | None:
    """A correction that starts at t = 0 divides by 1 - beta**0 = 0: name it before a
    generic NaN."""
    if not callable(fn):
        return None
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            first = np.asarray(fn(*copy.deepcopy(cases[0])), dtype=float)
    # noqa: BLE001  (not attempted or a crash: check_function reports it)
    except Exception:
        return None
    if first.shape == cases[0][1].shape and not np.all(np.isfinite(first)):
        return Feedback(
            "fail",
            f"{what} returns NaN or inf. Did the bias correction start at `t = 0`? "
            "`1 - beta1 ** 0` is 0, so the first division blows up: count `t` from 1.",
            "bias correction from t = 0",
        )
    return None


def check_adam(fn: Callable) -> Feedback:
    """Check ``fn(grad, x0, learning_rate, steps)`` -> x after ``steps`` Adam steps
    (default betas, eps).

    >>> check_adam(lambda grad, x0, a, n: _adam(grad, x0, a, n)).passed
    True
    >>> check_adam(
    ...     lambda grad, x0, a, n: _adam(grad, x0, a, n, variant="no bias correction")
    ... ).mistake
    'no bias correction'
    """
    cases = _cases_adam()
    return _nan_from_t0(fn, cases, "`adam_steps`") or check_function(
        fn,
        _adam,
        cases,
        _MISTAKES_ADAM,
        rtol=1e-8,
        atol=1e-12,
        what="`adam_steps`",
        allow_mutation=True,
    )


# --- exercise 4: the first step of RMSProp --------------------------------------------


def rmsprop_first_step(rho: float) -> float:
    """Length of RMSProp's first step in each coordinate, in units of the learning rate:
    1 / sqrt(1 - rho).

    ``rho`` is the decay of the moving average (the chapter writes it gamma, since rho
    is its convergence factor).

    >>> round(rmsprop_first_step(0.99), 12)
    10.0
    """
    return float(1 / np.sqrt(1 - rho))


_RMSPROP_MISTAKES = [
    Mistake(
        "square root missing",
        lambda rho: 1 / (1 - rho),
        "The step divides the gradient by the ROOT of `s = (1 - gamma) * g ** 2`, so"
        " the factor is `1 / np.sqrt(1 - gamma)`, not `1 / (1 - gamma)`.",
    ),
    Mistake(
        "as if bias-corrected",
        lambda rho: 1.0,
        "That would be true with Adam's bias correction, which divides `s` by `1 -"
        " gamma` at the first step. RMSProp has none, so after one step `s` is only `(1"
        " - gamma) * g ** 2`.",
    ),
    Mistake(
        "inverted",
        lambda rho: np.sqrt(1 - rho),
        "Upside down: dividing `g` by `np.sqrt((1 - gamma) * g ** 2)` makes the step"
        " LONGER than the learning rate, not shorter.",
    ),
    Mistake(
        "used rho instead of 1 - rho",
        lambda rho: 1 / np.sqrt(rho),
        "The first average is `s = gamma * 0 + (1 - gamma) * g ** 2`: the weight on the"
        " new gradient is `1 - gamma`, not `gamma`.",
    ),
    Mistake(
        "second step",
        lambda rho: 1 / np.sqrt(1 - rho**2),
        "That is the length of the SECOND step with a constant gradient, where `s = (1"
        " - gamma ** 2) * g ** 2`. The first step has `s = (1 - gamma) * g ** 2`.",
    ),
]

_RMSPROP_CASES = [(0.99,), (0.9,), (0.75,), (0.999,)]


def check_rmsprop_first_step(fn: Callable) -> Feedback:
    """Check ``fn(rho)`` -> the length of RMSProp's first step in units of the learning
    rate.

    >>> check_rmsprop_first_step(rmsprop_first_step).passed
    True
    >>> check_rmsprop_first_step(lambda rho: 1 / (1 - rho)).mistake
    'square root missing'
    """
    fb = check_function(
        fn,
        rmsprop_first_step,
        _RMSPROP_CASES,
        _RMSPROP_MISTAKES,
        rtol=1e-6,
        atol=0.0,
        what="`rmsprop_first_step`",
    )
    if fb.status == "fail" and fb.mistake is None:
        try:
            values = {float(np.asarray(fn(*c), dtype=float)) for c in _RMSPROP_CASES}
        except Exception:  # noqa: BLE001
            values = set()
        if len(values) == 1:
            return Feedback(
                "fail",
                f"`rmsprop_first_step` returns {values.pop():g} whatever `rho` is: the "
                "answer for `rho = 0.99` typed in? Compute it from `rho`.",
                "constant",
            )
    return fb


# --- exercise 5 (transfer): momentum for the regression, judged by its measured rate --


def _bias_column(X):
    X = np.asarray(X, dtype=float)
    return np.column_stack([X, np.ones(len(X))])


def _hessian(X):
    A = _bias_column(X)
    return 2 / len(A) * A.T @ A


def regression_momentum(X) -> tuple[float, float]:
    """Polyak's (learning_rate, beta) for the MSE of a linear model with a bias on data
    ``X`` (n, d).

    The Hessian is H = (2/n) A^T A with A = [X, 1]; its extreme eigenvalues go into
    Polyak's formula.

    >>> rate, beta = regression_momentum(np.array([[0.0], [1.0], [2.0], [3.0]]))
    >>> round(rate, 6), round(beta, 6)
    (0.296909, 0.336091)
    """
    return heavy_ball_parameters(_hessian(X))


def _regression_cases():
    rng = np.random.default_rng(9)
    out = []
    for n, d, mean, spread in [
        (60, 2, 1.5, 3.0),
        (100, 3, 0.8, 6.0),
        (40, 4, -1.0, 2.0),
    ]:
        out.append((rng.standard_normal((n, d)) * np.geomspace(1, spread, d) + mean,))
    return out


def measured_rate(
    X, learning_rate: float, beta: float, *, maxiter: int = 4000
) -> float:
    """The heavy ball's error-shrinking factor per step on the MSE of ``X``, measured on
    a run.

    The error is measured from where it first falls below 1e-2 of its start to where it
    falls below 1e-10 (or to the last step, from the middle of the run, if it never gets
    there); ``inf`` if the run diverges.

    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> round(measured_rate(X, *regression_momentum(X)), 2), round(_optimal_rate(X), 2)
    (0.6, 0.58)
    """
    H = _hessian(X)
    # the start, minus the minimiser
    e = np.random.default_rng(0).standard_normal(len(H))
    v = np.zeros_like(e)
    errors = [np.linalg.norm(e)]
    with np.errstate(all="ignore"):
        for _ in range(maxiter):
            v = beta * v - learning_rate * (H @ e)
            e = e + v
            errors.append(np.linalg.norm(e))
            if not errors[-1] <= 1e8 * errors[0] or errors[-1] < 1e-10 * errors[0]:
                break
    errors = np.array(errors)
    if not errors[-1] <= errors[0]:
        return float("inf")
    end = len(errors) - 1
    begin = (
        int(np.argmax(errors <= 1e-2 * errors[0]))
        if errors[-1] < 1e-10 * errors[0]
        else end // 2
    )
    return float((errors[end] / errors[begin]) ** (1 / (end - begin)))


# pass: ln(1/rate) at least this share of the best ln(1/rho), i.e. <= 4/3 the steps
_RATE_SHARE = 0.75


def _optimal_rate(X) -> float:
    lam = np.linalg.eigvalsh(_hessian(X))
    sk = np.sqrt(lam[-1] / lam[0])
    return float((sk - 1) / (sk + 1))


def _with_hessian(H_of: Callable) -> Callable:
    return lambda X: heavy_ball_parameters(H_of(np.asarray(X, dtype=float)))


def _from_eigenvalues(eig_of: Callable, **kw) -> Callable:
    def params(X):
        lam = np.sort(eig_of(np.asarray(X, dtype=float)))
        return _polyak(lam[0], lam[-1], **kw)

    return params


_REGRESSION_MISTAKES = [
    Mistake(
        "Hessian without the 2",
        _with_hessian(lambda X: _bias_column(X).T @ _bias_column(X) / len(X)),
        "The Hessian of the MSE is `2 / n * A.T @ A`: without the 2 its eigenvalues are"
        " halved, your step is twice too long, and the heavy ball diverges.",
    ),
    Mistake(
        "Hessian without 1/n",
        _with_hessian(lambda X: 2 * _bias_column(X).T @ _bias_column(X)),
        "The Hessian of a MEAN carries $\\frac1n$: `2 / n * A.T @ A`. Without it the"
        " eigenvalues are n times too large and the step n times too short.",
    ),
    Mistake(
        "forgot the bias column",
        _with_hessian(lambda X: 2 / len(X) * X.T @ X),
        "The model has a bias, so the Hessian is built from `A = [X, 1]`, not from `X`"
        " alone: the column of ones changes both extreme eigenvalues when the features"
        " do not have mean zero.",
    ),
    Mistake(
        "singular values of A",
        _from_eigenvalues(lambda X: np.linalg.svd(_bias_column(X), compute_uv=False)),
        "The singular values of `A` are not the Hessian's eigenvalues: those are `2 /"
        " n` times the SQUARED singular values, the eigenvalues of `2 / n * A.T @ A`.",
    ),
    Mistake(
        "beta not squared",
        _from_eigenvalues(lambda X: np.linalg.eigvalsh(_hessian(X)), squared=False),
        "Your beta is the rate $(\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)$; the optimal"
        " beta is its square.",
    ),
    Mistake(
        "gradient-descent step",
        _from_eigenvalues(lambda X: np.linalg.eigvalsh(_hessian(X)), gd_step=True),
        "$2/(L + \\mu)$ is plain gradient descent's best step. With momentum the"
        " optimal step is $4/(\\sqrt L + \\sqrt\\mu)^2$.",
    ),
    Mistake(
        "kappa instead of its root",
        _from_eigenvalues(lambda X: np.linalg.eigvalsh(_hessian(X)), kappa_root=False),
        "Your beta uses $\\kappa$ where $\\sqrt\\kappa$ belongs: "
        "$\\beta = \\big((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)\\big)^2$.",
    ),
    Mistake(
        "diagonal instead of eigenvalues",
        _from_eigenvalues(lambda X: np.diag(_hessian(X))),
        "The diagonal entries of the Hessian are not its eigenvalues (the features are"
        " correlated with the column of ones): use `np.linalg.eigvalsh(2 / n * A.T @"
        " A)`.",
    ),
    Mistake(
        "no momentum",
        lambda X: (2 / float(np.sum(np.linalg.eigvalsh(_hessian(X))[[0, -1]])), 0.0),
        "With `beta = 0` the heavy ball is gradient descent, at best $(\\kappa -"
        " 1)/(\\kappa + 1)$ per step. Polyak's parameters give $(\\sqrt\\kappa -"
        " 1)/(\\sqrt\\kappa + 1)$.",
    ),
    Mistake(
        "swapped",
        lambda X: regression_momentum(X)[::-1],
        "Right numbers, wrong order: return `(learning_rate, beta)`.",
    ),
]


def check_regression_momentum(fn: Callable) -> Feedback:
    """Check ``fn(X)`` -> (learning_rate, beta) by the rate the heavy ball measures with
    them on the MSE of X.

    Passes when the measured rate needs at most 4/3 as many steps as the best the heavy
    ball can do, (sqrt(kappa) - 1) / (sqrt(kappa) + 1), on each of three data sets.

    >>> check_regression_momentum(regression_momentum).passed
    True
    >>> check_regression_momentum(lambda X: regression_momentum(X)[::-1]).mistake
    'swapped'
    """
    what = "`regression_momentum`"
    cases = _regression_cases()
    if fn is None or fn is Ellipsis:
        return Feedback("not attempted", f"Define {what} and run this cell again.")
    if not callable(fn):
        return Feedback(
            "fail",
            f"{what} should be a function; got a `{type(fn).__name__}`.",
            "not a function",
        )
    answers = []
    for i, case in enumerate(cases, 1):
        try:
            got = fn(*copy.deepcopy(case))
        except NotImplementedError:
            return _not_attempted(what)
        except Exception as exc:  # noqa: BLE001
            return _raised(exc, what, i)
        if got is None:
            return _returned_none(what)
        try:
            lr, beta = (float(np.asarray(v, dtype=float)) for v in got)
        except (TypeError, ValueError):
            return Feedback(
                "fail",
                f"{what} should return two numbers, `(learning_rate, beta)`; got "
                f"`{type(got).__name__}` (test case {i}).",
                "not two numbers",
            )
        if not (np.isfinite(lr) and np.isfinite(beta) and lr > 0 and 0 <= beta < 1):
            return Feedback(
                "fail",
                f"Test case {i}: the learning rate must be positive and beta in [0, 1);"
                f" got `learning_rate = {lr:.4g}`, `beta = {beta:.4g}`.",
                "out of range",
            )
        answers.append((lr, beta))
    shares = []
    for (X,), (lr, beta) in zip(cases, answers, strict=True):
        rate = measured_rate(X, lr, beta)
        best = _optimal_rate(X)
        shares.append(
            (np.log(1 / rate) / np.log(1 / best) if rate < 1 else 0.0, rate, best)
        )
    if all(share >= _RATE_SHARE for share, _, _ in shares):
        worst = min(share for share, _, _ in shares)
        return Feedback(
            "pass",
            f"On all {len(cases)} regressions the heavy ball with your parameters"
            f" converges at nearly the best rate: it needs at most {1 / worst:.2f}"
            " times the steps of the optimum (the pass mark is 4/3).",
        )
    for m in _REGRESSION_MISTAKES:
        try:
            model = [m.compute(*copy.deepcopy(c)) for c in cases]
        except Exception:  # noqa: BLE001
            continue
        if all(
            np.allclose(a, mo, rtol=1e-6, atol=0.0)
            for a, mo in zip(answers, model, strict=True)
        ):
            return Feedback("fail", m.hint, m.name)
    i, (share, rate, best) = next(
        (i, s) for i, s in enumerate(shares, 1) if s[0] < _RATE_SHARE
    )
    lr, beta = answers[i - 1]
    if not np.isfinite(rate):
        return Feedback(
            "fail",
            f"Test case {i}: with `learning_rate = {lr:.4g}` and `beta = {beta:.4g}`"
            " the heavy ball diverges. It is stable only while the step times the"
            " largest eigenvalue of the Hessian stays below `2 * (1 + beta)`.",
            "diverges",
        )
    slower = (
        f"about {1 / share:.1f} times as many steps"
        if share > 0
        else "it does not converge"
    )
    return Feedback(
        "fail",
        f"Test case {i}: with `learning_rate = {lr:.4g}` and `beta = {beta:.4g}` the"
        f" heavy ball shrinks the error by a measured factor {rate:.4f} per step; the"
        f" best it can do on this problem is {best:.4f}: {slower}.",
    )


# --- exercise 6 (transfer): AMSGrad ---------------------------------------------------


def amsgrad_steps(grad, x0, learning_rate, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """``steps`` AMSGrad steps as in ``adam(..., amsgrad=True)``: the running maximum of
    the raw s,
    then Adam's bias correction.

    >>> # the first step is Adam's
    >>> round(float(amsgrad_steps(lambda x: 2 * x, np.array([3.0]), 0.1, 1)[0]), 6)
    2.9
    """
    return _adam(grad, x0, learning_rate, steps, beta1, beta2, eps, variant="amsgrad")


def _cases_amsgrad():
    return [
        (
            _big_quadratic_grad([[1.0, 0.0], [0.0, 25.0]], [0.0, 0.0]),
            np.array([1.0, 1.0]),
            0.05,
            60,
        ),
        (
            _big_quadratic_grad([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0]),
            np.array([2.0, -1.0]),
            0.1,
            150,
        ),
        (
            _big_quadratic_grad(np.diag([0.01, 1.0, 100.0]), [0.1, 0.0, -2.0]),
            np.array([5.0, 3.0, 1.0]),
            0.2,
            40,
        ),
        # a gradient that starts tiny in one coordinate and grows: the maximum of the
        # raw average, of the corrected average and of the squared gradients part ways
        (
            _big_quadratic_grad([[1.0, 0.0], [0.0, 25.0]], [0.0, 0.0]),
            np.array([1.0, 0.001]),
            0.05,
            60,
        ),
        (
            _big_quadratic_grad([[4.0, -1.9], [-1.9, 1.0]], [1.0, 0.0]),
            np.array([0.0, 0.0]),
            0.05,
            100,
        ),
    ]


_MISTAKES_AMSGRAD = [
    Mistake(
        "plain Adam",
        _ad("right"),
        "That is plain Adam: the step divides by the square root of `s_max / (1 - beta2"
        " ** t)`, with `s_max = np.maximum(s_max, s)` the running maximum of the"
        " average `s`, kept between steps.",
    ),
    Mistake(
        "maximum of the corrected average",
        _ad("maximum of the corrected average"),
        "You took the running maximum of the bias-corrected `s_hat`. That is another"
        " variant; this exercise (like `gdutils` and PyTorch) takes the maximum of the"
        " RAW average, `s_max = np.maximum(s_max, s)`, and corrects it afterwards:"
        " `s_max / (1 - beta2 ** t)`.",
    ),
    Mistake(
        "no bias correction",
        _ad("amsgrad without bias correction"),
        "No bias correction: that is AMSGrad as first published. This exercise asks for"
        " the corrected form of `adam(..., amsgrad=True)`: divide `m` by `1 - beta1 **"
        " t` and `s_max` by `1 - beta2 ** t`.",
    ),
    Mistake(
        "maximum of the squared gradients",
        _ad("maximum of the squared gradients"),
        "Your maximum runs over the squared gradients `g ** 2`. It runs over their"
        " moving average: `s_max = np.maximum(s_max, s)` with `s = beta2 * s + (1 -"
        " beta2) * g ** 2`.",
    ),
    Mistake(
        "maximum of the last two averages",
        _ad("maximum of the last two averages"),
        "You compared `s` with the previous step's `s` only. AMSGrad keeps the maximum"
        " over ALL steps so far in its own state: `s_max = np.maximum(s_max, s)`, with"
        " `s_max` kept between steps.",
    ),
    Mistake(
        "maximum stored in the average",
        _ad("maximum stored in the average"),
        "You stored the maximum back into the moving average `s`. Keep two states: the"
        " average `s` goes on as in Adam, and `s_max` holds its running maximum.",
    ),
    Mistake(
        "momentum state forgotten",
        lambda *c: _adam_ams_m_forgotten(*c),
        "Your `m` forgets its past: it is a moving average, `m = beta1 * m + (1 -"
        " beta1) * g`, kept between steps.",
    ),
    Mistake(
        "square root missing",
        lambda *c: _adam_ams_no_root(*c),
        "The step divides by the root, `np.sqrt(s_max / (1 - beta2 ** t)) + eps`.",
    ),
]


def _adam_ams_m_forgotten(
    grad, x0, learning_rate, steps, beta1=0.9, beta2=0.999, eps=1e-8
):
    x = np.array(x0, dtype=float)
    s = s_max = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        m = (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        s_max = np.maximum(s_max, s)
        x = x - learning_rate * (m / (1 - beta1**t)) / (
            np.sqrt(s_max / (1 - beta2**t)) + eps
        )
    return x


def _adam_ams_no_root(grad, x0, learning_rate, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    x = np.array(x0, dtype=float)
    m = s = s_max = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        s_max = np.maximum(s_max, s)
        x = x - learning_rate * (m / (1 - beta1**t)) / (s_max / (1 - beta2**t) + eps)
    return x


def check_amsgrad(fn: Callable) -> Feedback:
    """Check ``fn(grad, x0, learning_rate, steps)`` -> x after ``steps`` AMSGrad steps
    (default betas, eps).

    >>> check_amsgrad(amsgrad_steps).passed
    True
    >>> check_amsgrad(lambda grad, x0, a, n: _adam(grad, x0, a, n)).mistake
    'plain Adam'
    """
    cases = _cases_amsgrad()
    return _nan_from_t0(fn, cases, "`amsgrad_steps`") or check_function(
        fn,
        amsgrad_steps,
        cases,
        _MISTAKES_AMSGRAD,
        rtol=1e-8,
        atol=1e-12,
        what="`amsgrad_steps`",
        allow_mutation=True,
    )


# --- the exercises --------------------------------------------------------------------

heavy_ball = Exercise(
    "ch06.heavy_ball",
    "ch06-ex-heavy-ball",
    check_heavy_ball,
    hints=[
        (
            "Two states: `x`, a float copy of `x0`, and the velocity `v`, zeros of the"
            " same shape, both created BEFORE the loop so that `v` remembers the"
            " previous steps."
        ),
        (
            "Each of the `steps` iterations: first `v = beta * v - learning_rate *"
            " grad(x)`, then `x = x + v`."
        ),
        (
            "`x = np.array(x0, dtype=float)`, `v = np.zeros_like(x)`, `for _ in"
            " range(steps):` the two updates, then `return x`."
        ),
    ],
    solution_code="""\
def heavy_ball(grad, x0, learning_rate, beta, steps):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)  # the momentum state, kept between steps
    for _ in range(steps):
        v = beta * v - learning_rate * grad(x)
        x = x + v
    return x


# the same iterate as gdutils' momentum, on the chapter's quadratic with Polyak's
# parameters
from gdutils.accelerated import momentum

q_ex = gdu.objectives.ill_conditioned_quadratic(2, 100.0)
lr_ex, beta_ex = 4 / 11**2, (9 / 11) ** 2  # mu = 1, L = 100
ref_ex = momentum(
    q_ex.fun,
    [1.0, 1.0],
    jac=q_ex.grad,
    learning_rate=lr_ex,
    beta=beta_ex,
    maxiter=50,
    gtol=0.0,
)
print(
    "heavy_ball after 50 steps:",
    heavy_ball(q_ex.grad, [1.0, 1.0], lr_ex, beta_ex, 50),
    " gdutils:",
    ref_ex.x,
)
assert np.allclose(
    heavy_ball(q_ex.grad, [1.0, 1.0], lr_ex, beta_ex, 50),
    ref_ex.x,
    rtol=1e-12,
    atol=1e-15,
)
""",
    check_args="heavy_ball",
)

parameters = Exercise(
    "ch06.parameters",
    "ch06-ex-parameters",
    check_heavy_ball_parameters,
    hints=[
        (
            "Polyak's formulas need only the two extreme eigenvalues of `A`, $\\mu$ and"
            " $L$; for a matrix that is not diagonal they are not on its diagonal."
            " `np.linalg.eigvalsh(A)` returns them sorted."
        ),
        (
            "With `sm, sL = np.sqrt(mu), np.sqrt(L)`: the step is $4/(\\sqrt L +"
            " \\sqrt\\mu)^2$ and beta is the SQUARE of $(\\sqrt L - \\sqrt\\mu)/(\\sqrt"
            " L + \\sqrt\\mu)$."
        ),
        (
            "`eig = np.linalg.eigvalsh(A)`, `sm, sL = np.sqrt(eig[0]),"
            " np.sqrt(eig[-1])`, `return 4 / (sL + sm) ** 2, ((sL - sm) / (sL + sm))"
            " ** 2`."
        ),
    ],
    solution_code="""\
def heavy_ball_parameters(A):
    eig = np.linalg.eigvalsh(A)  # sorted ascending: mu first, L last
    sqrt_mu, sqrt_L = np.sqrt(eig[0]), np.sqrt(eig[-1])
    learning_rate = 4 / (sqrt_L + sqrt_mu) ** 2
    beta = ((sqrt_L - sqrt_mu) / (sqrt_L + sqrt_mu)) ** 2
    return learning_rate, beta


# the measured rate on a quadratic that is not diagonal: (sqrt(kappa) - 1) /
# (sqrt(kappa) + 1)
from gdutils.accelerated import momentum

A_ex = np.array([[5.0, 2.0, 0.0], [2.0, 3.0, 1.0], [0.0, 1.0, 50.0]])
q_ex = gdu.objectives.quadratic(A_ex, [1.0, 0.0, -1.0])
lr_ex, beta_ex = heavy_ball_parameters(A_ex)
run_ex = momentum(
    q_ex.fun,
    np.zeros(3),
    jac=q_ex.grad,
    learning_rate=lr_ex,
    beta=beta_ex,
    maxiter=70,
    gtol=0.0,
)
err_ex = np.linalg.norm(run_ex.trajectory - q_ex.minimizers[0], axis=1)
# e_k ~ c k rho^k (a double root): fit log e = a + p log k + k log rho
k_ex = np.arange(
    30, 70
)
fit_ex = np.linalg.lstsq(
    np.column_stack([np.ones(40), np.log(k_ex), k_ex]),
    np.log(err_ex[30:70]),
    rcond=None,
)[0]
kappa_ex = np.linalg.cond(A_ex)
theory_ex = (np.sqrt(kappa_ex) - 1) / (np.sqrt(kappa_ex) + 1)
print(
    f"kappa = {kappa_ex:.2f}; measured rate {np.exp(fit_ex[2]):.4f}, theory"
    f" {theory_ex:.4f}"
)
assert abs(np.exp(fit_ex[2]) / theory_ex - 1) < 0.005
""",
    check_args="heavy_ball_parameters",
)

adam = Exercise(
    "ch06.adam",
    "ch06-ex-adam",
    check_adam,
    hints=[
        (
            "Three states kept between steps: `x` (a float copy of `x0`), and the two"
            " moving averages `m` and `s`, zeros of the shape of `x`. Count the steps"
            " with `t = 1, 2, ..., steps`."
        ),
        (
            "Each step: `m = beta1 * m + (1 - beta1) * g` and `s = beta2 * s + (1 -"
            " beta2) * g ** 2`; then the bias-corrected COPIES `m_hat = m / (1 - beta1"
            " ** t)`, `s_hat = s / (1 - beta2 ** t)` (the state stays raw)."
        ),
        (
            "`x = x - learning_rate * m_hat / (np.sqrt(s_hat) + eps)` with `eps ="
            " 1e-8`, inside `for t in range(1, steps + 1):`."
        ),
    ],
    solution_code="""\
def adam_steps(grad, x0, learning_rate, steps):
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    x = np.array(x0, dtype=float)
    m, s = np.zeros_like(x), np.zeros_like(x)
    for t in range(1, steps + 1):  # t counts from 1: 1 - beta**0 would be 0
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)  # corrected copies; the state m, s stays raw
        s_hat = s / (1 - beta2**t)
        x = x - learning_rate * m_hat / (np.sqrt(s_hat) + eps)
    return x


from gdutils.accelerated import adam as gdutils_adam

q_ex = gdu.objectives.ill_conditioned_quadratic(2, 100.0)
ref_ex = gdutils_adam(
    q_ex.fun, [1.0, 1.0], jac=q_ex.grad, learning_rate=0.05, maxiter=100, gtol=0.0
)
print(
    "adam_steps after 100 steps:",
    adam_steps(q_ex.grad, [1.0, 1.0], 0.05, 100),
    " gdutils:",
    ref_ex.x,
)
assert np.allclose(
    adam_steps(q_ex.grad, [1.0, 1.0], 0.05, 100), ref_ex.x, rtol=1e-12, atol=1e-15
)
""",
    check_args="adam_steps",
)

rmsprop = Exercise(
    "ch06.rmsprop",
    "ch06-ex-rmsprop",
    check_rmsprop_first_step,
    hints=[
        (
            "Follow one coordinate through the first step: `s` starts at 0, so after"
            " the first update `s = gamma * 0 + (1 - gamma) * g ** 2`."
        ),
        (
            "The step is `learning_rate * g / np.sqrt(s)` (with a tiny `eps`). Put in"
            " `s` and simplify: the gradient's size cancels."
        ),
        "`return 1 / np.sqrt(1 - rho)`.",
    ],
    solution_code="""\
def rmsprop_first_step(rho):
    # after one step s = (1 - rho) g^2, so the step is eta g / sqrt((1 - rho) g^2): eta
    # / sqrt(1 - rho) long
    return 1 / np.sqrt(1 - rho)


from gdutils.accelerated import rmsprop as gdutils_rmsprop

g_probe = np.array([3.0, -0.02])
one = gdutils_rmsprop(
    lambda x: float(g_probe @ x),
    np.zeros(2),
    jac=lambda x: g_probe,
    learning_rate=0.01,
    rho=0.99,
    eps=1e-12,
    maxiter=1,
    gtol=0.0,
)
print("closed form:", rmsprop_first_step(0.99), " measured:", np.abs(one.x) / 0.01)
assert np.allclose(np.abs(one.x) / 0.01, rmsprop_first_step(0.99), rtol=1e-6)
""",
    check_args="rmsprop_first_step",
)

regression = Exercise(
    "ch06.regression",
    "ch06-ex-regression",
    check_regression_momentum,
    hints=[
        (
            "Polyak's parameters need the extreme eigenvalues of the Hessian of the"
            " loss. For the MSE of a linear model with a bias, the Hessian is the same"
            " everywhere: `2 / n * A.T @ A` with `A = np.column_stack([X,"
            " np.ones(n)])`."
        ),
        (
            "Then the formulas of this chapter: with `mu` and `L` the smallest and"
            " largest eigenvalues (`np.linalg.eigvalsh` sorts them), the step is"
            " $4/(\\sqrt L + \\sqrt\\mu)^2$ and beta the square of $(\\sqrt L -"
            " \\sqrt\\mu)/(\\sqrt L + \\sqrt\\mu)$."
        ),
        (
            "`H = 2 / len(X) * A.T @ A`, `eig = np.linalg.eigvalsh(H)`, `sm, sL ="
            " np.sqrt(eig[0]), np.sqrt(eig[-1])`, `return 4 / (sL + sm) ** 2, ((sL -"
            " sm) / (sL + sm)) ** 2`."
        ),
    ],
    solution_code="""\
def regression_momentum(X):
    A = np.column_stack([X, np.ones(len(X))])  # the bias column
    H = 2 / len(X) * A.T @ A  # the MSE's Hessian, the same at every theta
    eig = np.linalg.eigvalsh(H)
    sm, sL = np.sqrt(eig[0]), np.sqrt(eig[-1])
    return 4 / (sL + sm) ** 2, ((sL - sm) / (sL + sm)) ** 2


# measured on a regression whose features have different scales and a nonzero mean (an
# ill-conditioned Hessian)
from gdutils.accelerated import momentum

X_raw, y_ex, _ = gdu.data.linear_regression(rng=gdu.book_rng("ch06-ex-regression"))
X_ex = X_raw * np.array([1.0, 2.0, 4.0, 8.0, 16.0]) + 1.0
lr_ex, beta_ex = regression_momentum(X_ex)
theta_ls = np.linalg.lstsq(
    np.column_stack([X_ex, np.ones(len(X_ex))]), y_ex, rcond=None
)[0]
eig_ex = np.linalg.eigvalsh(gdu.mse_hessian(X_ex))
sk_ex = np.sqrt(eig_ex[-1] / eig_ex[0])
runs_ex = {
    "heavy ball": momentum(
        gdu.mse,
        np.zeros(6),
        (X_ex, y_ex),
        gdu.mse_grad,
        learning_rate=lr_ex,
        beta=beta_ex,
        maxiter=200,
        gtol=0.0,
    ),
    "gradient descent": momentum(
        gdu.mse,
        np.zeros(6),
        (X_ex, y_ex),
        gdu.mse_grad,
        learning_rate=2 / (eig_ex[0] + eig_ex[-1]),
        beta=0.0,
        maxiter=200,
        gtol=0.0,
    ),
}
left = {}
for name, run in runs_ex.items():
    err = np.linalg.norm(run.trajectory - theta_ls, axis=1)
    left[name] = err[-1] / err[0]
    print(f"{name}: after 200 steps the error is {left[name]:.1e} of its start")
rate_ex = ch06.measured_rate(X_ex, lr_ex, beta_ex)
print(
    f"kappa = {sk_ex**2:.0f}: measured rate {rate_ex:.4f}, best possible"
    f" {(sk_ex - 1) / (sk_ex + 1):.4f}"
)
assert left["heavy ball"] < 1e-3 * left["gradient descent"]
assert np.log(rate_ex) / np.log((sk_ex - 1) / (sk_ex + 1)) > 0.75
""",
    check_args="regression_momentum",
    transfer=True,
)

amsgrad = Exercise(
    "ch06.amsgrad",
    "ch06-ex-amsgrad",
    check_amsgrad,
    hints=[
        (
            "Start from your Adam loop: the moving averages `m` and `s` are updated"
            " exactly as in Adam. AMSGrad adds one more state, `s_max`, zeros before"
            " the loop."
        ),
        (
            "After updating `s`: `s_max = np.maximum(s_max, s)`, the largest average"
            " seen so far, entry by entry. The step uses `s_max` where Adam uses `s`,"
            " with the same bias correction `1 - beta2 ** t`."
        ),
        (
            "`x = x - learning_rate * (m / (1 - beta1 ** t)) / (np.sqrt(s_max / (1 -"
            " beta2 ** t)) + eps)`."
        ),
    ],
    solution_code="""\
def amsgrad_steps(grad, x0, learning_rate, steps):
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    x = np.array(x0, dtype=float)
    m, s, s_max = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        # the running maximum of the raw average: a state of its own
        s_max = np.maximum(
            s_max, s
        )
        x = x - learning_rate * (m / (1 - beta1**t)) / (
            np.sqrt(s_max / (1 - beta2**t)) + eps
        )
    return x


# the same iterate as gdutils' adam(amsgrad=True)
from gdutils.accelerated import adam as gdutils_adam

q_ex = gdu.objectives.ill_conditioned_quadratic(2, 100.0)
ref_ex = gdutils_adam(
    q_ex.fun,
    [1.0, 1.0],
    jac=q_ex.grad,
    learning_rate=0.05,
    maxiter=300,
    gtol=0.0,
    amsgrad=True,
)
assert np.allclose(
    amsgrad_steps(q_ex.grad, [1.0, 1.0], 0.05, 300), ref_ex.x, rtol=1e-10, atol=1e-14
)


# the effective step eta / (sqrt(s_hat) + eps) of Adam and of AMSGrad along their runs
def effective_steps(grad, x0, learning_rate, steps, amsgrad):
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    x = np.array(x0, dtype=float)
    m, s, s_max, out = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x), []
    for t in range(1, steps + 1):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        s_max = np.maximum(s_max, s)
        out.append(
            learning_rate / (np.sqrt((s_max if amsgrad else s) / (1 - beta2**t)) + eps)
        )
        x = x - out[-1] * m / (1 - beta1**t)
    return x, np.array(out)


T_ex = 2000
growth = {}
for name, flag in [("Adam", False), ("AMSGrad", True)]:
    x_end, eff = effective_steps(q_ex.grad, [1.0, 1.0], 0.05, T_ex, flag)
    growth[name] = float(np.max(eff[-1] / eff[T_ex // 2 - 1]))
    print(
        f"{name}: the effective step grew by a factor {growth[name]:.3f} over the"
        " second half of the run"
    )
assert np.allclose(
    x_end, amsgrad_steps(q_ex.grad, [1.0, 1.0], 0.05, T_ex), rtol=1e-10, atol=1e-300
)
# the bias correction's own growth
bound = np.sqrt(
    (1 - 0.999**T_ex) / (1 - 0.999 ** (T_ex // 2))
)
print(f"bound for AMSGrad: {bound:.3f}")
assert growth["AMSGrad"] <= bound * (1 + 1e-9) < growth["Adam"]
""",
    check_args="amsgrad_steps",
    transfer=True,
)
