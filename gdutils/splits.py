"""Train / validation / test: a seeded, stratified split and a standardiser fitted on
train only.

The test set is touched once, at the very end; the validation set picks learning rates,
epochs and penalties; the training set alone fits the parameters *and the scaling*.
Fitting the standardiser on all the data lets the test set leak into training.

>>> y = np.repeat([0, 1], 10)
>>> tr, va, te = stratified_split(y, (0.6, 0.2, 0.2), rng=0)
>>> len(tr), len(va), len(te), np.bincount(y[va]).tolist()
(12, 4, 4, [2, 2])
"""

from __future__ import annotations

import numpy as np

from ._validation import as_real_array, as_rng

__all__ = ["stratified_split", "Standardizer"]


def stratified_split(
    y, fractions=(0.6, 0.2, 0.2), *, rng=None
) -> tuple[np.ndarray, ...]:
    """Split the indices 0..n-1 into parts with the given ``fractions``, class by class.

    In every class c (n_c samples) each part but the first gets ``round(f * n_c)``
    samples (the first part takes the rest), drawn at random from ``rng``: every part
    keeps the class proportions of the whole data set up to rounding (at most half a
    sample per class for the later parts, one sample for the first). Returns one sorted
    index array per part; together they cover every index exactly once.

    >>> tr, te = stratified_split([0, 0, 0, 0, 1, 1, 1, 1], (0.5, 0.5), rng=1)
    >>> sorted(np.concatenate([tr, te]).tolist()) == list(range(8))
    True
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            "y must be a non-empty 1-D array of class labels of shape (n,); got shape"
            f" {y.shape}."
        )
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(
            "y contains NaN or inf; class labels must be finite (NaN is not a class)."
        )
    if y.dtype.kind not in "biufUS":
        raise ValueError(
            f"y must hold class labels (integers or strings); got dtype {y.dtype}."
        )
    f = as_real_array(fractions, "fractions")
    if f.ndim != 1 or f.size < 2:
        raise ValueError(
            "fractions must list at least two parts, e.g. (0.6, 0.2, 0.2); got"
            f" {fractions!r}."
        )
    if not np.all(np.isfinite(f)) or np.any(f <= 0) or abs(f.sum() - 1.0) > 1e-9:
        raise ValueError(
            f"fractions must be positive and sum to 1; got {fractions!r} (sum"
            f" {f.sum():g})."
        )
    gen = as_rng(rng)
    parts: list[list[np.ndarray]] = [[] for _ in f]
    for c in np.unique(y):
        idx = gen.permutation(np.flatnonzero(y == c))
        counts = [int(np.round(fi * idx.size)) for fi in f[1:]]
        if sum(counts) > idx.size:
            raise ValueError(
                f"class {c!r} has only {idx.size} samples: too few to split into"
                f" {fractions!r}."
            )
        start = idx.size - sum(counts)
        parts[0].append(idx[:start])
        for k, m in enumerate(counts, 1):
            parts[k].append(idx[start : start + m])
            start += m
    out = tuple(np.sort(np.concatenate(p)).astype(int) for p in parts)
    empty = [k for k, p in enumerate(out) if p.size == 0]
    if empty:
        raise ValueError(
            f"part(s) {empty} of the split are empty: {y.size} samples are too few for"
            f" {fractions!r}."
        )
    return out


class Standardizer:
    """z = (x - mean) / std per feature, with mean and std learnt by :meth:`fit` (on
    training data only).

    A feature that is constant on the training set (std 0: on the digits, the border
    pixels) is centred and divided by 1 instead of 0, as scikit-learn's
    ``StandardScaler`` does, so no NaN or inf appears.

    >>> s = Standardizer().fit([[0.0, 5.0], [2.0, 5.0]])
    >>> s.mean_, s.scale_
    (array([1., 5.]), array([1., 1.]))
    >>> s.transform([[4.0, 6.0]])
    array([[3., 1.]])
    """

    def __init__(self):
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    @staticmethod
    def _check(X, name: str) -> np.ndarray:
        X = as_real_array(X, name)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(
                f"{name} must have shape (n, d) with n >= 1; got {X.shape}."
            )
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name} contains NaN or inf; expected finite values.")
        return X

    def fit(self, X) -> Standardizer:
        """Learn the mean and the standard deviation (ddof = 0) of every column of ``X``
        (n, d)."""
        X = self._check(X, "X")
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        tiny = 10 * np.finfo(float).eps * np.maximum(np.abs(self.mean_), 1.0)
        self.scale_ = np.where(std > tiny, std, 1.0)
        return self

    def transform(self, X) -> np.ndarray:
        """Scale ``X`` (m, d) with the statistics learnt by :meth:`fit` (a new
        array)."""
        if self.mean_ is None:
            raise ValueError(
                "this Standardizer is not fitted yet: call fit(X_train) first."
            )
        X = self._check(X, "X")
        if X.shape[1] != self.mean_.size:
            raise ValueError(
                f"X must have {self.mean_.size} columns, like the data it was fitted"
                f" on; got {X.shape[1]}."
            )
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X) -> np.ndarray:
        """:meth:`fit` on ``X``, then :meth:`transform` it."""
        return self.fit(X).transform(X)
