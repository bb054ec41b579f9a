"""Test functions as bundles: value, gradient, Hessian and what is known about them.

An :class:`Objective` carries ``fun``, ``grad`` and ``hess`` (each a function of a 1-D
array ``x``), its dimension, its known minimizers and critical points, and the minimum
value. Chapters use these bundles so that every optimizer sees the same problem.

The 2-D landscapes of the saddle-point chapter (:func:`saddle`, :func:`plateau_saddle`,
:func:`monkey_saddle`, :func:`multi_well`) label every critical point by its type
("minimum", "maximum", "saddle", or "degenerate" when the Hessian test cannot decide),
and their ``fun``, ``grad`` and ``hess`` also accept a stack of points of shape (n, 2),
one point per row (``hess`` then returns shape (n, 2, 2)), so that many runs can be
simulated at once. :func:`random_field` is a random smooth function of d variables, to
count the critical points of a function that nobody designed.

>>> q = quadratic(np.diag([1.0, 10.0]))
>>> q.fun(np.array([1.0, 1.0])), q.grad(np.array([1.0, 1.0]))
(5.5, array([ 1., 10.]))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import as_finite, as_positive, as_real_array, as_vector
from .landscape import classify_critical_point

__all__ = [
    "Objective",
    "quadratic",
    "ill_conditioned_quadratic",
    "rosenbrock",
    "saddle",
    "plateau_saddle",
    "monkey_saddle",
    "multi_well",
    "random_field",
]


@dataclass(frozen=True)
class Objective:
    """A differentiable test function with what is known about it.

    ``critical_points`` maps a label ("minimum", "saddle", ...) to a list of points.

    >>> f = Objective(
    ...     "square",
    ...     lambda x: float(x @ x),
    ...     lambda x: 2 * x,
    ...     lambda x: 2 * np.eye(len(x)),
    ...     1,
    ... )
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
    A = as_real_array(A, "A")
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix of shape (d, d); got {A.shape}.")
    if not np.isfinite(A).all():
        raise ValueError("A contains NaN or inf; expected finite values.")
    c = as_finite(c, "c")
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
    return Objective(
        name, fun, grad, hess, d, (xstar,), fun(xstar), {"minimum": [xstar]}
    )


def ill_conditioned_quadratic(d: int = 2, condition: float = 100.0) -> Objective:
    """A diagonal quadratic with eigenvalues spread evenly in log scale from 1 to
    ``condition``.

    >>> q = ill_conditioned_quadratic(3, 100.0)
    >>> np.diag(q.hess(np.zeros(3)))
    array([  1.,  10., 100.])
    """
    as_positive(d, "d", integer=True)
    as_positive(condition, "condition")
    if condition < 1:
        raise ValueError(f"condition must be >= 1; got {condition!r}.")
    eig = np.geomspace(1.0, condition, d) if d > 1 else np.array([1.0])
    return quadratic(
        np.diag(eig), name=f"ill-conditioned quadratic (d={d}, kappa={condition:g})"
    )


def rosenbrock(d: int = 2, a: float = 1.0, b: float = 100.0) -> Objective:
    """The Rosenbrock function sum b (x_{i+1} - x_i^2)^2 + (a - x_i)^2, minimum value 0.

    With a = 1 (the default) the minimizer is (1, ..., 1); value, gradient and Hessian
    agree with ``scipy.optimize.rosen``, ``rosen_der`` and ``rosen_hess``.

    >>> r = rosenbrock()
    >>> r.fun(np.array([1.0, 1.0])), r.grad(np.array([-1.2, 1.0]))
    (0.0, array([-215.6,  -88. ]))
    """
    as_positive(d, "d", integer=True)
    if d < 2:
        raise ValueError(f"rosenbrock needs d >= 2; got {d}.")
    a = as_finite(a, "a")
    as_positive(b, "b")

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

    if d == 2 or a in (0.0, 1.0):
        # closed-form minimizer: (a, a^2) in 2-D, (1, ..., 1) for a = 1
        xstar = np.array([a, a * a]) if d == 2 else np.full(d, a)
        return Objective(
            f"Rosenbrock (d={d})",
            fun,
            grad,
            hess,
            d,
            (xstar,),
            0.0,
            {"minimum": [xstar]},
        )
    return Objective(f"Rosenbrock (d={d}, a={a:g})", fun, grad, hess, d)


# --- 2-D landscapes for the saddle-point chapter --------------------------------------


