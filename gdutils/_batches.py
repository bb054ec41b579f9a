"""The pieces of an epoch that every fast path of :func:`gdutils.minibatch_gd` shares.

An epoch visits the rows of (X, y) in the order ``order`` (or in storage order when
``order`` is None), cut into consecutive batches of ``batch_size``. A batch of a
shuffled epoch is gathered into a small buffer that is reused for the whole epoch: it
stays in cache while the gradient reads it, and no shuffled copy of X is ever made.

>>> import numpy as np
>>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5.0)
>>> [yb.tolist() for _, yb in batches(X, y, np.array([4, 0, 3, 1, 2]), 2)]
[[4.0, 0.0], [3.0, 1.0], [2.0]]
>>> len({id(Xb) for Xb, _ in batches(X, y, np.arange(5), 2)})  # one full-size buffer
2
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

__all__ = ["batches", "finite", "stop_after_update"]


def batches(
    X: np.ndarray, y: np.ndarray, order: np.ndarray | None, batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield the batches ``(X[idx], y[idx])`` of one epoch (arguments trusted).

    With an ``order``, ``idx = order[start:start + batch_size]`` and each batch is
    gathered into the same buffer (overwritten by the next batch: use it before asking
    for the next one); without, the batches are views of consecutive rows.

    >>> X, y = np.arange(6.0).reshape(3, 2), np.array([0.0, 1.0, 2.0])
    >>> [Xb.tolist() for Xb, _ in batches(X, y, None, 2)]
    [[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0]]]
    """
    n = X.shape[0]
    if order is None:
        for start in range(0, n, batch_size):
            yield X[start : start + batch_size], y[start : start + batch_size]
        return
    m = min(batch_size, n)
    Xf, yf = np.empty((m, X.shape[1])), np.empty(m)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        Xb, yb = (Xf, yf) if idx.shape[0] == m else (Xf[: idx.shape[0]], yf[: len(idx)])
        # mode="clip" skips take's bounds check, which would buffer the output: the
        # indices are a permutation of range(n)
        np.take(X, idx, axis=0, out=Xb, mode="clip")
        np.take(y, idx, out=yb, mode="clip")
        yield Xb, yb


def finite(x: np.ndarray) -> bool:
    """Whether every entry of ``x`` is finite (one dot product in the common case).

    >>> finite(np.array([1e200, 1e200])), finite(np.array([1.0, np.nan]))
    (True, False)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return math.isfinite(x @ x) or bool(np.isfinite(x).all())


def stop_after_update(x: np.ndarray, trajectory: list | None, check: bool) -> bool:
    """What every fast epoch does after an update: record a copy of the iterate (when
    ``trajectory`` is a list) and, with ``check``, say whether to stop (x not finite).

    >>> path = []
    >>> stop_after_update(np.array([np.inf]), path, True), len(path)
    (True, 1)
    """
    if trajectory is not None:
        trajectory.append(x.copy())
    return check and not finite(x)
