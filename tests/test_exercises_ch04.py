"""Chapter 4 checkers: the right answer passes, the stub is "not attempted", each known mistake is named."""

import math

import numpy as np
import pytest

from gdutils import losses, nn
from gdutils.data import add_bias
from gdutils.exercises import ch04


def _stub(*args):
    raise NotImplementedError("your code here")


CHECKERS = [ch04.check_linear_backward, ch04.check_relu_backward, ch04.check_used_twice, ch04.check_logistic_grad]


@pytest.mark.parametrize("checker", CHECKERS)
def test_stub_is_not_attempted(checker):
    fb = checker(_stub)
    assert fb.status == "not attempted"
    assert checker(lambda *a: None).mistake == "no return"


# --- exercise 1: linear backward ------------------------------------------------------------------

def _loop_linear_backward(dout, X, W):
    """A correct loop version (per-sample accumulation), as a learner might write it."""
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[1])
    for i in range(len(X)):
        dW += np.outer(X[i], dout[i])
        db += dout[i]
    return dout @ W.T, dW, db


@pytest.mark.parametrize("fn", [nn.linear_backward, _loop_linear_backward,
                                lambda dout, X, W: [(W @ dout.T).T, (dout.T @ X).T, np.sum(dout, axis=0)]])
def test_linear_backward_correct(fn):
    fb = ch04.check_linear_backward(fn)
    assert fb.passed, str(fb)


def _overwrite_linear_backward(dout, X, W):
    for i in range(len(X)):
        dW = np.outer(X[i], dout[i])  # bug: = instead of +=
        db = dout[i]
    return dout @ W.T, dW, db


@pytest.mark.parametrize(
    "fn, mistake",
    [
        (lambda dout, X, W: (dout @ W, X.T @ dout, dout.sum(0)), "missing transpose"),  # raises on shapes
        (lambda dout, X, W: (dout @ W.T, dout.T @ X, dout.sum(0)), "missing transpose"),
        (lambda dout, X, W: (dout @ W.T, X @ dout, dout.sum(0)), "missing transpose"),  # raises on shapes
        (lambda dout, X, W: ((dout @ W.T).T, X.T @ dout, dout.sum(0)), "transposed result"),
        (_overwrite_linear_backward, "forgot accumulation"),
        (lambda dout, X, W: (dout @ W.T, X.T @ dout / len(X), dout.sum(0)), "averaged over the batch"),
        (lambda dout, X, W: (dout @ W.T, X.T @ dout, dout), "not summed over the batch"),
        (lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.mean(0)), "averaged over the batch"),
        (lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(1)), "summed over the wrong axis"),
        (lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum()), "summed everything"),
    ],
)
def test_linear_backward_mistakes_are_named(fn, mistake):
    fb = ch04.check_linear_backward(fn)
    assert fb.status == "fail"
    assert fb.mistake == mistake, str(fb)
    assert "transpose" in fb.message if mistake == "missing transpose" else True


def test_linear_backward_wrong_return_and_unknown_error():
    fb = ch04.check_linear_backward(lambda dout, X, W: dout @ W.T)
    assert fb.status == "fail" and "(dX, dW, db)" in fb.message
    fb = ch04.check_linear_backward(lambda dout, X, W: (dout @ W.T, X.T @ dout * 3, dout.sum(0)))
    assert fb.status == "fail" and fb.mistake is None and fb.message.startswith("dW:")


# --- exercise 2: ReLU backward --------------------------------------------------------------------

@pytest.mark.parametrize("fn", [nn.relu_backward, lambda dout, z: np.where(z > 0, dout, 0.0),
                                lambda dout, z: dout * (z >= 0)])
def test_relu_backward_correct(fn):
    assert ch04.check_relu_backward(fn).passed


