"""Input checks shared by every module: one place, one wording for the errors."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_data", "as_vector", "as_positive", "as_rng"]


def as_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` as a finite float array of shape (n, d) and ``y`` of shape (n,).

    Raises ``ValueError`` for the classic mistakes instead of letting NumPy
    broadcast them silently: ``y`` of shape (n, 1), lengths that differ, an empty
    data set, NaN or inf.

    >>> X, y = as_data([[1.0], [2.0]], [2.0, 4.0])
    >>> X.shape, y.shape
    ((2, 1), (2,))
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 1:
        raise ValueError(
            f"X must have shape (n, d); got a 1-D array of shape {X.shape}. "
            "For a single feature use X.reshape(-1, 1)."
        )
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got shape {X.shape}.")
    n = X.shape[0]
    if n == 0:
        raise ValueError("X is empty: need at least one sample (n >= 1).")
    if y.ndim == 2 and y.shape[1] == 1:
        raise ValueError(
            f"y must have shape (n,) = ({n},); got {y.shape}. A column vector would "
            f"broadcast against the predictions to shape ({n}, {n}). Use y.ravel()."
        )
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n,) = ({n},); got {y.shape}.")
    if y.shape[0] != n:
        raise ValueError(
            f"X and y must have the same number of samples: X has {n} rows, y has {y.shape[0]}."
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or inf; expected finite values.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or inf; expected finite values.")
    return X, y


def as_vector(x, name: str = "x", size: int | None = None) -> np.ndarray:
    """Return ``x`` as a finite 1-D float array (of length ``size`` if given).

    >>> as_vector([1, 2], size=2)
    array([1., 2.])
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        expected = f"({size},)" if size is not None else "(d,)"
        raise ValueError(f"{name} must be a 1-D array of shape {expected}; got shape {x.shape}.")
    if x.size == 0:
        raise ValueError(f"{name} is empty; expected at least one entry.")
    if size is not None and x.shape[0] != size:
        raise ValueError(f"{name} must have shape ({size},); got {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf; expected finite values.")
    return x


def as_positive(value: float, name: str, *, integer: bool = False, allow_zero: bool = False) -> float:
    """Check that ``value`` is a (finite) positive number and return it.

    >>> as_positive(0.1, "learning_rate")
    0.1
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {what}; got {value!r}.")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}; got {value!r}.")
    return value


def as_rng(rng) -> np.random.Generator:
    """Turn ``None``, an int seed or a Generator into a ``numpy.random.Generator``.

    >>> bool(as_rng(0).integers(10) == as_rng(0).integers(10))
    True
    """
    if isinstance(rng, np.random.RandomState):
        raise ValueError("rng must be a seed or numpy.random.Generator (default_rng), not RandomState.")
    return np.random.default_rng(rng)
