"""Chapter 6 checkers: right answers pass, each known bug is named, untouched stubs are 'not attempted'."""

import numpy as np
import pytest

from gdutils import objectives
from gdutils.accelerated import adam, momentum, rmsprop
from gdutils.exercises import ch06


def stub(*args):
    raise NotImplementedError("your code here")


# --- exercise 1: heavy ball ------------------------------------------------------------------------

def heavy_ball(grad, x0, learning_rate, beta, steps, *, bug=None):
    """A learner's loop, written independently of the checker's reference."""
    x, v = x0, np.zeros_like(x0)
    for i in range(steps):
        if bug == "range(1, steps)" and i == 0:
            continue
        if bug == "x before v":
            x = x + v
            v = beta * v - learning_rate * grad(x - v * 0)  # gradient at the moved point
            continue
        point = x + beta * v if bug == "nesterov" else x
        g = grad(point)
        if bug == "no momentum":
            v = -learning_rate * g
        elif bug == "minus beta":
            v = -beta * v - learning_rate * g
        elif bug == "ema":
            v = beta * v - (1 - beta) * learning_rate * g
        else:
            v = beta * v - learning_rate * g
        x += v  # in place on purpose: the checker must hand over a copy of x0
    return x


def heavy_ball_trajectory(grad, x0, learning_rate, beta, steps):
    xs, x, v = [x0.copy()], x0.copy(), np.zeros_like(x0)
    for _ in range(steps):
        v = beta * v - learning_rate * grad(x)
        x = x + v
        xs.append(x)
    return np.array(xs)


def test_heavy_ball_correct_stub_and_agreement_with_gdutils():
    assert ch06.check_heavy_ball(heavy_ball).passed
    assert ch06.check_heavy_ball(stub).status == "not attempted"
    assert ch06.check_heavy_ball(lambda *a: None).mistake == "no return"
    # the reference the checker uses is gdutils' heavy ball
    q = objectives.quadratic([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0])
    res = momentum(q.fun, [2.0, -1.0], jac=q.grad, learning_rate=0.2, beta=0.8, maxiter=12, gtol=0.0)
    np.testing.assert_allclose(heavy_ball(q.grad, np.array([2.0, -1.0]), 0.2, 0.8, 12), res.x, rtol=1e-12)


@pytest.mark.parametrize("bug, mistake", [
    ("no momentum", "no momentum"),
    ("minus beta", "momentum pushes back"),
    ("ema", "dampened velocity"),
    ("nesterov", "Nesterov look-ahead"),
    ("range(1, steps)", "one step short"),
    ("x before v", "one step short"),
])
def test_heavy_ball_known_bugs_are_named(bug, mistake):
    fb = ch06.check_heavy_ball(lambda *a: heavy_ball(*a, bug=bug))
    assert fb.status == "fail" and fb.mistake == mistake, fb
    assert "❌" in str(fb)


def test_heavy_ball_trajectory_and_unknown_bug():
    assert ch06.check_heavy_ball(heavy_ball_trajectory).mistake == "returned the trajectory"
    assert ch06.check_heavy_ball(lambda *a: heavy_ball_trajectory(*a)[1:]).mistake == (
        "returned the trajectory without the start")
    fb = ch06.check_heavy_ball(lambda grad, x0, *rest: x0 * 0.5)
    assert fb.status == "fail" and fb.mistake is None


# --- exercise 2: optimal parameters -------------------------------------------------------------------

def parameters(A, *, bug=None):
    eig = np.linalg.eigvalsh(A)
    if bug == "diag":
        eig = np.sort(np.diag(A))
    mu, L = eig[0], eig[-1]
    kappa = L / mu
    rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    alpha = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    beta = rate**2
    if bug == "beta=rate":
        beta = rate
    if bug == "gd":
        alpha = 2 / (L + mu)
    if bug == "no roots":
        alpha = 4 / (L + mu)
    if bug == "swap":
        return beta, alpha
    return alpha, beta


