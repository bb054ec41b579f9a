"""Convergence-chapter exercises: the mistake zoo (right answers in other forms pass,
named slips are recognised, 0 misjudged), the worked solutions pass, untouched stubs are
'not attempted'.
"""

import math

import numpy as np
import pytest
import zoo

from gdutils.exercises import ch08

EXERCISES = [ch08.steps, ch08.armijo, ch08.exact, ch08.ridge]


def stub(*args):
    raise NotImplementedError("your code here")


def no_return(*args):
    _ = args  # computes something, forgets `return`


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.name)
def test_solution_passes_and_stub_is_not_attempted(ex):
    assert ex.run_solution().passed
    assert ex.check(stub).status == "not attempted"
    fb = ex.check(no_return)
    assert fb.status == "fail" and fb.mistake == "no return"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.name)
def test_hints_are_progressive_and_markdown_safe(ex):
    assert len(ex.hints) >= 2
    for h in ex.hints:
        zoo.assert_markdown_safe(h)
    for m in {
        "steps": ch08._MISTAKES_STEPS,
        "armijo": ch08._MISTAKES_ARMIJO,
        "exact": ch08._MISTAKES_EXACT,
        "ridge": ch08._MISTAKES_RIDGE,
    }[ex.name.split(".")[1]]:
        zoo.assert_markdown_safe(m.hint)


def test_transfer_flags():
    assert [ex.transfer for ex in EXERCISES] == [False, True, True, True]


# --- exercise 1: steps from kappa (learner versions written independently of the checke


def steps_loop(kappa, tol, *, bug=None):
    out = []
    rates = [1 - 1 / kappa, (kappa - 1) / (kappa + 1)]
    if bug == "swapped":
        rates = rates[::-1]
    for rho in rates:
        if bug == "sqrt":
            s = math.sqrt(kappa)
            rho = 1 - 1 / s if rho == rates[0] else (s - 1) / (s + 1)
        if bug == "squared":
            rho = rho * rho
        k, err = 0, 1.0
        while err > tol:  # count steps until rho^k <= tol
            err *= rho
            k += 1
        out.append(k + (1 if bug == "plus one" else 0))
    return tuple(out)


def steps_vectorised(kappa, tol):
    rho = np.array([1 - 1 / kappa, (kappa - 1) / (kappa + 1)])
    k = np.ceil(np.log(tol) / np.log(rho)).astype(int)
    k -= rho ** (k - 1) <= tol  # round-off guard
    return list(k)  # a list, not a tuple: also accepted


def steps_float_counts(kappa, tol):
    # np.ceil without int(): whole numbers stored as floats are still the right counts
    return tuple(
        np.ceil(np.log(tol) / np.log(r))
        for r in (1 - 1 / kappa, (kappa - 1) / (kappa + 1))
    )


def steps_log_base10(kappa, tol):
    rho1, rho2 = 1 - 1 / kappa, (kappa - 1) / (kappa + 1)
    return math.ceil(math.log10(tol) / math.log10(rho1)), math.ceil(
        math.log10(tol) / math.log10(rho2)
    )


def _ks(k, t, fn):
    return tuple(fn(math.log(t) / math.log(r)) for r in (1 - 1 / k, (k - 1) / (k + 1)))


def test_steps_zoo():
    zoo.judge(
        lambda f: ch08.steps.check(f),
        right=[
            steps_loop,
            steps_vectorised,
            steps_float_counts,
            steps_log_base10,
        ],
        wrong=[
            (lambda k, t: steps_loop(k, t, bug="swapped"), "swapped"),
            (lambda k, t: _ks(k, t, math.floor), "rounded down"),
            (lambda k, t: _ks(k, t, float), "not rounded"),
            (
                lambda k, t: (
                    math.ceil(k * math.log(1 / t)),
                    math.ceil((k + 1) / 2 * math.log(1 / t)),
                ),
                "kappa log(1/tol) approximation",
            ),
            (lambda k, t: steps_loop(k, t, bug="sqrt"), "square root of kappa"),
            (
                lambda k, t: tuple(
                    math.ceil(math.log10(t) / math.log(r))
                    for r in (1 - 1 / k, (k - 1) / (k + 1))
                ),
                "log10 over natural log",
            ),
            (
                lambda k, t: steps_loop(k, t, bug="squared"),
                "function values instead of distances",
            ),
            (lambda k, t: steps_loop(k, t, bug="plus one"), "one step too many"),
            (lambda k, t: steps_loop(k, t)[0], "shape"),  # only the 1/L count
            (lambda k, t: (100, 50), None),  # made-up numbers
            (lambda k, t: _ks(k, t, round), None),  # nearest, not up
            (no_return, "no return"),
            (lambda k, t: math.log(-t), "raised an exception"),
        ],
    )