@pytest.mark.parametrize(
    "fn, mistake",
    [
        (lambda dout, z: np.maximum(dout, 0), "mask from the gradient"),
        (lambda dout, z: dout * (z < 0), "mask reversed"),
        (lambda dout, z: (z > 0) * 1.0, "forgot the upstream gradient"),
        (lambda dout, z: dout * np.maximum(z, 0), "multiplied by the activation"),
        (lambda dout, z: dout, "no gating"),
        (lambda dout, z: np.maximum(z, 0), "returned the forward pass"),
    ],
)
def test_relu_backward_mistakes_are_named(fn, mistake):
    fb = ch04.check_relu_backward(fn)
    assert fb.status == "fail" and fb.mistake == mistake, str(fb)


# --- exercise 3: a value used twice ------------------------------------------------------------

def test_used_twice_reference_matches_finite_differences():
    f = lambda x, y: x * y * math.exp(x * y)  # noqa: E731
    h = 1e-6
    for x, y in [(0.5, -1.2), (1.0, 0.3), (-0.7, 0.8)]:
        gx, gy = ch04.used_twice_grad(x, y)
        assert gx == pytest.approx((f(x + h, y) - f(x - h, y)) / (2 * h), rel=1e-7)
        assert gy == pytest.approx((f(x, y + h) - f(x, y - h)) / (2 * h), rel=1e-7)


def test_used_twice_correct_staged_version():
    def staged(x, y):
        a = x * y
        b = math.exp(a)
        da = 0.0
        db = a          # from f = a * b
        da += b         # direct use of a in f
        da += db * b    # through b = exp(a)
        return da * y, da * x

    assert ch04.check_used_twice(staged).passed


def _overwritten(x, y):
    a = x * y
    b = math.exp(a)
    da = b           # direct path
    da = a * b       # bug: = instead of += (path through exp)
    return da * y, da * x


@pytest.mark.parametrize(
    "fn, mistake",
    [
        (lambda x, y: (math.exp(x * y) * y, math.exp(x * y) * x), "forgot accumulation"),
        (_overwritten, "forgot accumulation (other path)"),
        (lambda x, y: ch04.used_twice_grad(y, x), "swapped inputs"),
    ],
)
def test_used_twice_mistakes_are_named(fn, mistake):
    fb = ch04.check_used_twice(fn)
    assert fb.status == "fail" and fb.mistake == mistake, str(fb)
    if mistake.startswith("forgot accumulation"):
        assert "add" in fb.message or "SUM" in fb.message


# --- exercise 4: logistic regression gradient -----------------------------------------------------

def _logistic_grad(theta, X, y, l2):
    A = add_bias(X)
    p = 1 / (1 + np.exp(-(A @ theta)))
    g = A.T @ (p - y) / len(y)
    g[:-1] += 2 * l2 * theta[:-1]
    return g


def test_logistic_grad_correct():
    assert ch04.check_logistic_grad(_logistic_grad).passed
    assert ch04.check_logistic_grad(losses.cross_entropy_grad).passed


def _variant(**kw):
    def g(theta, X, y, l2):
        A = add_bias(X)
        z = A @ theta
        p = z if kw.get("no_sigmoid") else 1 / (1 + np.exp(-z))
        r = (y - p) if kw.get("flip") else (p - y)
        out = A.T @ r / (1 if kw.get("sum") else len(y))
        stop = len(theta) if kw.get("bias") else len(theta) - 1
        out[:stop] += kw.get("factor", 2) * l2 * theta[:stop]
        return out

    return g


@pytest.mark.parametrize(
    "fn, mistake",
    [
        (lambda t, X, y, l2: _logistic_grad(t, X, y, 0.0), "forgot the L2 term"),
        (_variant(factor=1), "L2 without the 2"),
        (_variant(bias=True), "penalised the bias"),
        (_variant(flip=True), "wrong sign"),
        (_variant(sum=True), "sum instead of mean"),
        (_variant(no_sigmoid=True), "forgot the sigmoid"),
    ],
)
def test_logistic_grad_mistakes_are_named(fn, mistake):
    fb = ch04.check_logistic_grad(fn)
    assert fb.status == "fail" and fb.mistake == mistake, str(fb)
