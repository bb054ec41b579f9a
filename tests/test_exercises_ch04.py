"""Chapter 4 exercises: the mistake zoo of every exercise, the solutions, the stubs.

The answers are written the way a learner would write them (loops, in-place updates on
copies, other valid formulas, autograd), independently of the checkers' own mistake
models.
"""

import math

import autograd.numpy as anp
import numpy as np
import pytest
import scipy.special
import zoo
from autograd import grad

from gdutils import losses, multiclass, nn
from gdutils.exercises import ch04

EXERCISES = [ch04.linear, ch04.relu, ch04.twice, ch04.logistic, ch04.tanh, ch04.softmax]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_passes_stub_is_not_attempted_hints_render(ex):
    zoo.assert_exercise_basics(ex, no_return=True)


def test_two_transfer_exercises():
    assert [ex.name for ex in EXERCISES if ex.transfer] == ["ch04.tanh", "ch04.softmax"]


@pytest.mark.parametrize(
    "mistakes",
    [
        ch04._LINEAR_MISTAKES,
        ch04._RELU_MISTAKES,
        ch04._USED_TWICE_MISTAKES,
        ch04._LOGISTIC_MISTAKES,
        ch04._TANH_MISTAKES,
        ch04._SOFTMAX_MISTAKES,
    ],
)
def test_every_named_hint_is_markdown_safe(mistakes):
    for m in mistakes:
        zoo.assert_markdown_safe(m.hint)
    zoo.assert_markdown_safe(ch04._LINEAR_TRANSPOSE)


# --- exercise 1: the backward pass of a Linear layer ----------------------------------


def linear_ok(dout, X, W):
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)


def linear_loop(dout, X, W):  # per-sample accumulation
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[1])
    for i in range(len(X)):
        dW += np.outer(X[i], dout[i])
        db += dout[i]
    return dout @ W.T, dW, db


def linear_einsum(dout, X, W):
    return [
        np.einsum("nk,dk->nd", dout, W),
        np.einsum("nd,nk->dk", X, dout),
        np.einsum("nk->k", dout),
    ]


def linear_overwritten(dout, X, W):
    for i in range(len(X)):
        dW = np.outer(X[i], dout[i])  # = instead of +=
        db = dout[i]
    return dout @ W.T, dW, db


def linear_overwritten_dW_only(dout, X, W):
    for i in range(len(X)):
        dW = np.outer(X[i], dout[i])
    return dout @ W.T, dW, dout.sum(axis=0)


def linear_scales_dout(dout, X, W):  # "normalises" the upstream gradient in place
    dout /= len(X)
    return dout @ W.T, X.T @ dout * len(X), dout.sum(axis=0) * len(X)


def test_linear_zoo():
    zoo.judge(
        ch04.linear.check,
        right=[
            nn.linear_backward,
            linear_ok,
            linear_loop,
            linear_einsum,
            lambda dout, X, W: ((W @ dout.T).T, (dout.T @ X).T, np.ones(len(X)) @ dout),
        ],
        wrong=[
            # raises on shapes
            (
                lambda dout, X, W: (dout @ W, X.T @ dout, dout.sum(0)),
                "missing transpose",
            ),
            (
                lambda dout, X, W: (dout @ W.T, dout.T @ X, dout.sum(0)),
                "missing transpose",
            ),
            # raises on shapes
            (
                lambda dout, X, W: (dout @ W.T, X @ dout, dout.sum(0)),
                "missing transpose",
            ),
            (
                lambda dout, X, W: ((dout @ W.T).T, X.T @ dout, dout.sum(0)),
                "transposed result",
            ),
            (linear_overwritten, "forgot accumulation"),
            (linear_overwritten_dW_only, "forgot accumulation"),
            (
                lambda dout, X, W: (
                    dout @ W.T,
                    X.T @ dout / len(X),
                    dout.sum(0) / len(X),
                ),
                "averaged over the batch",
            ),
            (
                lambda dout, X, W: (dout @ W.T, X.T @ dout, dout),
                "not summed over the batch",
            ),
            (
                lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.mean(0)),
                "averaged over the batch",
            ),
            (
                lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(1)),
                "summed over the wrong axis",
            ),
            (
                lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum()),
                "summed everything",
            ),
            (
                lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(0, keepdims=True)),
                "batch axis kept",
            ),
            (lambda dout, X, W: dout @ W.T, "not a tuple"),
            (lambda dout, X, W: (X.T @ dout, dout.sum(0)), "not a tuple"),
            (lambda dout, X, W: (dout @ W.T, 3 * X.T @ dout, dout.sum(0)), None),
            (linear_scales_dout, "mutates its input"),
            (lambda dout, X, W: (-dout @ W.T, -X.T @ dout, -dout.sum(0)), None),
        ],
    )


