"""A tiny neural network with a hand-written backward pass: Linear -> ReLU -> Linear.

The building blocks are plain functions (a forward and a backward for each layer, and
two output "heads" that return a loss together with its gradient with respect to the
network's output). :class:`TinyNet` chains them, vectorised over a batch, and offers a
flat parameter view so that the book's optimizers train it unchanged::

    net = TinyNet(d_in=1, hidden=16, rng=0)
    res = minibatch_gd(net.loss, net.get_theta(), (X, y), net.grad, batch_size=32)

Shapes (n samples, d inputs, h hidden units): ``X`` (n, d); ``W1`` (d, h); ``b1`` (h,);
``W2`` (h, 1); ``b2`` (1,); the network's output and the targets ``y`` are (n,).
The flat vector ``theta`` holds ``W1, b1, W2, b2`` in that order, each row-major.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import as_data, as_positive, as_real_array, as_rng
from .losses import sigmoid

__all__ = [
    "linear_forward",
    "linear_backward",
    "relu",
    "relu_backward",
    "mse_head",
    "logistic_head",
    "TinyNet",
]


def _as_matrix(a, name: str, shape: str) -> np.ndarray:
    a = as_real_array(a, name)
    if a.ndim != 2:
        raise ValueError(f"{name} must have shape {shape}; got shape {a.shape}.")
    if a.shape[0] == 0:
        raise ValueError(
            f"{name} is an empty batch (shape {a.shape}); expected at least one row."
        )
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf; expected finite values.")
    return a


def _as_finite_array(a, name: str) -> np.ndarray:
    a = as_real_array(a, name)
    if a.size == 0:
        raise ValueError(f"{name} is empty; expected at least one entry.")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf; expected finite values.")
    return a


# --- layers: forward and backward -----------------------------------------------------
# The unchecked kernels below are what the networks call: their parameters may be huge
# or non-finite (a diverging optimizer), which the loss then reports as inf/NaN without
# warnings. The public functions check their input and call the same kernels.


def _affine(X, W, b):
    with np.errstate(all="ignore"):
        return X @ W + b


def _affine_backward(dout, X, W):
    with np.errstate(all="ignore"):
        return dout @ W.T, X.T @ dout, dout.sum(axis=0)


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_backward(dout, z):
    with np.errstate(all="ignore"):
        return dout * (z > 0)


def linear_forward(X, W, b) -> np.ndarray:
    """Affine layer ``X @ W + b``: X (n, d), W (d, k), b (k,) -> (n, k).

    >>> linear_forward([[1.0, 2.0]], [[1.0], [1.0]], [0.5])
    array([[3.5]])
    """
    X = _as_matrix(X, "X", "(n, d)")
    W = _as_matrix(W, "W", "(d, k)")
    b = _as_finite_array(b, "b")
    if W.shape[0] != X.shape[1]:
        raise ValueError(
            f"W must have shape (d, k) = ({X.shape[1]}, k) to match X of shape"
            f" {X.shape}; got {W.shape}."
        )
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape (k,) = ({W.shape[1]},); got {b.shape}.")
    return _affine(X, W, b)


def linear_backward(dout, X, W) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of an affine layer from the upstream gradient ``dout`` = dL/d(out), (n,
    k).

    Returns ``(dX, dW, db)`` = (dout @ W.T, X.T @ dout, dout summed over the batch).
    Every sample uses the same W and b, so their gradients *add up* over the batch.

    >>> dX, dW, db = linear_backward(
    ...     [[1.0], [2.0]], [[1.0, 0.0], [0.0, 1.0]], [[3.0], [4.0]]
    ... )
    >>> dX
    array([[3., 4.],
           [6., 8.]])
    >>> dW.ravel(), db
    (array([1., 2.]), array([3.]))
    """
    X = _as_matrix(X, "X", "(n, d)")
    W = _as_matrix(W, "W", "(d, k)")
    dout = _as_matrix(dout, "dout", "(n, k)")
    n, d = X.shape
    if W.shape[0] != d:
        raise ValueError(
            f"W must have shape (d, k) = ({d}, k) to match X of shape {X.shape}; got"
            f" {W.shape}."
        )
    if dout.shape != (n, W.shape[1]):
        raise ValueError(
            f"dout must have shape (n, k) = ({n}, {W.shape[1]}); got {dout.shape}."
        )
    return _affine_backward(dout, X, W)


def relu(z) -> np.ndarray:
    """Rectified linear unit max(z, 0), elementwise.

    >>> relu(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """
    return _relu(_as_finite_array(z, "z"))


def relu_backward(dout, z) -> np.ndarray:
    """Gradient through a ReLU: pass ``dout`` where the *input* ``z`` was positive, 0
    elsewhere.

    (At z = 0 the ReLU has a kink; like most libraries we use the derivative 0 there.)

    >>> relu_backward(np.array([5.0, 5.0, -3.0]), np.array([-1.0, 2.0, 0.5]))
    array([ 0.,  5., -3.])
    """
    dout = _as_finite_array(dout, "dout")
    z = _as_finite_array(z, "z")
    if dout.shape != z.shape:
        raise ValueError(f"dout must have the shape of z, {z.shape}; got {dout.shape}.")
    return _relu_backward(dout, z)


