"""Run several minimizers on several problems and starts, and tabulate what each one
cost.

Every run goes through :func:`scipy.optimize.minimize` with a fresh
:class:`~gdutils.counting.CountedObjective`, so the function, gradient and Hessian
evaluations in the table are counted at the source, not copied from result fields.
Times are wall-clock seconds of the same run, reported as a ratio to the fastest method
on the same problem and start (absolute times depend on the machine; ratios much less).

Methods stop by their own rules, so their final errors differ; to compare them at *equal
accuracy*, :func:`counts_to` reads off the counted evaluations each run had made when
its error first reached a tolerance, and :func:`stopped_by` names the rule that ended
it.

>>> from gdutils.objectives import ill_conditioned_quadratic
>>> p = Problem.from_objective(
...     ill_conditioned_quadratic(2, 10.0), [np.array([1.0, 1.0])]
... )
>>> rows = run(
...     [p], [Method("BFGS", "BFGS"), Method("Nelder-Mead", "Nelder-Mead", uses="f")]
... )
>>> [(r.method, r.nfev, r.njev, r.error < 1e-8) for r in rows]
[('BFGS', 4, 4, True), ('Nelder-Mead', 86, 0, True)]
>>> min(r.time_ratio for r in rows)
1.0
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from ._validation import as_positive, as_vector
from .counting import CountedObjective

__all__ = [
    "Problem",
    "Method",
    "Run",
    "run",
    "select",
    "evaluations_to",
    "counts_to",
    "stopped_by",
    "tally",
    "summary",
    "to_markdown",
]

_USES = ("f", "fg", "fgh", "fgp")


@dataclass(frozen=True)
class Problem:
    """A function to minimize, its derivatives, the starts to try and its minimum value.

    ``jac``, ``hess`` and ``hessp`` (the Hessian-vector product ``hessp(x, p, *args)``)
    may be None (methods that need them then raise a ``ValueError``). ``lipschitz`` is
    an optional bound on the largest Hessian eigenvalue along the way, which a method's
    options can use to pick a step size 1/L. ``local_minima`` lists known local,
    non-global minima as pairs ``(x, value)``: a run that ends at one is classified as
    such (see :func:`run`).

    >>> p = Problem(
    ...     "square", lambda x: float(x @ x), lambda x: 2 * x, None, [np.ones(3)], 0.0
    ... )
    >>> p.dim
    3
    """

    name: str
    fun: Callable
    jac: Callable | None
    hess: Callable | None
    starts: Sequence
    fstar: float
    args: tuple = ()
    lipschitz: float | None = None
    hessp: Callable | None = None
    local_minima: Sequence = ()

    def __post_init__(self):
        if not callable(self.fun):
            raise ValueError(f"fun must be callable; got {self.fun!r}.")
        for name in ("jac", "hess", "hessp"):
            if getattr(self, name) is not None and not callable(getattr(self, name)):
                raise ValueError(
                    f"{name} must be callable or None; got {getattr(self, name)!r}."
                )
        starts = tuple(as_vector(x0, "each start") for x0 in self.starts)
        if not starts:
            raise ValueError("starts must hold at least one start x0 of shape (d,).")
        if len({x0.shape for x0 in starts}) != 1:
            raise ValueError(
                "every start must have the same shape (d,); got"
                f" {[x.shape for x in starts]}."
            )
        object.__setattr__(self, "starts", starts)
        if not np.isfinite(self.fstar):
            raise ValueError(
                f"fstar (the minimum value) must be finite; got {self.fstar!r}."
            )
        if self.lipschitz is not None:
            as_positive(self.lipschitz, "lipschitz")
        minima = []
        for entry in self.local_minima:
            if len(entry) != 2:
                raise ValueError(
                    f"local_minima must hold pairs (x, value); got {entry!r}."
                )
            x_loc = as_vector(entry[0], "a local minimizer", size=starts[0].shape[0])
            if not np.isfinite(entry[1]) or entry[1] <= self.fstar:
                raise ValueError(
                    "a local minimum's value must be finite and above fstar ="
                    f" {self.fstar}; got {entry[1]!r}."
                )
            minima.append((x_loc, float(entry[1])))
        object.__setattr__(self, "local_minima", tuple(minima))

    @property
    def dim(self) -> int:
        return self.starts[0].shape[0]

    @classmethod
    def from_objective(
        cls,
        objective,
        starts,
        *,
        name: str | None = None,
        lipschitz: float | None = None,
        hessp: Callable | None = None,
        local_minima: Sequence = (),
    ) -> Problem:
        """A problem from an :class:`gdutils.objectives.Objective` bundle with a known
        minimum.

        >>> from gdutils.objectives import rosenbrock
        >>> Problem.from_objective(rosenbrock(), [[-1.2, 1.0]]).fstar
        0.0
        """
        if objective.minimum is None:
            raise ValueError(
                f"{objective.name} has no known minimum value; build the Problem by"
                " hand with fstar."
            )
        return cls(
            name or objective.name,
            objective.fun,
            objective.grad,
            objective.hess,
            starts,
            float(objective.minimum),
            lipschitz=lipschitz,
            hessp=hessp,
            local_minima=local_minima,
        )


@dataclass(frozen=True)
class Method:
    """A minimizer for ``scipy.optimize.minimize``: a SciPy name or a callable (the
    book's optimizers).

    ``uses`` says which derivatives it is given: "f" (none), "fg" (gradient), "fgh"
    (gradient and Hessian) or "fgp" (gradient and Hessian-vector products). ``options``
    is a dict, or a function of the :class:`Problem` returning one (for a step size that
    depends on the problem).

    >>> Method("GD", "BFGS", options=lambda p: {"gtol": 1e-6}).options_for(None)
    {'gtol': 1e-06}
    """

    name: str
    method: str | Callable
    uses: str = "fg"
    options: Mapping | Callable[[Problem], Mapping] = field(default_factory=dict)

    def __post_init__(self):
        if self.uses not in _USES:
            raise ValueError(f"uses must be one of {_USES}; got {self.uses!r}.")

    def options_for(self, problem: Problem) -> dict:
        return dict(self.options(problem) if callable(self.options) else self.options)


@dataclass(frozen=True)
class Run:
    """One row of the table: one method on one problem from one start.

    ``error`` is f(x_final) - f* (clipped at 0), computed from the returned x with an
    uncounted call. ``trace`` has columns (evaluations so far, best error so far), one
    row per function evaluation; ``count_trace`` the counters (nfev, njev, nhev) at the
    same moments. ``reported`` holds the counts the result object claims. ``nhev``
    counts Hessians, or Hessian-vector products when ``uses == "fgp"``.

    ``outcome`` is "global minimum" (error at most the ``tol`` given to :func:`run`),
    "local minimum" (the run ended within ``tol`` of the value of a known local minimum,
    near its minimizer) or "not converged". A run that ends near a known local minimizer
    (within a tenth of its norm, or of 1) is measured against it: ``target_gap`` is then
    that minimum's value minus f*, otherwise 0.
    ``stopped_by`` names the rule that ended the run (see :func:`stopped_by`).

    >>> r = Run("p", 2, "m", 0, 3, 2, 0, 1, 0.1, 1.0, 0.0, True, {}, np.zeros((0, 2)))
    >>> r.evaluations
    5
    """

    problem: str
    dim: int
    method: str
    start: int
    nfev: int
    njev: int
    nhev: int
    nit: int
    seconds: float
    time_ratio: float
    error: float
    success: bool
    reported: dict
    trace: np.ndarray = field(repr=False)
    count_trace: np.ndarray | None = field(default=None, repr=False)
    uses: str = "fg"
    stopped_by: str = ""
    outcome: str = ""
    target_gap: float = 0.0

    @property
    def evaluations(self) -> int:
        return self.nfev + self.njev + self.nhev


# What ended a run, by method (lower-case name) and status code.
_RULES = {
    "nelder-mead": {0: "xatol and fatol", 1: "maxfev", 2: "maxiter"},
    "powell": {0: "ftol", 1: "maxfev", 2: "maxiter", 3: "NaN"},
    "cg": {0: "gtol", 1: "maxiter", 2: "line search failed", 3: "NaN"},
    "bfgs": {0: "gtol", 1: "maxiter", 2: "line search failed", 3: "NaN"},
    "newton-cg": {
        0: "xtol",
        1: "maxiter",
        2: "line search failed",
        3: "NaN or indefinite Hessian",
    },
    "trust-ncg": {0: "gtol", 1: "maxiter", 2: "bad model", 3: "linear algebra error"},
    "book": {0: "gtol", 1: "maxiter", 2: "diverged", 3: "callback"},
}
_RULES["trust-krylov"] = _RULES["dogleg"] = _RULES["trust-exact"] = _RULES["trust-ncg"]


def stopped_by(method: str | Callable, result) -> str:
    """The stopping rule that ended a run of ``minimize(method=method)``, from its
    result.

    SciPy's default rules: Nelder–Mead stops when both ``xatol`` and ``fatol`` hold (or
    at ``maxfev``), Powell on ``ftol`` (relative decrease of f per sweep), CG and BFGS
    on ``gtol`` (largest gradient component), L-BFGS-B on ``gtol`` (projected gradient)
    or ``ftol`` (relative reduction of f, whichever comes first), Newton-CG on ``xtol``
    (size of the step); "line search failed" is SciPy's "precision loss" (or L-BFGS-B's
    "ABNORMAL"). The book's optimizers (any callable ``method``) stop on ``gtol``,
    ``maxiter``, divergence or the callback.

    >>> from scipy.optimize import minimize, rosen, rosen_der
    >>> stopped_by(
    ...     "L-BFGS-B", minimize(rosen, [-1.2, 1.0], jac=rosen_der, method="L-BFGS-B")
    ... )
    'ftol'
    >>> stopped_by("BFGS", minimize(rosen, [-1.2, 1.0], jac=rosen_der, method="BFGS"))
    'gtol'
    """
    status, message = int(result.get("status", -1)), str(result.get("message", ""))
    if "StopIteration" in message or (status == 99 and "callback" in message):
        return "callback"
    key = "book" if callable(method) else str(method).lower()
    if key == "l-bfgs-b":
        for needle, rule in (
            ("PROJECTED GRADIENT", "gtol"),
            ("REDUCTION OF F", "ftol"),
            ("ITERATIONS", "maxiter"),
            ("EVALUATIONS", "maxfun"),
            ("ABNORMAL", "line search failed"),
        ):
            if needle in message:
                return rule
    return _RULES.get(key, {}).get(status, f"status {status}")


def _outcome(
    problem: Problem, x: np.ndarray, fx: float, tol: float
) -> tuple[str, float]:
    """(outcome, target_gap): a run that ends near a known local minimizer is measured
    against it."""
    if fx - problem.fstar <= tol:
        return "global minimum", 0.0
    for x_loc, f_loc in problem.local_minima:
        if np.linalg.norm(x - x_loc) <= 0.1 * max(1.0, np.linalg.norm(x_loc)):
            return (
                "local minimum" if fx - f_loc <= tol else "not converged"
            ), f_loc - problem.fstar
    return "not converged", 0.0


def _one(
    problem: Problem, method: Method, x0: np.ndarray, start: int, tol: float = 1e-6
) -> dict:
    if "g" in method.uses and problem.jac is None:
        raise ValueError(
            f"{method.name} needs a gradient but problem {problem.name!r} has jac=None."
        )
    if "h" in method.uses and problem.hess is None:
        raise ValueError(
            f"{method.name} needs a Hessian but problem {problem.name!r} has hess=None."
        )
    if "p" in method.uses and problem.hessp is None:
        raise ValueError(
            f"{method.name} needs Hessian-vector products but problem {problem.name!r}"
            " has hessp=None."
        )
    c = CountedObjective(
        problem.fun,
        problem.jac if "g" in method.uses else None,
        problem.hess if "h" in method.uses else None,
        problem.hessp if "p" in method.uses else None,
    )
    kwargs = {"jac": c.jac} if "g" in method.uses else {}
    if "h" in method.uses:
        kwargs["hess"] = c.hess
    if "p" in method.uses:
        kwargs["hessp"] = c.hessp
    t0 = time.perf_counter()
    res = minimize(
        c.fun,
        x0.copy(),
        problem.args,
        method=method.method,
        options=method.options_for(problem),
        **kwargs,
    )
    seconds = time.perf_counter() - t0
    x = np.asarray(res.x, dtype=float)
    fx = float(problem.fun(x, *problem.args))
    trace = c.trace
    best = (
        np.minimum.accumulate(trace[:, 1]) - problem.fstar
        if len(trace)
        else trace[:, 1]
    )
    trace = np.column_stack([trace[:, 0], np.maximum(best, 0.0)])
    reported = {k: int(res[k]) for k in ("nfev", "njev", "nhev") if k in res}
    outcome, gap = _outcome(problem, x, fx, tol)
    return dict(
        problem=problem.name,
        dim=problem.dim,
        method=method.name,
        start=start,
        nit=int(res.get("nit", -1)),
        seconds=seconds,
        error=max(fx - problem.fstar, 0.0),
        success=bool(res.success),
        reported=reported,
        trace=trace,
        count_trace=c.count_trace,
        uses=method.uses,
        stopped_by=stopped_by(method.method, res),
        outcome=outcome,
        target_gap=gap,
        **c.counts,
    )


def run(
    problems: Sequence[Problem], methods: Sequence[Method], *, tol: float = 1e-6
) -> list[Run]:
    """Run every method on every problem from every start; return one :class:`Run` per
    run.

    ``time_ratio`` is each run's time divided by the fastest run on the same problem and
    start, so 1.0 marks the fastest method there. ``tol`` is the error f - f* below
    which a run counts as having found the global minimum (its ``outcome``).

    >>> from gdutils.objectives import rosenbrock
    >>> p = Problem.from_objective(rosenbrock(), [[-1.2, 1.0]])
    >>> [
    ...     r.method
    ...     for r in run(
    ...         [p], [Method("CG", "CG"), Method("Newton", "Newton-CG", uses="fgh")]
    ...     )
    ... ]
    ['CG', 'Newton']
    """
    if not problems or not methods:
        raise ValueError("run needs at least one problem and one method.")
    as_positive(tol, "tol")
    rows = []
    for problem in problems:
        for start, x0 in enumerate(problem.starts):
            group = [_one(problem, m, x0, start, tol) for m in methods]
            fastest = min(r["seconds"] for r in group)
            rows += [
                Run(time_ratio=r["seconds"] / fastest if fastest > 0 else 1.0, **r)
                for r in group
            ]
    return rows


def _as_runs(rows, name: str = "rows") -> list[Run]:
    """``rows`` as a list of :class:`Run` (what :func:`run` returns); a clear error
    otherwise."""
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise ValueError(
            f"{name} must be a list of Run rows (what benchmark.run returns); got"
            f" {type(rows).__name__}."
        )
    rows = list(rows)
    bad = [r for r in rows if not isinstance(r, Run)]
    if bad:
        raise ValueError(
            f"{name} must hold Run rows (what benchmark.run returns); got a"
            f" {type(bad[0]).__name__}."
        )
    return rows


def select(rows: Sequence[Run], **criteria) -> list[Run]:
    """The rows whose fields equal every given value, e.g. ``select(rows, method="BFGS",
    start=0)``.

    >>> r = Run("p", 2, "m", 0, 3, 2, 0, 1, 0.1, 1.0, 0.0, True, {}, np.zeros((0, 2)))
    >>> len(select([r], method="m")), len(select([r], method="other"))
    (1, 0)
    """
    unknown = set(criteria) - set(Run.__dataclass_fields__)
    if unknown:
        raise ValueError(
            f"unknown Run fields {sorted(unknown)}; expected some of"
            f" {list(Run.__dataclass_fields__)}."
        )
    return [
        r
        for r in _as_runs(rows)
        if all(getattr(r, k) == v for k, v in criteria.items())
    ]


def evaluations_to(row: Run, tol: float) -> float:
    """Counted evaluations after which the best error so far is at most ``tol`` (inf if
    never).

    >>> r = Run(
    ...     "p",
    ...     1,
    ...     "m",
    ...     0,
    ...     2,
    ...     0,
    ...     0,
    ...     1,
    ...     0.1,
    ...     1.0,
    ...     0.0,
    ...     True,
    ...     {},
    ...     np.array([[1, 5.0], [2, 0.0]]),
    ... )
    >>> evaluations_to(r, 1e-3), evaluations_to(r, -1.0)
    (2.0, inf)
    """
    hit = np.nonzero(row.trace[:, 1] <= tol)[0]
    return float(row.trace[hit[0], 0]) if hit.size else float("inf")


def counts_to(row: Run, tol: float) -> dict[str, float]:
    """The counters when the run's error first fell to ``tol`` or below (inf if it never
    did).

    The error is measured against the minimum the run ended at (f*, or a known local
    minimum's value if the run converged there), so that a run that found a local
    minimum is compared at equal accuracy too; its ``outcome`` says which minimum it
    was. Keys: ``nfev``, ``njev``, ``nhev`` and ``evaluations`` (their sum).

    >>> errors = np.array([[1, 4.0], [3, 1e-3], [5, 0.0]])
    >>> counters = np.array([[1, 0, 0], [2, 1, 0], [3, 2, 0]])
    >>> r = Run("p", 1, "m", 0, 3, 2, 0, 2, 0.1, 1.0, 0.0, True, {}, errors, counters)
    >>> counts_to(r, 1e-2)
    {'nfev': 2.0, 'njev': 1.0, 'nhev': 0.0, 'evaluations': 3.0}
    >>> counts_to(r, -1.0)["evaluations"]
    inf
    """
    if row.count_trace is None:
        raise ValueError(
            "this Run has no count_trace; make it with gdutils.benchmark.run."
        )
    hit = np.nonzero(row.trace[:, 1] - row.target_gap <= tol)[0]
    if not hit.size:
        return dict.fromkeys(("nfev", "njev", "nhev", "evaluations"), float("inf"))
    nfev, njev, nhev = (float(v) for v in row.count_trace[hit[0]])
    return {"nfev": nfev, "njev": njev, "nhev": nhev, "evaluations": nfev + njev + nhev}


def tally(labels: Sequence[str]) -> str:
    """Count equal labels, most frequent first: one label if all agree.

    >>> tally(["gtol", "ftol", "gtol"]), tally(["gtol", "gtol"])
    ('gtol 2/3, ftol 1/3', 'gtol')
    """
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Iterable):
        raise ValueError(
            f"labels must be a list of strings; got {type(labels).__name__}."
        )
    labels = list(labels)
    if not labels:
        raise ValueError("tally needs at least one label.")
    if not all(isinstance(label, str) for label in labels):
        raise ValueError("labels must be strings (e.g. what stopped_by returns).")
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) == 1:
        return labels[0]
    order = sorted(counts.items(), key=lambda kv: (-kv[1], labels.index(kv[0])))
    return ", ".join(f"{label} {n}/{len(labels)}" for label, n in order)


def summary(
    rows: Sequence[Run],
    columns: Sequence[str] = ("nfev", "njev", "nhev", "nit", "time_ratio", "error"),
) -> list[dict]:
    """Median of each column over the starts, one dict per (problem, method), in run
    order.

    >>> r = [
    ...     Run("p", 1, "m", s, n, 0, 0, 1, 0.1, 1.0, 0.0, True, {}, np.zeros((0, 2)))
    ...     for s, n in [(0, 3), (1, 5)]
    ... ]
    >>> summary(r, ["nfev"])
    [{'problem': 'p', 'method': 'm', 'starts': 2, 'nfev': 4.0}]
    """
    groups: dict[tuple, list[Run]] = {}
    for r in _as_runs(rows):
        groups.setdefault((r.problem, r.method), []).append(r)
    for c in columns:
        if c not in Run.__dataclass_fields__ and c != "evaluations":
            raise ValueError(
                f"unknown column {c!r}; expected a Run field or 'evaluations'."
            )
    out = []
    for (problem, method), rs in groups.items():
        entry = {"problem": problem, "method": method, "starts": len(rs)}
        entry.update(
            {c: float(np.median([getattr(r, c) for r in rs])) for c in columns}
        )
        out.append(entry)
    return out


def _cell(v, digits: int) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(v)
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            return "never" if v > 0 else str(v)
        if float(v).is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.{digits}g}"
    return str(v)


def to_markdown(
    entries: Sequence[Mapping], columns: Sequence[str] | None = None, *, digits: int = 3
) -> str:
    """A Markdown table of dicts (e.g. :func:`summary`), numbers to ``digits``
    significant digits.

    Whole numbers print without decimals, infinity prints as "never".

    >>> print(to_markdown([{"method": "BFGS", "njev": 39.0, "error": 2.5e-15}]))
    | method | njev | error |
    |---|---|---|
    | BFGS | 39 | 2.5e-15 |
    """
    if (
        isinstance(entries, (str, bytes, Mapping))
        or not isinstance(entries, Sequence)
        or not entries
        or not all(isinstance(e, Mapping) for e in entries)
    ):
        raise ValueError(
            "to_markdown needs at least one entry: a non-empty list of dicts (e.g. what"
            " summary returns)."
        )
    columns = list(columns or entries[0].keys())
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += [
        "| " + " | ".join(_cell(e[c], digits) for c in columns) + " |" for e in entries
    ]
    return "\n".join(lines)