def test_linear_unnamed_slip_says_which_gradient():
    fb = ch04.linear.check(lambda dout, X, W: (dout @ W.T, X.T @ dout * 3, dout.sum(0)))
    assert (
        fb.status == "fail"
        and fb.mistake is None
        and fb.message.startswith("Test case 1: `dW`")
    )


# --- exercise 2: the backward pass of a ReLU ------------------------------------------


def relu_copy_then_zero(dout, Z):
    # the CS231n way: a copy, zeroed where the unit was off
    dZ = dout.copy()
    dZ[Z <= 0] = 0.0
    return dZ


def relu_in_place_on_dout(dout, Z):  # edits the upstream gradient itself
    dout[Z <= 0] = 0.0
    return dout


def test_relu_zoo():
    zoo.judge(
        ch04.relu.check,
        right=[
            nn.relu_backward,
            relu_copy_then_zero,
            lambda dout, z: np.where(z > 0, dout, 0.0),
            lambda dout, z: dout * (z >= 0),
            lambda dout, z: dout * np.heaviside(z, 0.0),
        ],
        wrong=[
            (lambda dout, z: np.maximum(dout, 0), "mask from the gradient"),
            (lambda dout, z: dout * (dout > 0), "mask from the gradient"),
            (lambda dout, z: dout * (z < 0), "mask reversed"),
            (lambda dout, z: (z > 0) * 1.0, "forgot the upstream gradient"),
            (lambda dout, z: dout * np.maximum(z, 0), "multiplied by the activation"),
            (lambda dout, z: dout, "no gating"),
            (lambda dout, z: np.maximum(z, 0), "returned the forward pass"),
            (relu_in_place_on_dout, "mutates its input"),
            (lambda dout, z: (dout * (z > 0)).T, "shape"),
            (lambda dout, z: dout * (z > 0.5), None),
        ],
    )


# --- exercise 3: a value used twice ---------------------------------------------------


def test_used_twice_reference_matches_finite_differences():
    f = lambda x, y: x * y * math.exp(x * y)  # noqa: E731
    h = 1e-6
    for x, y in [(0.5, -1.2), (1.0, 0.3), (-0.7, 0.8)]:
        gx, gy = ch04.used_twice_grad(x, y)
        assert gx == pytest.approx((f(x + h, y) - f(x - h, y)) / (2 * h), rel=1e-7)
        assert gy == pytest.approx((f(x, y + h) - f(x, y - h)) / (2 * h), rel=1e-7)


def twice_staged(x, y):
    a = x * y
    b = math.exp(a)
    a_bar = 0.0
    b_bar = a
    a_bar += b
    a_bar += b_bar * b
    return a_bar * y, a_bar * x


def twice_closed_form(x, y):
    a = x * y
    return np.array([(1 + a) * np.exp(a) * y, (1 + a) * np.exp(a) * x])


def twice_autograd(x, y):
    return tuple(grad(lambda v: v[0] * v[1] * anp.exp(v[0] * v[1]))(np.array([x, y])))


def twice_overwritten(x, y):
    a = x * y
    b = math.exp(a)
    a_bar = b  # direct path
    a_bar = a * b  # = instead of += (the path through exp)
    return a_bar * y, a_bar * x


