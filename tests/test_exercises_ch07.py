"""Chapter 7 checkers: right answers pass, each bug of the gallery is named, stubs are 'not attempted'.

The buggy answers below are written independently, the way a learner would write them
(loops, slices, asserts), rather than reusing the checkers' own mistake models.
"""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as autograd_grad

from gdutils import gradcheck, losses
from gdutils.exercises import ch07


def stub(*args):
    raise NotImplementedError("your code here")


# --- exercise 1: find and fix --------------------------------------------------------------------

def loop_gradient(theta, X, y, *, overwrite=False, clip=False, mean=True, sign=1.0, factor=2.0, target=True):
    total = np.zeros(X.shape[1] + 1)
    for xi, yi in zip(X, y):
        ai = np.append(xi, 1.0)
        term = factor * ai * (ai @ theta - (yi if target else 0.0))
        total = term if overwrite else total + term
    g = sign * (total / len(y) if mean else total)
    return np.clip(g, -1, 1) if clip else g


def test_buggy_gradient_is_the_last_sample_clipped_and_fails_a_gradient_check():
    rng = np.random.default_rng(0)
    X, y, theta = rng.standard_normal((9, 2)), 5 * rng.standard_normal(9), rng.standard_normal(3)
    a = np.append(X[-1], 1.0)
    np.testing.assert_allclose(ch07.buggy_gradient(theta, X, y), np.clip(2 * a * (a @ theta - y[-1]) / 9, -1, 1))
    err = gradcheck.check_gradient(losses.mse, ch07.buggy_gradient, theta, args=(X, y))
    assert err > 0.1


def test_fixed_gradient_correct_stub_and_unknown():
    assert ch07.check_fixed_gradient(loop_gradient).passed
    assert ch07.check_fixed_gradient(losses.mse_grad).passed
    assert ch07.check_fixed_gradient(stub).status == "not attempted"
    assert ch07.check_fixed_gradient(lambda t, X, y: None).status == "not attempted"
    fb = ch07.check_fixed_gradient(lambda t, X, y: np.ones(len(t)))
    assert fb.status == "fail" and fb.mistake is None


@pytest.mark.parametrize(
    "bug, mistake",
    [
        (dict(overwrite=True, clip=True), "unchanged (bugs 3 and 9)"),
        (dict(overwrite=True), "accumulator overwritten (bug 3)"),
        (dict(overwrite=True, mean=False), "accumulator overwritten, no mean (bug 3)"),
        (dict(clip=True), "gradient clipped (bug 9)"),
        (dict(clip=True, mean=False), "sum instead of mean, clipped (bug 9)"),
        (dict(sign=-1.0), "wrong sign"),
        (dict(factor=1.0), "missing factor 2"),
        (dict(mean=False), "sum instead of mean"),
        (dict(target=False), "forgot the target"),
    ],
)
def test_fixed_gradient_names_the_bugs(bug, mistake):
    fb = ch07.check_fixed_gradient(lambda t, X, y: loop_gradient(t, X, y, **bug))
    assert fb.status == "fail" and fb.mistake == mistake and fb.message
    assert ch07.check_fixed_gradient(ch07.buggy_gradient).mistake == "unchanged (bugs 3 and 9)"


# --- exercise 2: shape-safe predict ----------------------------------------------------------------

def safe_predict(theta, X):
    theta, X = np.asarray(theta, dtype=float), np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got {X.shape}")
    if theta.shape != (X.shape[1] + 1,):
        raise ValueError(f"theta must have shape ({X.shape[1] + 1},); got {theta.shape}")
    return X @ theta[:-1] + theta[-1]


def test_safe_predict_correct_and_stub():
    assert ch07.check_safe_predict(safe_predict).passed
    assert ch07.check_safe_predict(stub).status == "not attempted"


def lenient_reshape(theta, X):  # accepts a 1-D X by reshaping it
    X = np.asarray(X, dtype=float)
    X = X.reshape(len(X), -1)
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (X.shape[1] + 1,):
        raise ValueError("theta has the wrong shape")
    return X @ theta[:-1] + theta[-1]


def first_d(theta, X):  # ignores extra parameters
    if np.ndim(theta) != 1:
        raise ValueError("theta must be 1-D")
    d = X.shape[1]
    return X @ theta[:d] + theta[d]


def asserting(theta, X):
    assert np.ndim(theta) == 1 and np.ndim(X) == 2 and len(theta) == X.shape[1] + 1
    return X @ theta[:-1] + theta[-1]


def type_error(theta, X):
    if np.ndim(theta) != 1:
        raise TypeError("theta must be 1-D")
    return X @ theta[:-1] + theta[-1]


@pytest.mark.parametrize(
    "fn, mistake",
    [
        (lambda t, X: t[:-1] * X + t[-1], "element-wise product (bug 1)"),
        (lambda t, X: (X @ t[:-1] + t[-1]).reshape(-1, 1), "column of predictions (bug 2)"),
        (lambda t, X: X @ t[1:] + t[0], "bias first"),
        (lambda t, X: X @ t[:-1], "forgot the bias"),
        (lambda t, X: X @ t[:-1] + t[-1], "column of weights (bug 2)"),
        (first_d, "too many parameters"),
        (lenient_reshape, "1-D X"),
        (asserting, "assert instead of ValueError"),
        (type_error, "column of weights (bug 2)"),
    ],
)
def test_safe_predict_names_the_bugs(fn, mistake):
    fb = ch07.check_safe_predict(fn)
    assert fb.status == "fail" and fb.mistake == mistake and fb.message


def test_safe_predict_hint_for_a_column_says_what_was_returned():
    fb = ch07.check_safe_predict(lambda t, X: X @ t[:-1] + t[-1])
    assert "(6, 1)" in fb.message and "ValueError" in fb.message