def _points(x) -> np.ndarray:
    """A point (2,) or a stack of points (n, 2), checked."""
    x = as_real_array(x, "x")
    if x.ndim == 1:
        return as_vector(x, "x", size=2)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(
            f"x must have shape (2,) or (n, 2) (one point per row); got {x.shape}."
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or inf; expected finite values.")
    return x


def _value(v):
    return float(v) if np.ndim(v) == 0 else v


def _landscape(name, f, g, h, points) -> Objective:
    """Bundle 2-D ``f(x, y)``, ``g(x, y) -> (gx, gy)``, ``h(x, y) -> 2x2`` with labelled
    critical points."""

    def fun(p):
        p = _points(p)
        return _value(f(p[..., 0], p[..., 1]))

    def grad(p):
        p = _points(p)
        return np.stack(g(p[..., 0], p[..., 1]), axis=-1)

    def hess(p):
        p = _points(p)
        if p.ndim == 1:
            return np.array(h(p[0], p[1]), dtype=float)
        entries = h(p[:, 0], p[:, 1])
        H = np.empty((len(p), 2, 2))
        for i in range(2):
            for j in range(2):
                H[:, i, j] = entries[i][j]  # a constant entry broadcasts over the stack
        return H

    critical: dict[str, list] = {}
    for pt in points:
        pt = as_real_array(pt, "a critical point")
        critical.setdefault(classify_critical_point(hess(pt)), []).append(pt)
    minima = sorted(critical.get("minimum", []), key=fun)
    if minima:
        critical["minimum"] = minima
    minimum = fun(minima[0]) if minima else None
    return Objective(name, fun, grad, hess, 2, tuple(minima), minimum, critical)


def saddle(a: float = 1.0, b: float = 1.0) -> Objective:
    """The saddle f(x, y) = a x^2 - b y^2 (default x^2 - y^2), with a, b > 0.

    Its only critical point is the origin, with Hessian diag(2a, -2b): one direction
    curves up (x, the stable direction) and one down (y, the escape direction). The
    function is unbounded below, so there is no minimizer.

    >>> s = saddle()
    >>> s.fun(np.array([1.0, 2.0])), s.grad(np.array([1.0, 2.0])), s.critical_points
    (-3.0, array([ 2., -4.]), {'saddle': [array([0., 0.])]})
    """
    as_positive(a, "a")
    as_positive(b, "b")
    name = "saddle x^2 - y^2" if a == b == 1 else f"saddle {a:g} x^2 - {b:g} y^2"
    return _landscape(
        name,
        lambda x, y: a * x**2 - b * y**2,
        lambda x, y: (2 * a * x, -2 * b * y),
        lambda x, y: [[2 * a, 0.0], [0.0, -2 * b]],
        [(0.0, 0.0)],
    )


def plateau_saddle() -> Objective:
    """f(x, y) = x^4/4 - x^2/2 + y^2/2: a saddle at the origin between two minima (+-1,
    0).

    The Hessian at the origin is diag(-1, 1); the minima have value -1/4 and Hessian
    diag(2, 1). Gradient descent that starts on the y axis slides into the saddle; a
    small offset in x makes it linger on the flat region around the saddle before it
    drops into a minimum: a plateau in the loss curve.

    >>> p = plateau_saddle()
    >>> (
    ...     p.minimum,
    ...     [c.tolist() for c in p.critical_points["minimum"]],
    ...     p.hess(np.zeros(2)),
    ... )
    (-0.25, [[-1.0, 0.0], [1.0, 0.0]], array([[-1.,  0.],
           [ 0.,  1.]]))
    """
    return _landscape(
        "plateau saddle x^4/4 - x^2/2 + y^2/2",
        lambda x, y: x**4 / 4 - x**2 / 2 + y**2 / 2,
        lambda x, y: (x**3 - x, y),
        lambda x, y: [[3 * x**2 - 1, 0.0], [0.0, 1.0]],
        [(0.0, 0.0), (-1.0, 0.0), (1.0, 0.0)],
    )


def monkey_saddle() -> Objective:
    """The monkey saddle f(x, y) = x^3 - 3 x y^2: three valleys and three ridges meet at
    the origin.

    The Hessian at the origin is zero, so the second-order test cannot decide (label
    "degenerate"); along the x axis f = x^3 takes both signs, so the origin is not a
    minimum. The gradient vanishes quadratically there, so gradient descent crawls.

    >>> m = monkey_saddle()
    >>> m.grad(np.array([1.0, 1.0])), m.critical_points
    (array([ 0., -6.]), {'degenerate': [array([0., 0.])]})
    """
    return _landscape(
        "monkey saddle x^3 - 3xy^2",
        lambda x, y: x**3 - 3 * x * y**2,
        lambda x, y: (3 * x**2 - 3 * y**2, -6 * x * y),
        lambda x, y: [[6 * x, -6 * y], [-6 * y, -6 * x]],
        [(0.0, 0.0)],
    )


def _multi_well_critical_points(a: float, b: float, c: float) -> np.ndarray:
    """Real solutions of x^3 - x + a + c y = 0, y^3 - y + b + c x = 0, polished by
    Newton's method."""
    from numpy.polynomial import Polynomial

    px = Polynomial([a, -1.0, 0.0, 1.0])
    if c == 0:
        py = Polynomial([b, -1.0, 0.0, 1.0])
        rx = px.roots()
        ry = py.roots()
        xs = rx[np.abs(rx.imag) < 1e-9].real
        ys = ry[np.abs(ry.imag) < 1e-9].real
        pts = np.array([(x, y) for x in xs for y in ys])
    # y = -p(x)/c from the first equation; the second becomes a degree-9 polynomial in x
    else:
        r = px**3 - c**2 * px - b * c**3 - c**4 * Polynomial([0.0, 1.0])
        roots = r.roots()
        xs = roots[np.abs(roots.imag) < 1e-6].real
        pts = np.array([(x, -px(x) / c) for x in xs])
    out: list[np.ndarray] = []
    for p in pts:
        for _ in range(20):
            x, y = p
            g = np.array([x**3 - x + a + c * y, y**3 - y + b + c * x])
            H = np.array([[3 * x * x - 1, c], [c, 3 * y * y - 1]])
            try:
                step = np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                break
            p = p - step
            if np.max(np.abs(step)) < 1e-15:
                break
        if not any(np.allclose(p, q, atol=1e-8) for q in out):
            out.append(p)
    return np.array(sorted(out, key=lambda p: (p[0], p[1])))


def multi_well(a: float = 0.1, b: float = 0.2, c: float = 0.15) -> Objective:
    """A landscape with four minima of different depths: two tilted, coupled double
    wells.

    f(x, y) = x^4/4 - x^2/2 + a x + y^4/4 - y^2/2 + b y + c x y. With the defaults it
    has nine critical points: four minima (one in each quadrant, all of different
    depths), four saddles between them and a maximum near the origin. They are computed
    as the real roots of a polynomial and polished by Newton's method;
    ``minimizers`` lists the minima from deepest (the global minimum) to shallowest.

    >>> w = multi_well()
    >>> {k: len(v) for k, v in w.critical_points.items()}
    {'maximum': 1, 'minimum': 4, 'saddle': 4}
    >>> w.minimizers[0].round(3), round(w.minimum, 3)
    (array([ 1.034, -1.145]), -0.778)
    """
    for name, v in (("a", a), ("b", b), ("c", c)):
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float, np.floating))
            or not np.isfinite(v)
        ):
            raise ValueError(f"{name} must be a finite number; got {v!r}.")
    pts = _multi_well_critical_points(float(a), float(b), float(c))
    obj = _landscape(
        f"multi-well (a={a:g}, b={b:g}, c={c:g})",
        lambda x, y: (
            x**4 / 4 - x**2 / 2 + a * x + y**4 / 4 - y**2 / 2 + b * y + c * x * y
        ),
        lambda x, y: (x**3 - x + a + c * y, y**3 - y + b + c * x),
        lambda x, y: [[3 * x**2 - 1, c], [c, 3 * y**2 - 1]],
        pts,
    )
    return Objective(
        obj.name,
        obj.fun,
        obj.grad,
        obj.hess,
        2,
        obj.minimizers,
        obj.minimum,
        dict(sorted(obj.critical_points.items())),
    )