def test_steps_unknown_mistake_prints_a_relative_difference():
    fb = ch08.steps.check(lambda k, t: (100, 50))
    assert fb.status == "fail" and fb.mistake is None and "relative" in fb.message


# --- exercise 2: Armijo along a direction ---------------------------------------------


def armijo_while(f, grad, x, p, t0, c, shrink, *, bug=None):
    fx, g = f(x), grad(x)
    slope = -(g @ g) if bug == "g.g" else g @ p
    t = t0 * shrink if bug == "shrink first" else t0
    while True:
        if bug == "tangent at trial":
            slope = grad(x + t * p) @ p
        new = f(x + t * p)
        if bug == "plus":
            ok = new <= fx - c * t * slope
        elif bug == "decrease":
            ok = new < fx
        else:
            ok = new <= fx + c * t * slope
        if ok:
            break
        t *= shrink
    if bug == "extra shrink":
        t *= shrink
    if bug == "point":
        return x + t * p
    return t


def armijo_powers(f, grad, x, p, t0, c, shrink):
    slope = np.dot(grad(x), p)
    for j in range(100):
        t = t0 * shrink**j
        if f(x + t * p) <= f(x) + c * t * slope:
            return t
    return None


def armijo_recursive(f, grad, x, p, t0, c, shrink):
    if f(x + t0 * p) <= f(x) + c * t0 * float(grad(x) @ p):
        return t0
    return armijo_recursive(f, grad, x, p, t0 * shrink, c, shrink)


def armijo_moves_x(f, grad, x, p, t0, c, shrink):
    """Finds the right t but moves x in place while searching: the caller's x is left
    changed."""
    fx, slope = f(x), float(np.dot(grad(x), p))
    t = t0
    x += t * p
    while f(x) > fx + c * t * slope:
        x -= t * p
        t *= shrink
        x += t * p
    return t


def test_armijo_zoo():
    zoo.judge(
        lambda f: ch08.armijo.check(f),
        right=[armijo_while, armijo_powers, armijo_recursive],
        wrong=[
            (lambda *a: armijo_while(*a, bug="g.g"), "gradient norm"),
            (lambda *a: armijo_while(*a, bug="plus"), "wrong sign"),
            (lambda *a: armijo_while(*a, bug="decrease"), "simple decrease"),
            (lambda *a: armijo_while(*a, bug="shrink first"), "never tries t0"),
            (lambda *a: armijo_while(*a, bug="extra shrink"), "one shrink too many"),
            (
                lambda *a: armijo_while(*a, bug="tangent at trial"),
                "gradient at the trial point",
            ),
            (lambda *a: armijo_while(*a, bug="point"), "returned the new point"),
            (armijo_moves_x, "mutates its input"),
            (lambda f, grad, x, p, t0, c, shrink: t0, None),  # never backtracks
            (no_return, "no return"),
        ],
    )


# --- exercise 3: exact step -----------------------------------------------------------


def exact_by_minimisation(A, b, x):
    """Right, found numerically: minimise the 1-D parabola by its three coefficients."""
    g = A @ x - b
    f = lambda t: 0.5 * (x - t * g) @ A @ (x - t * g) - b @ (x - t * g)  # noqa: E731
    c2 = (f(1.0) + f(-1.0) - 2 * f(0.0)) / 2
    c1 = (f(1.0) - f(-1.0)) / 2
    return -c1 / (2 * c2)


def exact_in_place(A, b, x):
    x -= 0.0  # harmless in-place touch
    g = np.dot(A, x)
    g -= b
    return float(np.dot(g, g) / np.dot(g, np.dot(A, g)))


def exact_einsum(A, b, x):
    g = np.einsum("ij,j->i", A, x) - b
    return np.sum(g**2) / np.einsum("i,ij,j->", g, A, g)


def _g(A, b, x):
    return A @ x - b


def exact_aliasing_b(A, b, x):
    g = b  # not a copy: the next line changes b
    g -= A @ x
    g *= -1.0
    return (g @ g) / (g @ A @ g)


