"""Convergence-chapter checkers: right answers in several forms pass, named slips are recognised, stubs are 'not attempted'."""

import math

import numpy as np
import pytest

from gdutils.exercises import ch08


def stub(*args):
    raise NotImplementedError("your code here")


# --- exercise 1: steps from kappa (learner versions written independently of the checker) -----------

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
        while err > tol:           # count steps until rho^k <= tol
            err *= rho
            k += 1
        out.append(k + (1 if bug == "plus one" else 0))
    return tuple(out)


def steps_vectorised(kappa, tol):
    rho = np.array([1 - 1 / kappa, (kappa - 1) / (kappa + 1)])
    k = np.ceil(np.log(tol) / np.log(rho)).astype(int)
    k -= (rho ** (k - 1) <= tol)   # round-off guard
    return list(k)                 # a list, not a tuple: also accepted


def test_steps_right_answers_and_stub():
    assert ch08.check_steps_needed(steps_loop).passed
    assert ch08.check_steps_needed(steps_vectorised).passed
    assert ch08.check_steps_needed(stub).status == "not attempted"


@pytest.mark.parametrize("wrong, mistake", [
    (lambda k, t: steps_loop(k, t, bug="swapped"), "swapped"),
    (lambda k, t: tuple(math.floor(math.log(t) / math.log(r)) for r in (1 - 1 / k, (k - 1) / (k + 1))), "rounded down"),
    (lambda k, t: tuple(math.log(t) / math.log(r) for r in (1 - 1 / k, (k - 1) / (k + 1))), "not rounded"),
    (lambda k, t: (math.ceil(k * math.log(1 / t)), math.ceil((k + 1) / 2 * math.log(1 / t))), "kappa log(1/tol) approximation"),
    (lambda k, t: steps_loop(k, t, bug="sqrt"), "square root of kappa"),
    (lambda k, t: tuple(math.ceil(math.log10(t) / math.log(r)) for r in (1 - 1 / k, (k - 1) / (k + 1))), "log10 over natural log"),
    (lambda k, t: steps_loop(k, t, bug="squared"), "function values instead of distances"),
    (lambda k, t: steps_loop(k, t, bug="plus one"), "one step too many"),
])
def test_steps_named_mistakes(wrong, mistake):
    fb = ch08.check_steps_needed(wrong)
    assert fb.status == "fail" and fb.mistake == mistake, fb


def test_steps_unknown_mistake_prints_a_relative_difference():
    fb = ch08.check_steps_needed(lambda k, t: (100, 50))
    assert fb.status == "fail" and fb.mistake is None and "relative" in fb.message


# --- exercise 2: Armijo along a direction --------------------------------------------------------

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


def armijo_in_place(f, grad, x, p, t0, c, shrink):
    """Right, but moves x in place while searching: the checker must hand over copies."""
    fx, slope = f(x), float(np.dot(grad(x), p))
    t = t0
    x += t * p
    while f(x) > fx + c * t * slope:
        x -= t * p
        t *= shrink
        x += t * p
    return t


def test_armijo_right_answers_and_stub():
    assert ch08.check_armijo(armijo_while).passed
    assert ch08.check_armijo(armijo_in_place).passed
    assert ch08.check_armijo(stub).status == "not attempted"


@pytest.mark.parametrize("bug, mistake", [
    ("g.g", "gradient norm"), ("plus", "wrong sign"), ("decrease", "simple decrease"),
    ("shrink first", "never tries t0"), ("extra shrink", "one shrink too many"),
    ("tangent at trial", "gradient at the trial point"), ("point", "returned the new point"),
])
def test_armijo_named_mistakes(bug, mistake):
    fb = ch08.check_armijo(lambda *a: armijo_while(*a, bug=bug))
    assert fb.status == "fail" and fb.mistake == mistake, fb


# --- exercise 3: exact step --------------------------------------------------------------------------

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


def test_exact_right_answers_and_stub():
    assert ch08.check_exact_step(exact_by_minimisation).passed
    assert ch08.check_exact_step(exact_in_place).passed
    assert ch08.check_exact_step(stub).status == "not attempted"


def _g(A, b, x):
    return A @ x - b


@pytest.mark.parametrize("wrong, mistake", [
    (lambda A, b, x: (_g(A, b, x) @ A @ _g(A, b, x)) / (_g(A, b, x) @ _g(A, b, x)), "inverted"),
    (lambda A, b, x: (_g(A, b, x) @ _g(A, b, x)) / ((A @ _g(A, b, x)) @ (A @ _g(A, b, x))), "norm of A g"),
    (lambda A, b, x: 1 / max(np.linalg.eigvalsh(A)), "constant 1/L"),
    (lambda A, b, x: 2 * exact_in_place(A, b, x.copy()), "factor 2"),
    (lambda A, b, x: (A @ x) @ (A @ x) / ((A @ x) @ A @ (A @ x)), "forgot b"),
    (lambda A, b, x: 1 / (_g(A, b, x) @ A @ _g(A, b, x)), "not normalised"),
    (lambda A, b, x: x - exact_in_place(A, b, x.copy()) * _g(A, b, x), "returned the new point"),
])
def test_exact_named_mistakes(wrong, mistake):
    fb = ch08.check_exact_step(wrong)
    assert fb.status == "fail" and fb.mistake == mistake, fb


# --- exercise 4: ridge condition number ------------------------------------------------------------

def ridge_svd(X, lam):
    n = X.shape[0]
    s = np.linalg.svd(X, compute_uv=False)
    eig = 2 * s**2 / n + 2 * lam      # Hessian eigenvalues from the singular values
    return eig.max() / eig.min()


def ridge_cond(X, lam):
    n, d = X.shape
    return np.linalg.cond(2 / n * X.T @ X + 2 * lam * np.eye(d))


def test_ridge_right_answers_and_stub():
    assert ch08.check_ridge_condition(ridge_svd).passed
    assert ch08.check_ridge_condition(ridge_cond).passed
    assert ch08.check_ridge_condition(stub).status == "not attempted"


def _eig(X):
    return np.linalg.eigvalsh(2 / X.shape[0] * X.T @ X)


@pytest.mark.parametrize("wrong, mistake", [
    (lambda X, lam: ridge_svd(X, lam / 2), "lam instead of 2 lam"),
    (lambda X, lam: np.linalg.cond(X.T @ X + 2 * lam * np.eye(X.shape[1])), "no 2/n"),
    (lambda X, lam: np.linalg.cond(X.T @ X / X.shape[0] + 2 * lam * np.eye(X.shape[1])), "1/n instead of 2/n"),
    (lambda X, lam: ridge_svd(X, 0.0), "ignored lam"),
    (lambda X, lam: np.sqrt(ridge_cond(X, lam)), "singular values"),
    (lambda X, lam: (_eig(X)[-1] + 2 * lam) / _eig(X)[0], "penalty only on L"),
    (lambda X, lam: 1 / ridge_cond(X, lam), "inverted"),
])
def test_ridge_named_mistakes(wrong, mistake):
    fb = ch08.check_ridge_condition(wrong)
    assert fb.status == "fail" and fb.mistake == mistake, fb


def test_checkers_do_not_let_the_learner_corrupt_the_reference():
    def vandal(X, lam):
        X *= 0.0  # destroys its input
        return 1.0

    assert ch08.check_ridge_condition(vandal).status == "fail"
    assert ch08.check_ridge_condition(ridge_svd).passed   # the checker's own cases are intact
