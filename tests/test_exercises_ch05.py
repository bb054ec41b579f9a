"""Chapter 5 checkers: the stub is "not attempted", the solution passes, each known mistake is named."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime, least_squares

import gdutils as gdu
from gdutils.benchmark import Method, Problem, run
from gdutils.exercises import ch05


# --- exercise 1: forward differences ---------------------------------------------------------

def forward_gradient(f, x, h=1e-7):
    f0 = f(x)
    return np.array([(f(x + h * e) - f0) / h for e in np.eye(x.size)])


def forward_in_place_restored(f, x, h=1e-7):
    f0, g = f(x), np.zeros(x.size)
    for j in range(x.size):
        old = x[j]
        x[j] = old + h
        g[j] = (f(x) - f0) / h
        x[j] = old
    return g


def stub(f, x, h=1e-7):
    raise NotImplementedError("your code here")


def test_forward_gradient_agrees_with_scipy_approx_fprime():
    # independent reference: SciPy's forward differences with the same step
    f = lambda x: float(np.sum(np.exp(x)) + x[0] * x[1])  # noqa: E731
    x = np.array([0.2, -0.7, 1.1])
    np.testing.assert_allclose(forward_gradient(f, x, 1e-6), approx_fprime(x, f, 1e-6), rtol=1e-10)


@pytest.mark.parametrize("fn", [forward_gradient, forward_in_place_restored])
def test_forward_solutions_pass(fn):
    fb = ch05.check_forward_gradient(fn)
    assert fb.passed, fb.message


def test_forward_stub_not_attempted():
    assert ch05.check_forward_gradient(stub).status == "not attempted"
    assert ch05.check_forward_gradient(lambda f, x, h: None).mistake == "no return"


def _recompute(f, x, h):
    return np.array([(f(x + h * e) - f(x)) / h for e in np.eye(x.size)])


def _central(f, x, h):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


def _in_place(f, x, h):
    f0, g = f(x), np.zeros(x.size)
    for j in range(x.size):
        x[j] += h  # never undone
        g[j] = (f(x) - f0) / h
    return g


def _extra_call(f, x, h):
    f(x)
    return forward_gradient(f, x, h)


@pytest.mark.parametrize("fn, mistake", [
    (lambda f, x, h: np.full(x.size, (f(x + h) - f(x)) / h), "all coordinates at once"),
    (lambda f, x, h: forward_gradient(f, x, h) / 2, "divided by 2h"),
    (lambda f, x, h: -forward_gradient(f, x, h), "wrong sign"),
    (_central, "central differences"),
    (_recompute, "f(x) recomputed"),
    (_in_place, "modified x in place"),
    (_extra_call, "too many calls"),
])
def test_forward_mistakes_named(fn, mistake):
    fb = ch05.check_forward_gradient(fn)
    assert fb.status == "fail" and fb.mistake == mistake, (fb.mistake, fb.message)


def test_forward_crash_is_reported():
    fb = ch05.check_forward_gradient(lambda f, x, h: 1 / 0)
    assert fb.status == "fail" and "ZeroDivisionError" in fb.message


# --- exercise 2: residuals ----------------------------------------------------------------------

def residuals(theta, x, y):
    a, b, c = theta
    return a * x**2 + b * x + c - y


def test_residuals_solution_passes_either_sign_and_fits_the_polynomial():
    assert ch05.check_residuals(residuals).passed
    assert ch05.check_residuals(lambda t, x, y: y - (t[0] * x**2 + t[1] * x + t[2])).passed
    X, y, theta = gdu.data.polynomial()
    fit = least_squares(residuals, np.array([-11 / 6, -395 / 3, -2400.0]), args=(X[:, 1], y))
    np.testing.assert_allclose(fit.x, theta, atol=1e-8)


def test_residuals_stub_not_attempted():
    def stub_r(theta, x, y):
        raise NotImplementedError("your code here")

    assert ch05.check_residuals(stub_r).status == "not attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda t, x, y: residuals(t, x, y) ** 2, "squared residuals"),
    (lambda t, x, y: float(np.sum(residuals(t, x, y) ** 2)), "sum of squares"),
    (lambda t, x, y: float(np.mean(residuals(t, x, y) ** 2)), "mean squared error"),
    (lambda t, x, y: residuals(t[::-1], x, y), "parameters reversed"),
    (lambda t, x, y: residuals(t, x, 0 * y), "target forgotten"),
])
def test_residuals_mistakes_named(fn, mistake):
    fb = ch05.check_residuals(fn)
    assert fb.status == "fail" and fb.mistake == mistake, (fb.mistake, fb.message)


# --- exercise 3: the ratio read from a measured table -----------------------------------------

@pytest.fixture(scope="module")
def rows():
    r = gdu.objectives.rosenbrock(2)
    p = Problem.from_objective(r, [[-1.2, 1.0], [0.5, -0.5], [1.3, 1.0]], name="Rosenbrock d=2")
    gd = Method("GD", gdu.gradient_descent, options={"learning_rate": 1e-3, "maxiter": 800, "gtol": 1e-5})
    return run([p], [gd, Method("BFGS", "BFGS")])


def test_ratio_reference_is_the_counted_gradient_ratio(rows):
    gd = gdu.gradient_descent(gdu.objectives.rosenbrock(2).fun, [-1.2, 1.0], jac=gdu.objectives.rosenbrock(2).grad,
                              learning_rate=1e-3, maxiter=800, gtol=1e-5)
    ratio = ch05.gradient_ratio(rows)
    assert ratio == pytest.approx(gd.njev / rows[1].njev)
    assert ratio > 10


def test_ratio_checker(rows):
    ref = ch05.gradient_ratio(rows)
    assert ch05.check_gradient_ratio(ref, rows).passed
    assert ch05.check_gradient_ratio(None, rows).status == "not attempted"
    assert ch05.check_gradient_ratio(1 / ref, rows).mistake == "inverted"
    gd, bfgs = rows[0], rows[1]
    assert ch05.check_gradient_ratio(gd.nit / bfgs.nit, rows).mistake == "iterations"
    med = np.median([r.njev for r in rows if r.method == "GD"]) / np.median([r.njev for r in rows if r.method == "BFGS"])
    if not np.isclose(med, ref, rtol=1e-3):
        assert ch05.check_gradient_ratio(med, rows).mistake == "median over starts"
    assert ch05.check_gradient_ratio(ref * 3, rows).status == "fail"


def test_ratio_bad_table(rows):
    with pytest.raises(ValueError, match="expected one row"):
        ch05.gradient_ratio(rows, problem="nope")