def test_twice_zoo():
    zoo.judge(
        ch04.twice.check,
        right=[
            ch04.used_twice_grad,
            twice_staged,
            twice_closed_form,
            twice_autograd,
            lambda x, y: [float(v) for v in twice_closed_form(x, y)],
        ],
        wrong=[
            (
                lambda x, y: (math.exp(x * y) * y, math.exp(x * y) * x),
                "forgot accumulation",
            ),
            (twice_overwritten, "forgot accumulation (other path)"),
            (
                lambda x, y: (
                    (math.exp(x * y) + x * y) * y,
                    (math.exp(x * y) + x * y) * x,
                ),
                "local derivative of exp missing",
            ),
            (lambda x, y: ((1 + x * y) * math.exp(x * y),) * 2, "stopped at a"),
            (lambda x, y: ch04.used_twice_grad(y, x), "swapped inputs"),
            (lambda x, y: twice_staged(x, y)[0], "shape"),
            (lambda x, y: tuple(-g for g in twice_staged(x, y)), None),
            (
                lambda x, y: (
                    (1 - x * y) * math.exp(x * y) * y,
                    (1 - x * y) * math.exp(x * y) * x,
                ),
                None,
            ),
        ],
    )


# --- exercise 4: logistic regression gradient -----------------------------------------


def logistic_ok(theta, X, y, l2):
    w, b = theta[:-1], theta[-1]
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return np.append(X.T @ (p - y) / len(y) + 2 * l2 * w, np.mean(p - y))


def logistic_loop(theta, X, y, l2):
    g = np.zeros_like(theta)
    for xi, yi in zip(X, y, strict=True):
        ai = np.append(xi, 1.0)
        g += (scipy.special.expit(ai @ theta) - yi) * ai
    g /= len(y)
    g[:-1] += 2 * l2 * theta[:-1]
    return g


def logistic_tanh_sigmoid(theta, X, y, l2):  # sigmoid(z) = (1 + tanh(z / 2)) / 2
    z = X @ theta[:-1] + theta[-1]
    r = (1 + np.tanh(z / 2)) / 2 - y
    mask = np.ones_like(theta)
    mask[-1] = 0
    return np.append(X.T @ r, r.sum()) / len(y) + 2 * l2 * mask * theta


def logistic_variant(
    *, flip=False, no_sigmoid=False, total=False, bias=False, factor=2.0, over_n=False
):
    def g(theta, X, y, l2):
        z = X @ theta[:-1] + theta[-1]
        p = z if no_sigmoid else scipy.special.expit(z)
        r = (y - p) if flip else (p - y)
        out = np.append(X.T @ r, r.sum()) / (1 if total else len(y))
        stop = len(theta) if bias else len(theta) - 1
        out[:stop] += factor * l2 * theta[:stop] / (len(y) if over_n else 1)
        return out

    return g


def logistic_bias_first(theta, X, y, l2):
    b, w = theta[0], theta[1:]
    r = scipy.special.expit(X @ w + b) - y
    return np.append(r.mean(), X.T @ r / len(y) + 2 * l2 * w)


def logistic_aliased(theta, X, y, l2):  # the aliasing slip: w_reg is theta itself
    g = losses.cross_entropy_grad(theta, X, y)
    reg = theta
    reg[-1] = 0.0
    return g + 2 * l2 * reg


def test_logistic_zoo():
    zoo.judge(
        ch04.logistic.check,
        right=[
            losses.cross_entropy_grad,
            logistic_ok,
            logistic_loop,
            logistic_tanh_sigmoid,
        ],
        wrong=[
            (lambda t, X, y, l2: logistic_ok(t, X, y, 0.0), "forgot the L2 term"),
            (logistic_variant(factor=1.0), "L2 without the 2"),
            (logistic_variant(bias=True), "penalised the bias"),
            (logistic_variant(flip=True), "wrong sign"),
            (logistic_variant(total=True), "sum instead of mean"),
            (logistic_variant(no_sigmoid=True), "forgot the sigmoid"),
            (logistic_variant(over_n=True), "penalty divided by n"),
            (logistic_bias_first, "bias first"),
            (
                lambda t, X, y, l2: logistic_ok(t, X, y, l2)[:-1],
                "bias gradient missing",
            ),
            (logistic_aliased, "mutates its input"),
            (lambda t, X, y, l2: logistic_ok(t, X, y, l2)[:, None], "shape"),
            (lambda t, X, y, l2: logistic_ok(t, X, 1 - y, l2), None),
        ],
    )


# --- exercise 5 (transfer): the backward pass of a tanh layer -------------------------


