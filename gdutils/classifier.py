"""A small classification network: Linear -> ReLU -> Linear -> softmax cross-entropy.

It is TinyNet's classification sibling: the same layer functions from :mod:`gdutils.nn`
(imported, not copied), K outputs instead of one, the softmax cross-entropy head of
:mod:`gdutils.multiclass`, and a choice of initialisation. Like TinyNet it offers a flat
parameter view, so ``loss(theta, X, y)`` and ``grad(theta, X, y)`` plug into the book's
optimizers and gradient checks unchanged.

Shapes (n samples, d inputs, h hidden units, K classes): ``X`` (n, d); ``W1`` (d, h);
``b1`` (h,); ``W2`` (h, K); ``b2`` (K,); logits (n, K); labels ``y`` (n,) integers.
``theta`` holds ``W1, b1, W2, b2`` in that order, each row-major.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_positive, as_real_array, as_rng
from .multiclass import accuracy, as_labels, softmax, softmax_cross_entropy
from .nn import _affine, _affine_backward, _relu, _relu_backward

__all__ = ["SoftmaxNet", "INITS"]

#: Initialisations: weight standard deviation (or range) for a layer with fan_in inputs,
#: fan_out outputs.
INITS = ("he", "glorot", "pytorch", "zeros", "constant")

_WEIGHTS = ("W1", "W2")


class SoftmaxNet:
    """Linear(d_in -> hidden) -> ReLU -> Linear(hidden -> n_classes), trained with
    softmax cross-entropy.

    ``init`` sets the starting weights (biases start at 0 except for ``"pytorch"``):

    * ``"he"``: N(0, 2 / fan_in), which keeps the variance of ReLU activations from
      layer to layer (He et al. 2015);
    * ``"glorot"``: N(0, 2 / (fan_in + fan_out)) (Glorot and Bengio 2010);
    * ``"pytorch"``: weights and biases uniform on (-1/sqrt(fan_in), 1/sqrt(fan_in)),
      like TinyNet;
    * ``"zeros"``: everything 0; ``"constant"``: every weight ``init_value`` (symmetric:
      to show why random initialisation is needed).

    ``output_scale`` multiplies the last layer's starting weights (0.1, say, so that the
    first logits are small and the first loss is close to log K).

    >>> net = SoftmaxNet(4, 5, 3, rng=0)
    >>> net.size, {k: v.shape for k, v in net.params.items()}
    (43, {'W1': (4, 5), 'b1': (5,), 'W2': (5, 3), 'b2': (3,)})
    >>> X, y = np.ones((2, 4)), np.array([0, 2])
    >>> net.grad(net.get_theta(), X, y).shape
    (43,)
    """

    def __init__(
        self,
        d_in: int,
        hidden: int,
        n_classes: int,
        *,
        init: str = "he",
        init_value: float = 0.1,
        output_scale: float = 1.0,
        rng=None,
    ):
        as_positive(d_in, "d_in", integer=True)
        as_positive(hidden, "hidden", integer=True)
        as_positive(n_classes, "n_classes", integer=True)
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2; got {n_classes}.")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}; got {init!r}.")
        as_positive(output_scale, "output_scale", allow_zero=True)
        self.d_in, self.hidden, self.n_classes, self.init = (
            d_in,
            hidden,
            n_classes,
            init,
        )
        self.shapes = {
            "W1": (d_in, hidden),
            "b1": (hidden,),
            "W2": (hidden, n_classes),
            "b2": (n_classes,),
        }
        gen = as_rng(rng)
        p = {}
        for W, b in (("W1", "b1"), ("W2", "b2")):
            fan_in, fan_out = self.shapes[W]
            if init == "he":
                p[W], p[b] = (
                    gen.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)),
                    np.zeros(fan_out),
                )
            elif init == "glorot":
                p[W], p[b] = (
                    gen.normal(
                        0.0, np.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out)
                    ),
                    np.zeros(fan_out),
                )
            elif init == "pytorch":
                s = 1.0 / np.sqrt(fan_in)
                p[W], p[b] = (
                    gen.uniform(-s, s, (fan_in, fan_out)),
                    gen.uniform(-s, s, fan_out),
                )
            elif init == "zeros":
                p[W], p[b] = np.zeros((fan_in, fan_out)), np.zeros(fan_out)
            else:
                p[W], p[b] = (
                    np.full((fan_in, fan_out), float(init_value)),
                    np.zeros(fan_out),
                )
        p["W2"] = p["W2"] * output_scale
        self.params = p
        self.slices, start = {}, 0
        for name, shape in self.shapes.items():
            stop = start + int(np.prod(shape))
            self.slices[name] = slice(start, stop)
            start = stop
        self._size = start

    def __repr__(self) -> str:
        return (
            f"SoftmaxNet(d_in={self.d_in}, hidden={self.hidden},"
            f" n_classes={self.n_classes}, init={self.init!r})"
        )

    @property
    def size(self) -> int:
        """Number of parameters (the length of ``theta``)."""
        return self._size

    def weight_mask(self) -> np.ndarray:
        """Boolean mask over ``theta``: True on the weights W1, W2, False on the biases
        (not penalised)."""
        mask = np.zeros(self.size, dtype=bool)
        for name in _WEIGHTS:
            mask[self.slices[name]] = True
        return mask

    # flat parameter view
    def unflatten(self, theta) -> dict[str, np.ndarray]:
        """Split a flat ``theta`` of shape (size,) into the parameter arrays (views, no
        copy)."""
        theta = as_real_array(theta, "theta")
        if theta.shape != (self.size,):
            raise ValueError(
                f"theta must be a 1-D array of shape ({self.size},) for {self!r}; got"
                f" shape {theta.shape}."
            )
        return {
            name: theta[self.slices[name]].reshape(shape)
            for name, shape in self.shapes.items()
        }

    def flatten(self, params: dict) -> np.ndarray:
        """Concatenate a dict of arrays shaped like ``params`` into one 1-D vector."""
        parts = []
        for name, shape in self.shapes.items():
            a = as_real_array(params[name], name)
            if a.shape != shape:
                raise ValueError(f"{name} must have shape {shape}; got {a.shape}.")
            parts.append(a.ravel())
        return np.concatenate(parts)

    def get_theta(self) -> np.ndarray:
        """A copy of the current parameters as one flat vector of shape (size,)."""
        return self.flatten(self.params)

    def set_theta(self, theta) -> SoftmaxNet:
        """Load the parameters from a flat ``theta`` of shape (size,); returns the
        network.

        NaN or inf is refused: a network holding them is broken.
        """
        if not np.all(np.isfinite(as_real_array(theta, "theta"))):
            raise ValueError(
                "theta contains NaN or inf; the network's parameters must be finite."
            )
        self.params = {k: v.copy() for k, v in self.unflatten(theta).items()}
        return self

    # forward and backward
    def _check_X(self, X) -> np.ndarray:
        X = as_real_array(X, "X")
        if X.ndim != 2 or X.shape[1] != self.d_in:
            raise ValueError(
                f"X must have shape (n, d_in) = (n, {self.d_in}); got {X.shape}."
            )
        if X.shape[0] == 0:
            raise ValueError(
                "X is an empty batch (no rows); expected at least one sample."
            )
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or inf; expected finite values.")
        return X

    def forward(self, X, theta=None) -> tuple[np.ndarray, dict]:
        """Logits (n, K) for a batch ``X`` (n, d_in), and the cache the backward pass
        needs."""
        X = self._check_X(X)
        p = self.params if theta is None else self.unflatten(theta)
        z1 = _affine(X, p["W1"], p["b1"])  # the layers of gdutils.nn, unchecked
        h1 = _relu(z1)
        return _affine(h1, p["W2"], p["b2"]), {"X": X, "z1": z1, "h1": h1, "params": p}

    def backward(self, cache: dict, dZ) -> dict[str, np.ndarray]:
        """Gradients of every parameter from dL/d(logits) ``dZ`` of shape (n, K)."""
        p = cache["params"]
        dZ = as_real_array(dZ, "dZ")
        if dZ.shape != cache["h1"].shape[:1] + (self.n_classes,):
            raise ValueError(
                "dZ must have the shape of the logits, (n, K) = "
                f"({cache['h1'].shape[0]}, {self.n_classes}); got {dZ.shape}."
            )
        dh1, dW2, db2 = _affine_backward(dZ, cache["h1"], p["W2"])
        _, dW1, db1 = _affine_backward(
            _relu_backward(dh1, cache["z1"]), cache["X"], p["W1"]
        )
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def fast_loss_and_grad(
        self,
        theta: np.ndarray,
        X: np.ndarray,
        labels: np.ndarray,
        l2: float = 0.0,
        need_grad: bool = True,
    ):
        """:meth:`loss_and_grad` without input checks, for training loops that checked
        the data once.

        ``theta`` (size,) float, ``X`` (n, d_in) float, ``labels`` (n,) int in 0..K-1:
        the caller guarantees them. Gives the same numbers as :meth:`loss_and_grad`
        (tested).

        >>> net = SoftmaxNet(3, 4, 2, rng=0)
        >>> X, y = np.eye(3), np.array([0, 1, 1])
        >>> bool(
        ...     np.allclose(
        ...         net.fast_loss_and_grad(net.get_theta(), X, y)[1],
        ...         net.grad(net.get_theta(), X, y),
        ...     )
        ... )
        True
        """
        sl, (d, h), K = self.slices, self.shapes["W1"], self.n_classes
        W1, b1 = theta[sl["W1"]].reshape(d, h), theta[sl["b1"]]
        W2, b2 = theta[sl["W2"]].reshape(h, K), theta[sl["b2"]]
        z1 = X @ W1 + b1
        h1 = np.maximum(z1, 0.0)
        Z = h1 @ W2 + b2
        n = X.shape[0]
        rows = np.arange(n)
        shifted = Z - Z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        se = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(se[:, 0]) - shifted[rows, labels]))
        if l2:
            w1, w2 = theta[sl["W1"]], theta[sl["W2"]]
            loss += float(l2 * (w1 @ w1 + w2 @ w2))
        if not need_grad:
            return loss, None
        dZ = e / se
        dZ[rows, labels] -= 1.0
        dZ /= n
        dh1 = dZ @ W2.T
        dz1 = dh1 * (z1 > 0)
        g = np.empty_like(theta)
        g[sl["W1"]] = (X.T @ dz1).ravel()
        g[sl["b1"]] = dz1.sum(axis=0)
        g[sl["W2"]] = (h1.T @ dZ).ravel()
        g[sl["b2"]] = dZ.sum(axis=0)
        if l2:
            g[sl["W1"]] += 2.0 * l2 * theta[sl["W1"]]
            g[sl["W2"]] += 2.0 * l2 * theta[sl["W2"]]
        return loss, g

    def fast_eval(
        self, theta: np.ndarray, X: np.ndarray, labels: np.ndarray
    ) -> tuple[float, float]:
        """Mean cross-entropy (no penalty) and accuracy in one forward pass, without
        input checks.

        >>> net = SoftmaxNet(3, 4, 2, rng=0)
        >>> X, y = np.eye(3), np.array([0, 1, 1])
        >>> loss, acc = net.fast_eval(net.get_theta(), X, y)
        >>> (
        ...     bool(np.isclose(loss, net.loss(None, X, y))),
        ...     acc == net.accuracy(None, X, y),
        ... )
        (True, True)
        """
        sl, (d, h), K = self.slices, self.shapes["W1"], self.n_classes
        with np.errstate(all="ignore"):
            Z = np.maximum(
                X @ theta[sl["W1"]].reshape(d, h) + theta[sl["b1"]], 0.0
            ) @ theta[sl["W2"]].reshape(h, K)
            Z += theta[sl["b2"]]
            if not np.all(np.isfinite(Z)):
                return float("nan"), float("nan")
            shifted = Z - Z.max(axis=1, keepdims=True)
            loss = float(
                np.mean(
                    np.log(np.exp(shifted).sum(axis=1))
                    - shifted[np.arange(len(labels)), labels]
                )
            )
        return loss, float(np.mean(Z.argmax(axis=1) == labels))

    def loss_and_grad(self, theta, X, y, l2: float = 0.0) -> tuple[float, np.ndarray]:
        """Mean cross-entropy plus ``l2 * ||W||^2`` (weights only), and its gradient
        (flat, like theta)."""
        as_positive(l2, "l2", allow_zero=True)
        Z, cache = self.forward(X, theta)
        loss, dZ = softmax_cross_entropy(Z, as_labels(y, self.n_classes, n=Z.shape[0]))
        g = self.flatten(self.backward(cache, dZ))
        if l2:
            t = as_real_array(theta, "theta") if theta is not None else self.get_theta()
            mask = self.weight_mask()
            loss += float(l2 * t[mask] @ t[mask])
            g[mask] += 2.0 * l2 * t[mask]
        return loss, g

    def loss(self, theta, X, y, l2: float = 0.0) -> float:
        """Loss of the network with parameters ``theta`` on data (X, y) (see
        :meth:`loss_and_grad`)."""
        as_positive(l2, "l2", allow_zero=True)
        Z, _ = self.forward(X, theta)
        loss = softmax_cross_entropy(Z, as_labels(y, self.n_classes, n=Z.shape[0]))[0]
        if l2:
            t = as_real_array(theta, "theta") if theta is not None else self.get_theta()
            w = t[self.weight_mask()]
            loss += float(l2 * w @ w)
        return loss

    def grad(self, theta, X, y, l2: float = 0.0) -> np.ndarray:
        """Gradient of :meth:`loss` with respect to ``theta``, by backpropagation."""
        return self.loss_and_grad(theta, X, y, l2)[1]

    def predict_proba(self, X, theta=None) -> np.ndarray:
        """Class probabilities (n, K), the softmax of the logits."""
        return softmax(self.forward(X, theta)[0])

    def predict(self, X, theta=None) -> np.ndarray:
        """Predicted labels (n,): the class with the largest logit."""
        return self.forward(X, theta)[0].argmax(axis=1)

    def accuracy(self, theta, X, y) -> float:
        """Fraction of samples of (X, y) classified correctly by parameters
        ``theta``."""
        return accuracy(self.forward(X, theta)[0], y)

    def dead_units(self, X, theta=None) -> np.ndarray:
        """Boolean mask (hidden,): units whose pre-activation is <= 0 on *every* row of
        ``X``.

        A dead ReLU outputs 0 and passes back a zero gradient on all of these samples,
        so gradient descent on them can never revive it.
        """
        return np.all(self.forward(X, theta)[1]["z1"] <= 0, axis=0)
