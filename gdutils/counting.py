"""Count what an optimizer really asks for: function, gradient and Hessian evaluations.

Result objects report their own counts (``nfev``, ``njev``, ``nhev``), but each method
counts in its own way: a finite-difference gradient is reported as a gradient evaluation
although it cost ``d`` function evaluations, and some methods leave fields out. A
:class:`CountedObjective` counts at the source instead: every call of the wrapped
function, gradient, Hessian or Hessian-vector product, whoever makes it.

>>> from scipy.optimize import minimize
>>> c = CountedObjective(lambda x: float(x @ x), jac=lambda x: 2 * x)
>>> res = minimize(c.fun, [1.0, 2.0], jac=c.jac, method="BFGS")
>>> c.counts == {"nfev": res.nfev, "njev": res.njev, "nhev": 0}
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import as_real_array, callable_name, scalar_output

__all__ = ["CountedObjective"]


def _callable_or_none(f, name: str):
    if f is not None and not callable(f):
        raise ValueError(f"{name} must be a callable or None; got {f!r}.")
    return f


class CountedObjective:
    """Wrap ``fun`` (and optionally ``jac``, ``hess``, ``hessp``) so that every call is
    counted.

    Pass ``c.fun``, ``c.jac``, ``c.hess`` and ``c.hessp`` to an optimizer in place of
    the originals (``c.jac`` is None when no gradient was given, so SciPy falls back to
    finite differences, whose function calls are then counted in ``nfev``). Counters:

    - ``nfev``: calls of ``fun``;
    - ``njev``: calls of ``jac``;
    - ``nhev``: calls of ``hess`` or ``hessp`` (as SciPy's ``nhev`` does for Newton-CG);
    - ``evaluations``: their sum.

    ``trace`` has one row per call of ``fun``: the number of evaluations made so far
    (this call included) and the value returned, which is what a plot of the error
    against the evaluations needs; ``count_trace`` has the three counters at the same
    moments, so the gradient (or Hessian) evaluations made before a given value was
    first reached can be read off. ``reset()`` sets everything back to zero.

    >>> c = CountedObjective(lambda x: float(np.sum(x**2)), jac=lambda x: 2 * x)
    >>> c.fun(np.ones(2)), c.jac(np.ones(2)), c.fun(np.zeros(2))
    (2.0, array([2., 2.]), 0.0)
    >>> c.counts, c.evaluations
    ({'nfev': 2, 'njev': 1, 'nhev': 0}, 3)
    >>> c.trace
    array([[1., 2.],
           [3., 0.]])
    >>> c.count_trace  # nfev, njev, nhev when each value was computed
    array([[1, 0, 0],
           [2, 1, 0]])
    >>> c.hess is None
    True
    """

    def __init__(
        self,
        fun: Callable,
        jac: Callable | None = None,
        hess: Callable | None = None,
        hessp: Callable | None = None,
    ):
        if not callable(fun):
            raise ValueError(f"fun must be callable; got {fun!r}.")
        self._fun = fun
        self._jac = _callable_or_none(jac, "jac")
        self._hess = _callable_or_none(hess, "hess")
        self._hessp = _callable_or_none(hessp, "hessp")
        # None when absent, so that ``jac=c.jac`` means "no gradient" to SciPy.
        self.jac = self._counted_jac if jac is not None else None
        self.hess = self._counted_hess if hess is not None else None
        self.hessp = self._counted_hessp if hessp is not None else None
        self.reset()

    @classmethod
    def from_objective(cls, objective, *, hessian: bool = True) -> CountedObjective:
        """Count an :class:`gdutils.objectives.Objective` bundle (fun, grad and, if
        asked, hess).

        >>> from gdutils.objectives import rosenbrock
        >>> c = CountedObjective.from_objective(rosenbrock())
        >>> c.fun(np.array([1.0, 1.0])), c.hess is not None
        (0.0, True)
        """
        for attr in ("fun", "grad", "hess"):
            if not callable(getattr(objective, attr, None)):
                raise ValueError(
                    f"objective must have callable fun, grad and hess; {attr!r} is"
                    " missing."
                )
        return cls(objective.fun, objective.grad, objective.hess if hessian else None)

    def reset(self) -> None:
        """Set every counter to zero and empty the trace.

        >>> c = CountedObjective(abs); _ = c.fun(-1.0); c.reset(); c.counts["nfev"]
        0
        """
        self.nfev = self.njev = self.nhev = 0
        self._trace: list[tuple[int, float]] = []
        self._count_trace: list[tuple[int, int, int]] = []

    @property
    def evaluations(self) -> int:
        """Function, gradient and Hessian evaluations together."""
        return self.nfev + self.njev + self.nhev

    @property
    def counts(self) -> dict[str, int]:
        """The three counters as a dict with SciPy's names."""
        return {"nfev": self.nfev, "njev": self.njev, "nhev": self.nhev}

    @property
    def trace(self) -> np.ndarray:
        """Array of shape (calls of fun, 2): evaluations so far, value returned."""
        return np.array(self._trace, dtype=float).reshape(-1, 2)

    @property
    def count_trace(self) -> np.ndarray:
        """Integer array of shape (calls of fun, 3): ``nfev, njev, nhev`` at each call
        of fun."""
        return np.array(self._count_trace, dtype=int).reshape(-1, 3)

    def fun(self, x, *args) -> float:
        """The wrapped function, counted in ``nfev`` and recorded in ``trace``."""
        self.nfev += 1
        value = scalar_output(self._fun(x, *args), callable_name(self._fun, "fun"))
        self._trace.append((self.evaluations, value))
        self._count_trace.append((self.nfev, self.njev, self.nhev))
        return value

    def _counted_jac(self, x, *args) -> np.ndarray:
        self.njev += 1
        return as_real_array(self._jac(x, *args), "the jac output")

    def _counted_hess(self, x, *args):
        self.nhev += 1
        return self._hess(x, *args)

    def _counted_hessp(self, x, p, *args) -> np.ndarray:
        self.nhev += 1
        return as_real_array(self._hessp(x, p, *args), "the hessp output")

    def __repr__(self) -> str:
        return f"CountedObjective(nfev={self.nfev}, njev={self.njev}, nhev={self.nhev})"
