"""Central finite differences and the relative error: the gradient check as a habit."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import (
    as_real_array,
    as_step,
    as_vector,
    callable_name,
    gradient_output,
    scalar_output,
)

__all__ = ["numerical_gradient", "relative_error", "check_gradient"]


def numerical_gradient(f: Callable, x, h: float = 1e-6, args: tuple = ()) -> np.ndarray:
    """Central-difference gradient (f(x + h e_i) - f(x - h e_i)) / (2h), one coordinate
    at a time.

    ``f`` must return one scalar (not a vector of per-sample losses). The error is
    O(h^2) from truncation plus O(eps/h) from round-off, so h near 1e-6 balances them
    in float64 for well-scaled problems.

    >>> numerical_gradient(lambda x: x @ x, np.array([1.0, 2.0]))
    array([2., 4.])
    """
    if not callable(f):
        raise ValueError(f"f must be callable; got {f!r}.")
    x = as_vector(x, "x")
    h = as_step(h, x, "h")
    g = np.empty_like(x)
    e = np.zeros_like(x)
    for i in range(x.size):
        e[i] = h
        fp = scalar_output(f(x + e, *args), "f", "the function value")
        fm = scalar_output(f(x - e, *args), "f", "the function value")
        g[i] = (fp - fm) / (2 * h)
        e[i] = 0.0
    return g


def relative_error(a, b) -> float:
    """||a - b|| / max(||a|| + ||b||, tiny): scale-free, and 0 when both are zero.

    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    """
    a = as_real_array(a, "a")
    b = as_real_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape; got {a.shape} and {b.shape}."
        )
    for name, v in (("a", a), ("b", b)):
        if not np.isfinite(
            v
        ).all():  # NaN would compare False with any tolerance: never pass
            raise ValueError(
                f"{name} contains NaN or inf, so no relative error can be computed "
                "(a test `error > tol` would silently pass)."
            )
    denom = max(np.linalg.norm(a) + np.linalg.norm(b), np.finfo(float).tiny)
    return float(np.linalg.norm(a - b) / denom)


def check_gradient(
    f: Callable, grad: Callable, x, h: float = 1e-6, args: tuple = ()
) -> float:
    """Relative error between ``grad(x)`` and central differences of ``f`` at ``x``.

    >>> check_gradient(
    ...     lambda x: np.sum(x**3), lambda x: 3 * x**2, np.array([1.0, -2.0])
    ... ) < 1e-8
    True
    """
    x = as_vector(x, "x")
    if not callable(grad):
        raise ValueError(f"grad must be callable; got {grad!r}.")
    g = gradient_output(grad(x.copy(), *args), "grad", x.shape)
    if not np.isfinite(g).all():
        raise ValueError(
            f"{callable_name(grad, 'grad')} returned NaN or inf at x: "
            f"{g}. Check it where it is finite, or fix the overflow."
        )
    numeric = numerical_gradient(f, x, h, args)
    if not np.isfinite(numeric).all():
        raise ValueError(
            "f is not finite near x (its central differences are NaN or inf)."
        )
    return relative_error(g, numeric)
