"""Test functions as bundles: value, gradient, Hessian and what is known about them.

An :class:`Objective` carries ``fun``, ``grad`` and ``hess`` (each a function of a 1-D
array ``x``), its dimension, its known minimizers and critical points, and the minimum
value. Chapters use these bundles so that every optimizer sees the same problem.

>>> q = quadratic(np.diag([1.0, 10.0]))
>>> q.fun(np.array([1.0, 1.0])), q.grad(np.array([1.0, 1.0]))
(5.5, array([ 1., 10.]))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import as_positive, as_vector

__all__ = ["Objective", "quadratic", "ill_conditioned_quadratic", "rosenbrock"]


@dataclass(frozen=True)
class Objective:
    """A differentiable test function with what is known about it.

    ``critical_points`` maps a label ("minimum", "saddle", ...) to a list of points.

    >>> f = Objective("square", lambda x: float(x @ x), lambda x: 2 * x, lambda x: 2 * np.eye(len(x)), 1)
    >>> f(np.array([3.0]))
    9.0
    """

    name: str
    fun: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    hess: Callable[[np.ndarray], np.ndarray]
    dim: int
    minimizers: tuple = ()
    minimum: float | None = None
    critical_points: dict = field(default_factory=dict)

    def __call__(self, x) -> float:
        return self.fun(x)


def _check(x, d: int) -> np.ndarray:
    return as_vector(x, "x", size=d)


def quadratic(A, b=None, c: float = 0.0, name: str = "quadratic") -> Objective:
    """f(x) = 1/2 x^T A x - b^T x + c for a symmetric positive-definite ``A``.

    The minimizer solves A x = b; the gradient is A x - b and the Hessian is A.

    >>> q = quadratic([[2.0, 0.0], [0.0, 4.0]], [2.0, 4.0])
    >>> q.minimizers[0], q.minimum
    (array([1., 1.]), -3.0)
    """
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix of shape (d, d); got {A.shape}.")
    if not np.allclose(A, A.T):
        raise ValueError("A must be symmetric.")
    d = A.shape[0]
    b = np.zeros(d) if b is None else as_vector(b, "b", size=d)
    if np.linalg.eigvalsh(A)[0] <= 0:
        raise ValueError("A must be positive definite (all eigenvalues > 0).")
    xstar = np.linalg.solve(A, b)
    fun = lambda x: float(0.5 * _check(x, d) @ A @ x - b @ x + c)  # noqa: E731
    grad = lambda x: A @ _check(x, d) - b  # noqa: E731
    hess = lambda x: A.copy()  # noqa: E731
    return Objective(name, fun, grad, hess, d, (xstar,), fun(xstar), {"minimum": [xstar]})


def ill_conditioned_quadratic(d: int = 2, condition: float = 100.0) -> Objective:
    """A diagonal quadratic with eigenvalues spread evenly in log scale from 1 to ``condition``.

    >>> q = ill_conditioned_quadratic(3, 100.0)
    >>> np.diag(q.hess(np.zeros(3)))
    array([  1.,  10., 100.])
    """
    as_positive(d, "d", integer=True)
    as_positive(condition, "condition")
    if condition < 1:
        raise ValueError(f"condition must be >= 1; got {condition!r}.")
    eig = np.geomspace(1.0, condition, d) if d > 1 else np.array([1.0])
    return quadratic(np.diag(eig), name=f"ill-conditioned quadratic (d={d}, kappa={condition:g})")


def rosenbrock(d: int = 2, a: float = 1.0, b: float = 100.0) -> Objective:
    """The Rosenbrock function sum b (x_{i+1} - x_i^2)^2 + (a - x_i)^2, minimum value 0.

    With a = 1 (the default) the minimizer is (1, ..., 1); value, gradient and Hessian agree
    with ``scipy.optimize.rosen``, ``rosen_der`` and ``rosen_hess``.

    >>> r = rosenbrock()
    >>> r.fun(np.array([1.0, 1.0])), r.grad(np.array([-1.2, 1.0]))
    (0.0, array([-215.6,  -88. ]))
    """
    as_positive(d, "d", integer=True)
    if d < 2:
        raise ValueError(f"rosenbrock needs d >= 2; got {d}.")

    def fun(x):
        x = _check(x, d)
        return float(np.sum(b * (x[1:] - x[:-1] ** 2) ** 2 + (a - x[:-1]) ** 2))

    def grad(x):
        x = _check(x, d)
        g = np.zeros(d)
        t = x[1:] - x[:-1] ** 2
        g[:-1] += -4 * b * x[:-1] * t - 2 * (a - x[:-1])
        g[1:] += 2 * b * t
        return g

    def hess(x):
        x = _check(x, d)
        H = np.zeros((d, d))
        i = np.arange(d - 1)
        H[i, i] += 12 * b * x[:-1] ** 2 - 4 * b * x[1:] + 2
        H[i + 1, i + 1] += 2 * b
        H[i, i + 1] = H[i + 1, i] = -4 * b * x[:-1]
        return H

    if d == 2 or a in (0.0, 1.0):  # closed-form minimizer: (a, a^2) in 2-D, (1, ..., 1) for a = 1
        xstar = np.array([a, a * a]) if d == 2 else np.full(d, a)
        return Objective(f"Rosenbrock (d={d})", fun, grad, hess, d, (xstar,), 0.0, {"minimum": [xstar]})
    return Objective(f"Rosenbrock (d={d}, a={a:g})", fun, grad, hess, d)