def tanh_ok(dH, X, W, b):
    H = np.tanh(X @ W + b)
    dZ = dH * (1 - H**2)
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def tanh_sech(dH, X, W, b):
    dZ = dH / np.cosh(X @ W + b) ** 2
    return nn.linear_backward(dZ, X, W)


def tanh_loop(dH, X, W, b):
    dX, dW, db = np.zeros_like(X), np.zeros_like(W), np.zeros_like(b)
    for i in range(len(X)):
        dz = dH[i] * (1 - np.tanh(X[i] @ W + b) ** 2)
        dX[i] = W @ dz
        dW += np.outer(X[i], dz)
        db += dz
    return dX, dW, db


def tanh_autograd(dH, X, W, b):
    loss = lambda X, W, b: anp.sum(dH * anp.tanh(anp.dot(X, W) + b))  # noqa: E731
    return grad(loss, 0)(X, W, b), grad(loss, 1)(X, W, b), grad(loss, 2)(X, W, b)


def tanh_with(local):
    def f(dH, X, W, b):
        Z = X @ W + b
        return nn.linear_backward(dH * local(Z), X, W)

    return f


def tanh_plain_dW(dH, X, W, b):
    dZ = dH * (1 - np.tanh(X @ W + b) ** 2)
    return dZ @ W.T, X.T @ dH, dH.sum(axis=0)


def tanh_after_linear(dH, X, W, b):
    # the local derivative applied after the Linear step: shapes clash
    H = np.tanh(X @ W + b)
    return (dH @ W.T) * (1 - H**2), X.T @ dH * (1 - H**2), dH.sum(0)


def tanh_scales_dH(dH, X, W, b):  # reuses dH's memory for dZ
    dH *= 1 - np.tanh(X @ W + b) ** 2
    return dH @ W.T, X.T @ dH, dH.sum(axis=0)


def test_tanh_reference_matches_autograd():
    for case in ch04._tanh_cases():
        for mine, auto in zip(
            ch04.tanh_layer_backward(*case), tanh_autograd(*case), strict=True
        ):
            np.testing.assert_allclose(mine, auto, rtol=1e-12, atol=1e-14)


def test_tanh_zoo():
    zoo.judge(
        ch04.tanh.check,
        right=[ch04.tanh_layer_backward, tanh_ok, tanh_sech, tanh_loop, tanh_autograd],
        wrong=[
            (
                lambda dH, X, W, b: nn.linear_backward(dH, X, W),
                "forgot the tanh derivative",
            ),
            (tanh_with(lambda Z: 1 - Z**2), "derivative at z instead of tanh(z)"),
            (tanh_with(lambda Z: 1 - np.tanh(np.tanh(Z)) ** 2), "tanh applied twice"),
            (tanh_with(lambda Z: 1 - np.tanh(Z)), "derivative not squared"),
            (tanh_with(lambda Z: 1 / np.cosh(Z)), "sech not squared"),
            (tanh_with(lambda Z: np.tanh(Z) ** 2 - 1), "wrong sign"),
            (tanh_with(lambda Z: Z > 0), "ReLU mask"),
            (tanh_with(np.tanh), "multiplied by the activation"),
            (tanh_plain_dW, "derivative only in dX"),
            (tanh_after_linear, "shape mismatch"),
            (
                lambda dH, X, W, b: (lambda g: (g[0].T, g[1], g[2]))(
                    tanh_ok(dH, X, W, b)
                ),
                "transposed result",
            ),
            (
                lambda dH, X, W, b: (lambda g: (g[0], g[1].T, g[2]))(
                    tanh_ok(dH, X, W, b)
                ),
                "missing transpose",
            ),
            (
                lambda dH, X, W, b: (lambda g: (g[0], g[1] / len(X), g[2] / len(X)))(
                    tanh_ok(dH, X, W, b)
                ),
                "averaged over the batch",
            ),
            (
                lambda dH, X, W, b: (lambda g: (g[0], g[1], g[2] / len(X)))(
                    tanh_ok(dH, X, W, b)
                ),
                "averaged over the batch",
            ),
            (
                lambda dH, X, W, b: (
                    tanh_ok(dH, X, W, b)[:2] + (dH * (1 - np.tanh(X @ W + b) ** 2),)
                ),
                "not summed over the batch",
            ),
            (tanh_scales_dH, "mutates its input"),
            (lambda dH, X, W, b: tanh_ok(dH, X, W, b)[1], "not a tuple"),
            (lambda dH, X, W, b: tanh_ok(2 * dH, X, W, b), None),
        ],
    )


