"""Checkers for chapter 6 (momentum and adaptive steps)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Feedback, Mistake, check_function, check_value

__all__ = [
    "check_heavy_ball",
    "check_heavy_ball_parameters",
    "check_adam",
    "check_rmsprop_first_step",
    "heavy_ball_parameters",
]


def _quadratic_grad(A, b):
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    return lambda x: A @ x - b


def _copy_x0(fn: Callable) -> Callable:
    """Hand the learner a copy of x0, so an in-place update cannot corrupt the reference."""
    return lambda grad, x0, *rest: fn(grad, np.array(x0, dtype=float), *rest)


# --- exercise 1: heavy ball, written as a loop -----------------------------------------------

def _heavy_ball(grad, x0, learning_rate, beta, steps, *, variant: str = "right"):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    n = steps - 1 if variant == "one step short" else steps
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
        (_quadratic_grad([[1.0, 0.0], [0.0, 10.0]], [0.0, 0.0]), np.array([1.0, 1.0]), 0.1, 0.5, 5),
        (_quadratic_grad([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0]), np.array([2.0, -1.0]), 0.2, 0.8, 12),
        (_quadratic_grad([[2.0, 0.0, 0.0], [0.0, 0.5, 0.2], [0.0, 0.2, 4.0]], [1.0, 0.0, -2.0]),
         np.array([0.0, 3.0, 1.0]), 0.15, 0.3, 7),
    ]


_MISTAKES_HB = [
    Mistake("no momentum", lambda *c: _heavy_ball(*c, variant="no momentum"),
            "This is plain gradient descent: the velocity must remember the previous steps, "
            "v = beta * v - learning_rate * g (not v = -learning_rate * g)."),
    Mistake("momentum pushes back", lambda *c: _heavy_ball(*c, variant="momentum pushes back"),
            "The momentum term has the wrong sign: v = beta * v - learning_rate * g keeps moving in "
            "the direction of the previous step; -beta * v brakes against it."),
    Mistake("dampened velocity", lambda *c: _heavy_ball(*c, variant="dampened velocity"),
            "You averaged the gradient, v = beta * v - (1 - beta) * learning_rate * g. That is an "
            "exponential moving average (the form Adam uses), whose steps are (1 - beta) times "
            "smaller; the heavy ball adds the full learning_rate * g."),
    Mistake("Nesterov look-ahead", lambda *c: _heavy_ball(*c, variant="Nesterov look-ahead"),
            "You took the gradient at the look-ahead point x + beta * v: that is Nesterov's method. "
            "The heavy ball uses the gradient at x itself."),
    Mistake("one step short", lambda *c: _heavy_ball(*c, variant="one step short"),
            "Your x is one heavy-ball step behind. Either the loop runs steps - 1 times, or x moves "
            "with the old velocity before v is updated. Update v first, then x = x + v, `steps` times."),
    Mistake("returned the trajectory", _trajectory,
            "You returned every iterate (the start included); return only the final x."),
    Mistake("returned the trajectory without the start", lambda *c: _trajectory(*c)[1:],
            "You returned every iterate; return only the final x."),
]


def check_heavy_ball(fn: Callable) -> Feedback:
    """Check ``fn(grad, x0, learning_rate, beta, steps)`` -> x after ``steps`` heavy-ball steps.

    The update is v = beta * v - learning_rate * grad(x), then x = x + v, from v = 0.

    >>> check_heavy_ball(lambda grad, x0, a, b, n: _heavy_ball(grad, x0, a, b, n)).passed
    True
    >>> check_heavy_ball(lambda grad, x0, a, b, n: _heavy_ball(grad, x0, a, 0.0, n)).mistake
    'no momentum'
    """
    return check_function(_copy_x0(fn), _heavy_ball, _cases_heavy_ball(), _MISTAKES_HB,
                          rtol=1e-9, atol=1e-12, what="`heavy_ball`")


# --- exercise 2: the optimal heavy-ball parameters of a quadratic -------------------------------

def heavy_ball_parameters(A) -> tuple[float, float]:
    """Polyak's optimal (learning_rate, beta) for f(x) = 1/2 x^T A x - b^T x, A symmetric positive definite.

    learning_rate = 4 / (sqrt(L) + sqrt(mu))^2 and beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2,
    with mu and L the smallest and largest eigenvalues of A.

    >>> rate, beta = heavy_ball_parameters([[1.0, 0.0], [0.0, 100.0]])
    >>> bool(np.isclose(rate, 4 / 121)), bool(np.isclose(beta, (9 / 11) ** 2))
    (True, True)
    """
    eig = np.linalg.eigvalsh(np.asarray(A, dtype=float))
    sm, sL = np.sqrt(eig[0]), np.sqrt(eig[-1])
    return float(4 / (sL + sm) ** 2), float(((sL - sm) / (sL + sm)) ** 2)


def _from_extremes(mu, L, *, squared=True, gd_step=False, roots_in_alpha=True):
    sm, sL = np.sqrt(mu), np.sqrt(L)
    alpha = 2 / (L + mu) if gd_step else (4 / (sL + sm) ** 2 if roots_in_alpha else 4 / (L + mu))
    beta = (sL - sm) / (sL + sm)
    return alpha, beta**2 if squared else beta


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
    Mistake("diagonal instead of eigenvalues",
            lambda A: _from_extremes(np.min(np.diag(A)), np.max(np.diag(A))),
            "The formula needs the smallest and largest *eigenvalues* of A. The diagonal entries "
            "are the eigenvalues only when A is diagonal; use np.linalg.eigvalsh(A)."),
    Mistake("beta not squared", lambda A: _from_extremes(*_extremes(A), squared=False),
            "Your beta is the convergence rate (sqrt(kappa) - 1) / (sqrt(kappa) + 1). The optimal "
            "beta is its square: the rate is sqrt(beta)."),
    Mistake("gradient-descent step", lambda A: _from_extremes(*_extremes(A), gd_step=True),
            "2 / (L + mu) is the best step of plain gradient descent. With momentum the optimal "
            "step is larger: 4 / (sqrt(L) + sqrt(mu))^2."),
    Mistake("square roots missing in the step", lambda A: _from_extremes(*_extremes(A), roots_in_alpha=False),
            "The step is 4 / (sqrt(L) + sqrt(mu))^2, with square roots of the eigenvalues inside the square."),
    Mistake("swapped", lambda A: heavy_ball_parameters(A)[::-1],
            "Right numbers, wrong order: return (learning_rate, beta)."),
]


def check_heavy_ball_parameters(fn: Callable) -> Feedback:
    """Check ``fn(A)`` -> (learning_rate, beta), Polyak's optimal heavy-ball parameters for A.

    >>> check_heavy_ball_parameters(heavy_ball_parameters).passed
    True
    >>> check_heavy_ball_parameters(lambda A: heavy_ball_parameters(np.diag(np.diag(A)))).mistake
    'diagonal instead of eigenvalues'
    """
    return check_function(fn, heavy_ball_parameters, _cases_parameters(), _MISTAKES_PARAMS,
                          rtol=1e-8, atol=1e-12, what="`heavy_ball_parameters`")


# --- exercise 3: Adam, written as a loop -----------------------------------------------------------

def _adam(grad, x0, learning_rate, steps, beta1=0.9, beta2=0.999, eps=1e-8, *, variant="right"):
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    s = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        if variant == "no bias correction":
            m_hat, s_hat = m, s
        elif variant == "bias correction one step late":
            m_hat, s_hat = m / (1 - beta1 ** (t + 1)), s / (1 - beta2 ** (t + 1))
        elif variant == "corrected state overwritten":
            m, s = m / (1 - beta1**t), s / (1 - beta2**t)
            m_hat, s_hat = m, s
        else:
            m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
        if variant == "square root missing":
            x = x - learning_rate * m_hat / (s_hat + eps)
        else:
            x = x - learning_rate * m_hat / (np.sqrt(s_hat) + eps)
    return x


def _cases_adam():
    return [
        (_quadratic_grad([[1.0, 0.0], [0.0, 25.0]], [0.0, 0.0]), np.array([1.0, 1.0]), 0.1, 10),
        (_quadratic_grad([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0]), np.array([2.0, -1.0]), 0.05, 25),
        (_quadratic_grad(np.diag([0.01, 1.0, 100.0]), [0.1, 0.0, -2.0]), np.array([5.0, 3.0, 1.0]), 0.2, 6),
    ]


_MISTAKES_ADAM = [
    Mistake("no bias correction", lambda *c: _adam(*c, variant="no bias correction"),
            "No bias correction: m and s start at 0, so divide them by (1 - beta1**t) and "
            "(1 - beta2**t) with t = 1 at the first step. Without it the early steps are several "
            "times too long."),
    Mistake("bias correction one step late", lambda *c: _adam(*c, variant="bias correction one step late"),
            "The bias correction uses the wrong power: at the first step (t = 1) divide by "
            "(1 - beta1**1) and (1 - beta2**1), not by the next powers."),
    Mistake("corrected state overwritten", lambda *c: _adam(*c, variant="corrected state overwritten"),
            "You stored the bias-corrected values back into m and s. Keep the raw moving averages "
            "as the state and use m_hat, s_hat only for the step."),
    Mistake("square root missing", lambda *c: _adam(*c, variant="square root missing"),
            "The step divides by the root mean square, sqrt(s_hat) + eps, not by s_hat."),
]


def check_adam(fn: Callable) -> Feedback:
    """Check ``fn(grad, x0, learning_rate, steps)`` -> x after ``steps`` Adam steps (default betas, eps).

    >>> check_adam(lambda grad, x0, a, n: _adam(grad, x0, a, n)).passed
    True
    >>> check_adam(lambda grad, x0, a, n: _adam(grad, x0, a, n, variant="no bias correction")).mistake
    'no bias correction'
    """
    cases = _cases_adam()
    try:  # a correction that starts at t = 0 divides by 1 - beta**0 = 0: name it before the generic NaN message
        first = np.asarray(_copy_x0(fn)(*cases[0]), dtype=float)
        if first.shape == cases[0][1].shape and not np.all(np.isfinite(first)):
            return Feedback("fail", "Your result contains NaN or inf. Did the bias correction start at t = 0? "
                                    "1 - beta**0 = 0, so the first division blows up: count t from 1.",
                            "bias correction from t = 0")
    except Exception:  # not attempted or a crash: check_function reports it
        pass
    return check_function(_copy_x0(fn), _adam, cases, _MISTAKES_ADAM, rtol=1e-8, atol=1e-12, what="`adam_steps`")


# --- exercise 4: the first step of RMSProp -----------------------------------------------------------

def check_rmsprop_first_step(answer, rho: float = 0.99) -> Feedback:
    """Check the length of RMSProp's first step, in units of the learning rate: 1 / sqrt(1 - rho).

    ``rho`` is the decay of the moving average (the chapter writes it gamma, since rho is
    its convergence factor); the hints use the chapter's symbol.

    >>> check_rmsprop_first_step(10.0).passed
    True
    >>> check_rmsprop_first_step(100.0).mistake
    'square root missing'
    """
    expected = 1 / np.sqrt(1 - rho)
    mistakes = {
        "square root missing": (1 / (1 - rho), "The step divides by the *root* of s = (1 - γ) g^2, "
                                "so the factor is 1 / sqrt(1 - γ), not 1 / (1 - γ)."),
        "as if bias-corrected": (1.0, "That would be true with Adam's bias correction; RMSProp has none, "
                                 "so s after one step is only (1 - γ) g^2."),
        "inverted": (np.sqrt(1 - rho), "Upside down: dividing g by sqrt((1 - γ) g^2) makes the step "
                     "longer than the learning rate, not shorter."),
        "used rho instead of 1 - rho": (1 / np.sqrt(rho), "The first average is s = γ * 0 + (1 - γ) g^2: "
                                        "the weight on the new gradient is 1 - γ, not γ."),
    }
    return check_value(answer, expected, mistakes, rtol=1e-3, what="`first_step`")
