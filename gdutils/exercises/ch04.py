"""Checkers for chapter 4 (backpropagation).

Each checker runs the learner's function on a few cases whose shapes are all different
(n != d != k), so that a missing transpose cannot hide behind a square matrix, and names
the known mistakes: a missing transpose, a forgotten accumulation (over the batch, or
where one value feeds two places), the classic ReLU-backward slips and the usual slips
in the logistic-regression gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import losses, nn
from ..data import add_bias
from ._core import Feedback, Mistake, check_function

__all__ = [
    "check_linear_backward",
    "check_relu_backward",
    "check_used_twice",
    "used_twice_grad",
    "check_logistic_grad",
]

_TRANSPOSE_HINT = (
    "A matrix product failed on its shapes: that is almost always a missing transpose. "
    "Match the shapes: dX has the shape of X (n, d), dW the shape of W (d, k); "
    "so dX = dout @ W.T and dW = X.T @ dout."
)


def _shape_error(message: str) -> bool:
    return ("raised ValueError" in message or "raised `ValueError" in message) and any(
        s in message for s in ("matmul", "not aligned", "mismatch in its core dimension")
    )


# --- exercise 1: backward pass of a Linear layer --------------------------------------------------

def _linear_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(4)
    cases = []
    for n, d, k in [(5, 3, 2), (7, 4, 1), (6, 2, 3)]:
        X = rng.standard_normal((n, d))
        W = rng.standard_normal((d, k))
        dout = rng.standard_normal((n, k))
        cases.append((dout, X, W))
    return cases


def _part(fn: Callable, i: int) -> Callable:
    def picked(*case):
        result = fn(*case)
        if result is None or result is Ellipsis:
            return result
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise TypeError("return the three gradients as a tuple (dX, dW, db)")
        return result[i]

    return picked


_LINEAR_MISTAKES = {
    "dX": [
        Mistake("missing transpose", lambda dout, X, W: dout @ W,
                "dX needs W transposed: dX = dout @ W.T, of shape (n, d) like X."),
        Mistake("transposed result", lambda dout, X, W: (dout @ W.T).T,
                "dX has the shape of X, (n, d); you returned its transpose (d, n)."),
    ],
    "dW": [
        Mistake("missing transpose", lambda dout, X, W: dout.T @ X,
                "Missing transpose: dW = X.T @ dout has the shape of W, (d, k); dout.T @ X is its "
                "transpose (k, d)."),
        Mistake("forgot accumulation", lambda dout, X, W: np.outer(X[-1], dout[-1]),
                "Only the last sample counts: every sample uses the same W, so the per-sample "
                "gradients x_i^T dout_i must be summed (`+=`, or X.T @ dout at once), not overwritten."),
        Mistake("averaged over the batch", lambda dout, X, W: X.T @ dout / len(X),
                "Divided by n: dout already carries the 1/n of a mean loss, so dW = X.T @ dout "
                "with no extra division."),
    ],
    "db": [
        Mistake("not summed over the batch", lambda dout, X, W: dout,
                "db must have the shape of b, (k,): sum dout over the batch axis, "
                "dout.sum(axis=0). Every sample uses the same b, so their gradients add up."),
        Mistake("forgot accumulation", lambda dout, X, W: dout[-1],
                "Only the last sample counts: every sample uses the same b, so the gradients "
                "must be summed over the batch (`+=`, or dout.sum(axis=0)), not overwritten."),
        Mistake("averaged over the batch", lambda dout, X, W: dout.mean(axis=0),
                "Use the sum over the batch, not the mean: dout already carries the 1/n of the loss."),
        Mistake("summed over the wrong axis", lambda dout, X, W: dout.sum(axis=1),
                "Summed over the wrong axis: the batch is axis 0, so db = dout.sum(axis=0), shape (k,)."),
        Mistake("summed everything", lambda dout, X, W: np.sum(dout),
                "You summed over both axes: db has one entry per output, dout.sum(axis=0)."),
    ],
}


def check_linear_backward(fn: Callable) -> Feedback:
    """Check ``fn(dout, X, W)`` -> ``(dX, dW, db)`` for the layer out = X @ W + b.

    >>> check_linear_backward(nn.linear_backward).passed
    True
    >>> check_linear_backward(lambda dout, X, W: (dout @ W.T, dout.T @ X, dout.sum(0))).mistake
    'missing transpose'
    """
    cases = _linear_cases()
    for i, label in enumerate(("dX", "dW", "db")):
        fb = check_function(
            _part(fn, i), lambda *c, i=i: nn.linear_backward(*c)[i], cases, _LINEAR_MISTAKES[label],
            what="`my_linear_backward`",
        )
        if fb.status == "fail" and fb.mistake in (None, "raised an exception") and _shape_error(fb.message):
            return Feedback("fail", _TRANSPOSE_HINT, "missing transpose")
        if not fb.passed:
            return fb if fb.status != "fail" else Feedback("fail", f"{label}: {fb.message}", fb.mistake)
    return Feedback("pass", f"dX, dW and db agree with the reference on all {len(cases)} cases.")


# --- exercise 2: backward pass of a ReLU ------------------------------------------------------------

def _relu_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(5)
    cases = []
    for shape in [(4, 3), (6, 5), (3, 2)]:
        z = rng.standard_normal(shape)
        z[np.abs(z) < 0.05] = 0.5  # stay away from the kink at 0, where conventions differ
        dout = 2.0 * rng.standard_normal(shape)
        cases.append((dout, z))
    return cases


_RELU_MISTAKES = [
    Mistake("mask from the gradient", lambda dout, z: np.maximum(dout, 0.0),
            "You applied the ReLU to the upstream gradient. The mask comes from the layer's "
            "input z: pass dout where z > 0, and 0 where z <= 0 (negative gradients pass too)."),
    Mistake("mask reversed", lambda dout, z: dout * (z < 0),
            "The mask is reversed: the gradient flows where z > 0 (the unit was active), not where z < 0."),
    Mistake("forgot the upstream gradient", lambda dout, z: (z > 0).astype(float),
            "That is the ReLU's local derivative alone. The chain rule multiplies it by the "
            "upstream gradient: dout * (z > 0)."),
    Mistake("multiplied by the activation", lambda dout, z: dout * np.maximum(z, 0.0),
            "You multiplied by relu(z), the forward value. The local derivative is 1 where "
            "z > 0 and 0 elsewhere: dout * (z > 0)."),
    Mistake("no gating", lambda dout, z: dout,
            "You passed the gradient through unchanged, as if there were no ReLU. Units that "
            "were off (z <= 0) get zero gradient: dout * (z > 0)."),
    Mistake("returned the forward pass", lambda dout, z: np.maximum(z, 0.0),
            "That is the forward pass relu(z). The backward pass returns dL/dz = dout * (z > 0)."),
]


def check_relu_backward(fn: Callable) -> Feedback:
    """Check ``fn(dout, z)`` -> dL/dz for h = relu(z), given dout = dL/dh.

    >>> check_relu_backward(nn.relu_backward).passed
    True
    >>> check_relu_backward(lambda dout, z: np.maximum(dout, 0)).mistake
    'mask from the gradient'
    """
    return check_function(fn, nn.relu_backward, _relu_cases(), _RELU_MISTAKES, what="`my_relu_backward`")


# --- exercise 3: a value used twice: its gradients add -------------------------------------------

def used_twice_grad(x: float, y: float) -> tuple[float, float]:
    """Gradient of f = a * exp(a) with a = x * y (a feeds two places), by the chain rule.

    df/da = exp(a) + a exp(a) (the two paths add); df/dx = df/da * y, df/dy = df/da * x.

    >>> used_twice_grad(1.0, 0.0)  # a = 0: df/da = 1
    (0.0, 1.0)
    """
    a = x * y
    b = math.exp(a)
    da = b + a * b
    return da * y, da * x


def _one_path(direct: bool) -> Callable:
    def grads(x, y):
        a = x * y
        b = math.exp(a)
        da = b if direct else a * b
        return da * y, da * x

    return grads


_USED_TWICE_CASES = [(0.5, -1.2), (1.0, 0.3), (-0.7, 0.8), (1.5, 0.9)]

_USED_TWICE_MISTAKES = [
    Mistake("forgot accumulation", _one_path(direct=True),
            "Only the direct path counts: a feeds f twice (directly, and through b = exp(a)), so "
            "its adjoint is the SUM of both contributions, da = b + a * b (`+=`, not `=`)."),
    Mistake("forgot accumulation (other path)", _one_path(direct=False),
            "Only the path through b = exp(a) counts: a is also used directly in f = a * b, so "
            "the two contributions add: da = b + a * b. An adjoint overwritten instead of "
            "accumulated loses one of them."),
    Mistake("swapped inputs", lambda x, y: used_twice_grad(x, y)[::-1],
            "df/dx and df/dy are swapped: since a = x * y, da/dx = y and da/dy = x."),
]


def check_used_twice(fn: Callable) -> Feedback:
    """Check ``fn(x, y)`` -> (df/dx, df/dy) for a = x * y, b = exp(a), f = a * b.

    >>> check_used_twice(used_twice_grad).passed
    True
    >>> check_used_twice(lambda x, y: (np.exp(x * y) * y, np.exp(x * y) * x)).mistake
    'forgot accumulation'
    """
    return check_function(fn, used_twice_grad, _USED_TWICE_CASES, _USED_TWICE_MISTAKES, what="`grad_used_twice`")


# --- exercise 4: logistic regression gradient with L2 ----------------------------------------------

def _logistic_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(6)
    cases = []
    for n, d, l2 in [(9, 3, 0.1), (12, 2, 0.05), (7, 4, 0.3)]:
        X = rng.standard_normal((n, d))
        y = rng.integers(0, 2, n).astype(float)
        theta = rng.standard_normal(d + 1)
        cases.append((theta, X, y, l2))
    return cases


def _logistic_variant(*, sign=1.0, l2_factor=2.0, penalise_bias=False, mean=True, link=losses.sigmoid):
    def grad(theta, X, y, l2):
        A = add_bias(X)
        g = sign * A.T @ (link(A @ theta) - y)
        if mean:
            g = g / len(y)
        d = X.shape[1]
        stop = d + 1 if penalise_bias else d
        g[:stop] += l2_factor * l2 * theta[:stop]
        return g

    return grad


_LOGISTIC_MISTAKES = [
    Mistake("forgot the L2 term", lambda t, X, y, l2: losses.cross_entropy_grad(t, X, y),
            "The penalty l2 * ||w||^2 is part of the loss: add its gradient 2 * l2 * w to the weights."),
    Mistake("L2 without the 2", _logistic_variant(l2_factor=1.0),
            "d/dw (l2 * ||w||^2) = 2 * l2 * w: the factor 2 is missing."),
    Mistake("penalised the bias", _logistic_variant(penalise_bias=True),
            "The bias is not penalised (only the weights are): leave the last entry out of the L2 term."),
    Mistake("wrong sign", _logistic_variant(sign=-1.0),
            "Wrong sign in the data term: the gradient is X^T (p - y) / n, not X^T (y - p) / n."),
    Mistake("sum instead of mean", _logistic_variant(mean=False),
            "The loss is a mean over the n samples: divide X^T (p - y) by n."),
    Mistake("forgot the sigmoid", _logistic_variant(link=lambda z: z),
            "You used the logit z = X w + b where the probability p = sigmoid(z) belongs: "
            "the gradient is X^T (sigmoid(z) - y) / n."),
]


def check_logistic_grad(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y, l2)`` -> gradient of mean cross-entropy + l2 * ||w||^2 (bias last, not penalised).

    >>> check_logistic_grad(losses.cross_entropy_grad).passed
    True
    >>> check_logistic_grad(lambda t, X, y, l2: losses.cross_entropy_grad(t, X, y)).mistake
    'forgot the L2 term'
    """
    return check_function(fn, losses.cross_entropy_grad, _logistic_cases(), _LOGISTIC_MISTAKES, what="`logistic_grad`")