# --- output heads: loss and its gradient with respect to the output -------------------


def _check_output(out, y) -> tuple[np.ndarray, np.ndarray]:
    # ``out`` may be non-finite (a diverging network: the loss is then inf or NaN and
    # the optimizer reports it); the targets may not.
    out = as_real_array(out, "out")
    y = as_real_array(y, "y")
    if y.ndim != 1:
        raise ValueError(
            f"y must have shape (n,); got {y.shape}. Use y.ravel() for a column vector."
        )
    if y.size == 0:
        raise ValueError("y is an empty batch; expected at least one target.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or inf; expected finite values.")
    if out.shape != y.shape:
        raise ValueError(
            f"out must have the shape of y, (n,) = {y.shape}; got {out.shape}."
        )
    return out, y


def mse_head(out, y) -> tuple[float, np.ndarray]:
    """Mean squared error of predictions ``out`` (n,) and its gradient 2 (out - y) / n.

    >>> mse_head(np.array([1.0, 3.0]), np.array([1.0, 1.0]))
    (2.0, array([0., 2.]))
    """
    out, y = _check_output(out, y)
    with np.errstate(all="ignore"):  # huge outputs: an infinite loss, no warning
        r = out - y
        return float(r @ r / len(y)), 2.0 * r / len(y)


