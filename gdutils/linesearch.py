"""Gradient descent that chooses its own step: Armijo backtracking and Polyak's step.

Both optimizers follow the protocol of :func:`gdutils.optimizers.gradient_descent`: they
return a :class:`scipy.optimize.OptimizeResult` with ``x, fun, jac, nit, nfev, njev,
status, success, message`` plus ``trajectory`` (the iterates, start included),
``loss_history`` and ``step_sizes`` (the step taken at every update), and they can be
passed as ``minimize(fun, x0, jac=grad, method=backtracking)``. Status codes are those
of :mod:`gdutils.optimizers` (0 converged: largest gradient component <= ``gtol``,
1 iteration limit, 2 diverged, 3 stopped by the callback) plus 4: the line search found
no acceptable step (usually a wrong gradient: -g is then not a descent direction).

* :func:`backtracking`: x_{k+1} = x_k - t_k g_k, where t_k is the first of
  t0, t0 * shrink, t0 * shrink^2, ... that passes Armijo's sufficient-decrease test
  f(x_k - t g_k) <= f(x_k) - c1 t ||g_k||^2. Every trial costs one function evaluation
  (counted in ``nfev``); every update costs one gradient.
* :func:`polyak`: t_k = (f(x_k) - f_star) / ||g_k||^2, for problems whose minimum value
  ``f_star`` is known. One function value and one gradient per update.

Neither needs the smoothness constant L. By the descent lemma, every t <= 1/L passes the
Armijo test with c1 <= 1/2, so backtracking never accepts a step below min(t0, shrink /
L) on an L-smooth function:

>>> from gdutils import objectives
>>> q = objectives.quadratic(np.diag([1.0, 10.0]))
>>> res = backtracking(q.fun, [1.0, 1.0], jac=q.grad, initial_step=1.0)
>>> res.success, bool(np.min(res.step_sizes) >= 0.5 / 10)
(True, True)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import OptimizeResult

from ._validation import as_positive, as_real_array, as_vector
from .optimizers import _check_unsupported, _Counted, _diverged, _result

__all__ = ["backtracking", "polyak", "armijo_step", "LINE_SEARCH_FAILED"]

LINE_SEARCH_FAILED = 4
_FAILED_MESSAGE = (
    "Line search failed: no step passed the Armijo test (is the gradient right? "
    "-g must be a descent direction)."
)


def _fraction(value, name: str) -> float:
    value = as_positive(value, name)
    if not value < 1:
        raise ValueError(f"{name} must be in (0, 1); got {value!r}.")
    return value


def armijo_step(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    fx: float,
    g: np.ndarray,
    direction: np.ndarray | None = None,
    *,
    initial_step: float = 1.0,
    c1: float = 1e-4,
    shrink: float = 0.5,
    max_backtracks: int = 60,
) -> tuple[float, float, int]:
    """Backtrack from ``initial_step`` until f(x + t p) <= f(x) + c1 t g.p; return (t,
    f(x + t p), trials).

    ``p`` is ``direction`` (default -g, so that g.p = -||g||^2). ``trials`` is the
    number of evaluations of ``f`` spent; ``t`` is NaN if ``max_backtracks`` halvings
    found no step.

    >>> f = lambda x: float(x @ x)
    >>> x = np.array([1.0, 0.0])
    >>> # t = 1 overshoots to -x; 0.5 passes
    >>> armijo_step(f, x, f(x), 2 * x, initial_step=1.0, c1=0.5)
    (0.5, 0.0, 2)
    """
    p = -g if direction is None else as_real_array(direction, "direction")
    slope = float(g @ p)
    if not slope < 0:
        raise ValueError(
            f"direction must be a descent direction (g.p < 0); got g.p = {slope!r}."
        )
    t = float(initial_step)
    for trial in range(1, max_backtracks + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            ft = f(x + t * p)
        # ft < fx too: a trial so short that f(x + t p) rounds to f(x) proves nothing (a
        # wrong gradient would otherwise "pass" at t ~ 1e-18)
        if np.isfinite(ft) and ft <= fx + c1 * t * slope and ft < fx:
            return t, float(ft), trial
        t *= shrink
    return float("nan"), float("nan"), max_backtracks


def _notifier(callback) -> Callable[[np.ndarray, float], bool]:
    """``notify(x, f)`` that calls ``callback`` and returns True if it asked to stop
    (StopIteration).

    SciPy's ``minimize`` wraps a callback so that it takes an ``OptimizeResult`` (it has
    a ``stop_iteration`` attribute then), as does a callback whose only parameter is
    named ``intermediate_result``; any other callback gets ``x`` (the classic protocol).
    The signature is read once per run, not at every step.
    """
    if callback is None:
        return lambda x, f: False
    try:
        params = set(inspect.signature(callback).parameters)
    except (TypeError, ValueError):
        params = set()
    by_keyword = params == {"intermediate_result"}
    wants_result = by_keyword or hasattr(callback, "stop_iteration")

    def notify(x: np.ndarray, f: float) -> bool:
        try:
            if by_keyword:
                callback(intermediate_result=OptimizeResult(x=x.copy(), fun=f))
            elif wants_result:
                callback(OptimizeResult(x=x.copy(), fun=f))
            else:
                callback(x.copy())
        except StopIteration:
            return True
        return False

    return notify


def _run(
    counted: _Counted,
    x0,
    choose_step: Callable,
    maxiter: int,
    gtol: float,
    divergence_factor: float,
    callback,
) -> OptimizeResult:
    """The loop both optimizers share. ``choose_step(k, x, f, g)`` returns (t, f at the
    new point or None).

    Unlike :func:`gdutils.optimizers._descend`, the function value at the accepted point
    comes from the line search when it has one, so it is not paid for twice.
    """
    x = as_vector(x0, "x0").copy()
    notify = _notifier(callback)
    f0 = f = counted.f(x)
    trajectory, losses, steps = [x.copy()], [f], []
    status, k = 1, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g = counted.g(x)
        while True:
            if np.max(np.abs(g)) <= gtol:
                status = 0
                break
            if k >= maxiter:
                break
            t, f_new = choose_step(k, x, f, g)
            if t is None:  # the step rule says the known minimum is reached
                status = 0
                break
            if not np.isfinite(t):
                status = LINE_SEARCH_FAILED
                break
            x = x - t * g
            k += 1
            steps.append(t)
            trajectory.append(x.copy())
            if not np.all(np.isfinite(x)):
                f, status = float("nan"), 2
                losses.append(f)
                break
            f = counted.f(x) if f_new is None else f_new
            losses.append(f)
            if _diverged(f, f0, divergence_factor):
                status = 2
                break
            if notify(x, f):
                status = 3
                break
            g = counted.g(x)
    res = _result(
        x,
        f,
        g,
        k,
        counted,
        0 if status == LINE_SEARCH_FAILED else status,
        trajectory,
        losses,
        step_sizes=np.array(steps),
    )
    if status == LINE_SEARCH_FAILED:
        res.update(status=status, success=False, message=_FAILED_MESSAGE)
    return res


def _common(
    name,
    fun,
    jac,
    args,
    maxiter,
    gtol,
    tol,
    divergence_factor,
    bounds,
    constraints,
    unknown,
):
    _check_unsupported(bounds, constraints, unknown, name)
    counted = _Counted(fun, jac, args)
    as_positive(maxiter, "maxiter", integer=True, allow_zero=True)
    gtol = as_positive(gtol if tol is None else tol, "gtol", allow_zero=True)
    as_positive(divergence_factor, "divergence_factor")
    return counted, gtol


def backtracking(
    fun: Callable,
    x0: ArrayLike,
    args: tuple = (),
    jac: Callable | bool | None = None,
    *,
    initial_step: float = 1.0,
    c1: float = 1e-4,
    shrink: float = 0.5,
    grow: float | None = None,
    max_backtracks: int = 60,
    maxiter: int = 1000,
    gtol: float = 1e-6,
    divergence_factor: float = 1e12,
    callback: Callable | None = None,
    hess=None,
    hessp=None,
    bounds=None,
    constraints=(),
    tol: float | None = None,
    **unknown_options,
) -> OptimizeResult:
    """Gradient descent with Armijo backtracking: no learning rate to tune.

    Each update tries t = t0, t0 * shrink, t0 * shrink^2, ... until
    f(x - t g) <= f(x) - c1 t ||g||^2 (sufficient decrease), then steps to x - t g.
    t0 is ``initial_step`` at every update (``grow=None``, the textbook rule), or
    ``grow`` times the previous accepted step (``grow > 1``: a warm start that lets the
    step increase again where the function is flatter). ``c1`` in (0, 1), ``shrink`` in
    (0, 1). ``nfev`` counts every trial; the accepted trial's value is reused, so an
    update costs one gradient and as many function values as trials.

    Examples
    --------
    >>> from scipy.optimize import minimize
    >>> f = lambda x: float(x @ x)
    >>> g = lambda x: 2 * x
    >>> res = backtracking(f, [3.0, -4.0], jac=g, initial_step=1.0)
    >>> # 1.0 overshoots to (-3, 4); 0.5 is exact
    >>> res.success, res.nit, res.x, res.step_sizes
    (True, 1, array([0., 0.]), array([0.5]))
    >>> minimize(f, [3.0, -4.0], jac=g, method=backtracking).x
    array([0., 0.])
    """
    counted, gtol = _common(
        "backtracking",
        fun,
        jac,
        args,
        maxiter,
        gtol,
        tol,
        divergence_factor,
        bounds,
        constraints,
        unknown_options,
    )
    initial_step = as_positive(initial_step, "initial_step")
    c1 = _fraction(c1, "c1")
    shrink = _fraction(shrink, "shrink")
    as_positive(max_backtracks, "max_backtracks", integer=True)
    if grow is not None:
        grow = as_positive(grow, "grow")
        if grow < 1:
            raise ValueError(
                "grow must be >= 1 (or None to restart from initial_step); got"
                f" {grow!r}."
            )
    last = None

    def choose_step(k, x, f, g):
        nonlocal last
        t0 = initial_step if grow is None or last is None else grow * last
        t, f_new, trials = armijo_step(
            counted.f,
            x,
            f,
            g,
            initial_step=t0,
            c1=c1,
            shrink=shrink,
            max_backtracks=max_backtracks,
        )
        last = t
        return t, f_new

    return _run(counted, x0, choose_step, maxiter, gtol, divergence_factor, callback)


def polyak(
    fun: Callable,
    x0: ArrayLike,
    args: tuple = (),
    jac: Callable | bool | None = None,
    *,
    f_star: float = 0.0,
    maxiter: int = 1000,
    gtol: float = 1e-6,
    divergence_factor: float = 1e12,
    callback: Callable | None = None,
    hess=None,
    hessp=None,
    bounds=None,
    constraints=(),
    tol: float | None = None,
    **unknown_options,
) -> OptimizeResult:
    """Gradient descent with Polyak's step t_k = (f(x_k) - f_star) / ||g_k||^2.

    Needs the minimum value ``f_star`` (known for interpolating models, or from a
    reference solve). Stops with status 0 when the gradient test passes or when
    f(x_k) <= f_star (the known minimum is reached, so no positive step is defined).

    Examples
    --------
    >>> f = lambda x: float(x @ x)
    >>> res = polyak(f, [3.0, -4.0], jac=lambda x: 2 * x)
    >>> # (f - 0) / ||2x||^2 = 1/4: half the exact step on x @ x
    >>> float(res.step_sizes[0]), res.nit
    (0.25, 23)
    """
    counted, gtol = _common(
        "polyak",
        fun,
        jac,
        args,
        maxiter,
        gtol,
        tol,
        divergence_factor,
        bounds,
        constraints,
        unknown_options,
    )
    if (
        isinstance(f_star, bool)
        or not np.isfinite(np.asarray(f_star, dtype=float)).all()
        or np.ndim(f_star) != 0
    ):
        raise ValueError(
            "f_star must be a finite number (the minimum value of fun); got"
            f" {f_star!r}."
        )
    f_star = float(f_star)

    def choose_step(k, x, f, g):
        gap = f - f_star
        if gap <= 0:
            return None, None
        return gap / float(g @ g), None

    res = _run(counted, x0, choose_step, maxiter, gtol, divergence_factor, callback)
    if res.status == 0 and np.max(np.abs(res.jac)) > gtol:
        res.message = f"Reached f_star = {f_star:g} (the known minimum value)."
    return res