# --- exercise 6 (transfer): softmax and cross-entropy, backward -----------------------


def softmax_ok(Z, y):
    n = len(y)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    P[np.arange(n), y] -= 1
    return P / n


def softmax_scipy_one_hot(Z, y):
    Y = np.eye(Z.shape[1])[y]
    return (scipy.special.softmax(Z, axis=1) - Y) / len(y)


def softmax_log_sum_exp(Z, y):
    logp = Z - scipy.special.logsumexp(Z, axis=1, keepdims=True)
    return (np.exp(logp) - multiclass.one_hot(y, Z.shape[1])) / len(y)


def softmax_loop(Z, y):
    G = np.zeros_like(Z)
    for i, (z, c) in enumerate(zip(Z, y, strict=True)):
        p = np.exp(z - z.max())
        p /= p.sum()
        p[c] -= 1
        G[i] = p / len(y)
    return G


def softmax_autograd(Z, y):
    def loss(Z):
        m = anp.max(Z, axis=1, keepdims=True)
        logp = Z - m - anp.log(anp.sum(anp.exp(Z - m), axis=1, keepdims=True))
        return -anp.mean(logp[np.arange(len(y)), y])

    return grad(loss)(Z)


def softmax_naive(Z, y):  # no max subtracted: exp overflows on confident logits
    E = np.exp(Z)
    P = E / E.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1
    return P / len(y)


def softmax_naive_no_mean(Z, y):
    return softmax_naive(Z, y) * len(y)


def softmax_columns(Z, y):  # P[:, y] picks whole columns
    P = scipy.special.softmax(Z, axis=1)
    P[:, y] -= 1
    return P / len(y)


def softmax_in_place(Z, y):  # shifts the logits in place
    Z -= Z.max(axis=1, keepdims=True)
    return softmax_ok(Z, y)


def softmax_elementwise(Z, y):  # dL/dp = -Y / P, times a "diagonal" p (1 - p)
    P = scipy.special.softmax(Z, axis=1)
    Y = np.eye(Z.shape[1])[y]
    return -Y / P * P * (1 - P) / len(y)


def test_softmax_reference_matches_autograd():
    for Z, y in ch04._softmax_cases():
        np.testing.assert_allclose(
            ch04.softmax_ce_backward(Z, y),
            softmax_autograd(Z, y),
            rtol=1e-10,
            atol=1e-15,
        )


def test_softmax_zoo():
    zoo.judge(
        ch04.softmax.check,
        right=[
            ch04.softmax_ce_backward,
            softmax_ok,
            softmax_scipy_one_hot,
            softmax_log_sum_exp,
            softmax_loop,
            softmax_autograd,
        ],
        wrong=[
            (lambda Z, y: softmax_ok(Z, y) * len(y), "sum instead of mean"),
            (
                lambda Z, y: (
                    (scipy.special.softmax(Z, axis=0) - np.eye(Z.shape[1])[y]) / len(y)
                ),
                "softmax over the batch axis",
            ),
            (
                lambda Z, y: scipy.special.softmax(Z, axis=1) / len(y),
                "forgot the target",
            ),
            (lambda Z, y: -softmax_ok(Z, y), "wrong sign"),
            (softmax_elementwise, "elementwise softmax derivative"),
            (softmax_columns, "whole columns indexed"),
            (
                lambda Z, y: (1 / (1 + np.exp(-Z)) - np.eye(Z.shape[1])[y]) / len(y),
                "sigmoid instead of softmax",
            ),
            (
                lambda Z, y: (
                    np.eye(Z.shape[1])[y]
                    * (scipy.special.softmax(Z, axis=1) - 1)
                    / len(y)
                ),
                "elementwise softmax derivative",
            ),
            (softmax_naive, "overflow"),
            (softmax_naive_no_mean, "sum instead of mean"),
            (softmax_in_place, "mutates its input"),
            (lambda Z, y: softmax_ok(Z, y).T, "shape"),
            (lambda Z, y: softmax_ok(Z, (y + 1) % Z.shape[1]), None),
        ],
    )