def test_exact_zoo():
    zoo.judge(
        lambda f: ch08.exact.check(f),
        right=[exact_by_minimisation, exact_in_place, exact_einsum],
        wrong=[
            (
                lambda A, b, x: (
                    (_g(A, b, x) @ A @ _g(A, b, x)) / (_g(A, b, x) @ _g(A, b, x))
                ),
                "inverted",
            ),
            (
                lambda A, b, x: (
                    (_g(A, b, x) @ _g(A, b, x))
                    / ((A @ _g(A, b, x)) @ (A @ _g(A, b, x)))
                ),
                "norm of A g",
            ),
            (lambda A, b, x: 1 / max(np.linalg.eigvalsh(A)), "constant 1/L"),
            (lambda A, b, x: 2 * exact_in_place(A, b, x.copy()), "factor 2"),
            (
                lambda A, b, x: (
                    -(_g(A, b, x) @ _g(A, b, x)) / (_g(A, b, x) @ A @ _g(A, b, x))
                ),
                "sign",
            ),
            (lambda A, b, x: (A @ x) @ (A @ x) / ((A @ x) @ A @ (A @ x)), "forgot b"),
            (lambda A, b, x: 1 / (_g(A, b, x) @ A @ _g(A, b, x)), "not normalised"),
            (
                lambda A, b, x: x - exact_in_place(A, b, x.copy()) * _g(A, b, x),
                "returned the new point",
            ),
            (exact_aliasing_b, "mutates its input"),
            # half
            (
                lambda A, b, x: (
                    (_g(A, b, x) @ _g(A, b, x)) / (2 * _g(A, b, x) @ A @ _g(A, b, x))
                ),
                None,
            ),
            # element-wise, not dot products
            (
                lambda A, b, x: _g(A, b, x) / (A @ _g(A, b, x)),
                "shape",
            ),
            (no_return, "no return"),
        ],
    )


# --- exercise 4: ridge condition number -----------------------------------------------


def ridge_svd(X, lam):
    n = X.shape[0]
    s = np.linalg.svd(X, compute_uv=False)
    eig = 2 * s**2 / n + 2 * lam  # Hessian eigenvalues from the singular values
    return eig.max() / eig.min()


def ridge_cond(X, lam):
    n, d = X.shape
    return np.linalg.cond(2 / n * X.T @ X + 2 * lam * np.eye(d))


def ridge_eig_formula(X, lam):
    mu, L = np.linalg.eigvalsh(2 / len(X) * X.T @ X)[[0, -1]]
    return (L + 2 * lam) / (mu + 2 * lam)


def _eig(X):
    return np.linalg.eigvalsh(2 / X.shape[0] * X.T @ X)


def ridge_scales_in_place(X, lam):
    X /= np.sqrt(X.shape[0] / 2)  # scales the caller's design
    return np.linalg.cond(X.T @ X + 2 * lam * np.eye(X.shape[1]))


def test_ridge_zoo():
    zoo.judge(
        lambda f: ch08.ridge.check(f),
        right=[ridge_svd, ridge_cond, ridge_eig_formula],
        wrong=[
            (lambda X, lam: ridge_svd(X, lam / 2), "lam instead of 2 lam"),
            (
                lambda X, lam: np.linalg.cond(X.T @ X + 2 * lam * np.eye(X.shape[1])),
                "no 2/n",
            ),
            (
                lambda X, lam: np.linalg.cond(
                    X.T @ X / X.shape[0] + 2 * lam * np.eye(X.shape[1])
                ),
                "1/n instead of 2/n",
            ),
            (lambda X, lam: ridge_svd(X, 0.0), "ignored lam"),
            (lambda X, lam: np.sqrt(ridge_cond(X, lam)), "singular values"),
            (lambda X, lam: (_eig(X)[-1] + 2 * lam) / _eig(X)[0], "penalty only on L"),
            (lambda X, lam: 1 / ridge_cond(X, lam), "inverted"),
            (
                lambda X, lam: ridge_cond(np.column_stack([X, np.ones(len(X))]), lam),
                "bias column",
            ),
            (ridge_scales_in_place, "mutates its input"),
            (
                lambda X, lam: np.linalg.eigvalsh(
                    2 / len(X) * X.T @ X + 2 * lam * np.eye(X.shape[1])
                ),
                "shape",
            ),
            # X X^T
            (
                lambda X, lam: np.linalg.cond(
                    2 / len(X) * X @ X.T + 2 * lam * np.eye(len(X))
                ),
                None,
            ),
            (no_return, "no return"),
        ],
    )


def test_checkers_do_not_let_the_learner_corrupt_the_reference():
    def vandal(X, lam):
        X *= 0.0  # destroys its input
        return 1.0

    assert ch08.ridge.check(vandal).status == "fail"
    assert ch08.ridge.check(ridge_svd).passed  # the checker's own cases are intact
