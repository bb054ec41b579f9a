"""Checkers for chapter 4 (backpropagation).

Six exercises: the backward pass of a Linear layer (``linear``), of a ReLU (``relu``), a
value used twice in a small graph (``twice``), the logistic-regression gradient
(``logistic``), and two transfer exercises whose answers the chapter does not print: the
backward pass of a whole tanh layer (``tanh``) and of softmax with cross-entropy
(``softmax``). Every case uses shapes with n, d and k all different, so that a missing
transpose cannot hide behind a square matrix, and each checker names the known mistakes:
a missing transpose, a forgotten accumulation (over the batch, or where one value feeds
two places), a mask taken from the wrong array, a local derivative taken at the wrong
point, a missing 1/n, a softmax over the wrong axis, an overflowing exponential.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from scipy.special import expit

from .. import losses, multiclass, nn
from ..data import add_bias
from ._core import (
    Exercise,
    Feedback,
    Mistake,
    _as_numbers,
    _close,
    _not_attempted,
    _raised,
    _relative_difference,
    _returned_none,
    _same,
    check_function,
)

__all__ = [
    "check_linear_backward",
    "check_relu_backward",
    "check_used_twice",
    "used_twice_grad",
    "check_logistic_grad",
    "tanh_layer_backward",
    "check_tanh_layer_backward",
    "softmax_ce_backward",
    "check_softmax_ce_backward",
    "linear",
    "relu",
    "twice",
    "logistic",
    "tanh",
    "softmax",
]

_SHAPE_WORDS = (
    "matmul",
    "not aligned",
    "mismatch in its core dimension",
    "could not be broadcast",
)


def _quietly(fn: Callable, *args):
    """Call the learner's ``fn`` with NumPy's overflow warnings silenced (the result
    shows them)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args)


def _run(fn: Callable, cases, what: str):
    """``fn`` on a deep copy of every case: (outputs, None), or (None, Feedback) for a
    stub, a crash,
    ``None`` returned or an input changed in place."""
    if fn is None or fn is Ellipsis:
        return None, Feedback(
            "not attempted", f"Define {what} and run this cell again."
        )
    if not callable(fn):
        return None, Feedback(
            "fail",
            f"{what} should be a function; got a `{type(fn).__name__}`.",
            "not a function",
        )
    outputs = []
    for i, case in enumerate(cases, 1):
        args = copy.deepcopy(tuple(case))
        try:
            got = _quietly(fn, *args)
        except NotImplementedError:
            return None, _not_attempted(what)
        except Exception as exc:  # noqa: BLE001  (the learner's bug, reported rather than raised)
            return None, _raised(exc, what, i)
        if got is None:
            return None, _returned_none(what)
        if got is Ellipsis:
            return None, _not_attempted(what)
        changed = [
            k
            for k, (a, b) in enumerate(zip(args, case, strict=True))
            if not _same(a, b)
        ]
        if changed:
            return None, Feedback(
                "fail",
                f"{what} changed its input number {changed[0] + 1} (test case "
                f"{i}). {_LEAVE_INPUTS}",
                "mutates its input",
            )
        outputs.append(got)
    return outputs, None


_LEAVE_INPUTS = (
    "A backward pass must leave its inputs alone: the upstream gradient and the cached "
    "values may still be needed by another branch of the graph. Work on a copy "
    "(`g = dout.copy()`) or build a new array (`dout * mask`)."
)


def _backward_words(fb: Feedback) -> Feedback:
    """The core's message for a changed input speaks of `theta`; say it for a backward
    pass."""
    if fb.mistake == "mutates its input":
        first = fb.message.split(". ", 1)[0]
        return Feedback("fail", f"{first}. {_LEAVE_INPUTS}", fb.mistake)
    return fb


