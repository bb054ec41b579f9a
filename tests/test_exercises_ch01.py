"""Chapter 1 checkers: right answers pass, each known bug is named, untouched stubs are 'not attempted'."""

import numpy as np
import pytest

from gdutils import losses
from gdutils.exercises import Feedback, ch01


def stub(*args):
    raise NotImplementedError("your code here")


def loop_gradient(w, x, y, *, overwrite=False, target=True, sign=1.0, factor=2.0, mean=True):
    total = 0.0
    for xi, yi in zip(x, y):
        term = factor * xi * (w * xi - (yi if target else 0.0))
        total = term if overwrite else total + term
    return sign * (total / len(x) if mean else total)


def test_1d_correct_and_stub():
    assert ch01.check_gradient_1d(loop_gradient).passed
    fb = ch01.check_gradient_1d(stub)
    assert fb.status == "not attempted" and not fb.passed
    assert ch01.check_gradient_1d(lambda w, x, y: None).mistake == "no return"


@pytest.mark.parametrize(
    "bug, mistake",
    [
        (dict(overwrite=True), "accumulator overwritten"),
        (dict(overwrite=True, mean=False), "accumulator overwritten (no mean)"),
        (dict(target=False), "forgot the target"),
        (dict(sign=-1.0), "wrong sign"),
        (dict(factor=1.0), "missing factor 2"),
        (dict(mean=False), "sum instead of mean"),
    ],
)
def test_1d_known_bugs_are_named(bug, mistake):
    fb = ch01.check_gradient_1d(lambda w, x, y: loop_gradient(w, x, y, **bug))
    assert fb.status == "fail" and fb.mistake == mistake
    assert "❌" in str(fb) and fb.message


def test_1d_unknown_wrong_answer_and_exception():
    fb = ch01.check_gradient_1d(lambda w, x, y: 42.0)
    assert fb.status == "fail" and fb.mistake is None
    fb = ch01.check_gradient_1d(lambda w, x, y: 1 / 0)
    assert fb.status == "fail" and "ZeroDivisionError" in fb.message


def vec(theta, X, y):
    A = np.column_stack([X, np.ones(len(X))])
    return 2 / len(y) * A.T @ (A @ theta - y)


@pytest.mark.parametrize(
    "fn, mistake",
    [
        (lambda t, X, y: -vec(t, X, y), "wrong sign"),
        (lambda t, X, y: vec(t, X, y) / 2, "missing factor 2"),
        (lambda t, X, y: vec(t, X, y) * len(y), "sum instead of mean"),
        (lambda t, X, y: vec(t, X, 0 * y), "forgot the target"),
        (lambda t, X, y: 2 / len(y) * X.T @ (X @ t[:-1] + t[-1] - y), "bias gradient missing"),
        (lambda t, X, y: np.append(2 / len(y) * X.T @ (X @ t[:-1] + t[-1] - y), 0.0), "bias gradient zero"),
        (lambda t, X, y: vec(t, X, y)[:, None], "shape"),
    ],
)
def test_vector_known_bugs(fn, mistake):
    assert ch01.check_mse_gradient(vec).passed
    fb = ch01.check_mse_gradient(fn)
    assert fb.status == "fail" and fb.mistake == mistake


def test_missing_transpose_is_reported_with_the_error():
    fb = ch01.check_mse_gradient(lambda t, X, y: 2 / len(y) * X @ (X @ t[:-1] - y))
    assert fb.status == "fail" and "raised `ValueError" in fb.message and "matmul" in fb.message


def test_stability_limit_and_its_mistakes():
    X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, -1.0], [3.0, 0.5]])
    A = np.column_stack([X, np.ones(4)])
    H = 2 / 4 * A.T @ A
    right = 2 / np.linalg.eigvalsh(H)[-1]
    assert ch01.stability_limit(X) == pytest.approx(right)
    assert ch01.check_stability_limit(right, X).passed
    assert ch01.check_stability_limit(None, X).status == "not attempted"
    assert ch01.check_stability_limit("abc", X).status == "fail"
    cases = {
        "one over L": 1 / np.linalg.eigvalsh(H)[-1],
        "Hessian without the 2": 2 / np.linalg.eigvalsh(A.T @ A / 4)[-1],
        "Hessian without 1/n": 2 / np.linalg.eigvalsh(2 * A.T @ A)[-1],
        "forgot the bias column": 2 / np.linalg.eigvalsh(2 / 4 * X.T @ X)[-1],
        "smallest eigenvalue": 2 / np.linalg.eigvalsh(H)[0],
    }
    for name, value in cases.items():
        assert ch01.check_stability_limit(value, X).mistake == name


def test_stability_limit_is_where_gd_diverges():
    X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, -1.0], [3.0, 0.5]])
    y = X @ np.array([1.0, -1.0]) + 0.5
    H = losses.mse_hessian(X)
    v = np.linalg.eigh(H)[1][:, -1]  # start along the stiffest direction
    limit = ch01.stability_limit(X)
    for rate, grows in [(0.99 * limit, False), (1.01 * limit, True)]:
        theta = np.linalg.lstsq(np.column_stack([X, np.ones(4)]), y, rcond=None)[0] + v
        e0 = losses.mse(theta, X, y)
        for _ in range(2000):
            theta = theta - rate * losses.mse_grad(theta, X, y)
        assert (losses.mse(theta, X, y) > e0) == grows


def test_feedback_rendering_and_validation():
    fb = Feedback("pass", "ok")
    assert fb._repr_markdown_().startswith("**✅")
    with pytest.raises(ValueError, match="status must be one of"):
        Feedback("maybe", "?")
