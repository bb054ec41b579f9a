"""Gradient descent, full-batch and mini-batch, with the ``scipy.optimize.minimize``
protocol.

Both optimizers return a :class:`scipy.optimize.OptimizeResult` with the usual fields
(``x, fun, jac, nit, nfev, njev, status, success, message``) plus ``trajectory`` (the
iterates, one row per update, the start included) and ``loss_history``. Both can be
passed as ``minimize(fun, x0, jac=grad, method=gradient_descent)``.

Status codes: 0 converged (or, for mini-batch, ran its epochs), 1 iteration limit
reached, 2 diverged (loss became non-finite or grew past ``divergence_factor`` times
its start), 3 stopped by the callback (it raised ``StopIteration``).

Callbacks follow SciPy's two protocols (as ``scipy.optimize.minimize`` does for its own
methods): a callback whose only parameter is named ``intermediate_result`` receives an
``OptimizeResult`` with ``x``, ``fun`` and ``nit`` after every update (every epoch for
mini-batch); any other callback receives a copy of the iterate, ``callback(xk)``. Either
may raise ``StopIteration`` to stop the run (status 3).
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import OptimizeResult

from ._batches import batches, finite, stop_after_update
from ._validation import (
    as_data,
    as_positive,
    as_rng,
    as_vector,
    callable_name,
    gradient_output,
    scalar_output,
)
from .gradcheck import numerical_gradient
from .schedules import as_schedule, constant

__all__ = ["gradient_descent", "minibatch_gd", "STATUS_MESSAGES"]

STATUS_MESSAGES = {
    0: "Optimization terminated successfully.",
    1: "Maximum number of iterations has been exceeded.",
    2: (
        "Diverged: the loss became non-finite or grew past divergence_factor times its"
        " start."
    ),
    3: "Stopped by the callback (it raised StopIteration).",
}


class _Counted:
    """Wrap ``fun`` and ``jac`` so that every call is counted."""

    def __init__(self, fun: Callable, jac, args: tuple):
        if not callable(fun):
            raise ValueError(f"fun must be callable; got {fun!r}.")
        self.args, self.nfev, self.njev = tuple(args), 0, 0
        self.jac_label = "jac"
        self.name = callable_name(fun, "fun")
        if jac is True:  # fun returns (value, gradient), as in scipy
            self._fun = lambda x, *a: self._pair(fun, x, a)[0]
            self._jac = lambda x, *a: self._pair(fun, x, a)[1]
            self.jac_label = f"{self.name} (its gradient, with jac=True)"
        elif callable(jac):
            self._fun, self._jac = fun, jac
            jname = callable_name(jac, "")
            self.jac_label = f"jac ({jname})" if jname else "jac"
        elif jac is None or jac is False:
            self._fun, self._jac = fun, None
        else:
            raise ValueError(f"jac must be a callable, True or None; got {jac!r}.")

    @staticmethod
    def _pair(fun, x, args):
        out = fun(x, *args)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise ValueError(
                f"with jac=True, {callable_name(fun, 'fun')} must return a pair"
                f" (value, gradient); got {type(out).__name__}. Pass jac=None or a"
                " gradient function if it returns the value only."
            )
        return out

    def f(self, x, *data) -> float:
        self.nfev += 1
        return scalar_output(self._fun(x, *(data or self.args)), self.name)

    def g(self, x, *data) -> np.ndarray:
        args = data or self.args
        if self._jac is None:  # central differences: 2 d function evaluations
            self.nfev += 2 * x.size
            return numerical_gradient(
                lambda z: scalar_output(self._fun(z, *args), self.name), x
            )
        self.njev += 1
        return gradient_output(self._jac(x, *args), self.jac_label, x.shape)


def _check_unsupported(bounds, constraints, options: dict, name: str) -> None:
    if bounds is not None:
        raise ValueError(f"{name} does not support bounds.")
    if constraints:
        raise ValueError(f"{name} does not support constraints.")
    if options:
        raise ValueError(f"{name} got unknown options: {sorted(options)}.")


def _diverged(f: float, f0: float, factor: float) -> bool:
    return not math.isfinite(f) or f > factor * max(abs(f0), 1.0)


def _result(
    x, f, g, nit, counted, status, trajectory, losses, **extra
) -> OptimizeResult:
    return OptimizeResult(
        x=x,
        fun=f,
        jac=g,
        nit=nit,
        nfev=counted.nfev,
        njev=counted.njev,
        status=status,
        success=status == 0,
        message=STATUS_MESSAGES[status],
        trajectory=np.array(trajectory),
        loss_history=np.array(losses),
        **extra,
    )


def _not_finite_at_start(
    x, f, g, counted, trajectory, losses, **extra
) -> OptimizeResult:
    res = _result(x, f, g, 0, counted, 2, trajectory, losses, **extra)
    what = "loss" if not math.isfinite(f) else "gradient"
    res.message = (
        f"Diverged: the {what} is not finite at x0 ({what} ="
        f" {f if what == 'loss' else g})."
    )
    return res


def _rate_at(rate: Callable[[int], float], k: int) -> float:
    step = rate(k)
    if isinstance(step, float) and 0.0 <= step < math.inf:
        # the common case, checked cheaply
        return step
    # a schedule may anneal to 0
    as_positive(step, f"learning_rate({k})", allow_zero=True)
    return float(step)


def _callback_caller(callback) -> Callable[[np.ndarray, float, int], None] | None:
    """``call(x, f, nit)`` that hands ``callback`` what its signature asks for (SciPy's
    rule).

    A callback whose parameters are exactly ``{"intermediate_result"}`` gets an
    ``OptimizeResult(x=..., fun=..., nit=...)`` by keyword; any other gets
    ``callback(xk)``.
    """
    if callback is None:
        return None
    if not callable(callback):
        raise ValueError(f"callback must be callable or None; got {callback!r}.")
    try:
        parameters = set(inspect.signature(callback).parameters)
    except (TypeError, ValueError):
        # some builtins have no signature: use the classic form
        parameters = set()
    if parameters == {"intermediate_result"}:
        return lambda x, f, nit: callback(
            intermediate_result=OptimizeResult(x=x.copy(), fun=f, nit=nit)
        )
    return lambda x, f, nit: callback(x.copy())


def _setup(
    name,
    fun,
    jac,
    args,
    learning_rate,
    maxiter,
    gtol,
    tol,
    divergence_factor,
    bounds,
    constraints,
    unknown_options,
):
    """Validate what every full-batch optimizer takes; return (counted fun/jac,
    schedule, gtol)."""
    _check_unsupported(bounds, constraints, unknown_options, name)
    counted = _Counted(fun, jac, args)
    rate = as_schedule(learning_rate)
    as_positive(maxiter, "maxiter", integer=True, allow_zero=True)
    gtol = as_positive(gtol if tol is None else tol, "gtol", allow_zero=True)
    as_positive(divergence_factor, "divergence_factor")
    return counted, rate, gtol


def _descend(
    counted: _Counted,
    x0,
    update: Callable[[int, np.ndarray, np.ndarray], np.ndarray],
    maxiter: int,
    gtol: float,
    divergence_factor: float,
    callback,
) -> OptimizeResult:
    """The loop every full-batch optimizer shares; ``update(k, x, g)`` returns the next
    iterate.

    Stops on gtol (status 0), maxiter (1), divergence (2: a non-finite iterate is never
    handed to ``fun``) or a callback that raises StopIteration (3). The callback may
    take ``xk`` or ``intermediate_result`` (see the module docstring).
    """
    call = _callback_caller(callback)
    x = as_vector(x0, "x0").copy()
    f0 = f = counted.f(x)
    trajectory, losses = [x.copy()], [f]
    status, k = 1, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g = counted.g(x)
        if not (math.isfinite(f0) and np.isfinite(g).all()):
            # never "converged" at a NaN
            return _not_finite_at_start(x, f, g, counted, trajectory, losses)
        while True:
            if np.abs(g).max() <= gtol:
                status = 0
                break
            if k >= maxiter:
                break
            x = update(k, x, g)
            k += 1
            trajectory.append(x.copy())
            if not np.isfinite(x).all():
                f, status = float("nan"), 2
                losses.append(f)
                break
            f = counted.f(x)
            losses.append(f)
            if _diverged(f, f0, divergence_factor):
                status = 2
                break
            if call is not None:
                try:
                    call(x, f, k)
                except StopIteration:
                    status = 3
                    break
            g = counted.g(x)
    return _result(x, f, g, k, counted, status, trajectory, losses)


def gradient_descent(
    fun: Callable,
    x0: ArrayLike,
    args: tuple = (),
    jac: Callable | bool | None = None,
    *,
    learning_rate: float | Callable[[int], float] = 0.1,
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
    """Minimize ``fun`` by x_{k+1} = x_k - rate(k) * grad(x_k).

    Stops when the largest gradient component is at most ``gtol`` (status 0), after
    ``maxiter`` updates (status 1), or when the loss diverges (status 2; no overflow
    warnings are emitted). ``jac=None`` uses central differences (2 d evaluations of
    ``fun`` per gradient, counted in ``nfev``).

    Examples
    --------
    >>> from scipy.optimize import minimize
    >>> f = lambda x: float(x @ x)
    >>> g = lambda x: 2 * x
    >>> res = gradient_descent(f, [3.0, -4.0], jac=g, learning_rate=0.5)
    >>> res.success, res.nit, res.x
    (True, 1, array([0., 0.]))
    >>> minimize(f, [3.0, -4.0], jac=g, method=gradient_descent,
    ...          options={"learning_rate": 0.5}).x
    array([0., 0.])
    """
    counted, rate, gtol = _setup(
        "gradient_descent",
        fun,
        jac,
        args,
        learning_rate,
        maxiter,
        gtol,
        tol,
        divergence_factor,
        bounds,
        constraints,
        unknown_options,
    )
    return _descend(
        counted,
        x0,
        lambda k, x, g: x - _rate_at(rate, k) * g,
        maxiter,
        gtol,
        divergence_factor,
        callback,
    )


_KEEP = ("all", "epoch", "none")


def _as_keep(keep) -> str:
    if not isinstance(keep, str) or keep not in _KEEP:
        raise ValueError(f"keep must be one of {_KEEP}; got {keep!r}.")
    return keep


def _as_shuffle(shuffle) -> bool | str:
    if isinstance(shuffle, str) and shuffle == "once":
        return shuffle
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(f"shuffle must be True or False, or 'once'; got {shuffle!r}.")
    return bool(shuffle)


def _trusted(fn, counted_fn, X, y, x, more) -> Callable | None:
    """The kernel of a gdutils loss (or gradient) for this run, or None.

    A gdutils loss function carries ``_prepare(theta, X, y, *more)``: it validates the
    run's parameters (and labels, l2) once, and returns a kernel that trusts the
    batches it is given (they are slices of the X, y checked by ``as_data``).
    """
    prepare = getattr(fn, "_prepare", None)
    if prepare is None or counted_fn is not fn:
        return None
    return prepare(x, X, y, *more)


def _kernel_epoch(
    kernel: Callable,
    more: tuple,
    x: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    order: np.ndarray | None,
    batch_size: int,
    rates,
    trajectory: list | None,
    check: bool,
) -> int:
    """One epoch of ``x -= rate * kernel(x, X_B, y_B, *more)``, in place on ``x``: the
    fast path of a trusted gradient kernel without an epoch of its own (as
    ``losses.mse_grad._epoch``, whose arguments and return value these are)."""
    const = isinstance(rates, float)
    steps = 0
    for Xb, yb in batches(X, y, order, batch_size):
        g = kernel(x, Xb, yb, *more)
        x -= (rates if const else rates[steps]) * g
        steps += 1
        if stop_after_update(x, trajectory, check):
            break
    return steps


def minibatch_gd(
    fun: Callable,
    x0: ArrayLike,
    args: tuple = (),
    jac: Callable | bool | None = None,
    *,
    batch_size: int | None = None,
    learning_rate: float | Callable[[int], float] = 0.01,
    epochs: int = 100,
    rng: int | np.random.Generator | None = None,
    shuffle: bool | str = True,
    keep: str = "all",
    divergence_factor: float = 1e12,
    callback: Callable | None = None,
    hess=None,
    hessp=None,
    bounds=None,
    constraints=(),
    **unknown_options,
) -> OptimizeResult:
    """Mini-batch gradient descent on data ``args = (X, y, *more)``.

    ``fun(x, X, y, *more)`` and ``jac(x, X, y, *more)`` are called on slices of the
    data: ``batch_size=None`` is full-batch gradient descent, ``1`` is stochastic
    gradient descent, ``k`` is mini-batch. Each epoch visits every sample once, in a
    fresh random order drawn from ``rng`` (sampling without replacement); the last
    batch is smaller when ``batch_size`` does not divide n. The learning rate is a
    number or a schedule of the update index k (see :mod:`gdutils.schedules`).

    ``loss_history`` holds the full-data loss at the start and after every epoch;
    ``trajectory`` holds the iterates that ``keep`` asks for: ``"all"`` (the default,
    for plotting paths) the start and the iterate after every update, ``"epoch"`` the
    start and the iterate after every epoch (one row per ``loss_history`` entry),
    ``"none"`` nothing (shape (0, p)): memory stays bounded on large data.
    ``nsamples`` counts the per-example gradients computed. ``shuffle="once"`` draws
    one random order for the whole run and visits the samples in that order every
    epoch ("shuffle once"; still every sample once per epoch, without replacement): it
    keeps one shuffled copy of the data, so an epoch reads consecutive rows.

    Fast path: with a gdutils loss gradient as ``jac`` (``losses.mse_grad``,
    ``losses.cross_entropy_grad``) the data and parameters are validated once per run,
    each batch of a shuffled epoch is gathered into one small reused buffer (no
    shuffled copy of X: memory stays that of the data) and a kernel that trusts it
    updates the iterate in place (``mse_grad`` runs a whole epoch in one loop). The
    sampling, and so the result (up to rounding), is the same as calling ``jac`` on
    ``X[order[start:stop]]``; the iterate is checked for inf/NaN once per epoch, and
    an epoch that ends non-finite is replayed, checking every update, so the run
    still stops at the first non-finite iterate.

    Examples
    --------
    >>> from gdutils import data, losses
    >>> X, y, theta = data.linear_regression(rng=0)
    >>> res = minibatch_gd(losses.mse, np.zeros(6), (X, y), losses.mse_grad,
    ...                    batch_size=32, learning_rate=0.05, epochs=200, rng=0)
    >>> res.success, bool(np.allclose(res.x, theta, atol=0.05))
    (True, True)
    >>> minibatch_gd(losses.mse, np.zeros(6), (X, y), losses.mse_grad, batch_size=32,
    ...              epochs=3, rng=0, keep="epoch").trajectory.shape
    (4, 6)
    """
    _check_unsupported(bounds, constraints, unknown_options, "minibatch_gd")
    if len(args) < 2:
        raise ValueError("minibatch_gd needs the data as args = (X, y, ...).")
    X, y = as_data(args[0], args[1])
    more = tuple(args[2:])
    n = X.shape[0]
    if batch_size is None:
        batch_size = n
    as_positive(batch_size, "batch_size", integer=True)
    if batch_size > n:
        raise ValueError(
            f"batch_size must be between 1 and n = {n} (the number of samples); got"
            f" {batch_size}."
        )
    as_positive(epochs, "epochs", integer=True, allow_zero=True)
    as_positive(divergence_factor, "divergence_factor")
    rate = as_schedule(learning_rate)
    gen = as_rng(rng)
    shuffle = _as_shuffle(shuffle)
    keep = _as_keep(keep)
    call = _callback_caller(callback)
    counted = _Counted(fun, jac, (X, y) + more)
    x = as_vector(x0, "x0").copy()

    f0 = f = counted.f(x)
    trajectory = [] if keep == "none" else [x.copy()]
    losses = [f]
    extra = {"nepoch": 0, "nsamples": 0}
    if not math.isfinite(f0):
        res = _not_finite_at_start(
            x, f, np.full_like(x, np.nan), counted, trajectory, losses, **extra
        )
        return _shaped(res, x)
    kernel = _trusted(jac, counted._jac, X, y, x, more)
    loss = _trusted(fun, counted._fun, X, y, x, more)
    trusted = kernel is not None
    if trusted:
        run_epoch = getattr(jac, "_epoch", None)
        if run_epoch is None or more:
            run_epoch = functools.partial(_kernel_epoch, kernel, more)
    fixed = rate.rate if isinstance(rate, constant) else None
    per_epoch = -(-n // batch_size)
    Xs, ys = X, y  # the rows an epoch visits, in storage order unless ``order`` is set
    every = keep == "all"
    status, k, nsamples, epoch = 0, 0, 0, 0
    with np.errstate(over="ignore", invalid="ignore"):
        while epoch < epochs and status == 0:
            order = None
            if shuffle is True or (shuffle and epoch == 0):
                perm = gen.permutation(n)
                if not trusted or shuffle == "once":
                    # user code gets batches it may keep; "once" keeps one shuffled
                    # copy of the data for the whole run
                    Xs, ys = X[perm], y[perm]
                elif n > batch_size:  # (one full batch: the order is only rounding)
                    order = perm
            k0 = k
            if trusted:
                # the fast path checks the iterate once per epoch: a non-finite
                # iterate stays non-finite, so when the epoch ends non-finite it is
                # replayed, checking every update, to stop at the first one
                rates = fixed
                if fixed is None:
                    rates = [_rate_at(rate, j) for j in range(k, k + per_epoch)]
                start, kept = x.copy(), len(trajectory)
                record = trajectory if every else None
                steps = run_epoch(x, Xs, ys, order, batch_size, rates, record, False)
                if not finite(x):
                    x[:] = start
                    del trajectory[kept:]
                    steps = run_epoch(x, Xs, ys, order, batch_size, rates, record, True)
                    status = 2
                k += steps
                counted.njev += steps
            else:
                for start in range(0, n, batch_size):
                    stop = start + batch_size
                    g = counted.g(x, Xs[start:stop], ys[start:stop], *more)
                    x = x - (fixed if fixed is not None else _rate_at(rate, k)) * g
                    k += 1
                    if every:
                        trajectory.append(x)
                    if not finite(x):
                        status = 2
                        break
            nsamples += min(n, (k - k0) * batch_size)
            epoch += 1
            if status != 0:
                f = np.nan  # never evaluate fun on inf/NaN parameters
            elif loss is not None:
                counted.nfev += 1
                f = loss(x, X, y, *more)
            else:
                f = counted.f(x)
            losses.append(f)
            if keep == "epoch":
                trajectory.append(x.copy())
            if status == 0 and _diverged(f, f0, divergence_factor):
                status = 2
            if status == 0 and call is not None:
                try:
                    call(x, f, k)
                except StopIteration:
                    status = 3
        g = counted.g(x) if status != 2 else np.full_like(x, np.nan)
    res = _result(
        x, f, g, k, counted, status, trajectory, losses, nepoch=epoch, nsamples=nsamples
    )
    if status == 0:
        res.message = (
            f"Completed {epoch} epochs of {-(-n // batch_size)} batches"
            f" (batch_size={batch_size})."
        )
    return _shaped(res, x)


def _shaped(res: OptimizeResult, x: np.ndarray) -> OptimizeResult:
    if res.trajectory.size == 0:
        res.trajectory = np.empty((0, x.size))
    return res