def logistic_head(out, y) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy of logits ``out`` (n,) for labels ``y`` in {0, 1}, and
    its gradient (sigmoid(out) - y) / n: the famous "p - y".

    >>> loss, dout = logistic_head(np.array([0.0, 0.0]), np.array([0.0, 1.0]))
    >>> round(loss, 6), dout  # log 2, and (0.5 - y) / 2
    (0.693147, array([ 0.25, -0.25]))
    """
    out, y = _check_output(out, y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold class labels 0 or 1 for the logistic head.")
    with np.errstate(all="ignore"):
        loss = float(np.mean(np.logaddexp(0.0, out) - y * out))
        return loss, (sigmoid(out) - y) / len(y)


_HEADS = {"mse": mse_head, "logistic": logistic_head}


# --- the network ----------------------------------------------------------------------


class TinyNet:
    """Linear(d_in -> hidden) -> ReLU -> Linear(hidden -> 1), with an ``"mse"`` or
    ``"logistic"`` head.

    Parameters start from ``rng``, each layer's weights and bias uniform on
    (-1/sqrt(fan_in), 1/sqrt(fan_in)) (the default of PyTorch's ``Linear``), and live in
    ``params`` (a dict of arrays).
    :meth:`loss` and :meth:`grad` take a flat ``theta`` and never modify the network,
    so they can be handed to :func:`gdutils.minibatch_gd` as they are.

    >>> net = TinyNet(d_in=2, hidden=3, rng=0)
    >>> net.size, {k: v.shape for k, v in net.params.items()}
    (13, {'W1': (2, 3), 'b1': (3,), 'W2': (3, 1), 'b2': (1,)})
    >>> X, y = np.ones((4, 2)), np.zeros(4)
    >>> net.grad(net.get_theta(), X, y).shape
    (13,)
    """

    def __init__(self, d_in: int, hidden: int, *, output: str = "mse", rng=None):
        as_positive(d_in, "d_in", integer=True)
        as_positive(hidden, "hidden", integer=True)
        if not isinstance(output, str) or output not in _HEADS:
            raise ValueError(f"output must be one of {sorted(_HEADS)}; got {output!r}.")
        self.d_in, self.hidden, self.output = d_in, hidden, output
        self.shapes = {
            "W1": (d_in, hidden),
            "b1": (hidden,),
            "W2": (hidden, 1),
            "b2": (1,),
        }
        gen = as_rng(rng)
        s1, s2 = 1.0 / np.sqrt(d_in), 1.0 / np.sqrt(hidden)
        self.params = {
            "W1": gen.uniform(-s1, s1, (d_in, hidden)),
            "b1": gen.uniform(-s1, s1, hidden),
            "W2": gen.uniform(-s2, s2, (hidden, 1)),
            "b2": gen.uniform(-s2, s2, 1),
        }

    def __repr__(self) -> str:
        return (
            f"TinyNet(d_in={self.d_in}, hidden={self.hidden}, output={self.output!r})"
        )

    @property
    def size(self) -> int:
        """Number of parameters (the length of ``theta``)."""
        return sum(math.prod(s) for s in self.shapes.values())

    # flat parameter view
    def unflatten(self, theta) -> dict[str, np.ndarray]:
        """Split a flat ``theta`` of shape (size,) into the parameter arrays (views, no
        copy).

        Non-finite entries are allowed (they give a non-finite loss), so that an
        optimizer whose iterates blow up can report the divergence instead of stopping
        on an error.
        """
        theta = as_real_array(theta, "theta")
        if theta.shape != (self.size,):
            raise ValueError(
                f"theta must be a 1-D array of shape ({self.size},) for {self!r}; got"
                f" shape {theta.shape}."
            )
        params, start = {}, 0
        for name, shape in self.shapes.items():
            stop = start + math.prod(shape)
            params[name] = theta[start:stop].reshape(shape)
            start = stop
        return params

    def flatten(self, params: dict) -> np.ndarray:
        """Concatenate a dict of arrays shaped like ``params`` into one 1-D vector."""
        parts = []
        if not isinstance(params, dict) or set(params) != set(self.shapes):
            got = sorted(params) if isinstance(params, dict) else type(params).__name__
            raise ValueError(
                f"params must be a dict with keys {list(self.shapes)}; got {got}."
            )
        for name, shape in self.shapes.items():
            a = as_real_array(params[name], name)
            if a.shape != shape:
                raise ValueError(f"{name} must have shape {shape}; got {a.shape}.")
            parts.append(a.ravel())
        return np.concatenate(parts)

    def get_theta(self) -> np.ndarray:
        """A copy of the current parameters as one flat vector of shape (size,)."""
        return self.flatten(self.params)

    def set_theta(self, theta) -> TinyNet:
        """Load the parameters from a flat ``theta`` of shape (size,); returns the
        network.

        Unlike :meth:`unflatten`, NaN or inf is refused: a network holding them is
        broken.
        """
        if not np.all(np.isfinite(as_real_array(theta, "theta"))):
            raise ValueError(
                "theta contains NaN or inf; the network's parameters must be finite."
            )
        self.params = {k: v.copy() for k, v in self.unflatten(theta).items()}
        return self

    # forward and backward
    def _params(self, theta) -> dict[str, np.ndarray]:
        return self.params if theta is None else self.unflatten(theta)

    def _check_X(self, X) -> np.ndarray:
        X = as_real_array(X, "X")
        if X.ndim != 2 or X.shape[1] != self.d_in:
            raise ValueError(
                f"X must have shape (n, d_in) = (n, {self.d_in}); got {X.shape}."
                + (" For a single feature use X.reshape(-1, 1)." if X.ndim == 1 else "")
            )
        if X.shape[0] == 0:
            raise ValueError(
                "X is an empty batch (no rows); expected at least one sample."
            )
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or inf; expected finite values.")
        return X

    def forward(self, X, theta=None) -> tuple[np.ndarray, dict]:
        """Output (n,) for a batch ``X`` (n, d_in), and the cache the backward pass
        needs."""
        X = self._check_X(X)
        p = self._params(theta)
        z1 = _affine(X, p["W1"], p["b1"])  # (n, h) pre-activations
        h1 = _relu(z1)  # (n, h) hidden activations
        out = _affine(h1, p["W2"], p["b2"])[:, 0]  # (n,)
        return out, {"X": X, "z1": z1, "h1": h1, "params": p}

    def backward(self, cache: dict, dout) -> dict[str, np.ndarray]:
        """Gradients of the loss for every parameter, given dL/d(out) of shape (n,)."""
        keys = {"X", "z1", "h1", "params"}
        if not isinstance(cache, dict) or not keys <= set(cache):
            got = sorted(cache) if isinstance(cache, dict) else type(cache).__name__
            raise ValueError(
                "cache must be the dict returned by forward (keys X, z1, h1, params); "
                f"got {got}."
            )
        p = cache["params"]
        n = cache["X"].shape[0]
        dout = as_real_array(dout, "dout")
        if dout.shape != (n,):
            raise ValueError(
                f"dout must have shape (n,) = ({n},), like the output; got"
                f" {dout.shape}."
            )
        dh1, dW2, db2 = _affine_backward(dout[:, None], cache["h1"], p["W2"])
        dz1 = _relu_backward(dh1, cache["z1"])
        _, dW1, db1 = _affine_backward(dz1, cache["X"], p["W1"])
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def predict(self, X, theta=None) -> np.ndarray:
        """Predictions (n,): the output itself (MSE) or the probability of class 1
        (logistic)."""
        out, _ = self.forward(X, theta)
        return out if self.output == "mse" else sigmoid(out)

    # the (theta, X, y) interface of gdutils.losses
    def loss(self, theta, X, y) -> float:
        """Loss of the network with parameters ``theta`` on data (X, y)."""
        X, y = as_data(X, y)
        out, _ = self.forward(X, theta)
        return _HEADS[self.output](out, y)[0]

    def loss_and_grad(self, theta, X, y) -> tuple[float, np.ndarray]:
        """Loss and its gradient (a flat vector like ``theta``): one forward and one
        backward pass."""
        X, y = as_data(X, y)
        out, cache = self.forward(X, theta)
        loss, dout = _HEADS[self.output](out, y)
        return loss, self.flatten(self.backward(cache, dout))

    def grad(self, theta, X, y) -> np.ndarray:
        """Gradient of :meth:`loss` with respect to ``theta``, by backpropagation."""
        return self.loss_and_grad(theta, X, y)[1]