def test_parameters_correct_and_stub():
    assert ch06.check_heavy_ball_parameters(parameters).passed
    assert ch06.check_heavy_ball_parameters(stub).status == "not attempted"
    # the checker's reference attains the rate (sqrt(kappa) - 1) / (sqrt(kappa) + 1), measured
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    alpha, beta = ch06.heavy_ball_parameters(A)
    q = objectives.quadratic(A)
    res = momentum(q.fun, [1.0, -1.0], jac=q.grad, learning_rate=alpha, beta=beta, maxiter=60, gtol=0.0)
    kappa = np.divide(*np.linalg.eigvalsh(A)[::-1])
    err = np.linalg.norm(res.trajectory, axis=1)
    assert (err[60] / err[30]) ** (1 / 30) == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=0.03)


@pytest.mark.parametrize("bug, mistake", [
    ("diag", "diagonal instead of eigenvalues"),
    ("beta=rate", "beta not squared"),
    ("gd", "gradient-descent step"),
    ("no roots", "square roots missing in the step"),
    ("swap", "swapped"),
])
def test_parameters_known_bugs_are_named(bug, mistake):
    fb = ch06.check_heavy_ball_parameters(lambda A: parameters(A, bug=bug))
    assert fb.status == "fail" and fb.mistake == mistake, fb


# --- exercise 3: Adam -----------------------------------------------------------------------------------

def my_adam(grad, x0, learning_rate, steps, *, bug=None):
    b1, b2, eps = 0.9, 0.999, 1e-8
    x, m, s = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
    for k in range(steps):
        t = k if bug == "t from 0" else k + 1
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g**2
        if bug == "no correction":
            mh, sh = m, s
        elif bug == "late":
            mh, sh = m / (1 - b1 ** (k + 2)), s / (1 - b2 ** (k + 2))
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                mh, sh = m / (1 - b1**t), s / (1 - b2**t)
        if bug == "overwrite":
            m, s = mh, sh
        denom = sh + eps if bug == "no sqrt" else np.sqrt(sh) + eps
        with np.errstate(invalid="ignore"):
            x = x - learning_rate * mh / denom
    return x


def test_adam_correct_stub_and_agreement_with_gdutils():
    assert ch06.check_adam(my_adam).passed
    assert ch06.check_adam(stub).status == "not attempted"
    q = objectives.quadratic(np.diag([1.0, 25.0]))
    res = adam(q.fun, [1.0, 1.0], jac=q.grad, learning_rate=0.1, maxiter=10, gtol=0.0)
    np.testing.assert_allclose(my_adam(q.grad, np.array([1.0, 1.0]), 0.1, 10), res.x, rtol=1e-12)


@pytest.mark.parametrize("bug, mistake", [
    ("no correction", "no bias correction"),
    ("late", "bias correction one step late"),
    ("overwrite", "corrected state overwritten"),
    ("no sqrt", "square root missing"),
    ("t from 0", "bias correction from t = 0"),
])
def test_adam_known_bugs_are_named(bug, mistake):
    fb = ch06.check_adam(lambda *a: my_adam(*a, bug=bug))
    assert fb.status == "fail" and fb.mistake == mistake, fb


def test_adam_crash_is_reported():
    fb = ch06.check_adam(lambda *a: 1 / 0)
    assert fb.status == "fail" and "ZeroDivisionError" in fb.message


# --- exercise 4: RMSProp's first step --------------------------------------------------------------------

def test_rmsprop_first_step_value_matches_gdutils():
    g = np.array([4.0, -0.3])
    res = rmsprop(lambda x: float(g @ x), np.zeros(2), jac=lambda x: g, learning_rate=0.01, rho=0.99,
                  eps=1e-300, maxiter=1, gtol=0.0)
    measured = np.abs(res.x) / 0.01
    np.testing.assert_allclose(measured, 10.0, rtol=1e-12)
    assert ch06.check_rmsprop_first_step(measured[0]).passed
    assert ch06.check_rmsprop_first_step(None).status == "not attempted"
    assert ch06.check_rmsprop_first_step(1 / np.sqrt(0.1), rho=0.9).passed


@pytest.mark.parametrize("answer, mistake", [
    (100.0, "square root missing"),
    (1.0, "as if bias-corrected"),
    (0.1, "inverted"),
    (1 / np.sqrt(0.99), "used rho instead of 1 - rho"),
    (7.0, None),
])
def test_rmsprop_first_step_mistakes(answer, mistake):
    fb = ch06.check_rmsprop_first_step(answer)
    assert fb.status == "fail" and fb.mistake == mistake
    assert ch06.check_rmsprop_first_step("ten").status == "fail"