def random_field(d: int, n_features: int = 100, rng=None) -> Objective:
    """A random smooth function of d variables: f(x) = sqrt(2/K) sum_k a_k cos(w_k . x +
    b_k).

    With w_k ~ N(0, I_d), a_k ~ N(0, 1) and b_k uniform on [0, 2 pi) (K = ``n_features``
    random Fourier features), f has mean 0 and covariance E[f(x) f(x')] =
    exp(-|x - x'|^2 / 2) exactly, for every K; as K grows it tends to the Gaussian
    random field with that covariance, the model of Bray & Dean (2007). Nothing about
    its critical points is known in advance (``critical_points`` is empty): it is a
    landscape nobody designed. ``fun``, ``grad`` and ``hess`` accept a point (d,) or a
    stack (n, d).

    >>> f = random_field(3, rng=0)
    >>> f.dim, f.hess(np.zeros(3)).shape, f.grad(np.zeros((5, 3))).shape
    (3, (3, 3), (5, 3))
    """
    from ._validation import as_rng

    as_positive(d, "d", integer=True)
    as_positive(n_features, "n_features", integer=True)
    gen = as_rng(rng)
    W = gen.standard_normal((n_features, d))
    a = gen.standard_normal(n_features) * np.sqrt(2.0 / n_features)
    b = gen.uniform(0.0, 2.0 * np.pi, n_features)

    def pts(x):
        x = as_real_array(x, "x")
        if x.ndim == 1:
            return as_vector(x, "x", size=d)
        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(
                f"x must have shape ({d},) or (n, {d}) (one point per row); got"
                f" {x.shape}."
            )
        if not np.all(np.isfinite(x)):
            raise ValueError("x contains NaN or inf; expected finite values.")
        return x

    def fun(x):
        return _value(np.cos(pts(x) @ W.T + b) @ a)

    def grad(x):
        return -(np.sin(pts(x) @ W.T + b) * a) @ W

    def hess(x):
        c = np.cos(pts(x) @ W.T + b) * a  # (K,) or (n, K)
        # sum_k c_k w_k w_k^T, shape (d, d) or (n, d, d)
        return -(W.T * c[..., None, :]) @ W

    return Objective(f"random field (d={d}, K={n_features})", fun, grad, hess, d)
