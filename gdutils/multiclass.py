"""Several classes: softmax, softmax cross-entropy with its gradient, labels checked.

With K classes a model outputs one *logit* per class, ``Z`` of shape (n, K). Softmax
turns a row into probabilities, p_k = exp(z_k) / sum_j exp(z_j), and the mean
cross-entropy of integer labels ``y`` (n,) is L = -(1/n) sum_i log p_{i, y_i}. Its
gradient with respect to the logits is the multiclass "p - y":

    dL/dZ = (P - Y) / n,  with Y the one-hot matrix of the labels.

Labels come in two forms, and confusing them is a classic silent bug: integer labels
``y`` of shape (n,) with values in {0, ..., K-1}, and one-hot rows ``Y`` of shape (n,
K). Every function here says which form it expects and refuses the other with a message.

>>> Z = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
>>> loss, dZ = softmax_cross_entropy(Z, np.array([0, 2]))
>>> round(loss, 6), dZ.shape
(0.669079, (2, 3))
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array

__all__ = [
    "softmax",
    "log_softmax",
    "as_labels",
    "one_hot",
    "labels_from_one_hot",
    "softmax_cross_entropy",
    "accuracy",
]


def _as_logits(Z) -> np.ndarray:
    Z = as_real_array(Z, "logits")
    if Z.ndim != 2:
        raise ValueError(
            "logits must have shape (n, K), one row per sample and one column per"
            f" class; got {Z.shape}."
        )
    if Z.shape[0] == 0 or Z.shape[1] < 2:
        raise ValueError(
            f"logits must have at least one row and K >= 2 columns; got {Z.shape}."
        )
    return Z


def log_softmax(Z: ArrayLike) -> np.ndarray:
    """Row-wise log-softmax z_k - log sum_j exp(z_j), computed without overflow.

    The largest logit of each row is subtracted first: exp never sees a positive
    argument, so huge logits give no inf.

    >>> log_softmax(np.array([[1000.0, 1000.0]]))
    array([[-0.69314718, -0.69314718]])
    """
    Z = _as_logits(Z)
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(Z: ArrayLike) -> np.ndarray:
    """Row-wise softmax of logits ``Z`` (n, K): each row is positive and sums to 1.

    >>> softmax(np.array([[0.0, 0.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    return np.exp(log_softmax(Z))


def as_labels(y, n_classes: int | None = None, *, n: int | None = None) -> np.ndarray:
    """Integer class labels of shape (n,) with values in {0, ..., n_classes - 1}, as
    ``int``.

    Refuses one-hot rows (shape (n, K)), column vectors, non-integer values and labels
    out of range, each with a message that says what was expected.

    >>> as_labels([0.0, 2.0, 1.0], 3)
    array([0, 2, 1])
    >>> as_labels([[0, 1], [1, 0]], 2)
    Traceback (most recent call last):
    ...
    ValueError: y looks one-hot (shape (2, 2)); this function expects integer labels of
    shape (n,): use y.argmax(axis=1).
    """
    y = np.asarray(y)
    if np.iscomplexobj(y):
        raise ValueError(
            f"y is complex (dtype {y.dtype}); expected integer class labels 0, 1, ...,"
            " K-1."
        )
    if y.ndim == 2 and y.shape[1] == 1:
        raise ValueError(
            f"y must have shape (n,); got a column {y.shape}. Use y.ravel()."
        )
    if y.ndim == 2:
        raise ValueError(
            f"y looks one-hot (shape {y.shape}); this function expects integer labels"
            " of shape (n,): use y.argmax(axis=1)."
        )
    if y.ndim != 1:
        raise ValueError(
            f"y must be integer labels of shape (n,); got shape {y.shape}."
        )
    if n is not None and y.shape[0] != n:
        raise ValueError(
            f"y must have one label per sample, n = {n}; got {y.shape[0]} labels."
        )
    if y.size == 0:
        raise ValueError("y is empty: need at least one label.")
    if y.dtype.kind in "iu":  # the common case, checked cheaply
        labels = y.astype(int, copy=False)
    elif y.dtype == bool or not np.issubdtype(y.dtype, np.number):
        raise ValueError(f"y must hold integer class labels; got dtype {y.dtype}.")
    else:
        yf = y.astype(float)
        if not np.all(np.isfinite(yf)) or not np.all(yf == np.round(yf)):
            raise ValueError(
                "y must hold integer class labels 0, 1, ..., K-1; got non-integer"
                " values."
            )
        labels = yf.astype(int)
    if n_classes is not None:
        if (
            isinstance(n_classes, bool)
            or not isinstance(n_classes, numbers.Integral)
            or n_classes < 2
        ):
            raise ValueError(f"n_classes must be an integer >= 2; got {n_classes!r}.")
        if labels.min() < 0 or labels.max() >= n_classes:
            bad = (labels < 0) | (labels >= n_classes)
            raise ValueError(
                f"labels must be in 0..{n_classes - 1} for {n_classes} classes; got "
                f"{labels[bad][:5].tolist()} (min {labels.min()}, max {labels.max()})."
            )
    elif labels.min() < 0:
        raise ValueError(f"labels must be >= 0; got min {labels.min()}.")
    return labels


def one_hot(y, n_classes: int) -> np.ndarray:
    """One-hot matrix (n, n_classes) of integer labels ``y`` (n,).

    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    labels = as_labels(y, n_classes)
    Y = np.zeros((labels.size, n_classes))
    Y[np.arange(labels.size), labels] = 1.0
    return Y


def labels_from_one_hot(Y) -> np.ndarray:
    """Integer labels (n,) of one-hot rows ``Y`` (n, K); refuses integer labels and rows
    that are not one-hot.

    >>> labels_from_one_hot([[0, 1, 0], [1, 0, 0]])
    array([1, 0])
    >>> labels_from_one_hot([1, 0])
    Traceback (most recent call last):
    ...
    ValueError: Y must be one-hot of shape (n, K); got shape (2,), which looks like
    integer labels (they need no conversion).
    """
    Y = as_real_array(Y, "Y")
    if Y.ndim == 1:
        raise ValueError(
            f"Y must be one-hot of shape (n, K); got shape {Y.shape}, which looks like"
            " integer labels (they need no conversion)."
        )
    if Y.ndim != 2 or Y.shape[0] == 0 or Y.shape[1] < 2:
        raise ValueError(
            f"Y must be one-hot of shape (n, K) with K >= 2; got shape {Y.shape}."
        )
    if not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)):
        raise ValueError(
            "Y must be one-hot: every row holds a single 1 and zeros elsewhere."
        )
    return Y.argmax(axis=1)


def softmax_cross_entropy(Z: ArrayLike, y) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of logits ``Z`` (n, K) for integer labels ``y`` (n,),
    and dL/dZ.

    Returns ``(loss, dZ)`` with loss = -(1/n) sum_i log softmax(Z)_{i, y_i} and
    dZ = (softmax(Z) - one_hot(y)) / n, of shape (n, K). Stable for any finite logits;
    non-finite logits (a diverged model) give a NaN loss and gradient, without warnings.

    >>> loss, dZ = softmax_cross_entropy(np.zeros((2, 4)), [1, 3])
    >>> bool(np.isclose(loss, np.log(4))), dZ[0]
    (True, array([ 0.125, -0.375,  0.125,  0.125]))
    """
    Z = _as_logits(Z)
    n, K = Z.shape
    labels = as_labels(y, K, n=n)
    if not np.all(np.isfinite(Z)):
        # a diverged model: report it in the value, not as an error
        return float("nan"), np.full_like(Z, np.nan)
    logp = log_softmax(Z)
    rows = np.arange(n)
    loss = float(-logp[rows, labels].mean())
    dZ = np.exp(logp)
    dZ[rows, labels] -= 1.0
    return loss, dZ / n


def accuracy(Z: ArrayLike, y) -> float:
    """Fraction of rows of ``Z`` (n, K) (logits or probabilities) whose largest entry is
    the label.

    >>> accuracy(np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), [0, 1, 1])
    0.6666666666666666
    """
    Z = _as_logits(Z)
    labels = as_labels(y, Z.shape[1], n=Z.shape[0])
    return float(np.mean(Z.argmax(axis=1) == labels))