# --- exercise 3: the full-data gradient norm -------------------------------------------------------

def weighted_batches(grad, theta, batches):
    n = sum(len(yb) for _, yb in batches)
    g = sum(len(yb) / n * grad(theta, Xb, yb) for Xb, yb in batches)
    return float(np.sqrt(g @ g))


def test_full_gradient_norm_against_an_independent_formula():
    rng = np.random.default_rng(3)
    X, y, theta = rng.standard_normal((11, 3)), rng.standard_normal(11), rng.standard_normal(4)
    batches = [(X[s : s + 4], y[s : s + 4]) for s in range(0, 11, 4)]
    A = np.column_stack([X, np.ones(11)])
    direct = np.linalg.norm(2 / 11 * A.T @ (A @ theta - y))
    assert ch07.full_gradient_norm(losses.mse_grad, theta, batches) == pytest.approx(direct, rel=1e-12)
    assert weighted_batches(losses.mse_grad, theta, batches) == pytest.approx(direct, rel=1e-12)


def test_full_gradient_norm_correct_and_stub():
    assert ch07.check_full_gradient_norm(weighted_batches).passed
    assert ch07.check_full_gradient_norm(ch07.full_gradient_norm).passed
    assert ch07.check_full_gradient_norm(stub).status == "not attempted"


def last_batch(grad, theta, batches):
    for Xb, yb in batches:
        g = grad(theta, Xb, yb)
    return np.linalg.norm(g)  # the loop variable still holds the last batch


def full_vector(grad, theta, batches):
    return grad(theta, np.vstack([b[0] for b in batches]), np.hstack([b[1] for b in batches]))


@pytest.mark.parametrize(
    "fn, mistake",
    [
        (last_batch, "last mini-batch only (bug 6)"),
        (lambda g, t, B: np.linalg.norm(g(t, *B[0])), "one mini-batch only"),
        (lambda g, t, B: np.linalg.norm(sum(g(t, Xb, yb) for Xb, yb in B) / len(B)), "unweighted mean of batch gradients"),
        (lambda g, t, B: sum(np.linalg.norm(g(t, Xb, yb)) for Xb, yb in B) / len(B), "mean of batch norms"),
        (lambda g, t, B: np.linalg.norm(sum(g(t, Xb, yb) for Xb, yb in B)), "sum of batch gradients"),
        (lambda g, t, B: float(full_vector(g, t, B) @ full_vector(g, t, B)), "squared norm"),
        (lambda g, t, B: np.abs(full_vector(g, t, B)).max(), "largest component"),
        (full_vector, "returned the gradient"),
    ],
)
def test_full_gradient_norm_names_the_bugs(fn, mistake):
    fb = ch07.check_full_gradient_norm(fn)
    assert fb.status == "fail" and fb.mistake == mistake and fb.message


def test_full_gradient_norm_must_use_the_given_gradient():
    # Hard-coding the MSE gradient fails on the cross-entropy case.
    fb = ch07.check_full_gradient_norm(lambda g, t, B: weighted_batches(losses.mse_grad, t, B))
    assert fb.status == "fail"


# --- exercise 4: the numerical gradient ------------------------------------------------------------

def central(f, theta, h):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        fp, fm = f(theta + e), f(theta - e)
        if np.ndim(fp) != 0:
            raise ValueError("f must return a scalar")
        g[i] = (fp - fm) / (2 * h)
    return g


def test_numerical_gradient_reference_is_close_to_autograd():
    smooth = lambda t: anp.sum(anp.exp(0.5 * t)) + anp.log1p(anp.dot(t, t)) + anp.prod(anp.sin(t))  # noqa: E731
    for f, theta, h in ch07._numgrad_cases():
        assert f(theta) == pytest.approx(float(smooth(theta)), rel=1e-12)
        exact = autograd_grad(smooth)(theta)
        assert gradcheck.relative_error(gradcheck.numerical_gradient(f, theta, h), exact) < 10 * h**2


def test_numerical_gradient_correct_and_stub():
    assert ch07.check_numerical_gradient(central).passed
    assert ch07.check_numerical_gradient(gradcheck.numerical_gradient).passed
    assert ch07.check_numerical_gradient(stub).status == "not attempted"


def no_scalar_check(f, theta, h):
    return np.array([(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(theta.size)])


def assert_scalar(f, theta, h):
    assert np.ndim(f(theta)) == 0
    return no_scalar_check(f, theta, h)


@pytest.mark.parametrize(
    "fn, mistake",
    [
        (lambda f, t, h: (f(t + h) - f(t - h)) / (2 * h), "all coordinates at once (bug 5)"),
        (lambda f, t, h: np.ones_like(t) * (f(t + h) - f(t - h)) / (2 * h), "all coordinates at once, broadcast (bug 5)"),
        (lambda f, t, h: np.array([(f(t + h * e) - f(t)) / h for e in np.eye(t.size)]), "forward difference"),
        (lambda f, t, h: np.array([(f(t + h * e) - f(t - h * e)) / h for e in np.eye(t.size)]), "divided by h, not 2h"),
        (lambda f, t, h: np.array([(f(t - h * e) - f(t + h * e)) / (2 * h) for e in np.eye(t.size)]), "wrong sign"),
        (no_scalar_check, "per-sample losses (bug 5)"),
        (assert_scalar, "per-sample losses (bug 5)"),
    ],
)
def test_numerical_gradient_names_the_bugs(fn, mistake):
    fb = ch07.check_numerical_gradient(fn)
    assert fb.status == "fail" and fb.mistake == mistake and fb.message


def test_per_sample_losses_case_is_a_vector():
    assert ch07._per_sample_losses(np.array([0.5, -1.0])).shape == (4,)