def _check_parts(
    fn: Callable,
    reference: Callable,
    cases: Sequence[tuple],
    mistakes: Sequence[Mistake],
    names: Sequence[str],
    shapes: Sequence[str],
    what: str,
    shape_error: Callable[[Feedback], Feedback] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> Feedback:
    """Judge a function that returns several arrays (``names``), one part at a time.

    Each mistake's ``compute`` returns the whole tuple a buggy answer would give. At the
    first part that disagrees with the reference, a mistake is named only if it
    reproduces that part and every part before it (which were right) on every case.
    """
    outputs, fb = _run(fn, cases, what)
    if fb is not None:
        return shape_error(fb) if shape_error else fb
    want_form = "(" + ", ".join(names) + ")"
    for i, out in enumerate(outputs, 1):
        if not isinstance(out, (tuple, list)) or len(out) != len(names):
            got = (
                f"a {type(out).__name__} of length {len(out)}"
                if isinstance(out, (tuple, list))
                else f"a `{type(out).__name__}`"
            )
            return Feedback(
                "fail",
                f"Return the {len(names)} gradients together, as the tuple "
                f"`{want_form}`; got {got} (test case {i}).",
                "not a tuple",
            )
    wants = [reference(*copy.deepcopy(tuple(case))) for case in cases]
    for j, (name, shape) in enumerate(zip(names, shapes, strict=True)):
        if all(
            _close(o[j], w[j], rtol, atol) for o, w in zip(outputs, wants, strict=True)
        ):
            continue
        for m in mistakes:
            try:
                models = [m.compute(*copy.deepcopy(tuple(c))) for c in cases]
                if all(
                    _close(o[p], mo[p], rtol, atol)
                    for o, mo in zip(outputs, models, strict=True)
                    for p in range(j + 1)
                ):
                    return Feedback("fail", f"`{name}`: {m.hint}", m.name)
            # noqa: BLE001  (a mistake model that does not apply here)
            except Exception:
                pass
        i, got, want = next(
            (i, o[j], w[j])
            for i, (o, w) in enumerate(zip(outputs, wants, strict=True), 1)
            if not _close(o[j], w[j], rtol, atol)
        )
        g = _as_numbers(got)
        if g is None:
            return Feedback(
                "fail",
                f"Test case {i}: `{name}` should be an array of numbers; got a "
                f"`{type(got).__name__}`.",
                "not numbers",
            )
        if g.shape != want.shape:
            turned = (
                " That is the transposed shape: a transpose is missing or one too many."
                if (g.shape == want.shape[::-1])
                else ""
            )
            return Feedback(
                "fail",
                f"Test case {i}: `{name}` must have the shape of the variable it "
                f"belongs to, {shape} = `{want.shape}`; got `{g.shape}`.{turned}",
                "shape",
            )
        if not np.all(np.isfinite(g)):
            return Feedback(
                "fail", f"Test case {i}: `{name}` contains NaN or inf.", "not finite"
            )
        rel = _relative_difference(g, np.asarray(want, dtype=float))
        return Feedback(
            "fail",
            f"Test case {i}: `{name}` differs from the reference by up to {rel:.1e} "
            f"relative to its size (tolerance: rtol={rtol:g}, atol={atol:g}).",
        )
    return Feedback(
        "pass",
        f"{', '.join(f'`{n}`' for n in names)} agree with the reference on all "
        f"{len(cases)} test cases (tolerance: rtol={rtol:g}, atol={atol:g}).",
    )


def _is_shape_error(fb: Feedback) -> bool:
    return (
        fb.mistake == "raised an exception"
        and "ValueError" in fb.message
        and any(w in fb.message for w in _SHAPE_WORDS)
    )


# --- exercise 1: backward pass of a Linear layer --------------------------------------


def _linear_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(4)
    cases = []
    for n, d, k in [(5, 3, 2), (7, 4, 6), (6, 2, 3)]:
        X = rng.standard_normal((n, d))
        W = rng.standard_normal((d, k))
        dout = rng.standard_normal((n, k))
        cases.append((dout, X, W))
    return cases


def _linear(dX=None, dW=None, db=None):
    """The reference triple with some parts replaced by a buggy formula ``(dout, X, W)
    -> part``."""

    def grads(dout, X, W):
        ref = nn.linear_backward(dout, X, W)
        return tuple(
            ref[i] if f is None else f(dout, X, W) for i, f in enumerate((dX, dW, db))
        )

    return grads


_LINEAR_TRANSPOSE = (
    "A matrix product failed on its shapes: that is almost always a missing transpose."
    " Match the shapes: `dX` has the shape of `X`, `(n, d)`, and `dW` the shape of `W`,"
    " `(d, k)`; so `dX = dout @ W.T`, `(n, k)` times `(k, d)`, and `dW = X.T @ dout`,"
    " `(d, n)` times `(n, k)`."
)

_LINEAR_MISTAKES = [
    Mistake(
        "transposed result",
        _linear(dX=lambda dout, X, W: (dout @ W.T).T),
        "it has the shape of `X`, `(n, d)`; you returned its transpose `(d, n)`: `dX ="
        " dout @ W.T`.",
    ),
    Mistake(
        "missing transpose",
        _linear(dW=lambda dout, X, W: dout.T @ X),
        "missing transpose: `dW = X.T @ dout` has the shape of `W`, `(d, k)`; `dout.T @"
        " X` is its transpose `(k, d)`.",
    ),
    Mistake(
        "forgot accumulation",
        _linear(dW=lambda dout, X, W: np.outer(X[-1], dout[-1])),
        "only the last sample counts. Every sample uses the same `W`, so the per-sample"
        " gradients `np.outer(X[i], dout[i])` must be summed (`dW += ...`, or `X.T @"
        " dout` at once), not overwritten (`dW = ...`).",
    ),
    Mistake(
        "averaged over the batch",
        _linear(dW=lambda dout, X, W: X.T @ dout / len(X)),
        "divided by n. The upstream gradient `dout` already carries the $\\frac1n$ of a"
        " mean loss, so `dW = X.T @ dout` with no extra division.",
    ),
    Mistake(
        "not summed over the batch",
        _linear(db=lambda dout, X, W: dout),
        "it must have the shape of `b`, `(k,)`: sum `dout` over the batch axis,"
        " `dout.sum(axis=0)`. Every sample uses the same `b`, so their gradients"
        " add up.",
    ),
    Mistake(
        "forgot accumulation",
        _linear(db=lambda dout, X, W: dout[-1]),
        "only the last sample counts. Every sample uses the same `b`, so the gradients"
        " must be summed over the batch (`db += dout[i]`, or `dout.sum(axis=0)`), not"
        " overwritten.",
    ),
    Mistake(
        "averaged over the batch",
        _linear(db=lambda dout, X, W: dout.mean(axis=0)),
        "use the sum over the batch, not the mean: `dout` already carries the"
        " $\\frac1n$ of the loss.",
    ),
    Mistake(
        "summed over the wrong axis",
        _linear(db=lambda dout, X, W: dout.sum(axis=1)),
        "summed over the wrong axis: the batch is axis 0, so `db = dout.sum(axis=0)`,"
        " shape `(k,)`.",
    ),
    Mistake(
        "summed everything",
        _linear(db=lambda dout, X, W: np.sum(dout)),
        "you summed over both axes: `db` has one entry per output, `dout.sum(axis=0)`.",
    ),
    Mistake(
        "batch axis kept",
        _linear(db=lambda dout, X, W: dout.sum(axis=0, keepdims=True)),
        "right numbers, but of shape `(1, k)`: `b` has shape `(k,)`, so drop"
        " `keepdims=True`.",
    ),
]


def _linear_shape_error(fb: Feedback) -> Feedback:
    if _is_shape_error(fb):
        return Feedback(
            "fail", f"{fb.message} {_LINEAR_TRANSPOSE}", "missing transpose"
        )
    return fb


def check_linear_backward(fn: Callable) -> Feedback:
    """Check ``fn(dout, X, W)`` -> ``(dX, dW, db)`` for the layer out = X @ W + b.

    >>> check_linear_backward(nn.linear_backward).passed
    True
    >>> check_linear_backward(
    ...     lambda dout, X, W: (dout @ W.T, dout.T @ X, dout.sum(0))
    ... ).mistake
    'missing transpose'
    """
    return _check_parts(
        fn,
        nn.linear_backward,
        _linear_cases(),
        _LINEAR_MISTAKES,
        ("dX", "dW", "db"),
        ("X", "W", "b"),
        "`my_linear_backward`",
        _linear_shape_error,
    )


# --- exercise 2: backward pass of a ReLU ----------------------------------------------


def _relu_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(5)
    cases = []
    for shape in [(4, 3), (6, 5), (3, 2)]:
        z = rng.standard_normal(shape)
        z[np.abs(z) < 0.05] = (
            0.5  # stay away from the kink at 0, where conventions differ
        )
        dout = 2.0 * rng.standard_normal(shape)
        cases.append((dout, z))
    return cases


_RELU_MISTAKES = [
    Mistake(
        "mask from the gradient",
        lambda dout, z: np.maximum(dout, 0.0),
        "You applied the ReLU to the upstream gradient. The mask comes from the layer's"
        " input `z`: pass `dout` where `z > 0` and 0 where `z <= 0`; negative gradients"
        " pass too.",
    ),
    Mistake(
        "mask from the gradient",
        lambda dout, z: dout * (dout > 0),
        "Your mask comes from the upstream gradient. It comes from the layer's input"
        " `z`: `dout * (z > 0)`; a negative `dout` at an active unit passes unchanged.",
    ),
    Mistake(
        "mask reversed",
        lambda dout, z: dout * (z < 0),
        "The mask is reversed: the gradient flows where `z > 0` (the unit was active),"
        " not where `z < 0`.",
    ),
    Mistake(
        "forgot the upstream gradient",
        lambda dout, z: (z > 0).astype(float),
        "That is the ReLU's local derivative alone. The chain rule multiplies it by the"
        " upstream gradient: `dout * (z > 0)`.",
    ),
    Mistake(
        "multiplied by the activation",
        lambda dout, z: dout * np.maximum(z, 0.0),
        "You multiplied by `relu(z)`, the forward value. The local derivative is 1"
        " where `z > 0` and 0 elsewhere: `dout * (z > 0)`.",
    ),
    Mistake(
        "no gating",
        lambda dout, z: dout,
        "You passed the gradient through unchanged, as if there were no ReLU. Units"
        " that were off (`z <= 0`) get zero gradient: `dout * (z > 0)`.",
    ),
    Mistake(
        "returned the forward pass",
        lambda dout, z: np.maximum(z, 0.0),
        "That is the forward pass `relu(z)`. The backward pass returns the gradient"
        " with respect to `z`: `dout * (z > 0)`.",
    ),
]


def check_relu_backward(fn: Callable) -> Feedback:
    """Check ``fn(dout, z)`` -> dL/dz for h = relu(z), given dout = dL/dh.

    >>> check_relu_backward(nn.relu_backward).passed
    True
    >>> check_relu_backward(lambda dout, z: np.maximum(dout, 0)).mistake
    'mask from the gradient'
    """
    return _backward_words(
        check_function(
            fn,
            nn.relu_backward,
            _relu_cases(),
            _RELU_MISTAKES,
            what="`my_relu_backward`",
        )
    )


# --- exercise 3: a value used twice: its gradients add --------------------------------


def used_twice_grad(x: float, y: float) -> tuple[float, float]:
    """Gradient of f = a * exp(a) with a = x * y (a feeds two places), by the chain
    rule.

    df/da = exp(a) + a exp(a) (the two paths add); df/dx = df/da * y, df/dy = df/da * x.

    >>> used_twice_grad(1.0, 0.0)  # a = 0: df/da = 1
    (0.0, 1.0)
    """
    a = x * y
    b = math.exp(a)
    da = b + a * b
    return da * y, da * x


def _twice_variant(
    da_of: Callable, outputs: Callable = lambda da, x, y: (da * y, da * x)
) -> Callable:
    def grads(x, y):
        a = x * y
        return outputs(da_of(a, math.exp(a)), x, y)

    return grads


_USED_TWICE_CASES = [(0.5, -1.2), (1.0, 0.3), (-0.7, 0.8), (1.5, 0.9)]

_USED_TWICE_MISTAKES = [
    Mistake(
        "forgot accumulation",
        _twice_variant(lambda a, b: b),
        "Only the direct path counts: `a` feeds `f` twice (directly, and through `b ="
        " exp(a)`), so its adjoint is the SUM of both contributions, `a_bar = b + a *"
        " b` (`+=`, not `=`).",
    ),
    Mistake(
        "forgot accumulation (other path)",
        _twice_variant(lambda a, b: a * b),
        "Only the path through `b = exp(a)` counts: `a` is also used directly in `f = a"
        " * b`, so the two contributions add: `a_bar = b + a * b`. An adjoint"
        " overwritten instead of accumulated loses one of them.",
    ),
    Mistake(
        "local derivative of exp missing",
        _twice_variant(lambda a, b: b + a),
        "The path through `b = exp(a)` passes `b_bar` times the local derivative"
        " `exp(a) = b` back to `a`: the second contribution is `a * b`, not `a`.",
    ),
    Mistake(
        "stopped at a",
        _twice_variant(lambda a, b: b + a * b, lambda da, x, y: (da, da)),
        "You returned the adjoint of `a` twice. One more step of the chain rule: `a = x"
        " * y` gives `x_bar = a_bar * y` and `y_bar = a_bar * x`.",
    ),
    Mistake(
        "swapped inputs",
        lambda x, y: used_twice_grad(x, y)[::-1],
        "The two derivatives are swapped: since `a = x * y`, the local derivative with"
        " respect to `x` is `y`, and with respect to `y` it is `x`.",
    ),
]


def check_used_twice(fn: Callable) -> Feedback:
    """Check ``fn(x, y)`` -> (df/dx, df/dy) for a = x * y, b = exp(a), f = a * b.

    >>> check_used_twice(used_twice_grad).passed
    True
    >>> check_used_twice(lambda x, y: (np.exp(x * y) * y, np.exp(x * y) * x)).mistake
    'forgot accumulation'
    """
    return check_function(
        fn,
        used_twice_grad,
        _USED_TWICE_CASES,
        _USED_TWICE_MISTAKES,
        what="`grad_used_twice`",
    )


# --- exercise 4: logistic regression gradient with L2 ---------------------------------


def _logistic_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(6)
    cases = []
    for n, d, l2 in [(9, 3, 0.1), (12, 2, 0.05), (7, 4, 0.3)]:
        X = rng.standard_normal((n, d))
        y = rng.integers(0, 2, n).astype(float)
        theta = rng.standard_normal(d + 1)
        cases.append((theta, X, y, l2))
    return cases


def _logistic_variant(
    *,
    sign=1.0,
    l2_factor=2.0,
    penalise_bias=False,
    mean=True,
    link=losses.sigmoid,
    penalty_over_n=False,
    bias_first=False,
):
    def grad(theta, X, y, l2):
        A = np.column_stack([np.ones(len(X)), X]) if bias_first else add_bias(X)
        g = sign * A.T @ (link(A @ theta) - y)
        if mean:
            g = g / len(y)
        weights = (
            slice(1, None) if bias_first else slice(None, None if penalise_bias else -1)
        )
        g[weights] += (
            l2_factor * l2 * theta[weights] / (len(y) if penalty_over_n else 1)
        )
        return g

    return grad


_LOGISTIC_MISTAKES = [
    Mistake(
        "forgot the L2 term",
        lambda t, X, y, l2: losses.cross_entropy_grad(t, X, y),
        "The penalty $\\text{l2}\\,\\Vert w\\Vert^2$ is part of the loss: add its"
        " gradient `2 * l2 * w` to the weights.",
    ),
    Mistake(
        "L2 without the 2",
        _logistic_variant(l2_factor=1.0),
        "The derivative of $\\text{l2}\\,\\Vert w\\Vert^2$ is `2 * l2 * w`: the factor"
        " 2 is missing.",
    ),
    Mistake(
        "penalised the bias",
        _logistic_variant(penalise_bias=True),
        "The bias is not penalised (only the weights are): leave the last entry out of"
        " the L2 term.",
    ),
    Mistake(
        "wrong sign",
        _logistic_variant(sign=-1.0),
        "Wrong sign in the data term: it is `X.T @ (p - y) / n`, not `X.T @ (y - p)"
        " / n`.",
    ),
    Mistake(
        "sum instead of mean",
        _logistic_variant(mean=False),
        "The loss is a mean over the n samples: divide `X.T @ (p - y)` by `n ="
        " len(y)`.",
    ),
    Mistake(
        "forgot the sigmoid",
        _logistic_variant(link=lambda z: z),
        "You used the logit `z = X @ w + b` where the probability `p = sigmoid(z)`"
        " belongs: the data term is `X.T @ (sigmoid(z) - y) / n`.",
    ),
    Mistake(
        "penalty divided by n",
        _logistic_variant(penalty_over_n=True),
        "The penalty is not part of the mean over samples: add `2 * l2 * w` as it is,"
        " not divided by n.",
    ),
    Mistake(
        "bias first",
        _logistic_variant(bias_first=True),
        "You treated `theta[0]` as the bias: in `gdutils` the weights come first and"
        " the bias LAST, `w, b = theta[:-1], theta[-1]`.",
    ),
    Mistake(
        "bias gradient missing",
        lambda t, X, y, l2: losses.cross_entropy_grad(t, X, y, l2)[:-1],
        "You returned d entries; `theta` has d + 1 (the bias is last). The bias's"
        " gradient is `(p - y).sum() / n`.",
    ),
]


def check_logistic_grad(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y, l2)`` -> gradient of mean cross-entropy + l2 * ||w||^2
    (bias last, not penalised).

    >>> check_logistic_grad(losses.cross_entropy_grad).passed
    True
    >>> check_logistic_grad(
    ...     lambda t, X, y, l2: losses.cross_entropy_grad(t, X, y)
    ... ).mistake
    'forgot the L2 term'
    """
    return check_function(
        fn,
        losses.cross_entropy_grad,
        _logistic_cases(),
        _LOGISTIC_MISTAKES,
        what="`logistic_grad`",
    )


# --- exercise 5 (transfer): the backward pass of a tanh layer -------------------------


def tanh_layer_backward(dH, X, W, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients ``(dX, dW, db)`` of the layer H = tanh(X @ W + b), given dH = dL/dH.

    The local derivative of tanh is 1 - tanh(z)^2 = 1 - H^2; then the Linear layer's
    rules.

    >>> dX, dW, db = tanh_layer_backward(
    ...     np.ones((2, 1)), np.zeros((2, 3)), np.ones((3, 1)), np.zeros(1)
    ... )
    >>> dX.shape, dW.shape, db
    ((2, 3), (3, 1), array([2.]))
    """
    H = np.tanh(X @ W + b)
    return nn.linear_backward(dH * (1 - H**2), X, W)


def _tanh_cases():
    rng = np.random.default_rng(7)
    cases = []
    for n, d, k in [(5, 3, 2), (7, 4, 6), (6, 2, 3)]:
        X = rng.standard_normal((n, d))
        W = rng.standard_normal((d, k)) / np.sqrt(d)
        b = 0.5 * rng.standard_normal(k)
        dH = rng.standard_normal((n, k))
        cases.append((dH, X, W, b))
    return cases


def _tanh_local(local: Callable) -> Callable:
    """The layer's triple with the local derivative ``local(Z)`` in place of ``1 -
    tanh(Z)**2``."""

    def grads(dH, X, W, b):
        return nn.linear_backward(dH * local(X @ W + b), X, W)

    return grads


def _tanh_partly(dW_plain=False, db_plain=False, dX_plain=False):
    """The local derivative applied only to some of the three gradients."""

    def grads(dH, X, W, b):
        right = tanh_layer_backward(dH, X, W, b)
        plain = nn.linear_backward(dH, X, W)
        return tuple(
            p if skip else r
            for r, p, skip in zip(
                right, plain, (dX_plain, dW_plain, db_plain), strict=True
            )
        )

    return grads


_TANH_MISTAKES = [
    Mistake(
        "forgot the tanh derivative",
        _tanh_local(np.ones_like),
        "the layer was treated as if it were Linear alone. The chain rule first passes"
        " `dH` through tanh: `dZ = dH * (1 - H ** 2)` with `H = np.tanh(X @ W + b)`,"
        " then the Linear layer's rules use `dZ`.",
    ),
    Mistake(
        "derivative at z instead of tanh(z)",
        _tanh_local(lambda Z: 1 - Z**2),
        "you used `1 - Z ** 2` with the pre-activation `Z = X @ W + b`. The derivative"
        " of tanh is `1 - np.tanh(Z) ** 2`, that is `1 - H ** 2` with the layer's"
        " OUTPUT `H`.",
    ),
    Mistake(
        "tanh applied twice",
        _tanh_local(lambda Z: 1 - np.tanh(np.tanh(Z)) ** 2),
        "you applied tanh to the output `H` once more: the derivative is `1 - H ** 2`"
        " with `H = np.tanh(Z)`, not `1 - np.tanh(H) ** 2`.",
    ),
    Mistake(
        "derivative not squared",
        _tanh_local(lambda Z: 1 - np.tanh(Z)),
        "the derivative of tanh is $1 - \\tanh^2 z$: `1 - H ** 2`, not `1 - H`.",
    ),
    Mistake(
        "sech not squared",
        _tanh_local(lambda Z: 1 / np.cosh(Z)),
        "the derivative of tanh is $\\operatorname{sech}^2 z = 1/\\cosh^2 z$: you used "
        "`1 / np.cosh(Z)`, the square is missing.",
    ),
    Mistake(
        "wrong sign",
        _tanh_local(lambda Z: np.tanh(Z) ** 2 - 1),
        "wrong sign: tanh is increasing, its derivative `1 - H ** 2` is positive.",
    ),
    Mistake(
        "ReLU mask",
        _tanh_local(lambda Z: (Z > 0).astype(float)),
        "that is the ReLU's local derivative, the mask `Z > 0`. This layer is a tanh:"
        " its local derivative is `1 - np.tanh(Z) ** 2`, nowhere zero.",
    ),
    Mistake(
        "multiplied by the activation",
        _tanh_local(np.tanh),
        "you multiplied by the forward value `H = np.tanh(Z)`. The local derivative is"
        " `1 - H ** 2`.",
    ),
    Mistake(
        "derivative only in dX",
        _tanh_partly(dW_plain=True, db_plain=True),
        "right for `dX`, but `dW` and `db` skipped the tanh: compute `dZ = dH * (1 - H"
        " ** 2)` once and use it for all three, `dW = X.T @ dZ` and `db ="
        " dZ.sum(axis=0)`.",
    ),
    Mistake(
        "derivative only in dX",
        _tanh_partly(db_plain=True),
        "`db` skipped the tanh: it is `dZ.sum(axis=0)` with `dZ = dH * (1 - H ** 2)`,"
        " not `dH.sum(axis=0)`.",
    ),
    Mistake(
        "derivative only in dX",
        _tanh_partly(dW_plain=True),
        "`dW` skipped the tanh: it is `X.T @ dZ` with `dZ = dH * (1 - H ** 2)`, not"
        " `X.T @ dH`.",
    ),
    Mistake(
        "transposed result",
        lambda *c: (tanh_layer_backward(*c)[0].T,) + tanh_layer_backward(*c)[1:],
        "it has the shape of `X`, `(n, d)`; you returned its transpose: `dX = dZ @"
        " W.T`.",
    ),
    Mistake(
        "missing transpose",
        lambda *c: (
            tanh_layer_backward(*c)[0],
            tanh_layer_backward(*c)[1].T,
            tanh_layer_backward(*c)[2],
        ),
        "missing transpose: `dW = X.T @ dZ` has the shape of `W`, `(d, k)`; `dZ.T @ X`"
        " is its transpose.",
    ),
    Mistake(
        "averaged over the batch",
        lambda *c: (lambda g: (g[0], g[1] / len(c[1]), g[2] / len(c[1])))(
            tanh_layer_backward(*c)
        ),
        "divided by n: `dH` already carries the $\\frac1n$ of a mean loss, so `dW = X.T"
        " @ dZ` and `db = dZ.sum(axis=0)` with no extra division.",
    ),
    Mistake(
        "averaged over the batch",
        lambda *c: (lambda g: (g[0], g[1], g[2] / len(c[1])))(tanh_layer_backward(*c)),
        "use the sum over the batch, not the mean: `db = dZ.sum(axis=0)`.",
    ),
    Mistake(
        "not summed over the batch",
        lambda *c: (
            lambda g: (g[0], g[1], c[0] * (1 - np.tanh(c[1] @ c[2] + c[3]) ** 2))
        )(tanh_layer_backward(*c)),
        "it must have the shape of `b`, `(k,)`: sum `dZ` over the batch axis,"
        " `dZ.sum(axis=0)`.",
    ),
]


def _tanh_shape_error(fb: Feedback) -> Feedback:
    if _is_shape_error(fb):
        return Feedback(
            "fail",
            f"{fb.message} The shapes do not fit. Go through the layer backwards, one"
            " step at a time: first the tanh, `dZ = dH * (1 - H ** 2)`, elementwise,"
            " of shape `(n, k)` like `dH`; then the Linear layer, `dX = dZ @ W.T` `(n,"
            " d)`, `dW = X.T @ dZ` `(d, k)`, `db = dZ.sum(axis=0)` `(k,)`.",
            "shape mismatch",
        )
    return fb


def check_tanh_layer_backward(fn: Callable) -> Feedback:
    """Check ``fn(dH, X, W, b)`` -> ``(dX, dW, db)`` for the layer H = tanh(X @ W + b).

    >>> check_tanh_layer_backward(tanh_layer_backward).passed
    True
    >>> check_tanh_layer_backward(
    ...     lambda dH, X, W, b: nn.linear_backward(dH, X, W)
    ... ).mistake
    'forgot the tanh derivative'
    """
    return _check_parts(
        fn,
        tanh_layer_backward,
        _tanh_cases(),
        _TANH_MISTAKES,
        ("dX", "dW", "db"),
        ("X", "W", "b"),
        "`tanh_layer_backward`",
        _tanh_shape_error,
    )


# --- exercise 6 (transfer): softmax and cross-entropy, backward -----------------------


def softmax_ce_backward(Z, y) -> np.ndarray:
    """dL/dZ of the mean cross-entropy L = -(1/n) sum_i log softmax(Z)_{i, y_i}: (P - Y)
    / n.

    >>> softmax_ce_backward(np.zeros((2, 4)), np.array([1, 3]))[0]
    array([ 0.125, -0.375,  0.125,  0.125])
    """
    return multiclass.softmax_cross_entropy(Z, y)[1]


def _softmax_cases():
    rng = np.random.default_rng(8)
    cases = []
    for n, k, scale in [(6, 4, 1.5), (9, 3, 2.0), (5, 7, 1.0)]:
        Z = scale * rng.standard_normal((n, k))
        y = rng.integers(0, k, n)
        cases.append((Z, y))
    Z = rng.standard_normal((8, 5))
    Z[:4] *= 600.0  # logits of a confident network: exp(z) overflows beyond 709
    Z[4:] = -900.0 + Z[4:]  # and all-negative ones: exp(z) underflows to 0
    cases.append((Z, rng.integers(0, 5, 8)))
    return cases


def _probs(Z, axis=1):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _onehot(Z, y):
    Y = np.zeros(np.shape(Z))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def _columns_hit(Z, y):
    """What `P[:, y] -= 1` does: 1 subtracted from every row of each column that is some
    label."""
    M = np.zeros(np.shape(Z))
    M[:, np.unique(y)] = 1.0
    return M


_SOFTMAX_MISTAKES = [
    Mistake(
        "sum instead of mean",
        lambda Z, y: softmax_ce_backward(Z, y) * len(y),
        "Off by a factor of n: the loss is a MEAN over the n samples, so the gradient"
        " is `(P - Y) / n`.",
    ),
    Mistake(
        "softmax over the batch axis",
        lambda Z, y: (_probs(Z, axis=0) - _onehot(Z, y)) / len(y),
        "Your softmax normalises each COLUMN (over the batch, `axis=0`). Each sample's"
        " probabilities are its row: `exp(Z)` divided by `exp(Z).sum(axis=1,"
        " keepdims=True)`, after subtracting the row maximum.",
    ),
    Mistake(
        "forgot the target",
        lambda Z, y: _probs(Z) / len(y),
        "That is `P / n`: the one-hot targets are missing. The gradient of the"
        " cross-entropy with respect to the logits is `(P - Y) / n`: subtract 1 at each"
        " sample's true class.",
    ),
    Mistake(
        "wrong sign",
        lambda Z, y: -softmax_ce_backward(Z, y),
        "Right size, wrong sign: the gradient is `(P - Y) / n`, not `(Y - P) / n`. With"
        " this sign gradient descent would make the true classes less likely.",
    ),
    Mistake(
        "elementwise softmax derivative",
        lambda Z, y: -_onehot(Z, y) * (1 - _probs(Z)) / len(y),
        "Only the true class's logit got a gradient: you treated softmax as if each"
        " probability depended on its own logit only (the derivative `p * (1 - p)` of a"
        " sigmoid). But every logit of a row moves every probability of that row: the"
        " wrong classes' logits get `p / n` too. The full chain rule gives `(P - Y)"
        " / n`.",
    ),
    Mistake(
        "whole columns indexed",
        lambda Z, y: (_probs(Z) - _columns_hit(Z, y)) / len(y),
        "`P[:, y] -= 1` subtracts 1 from whole COLUMNS (every sample, each class that"
        " appears in `y`). Pick one entry per row: `P[np.arange(n), y] -= 1`.",
    ),
    Mistake(
        "sigmoid instead of softmax",
        lambda Z, y: (expit(Z) - _onehot(Z, y)) / len(y),
        "You used the sigmoid of each logit: those probabilities do not sum to 1 over"
        " the classes. Softmax divides `exp(Z)` by its row sum.",
    ),
]


def check_softmax_ce_backward(fn: Callable) -> Feedback:
    """Check ``fn(Z, y)`` -> dL/dZ, shape (n, k), for the mean softmax cross-entropy of
    integer labels ``y``.

    >>> check_softmax_ce_backward(softmax_ce_backward).passed
    True
    >>> check_softmax_ce_backward(
    ...     lambda Z, y: softmax_ce_backward(Z, y) * len(y)
    ... ).mistake
    'sum instead of mean'
    """
    what = "`softmax_ce_backward`"
    if not callable(fn):
        return check_function(fn, softmax_ce_backward, [], what=what)
    quiet = lambda *args: _quietly(fn, *args)  # noqa: E731
    cases = _softmax_cases()
    fb = check_function(quiet, softmax_ce_backward, cases, _SOFTMAX_MISTAKES, what=what)
    if fb.status != "fail" or (fb.mistake not in (None, "not finite")):
        return _backward_words(fb)
    moderate = check_function(
        quiet, softmax_ce_backward, cases[:-1], _SOFTMAX_MISTAKES, what=what
    )
    try:
        last = np.asarray(quiet(*copy.deepcopy(cases[-1])), dtype=float)
        blew_up = not np.all(np.isfinite(last))
    except Exception:  # noqa: BLE001
        blew_up = False
    if blew_up and moderate.passed:
        return Feedback(
            "fail",
            "Right on moderate logits, but NaN or inf on test case 4, whose logits"
            " reach several hundred: `np.exp(800)` overflows to inf, and `np.exp(-900)`"
            " underflows to 0 (then 0/0). Softmax does not change when a constant is"
            " subtracted from a row, so subtract each row's maximum first: `np.exp(Z -"
            " Z.max(axis=1, keepdims=True))`.",
            "overflow",
        )
    if blew_up and moderate.mistake is not None:
        return _backward_words(moderate)
    return _backward_words(fb)


# --- the exercises --------------------------------------------------------------------

linear = Exercise(
    "ch04.linear",
    "ch04-ex-linear",
    check_linear_backward,
    hints=[
        (
            "Every gradient has the shape of its variable: `dX` is `(n, d)` like `X`,"
            " `dW` is `(d, k)` like `W`, `db` is `(k,)` like `b`. Write down the shapes"
            " of `dout`, `X` and `W` and find the one product that gives each."
        ),
        (
            "Every sample uses the same `W` and `b`, so their per-sample gradients add"
            " up: `X.T @ dout` is that sum for `W` in one product, and `db` is the sum"
            " of `dout` over the batch axis 0."
        ),
        (
            "`dX = dout @ W.T`, `dW = X.T @ dout`, `db = dout.sum(axis=0)`, and `return"
            " dX, dW, db`."
        ),
    ],
    solution_code="""\
def my_linear_backward(dout, X, W):
    dX = dout @ W.T  # (n, k) @ (k, d) -> (n, d), the shape of X
    # (d, n) @ (n, k) -> (d, k): the sum over samples of outer(x_i, dout_i)
    dW = (
        X.T @ dout
    )
    db = dout.sum(axis=0)  # (k,): every sample uses the same b, so their gradients add
    return dX, dW, db


# checked against central differences of L = sum(G * (X W + b)) for a random upstream
# gradient G
gen = gdu.book_rng("ch04-ex-linear")
X_ex, W_ex, G_ex = (
    gen.standard_normal((6, 3)),
    gen.standard_normal((3, 2)),
    gen.standard_normal((6, 2)),
)
dX_ex, dW_ex, _ = my_linear_backward(G_ex, X_ex, W_ex)
fd_W = gdu.numerical_gradient(
    lambda w: np.sum(G_ex * (X_ex @ w.reshape(3, 2))), W_ex.ravel()
)
fd_X = gdu.numerical_gradient(
    lambda x: np.sum(G_ex * (x.reshape(6, 3) @ W_ex)), X_ex.ravel()
)
print(
    "relative errors against central differences: dW"
    f" {gdu.relative_error(dW_ex.ravel(), fd_W):.1e}, dX"
    f" {gdu.relative_error(dX_ex.ravel(), fd_X):.1e}"
)
assert (
    gdu.relative_error(dW_ex.ravel(), fd_W) < 1e-7
    and gdu.relative_error(dX_ex.ravel(), fd_X) < 1e-7
)
""",
    check_args="my_linear_backward",
)

relu = Exercise(
    "ch04.relu",
    "ch04-ex-relu",
    check_relu_backward,
    hints=[
        (
            "The local derivative of $\\max(z, 0)$ is 1 where $z > 0$ and 0 where $z <"
            " 0$; the chain rule multiplies it, entry by entry, with the upstream"
            " gradient."
        ),
        (
            "The mask comes from the layer's INPUT `Z`, not from `dout`: a negative"
            " upstream gradient at an active unit passes unchanged. Build a new array"
            " rather than editing `dout` in place."
        ),
        "`return dout * (Z > 0)` (or `np.where(Z > 0, dout, 0.0)`).",
    ],
    solution_code="""\
def my_relu_backward(dout, Z):
    return dout * (Z > 0)  # the mask from the input Z; dout passes, whatever its sign


# a negative upstream gradient at an active unit passes unchanged; an inactive unit gets
# 0
print(my_relu_backward(np.array([[-2.0, 3.0]]), np.array([[0.5, -0.5]])))
assert np.array_equal(
    my_relu_backward(np.array([[-2.0, 3.0]]), np.array([[0.5, -0.5]])), [[-2.0, 0.0]]
)
""",
    check_args="my_relu_backward",
)

twice = Exercise(
    "ch04.twice",
    "ch04-ex-twice",
    check_used_twice,
    hints=[
        (
            "Forward first: `a = x * y`, `b = math.exp(a)`, `f = a * b`. Then adjoints"
            " from `f_bar = 1`: `f = a * b` gives `b_bar = a` and a first contribution"
            " `b` to `a_bar`."
        ),
        (
            "The node `b = exp(a)` passes `b_bar` times its local derivative `exp(a) ="
            " b` back to `a`: a SECOND contribution, added with `a_bar += ...`. Then `a"
            " = x * y` gives `x_bar` and `y_bar`."
        ),
        "`a_bar = b`, `a_bar += b_bar * b`, then `return a_bar * y, a_bar * x`.",
    ],
    solution_code="""\
import math


def grad_used_twice(x, y):
    # forward
    a = x * y
    b = math.exp(a)
    # backward, from f_bar = 1
    b_bar = a  # f = a * b  -> df/db = a
    a_bar = b  # f = a * b  -> df/da = b        (first use of a)
    a_bar += b_bar * b  # b = exp(a) -> db/da = exp(a)   (second use of a: ADD)
    return a_bar * y, a_bar * x


point = np.array([0.8, -0.6])
fd_twice = gdu.numerical_gradient(lambda v: v[0] * v[1] * math.exp(v[0] * v[1]), point)
print(
    "relative error against central differences:"
    f" {gdu.relative_error(grad_used_twice(*point), fd_twice):.1e}"
)
assert gdu.relative_error(grad_used_twice(*point), fd_twice) < 1e-8
""",
    check_args="grad_used_twice",
)

logistic = Exercise(
    "ch04.logistic",
    "ch04-ex-logistic",
    check_logistic_grad,
    hints=[
        (
            "Split `theta` into `w, b = theta[:-1], theta[-1]` and compute `p ="
            " gdu.sigmoid(X @ w + b)`. Backward through the logistic head, the adjoint"
            " of the logits is `(p - y) / n`."
        ),
        (
            "Through the Linear layer, the weights get `X.T @ z_bar` and the bias"
            " `z_bar.sum()`. The weights also feed the penalty: its gradient `2 * l2 *"
            " w` ADDS to theirs; the bias gets none."
        ),
        (
            "`z_bar = (p - y) / len(y)`, then `return np.append(X.T @ z_bar + 2 * l2 *"
            " w, z_bar.sum())`."
        ),
    ],
    solution_code="""\
def logistic_grad(theta, X, y, l2):
    w, b = theta[:-1], theta[-1]  # weights first, bias last
    p = gdu.sigmoid(X @ w + b)
    z_bar = (p - y) / len(y)  # backward through the logistic head
    # the penalty adds to the weights only
    return np.append(
        X.T @ z_bar + 2 * l2 * w, z_bar.sum()
    )


gen = gdu.book_rng("ch04-ex-logistic")
X_ex, y_ex, t_ex = (
    gen.standard_normal((30, 3)),
    gen.integers(0, 2, 30).astype(float),
    gen.standard_normal(4),
)
err = gdu.check_gradient(gdu.cross_entropy, logistic_grad, t_ex, args=(X_ex, y_ex, 0.1))
print(f"gradient check of logistic_grad: relative error {err:.1e}")
assert err < 1e-7
""",
    check_args="logistic_grad",
)

tanh = Exercise(
    "ch04.tanh",
    "ch04-ex-tanh",
    check_tanh_layer_backward,
    hints=[
        (
            "The layer is two nodes: `Z = X @ W + b`, then `H = np.tanh(Z)`. Backward,"
            " go through them in reverse order: first the tanh, then the Linear layer,"
            " whose rules this chapter derived."
        ),
        (
            "The local derivative of tanh is $1 - \\tanh^2 z$, which is `1 - H ** 2`"
            " with the layer's OUTPUT `H`: so `dZ = dH * (1 - H ** 2)`, elementwise, of"
            " shape `(n, k)`."
        ),
        (
            "`H = np.tanh(X @ W + b)`, `dZ = dH * (1 - H ** 2)`, then "
            "`return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)`."
        ),
    ],
    solution_code="""\
def tanh_layer_backward(dH, X, W, b):
    H = np.tanh(X @ W + b)  # forward again (a real layer would cache H)
    # through the tanh: its derivative is 1 - tanh(z)^2, elementwise
    dZ = dH * (
        1 - H**2
    )
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)  # then the Linear layer's rules


# checked against central differences of L = sum(G * tanh(X W + b)) for a random
# upstream gradient G
gen = gdu.book_rng("ch04-ex-tanh")
X_ex, W_ex, b_ex = (
    gen.standard_normal((7, 3)),
    gen.standard_normal((3, 4)) / 2,
    gen.standard_normal(4) / 2,
)
G_ex = gen.standard_normal((7, 4))
dX_ex, dW_ex, db_ex = tanh_layer_backward(G_ex, X_ex, W_ex, b_ex)
fd = {
    "dX": gdu.numerical_gradient(
        lambda v: np.sum(G_ex * np.tanh(v.reshape(7, 3) @ W_ex + b_ex)), X_ex.ravel()
    ),
    "dW": gdu.numerical_gradient(
        lambda v: np.sum(G_ex * np.tanh(X_ex @ v.reshape(3, 4) + b_ex)), W_ex.ravel()
    ),
    "db": gdu.numerical_gradient(
        lambda v: np.sum(G_ex * np.tanh(X_ex @ W_ex + v)), b_ex
    ),
}
errors = {
    k: gdu.relative_error(g.ravel(), fd[k]) for k, g in zip(fd, (dX_ex, dW_ex, db_ex))
}
print(
    "relative errors against central differences: "
    + ", ".join(f"{k} {e:.1e}" for k, e in errors.items())
)
assert max(errors.values()) < 1e-7
""",
    check_args="tanh_layer_backward",
    transfer=True,
)

softmax = Exercise(
    "ch04.softmax",
    "ch04-ex-softmax",
    check_softmax_ce_backward,
    hints=[
        (
            "Backward through two nodes: the loss of sample i is $-\\log p_{i, y_i}$,"
            " and softmax makes each $p_{ij}$ depend on EVERY logit of row i. The chain"
            " rule over both gives, for one row, $\\partial(-\\log p_{y})/\\partial z_j"
            " = p_j - [j = y]$."
        ),
        (
            "So the gradient of the mean is `(P - Y) / n`, with `P` the row-wise"
            " softmax of `Z` and `Y` the one-hot rows of `y`. Subtract each row's"
            " maximum before `np.exp`, so that large logits do not overflow."
        ),
        (
            "`E = np.exp(Z - Z.max(axis=1, keepdims=True))`, `P = E / E.sum(axis=1,"
            " keepdims=True)`, `P[np.arange(len(y)), y] -= 1`, `return P / len(y)`."
        ),
    ],
    solution_code="""\
def softmax_ce_backward(Z, y):
    n = len(y)
    # the row maximum subtracted: no overflow
    E = np.exp(
        Z - Z.max(axis=1, keepdims=True)
    )
    P = E / E.sum(axis=1, keepdims=True)  # softmax of each ROW (each sample)
    P[np.arange(n), y] -= 1  # minus the one-hot targets: one entry per row
    return P / n  # the loss is a mean over the n samples


# checked against central differences of the mean cross-entropy at random logits
gen = gdu.book_rng("ch04-ex-softmax")
Z_ex, y_ex = gen.standard_normal((6, 4)), gen.integers(0, 4, 6)
ce = lambda z: (
    -np.mean((z - np.log(np.exp(z).sum(axis=1, keepdims=True)))[np.arange(6), y_ex])
)
fd = gdu.numerical_gradient(lambda v: ce(v.reshape(6, 4)), Z_ex.ravel())
err = gdu.relative_error(softmax_ce_backward(Z_ex, y_ex).ravel(), fd)
print(
    f"relative error against central differences: {err:.1e}; each row of the gradient"
    f" sums to {np.abs(softmax_ce_backward(Z_ex, y_ex).sum(axis=1)).max():.0e}"
)
assert err < 1e-7
# confident logits do not overflow
assert np.all(
    np.isfinite(softmax_ce_backward(1000 * Z_ex, y_ex))
)
""",
    check_args="softmax_ce_backward",
    transfer=True,
)
