"""The benchmark table: counts match direct SciPy runs, errors and time ratios are what they say."""

import numpy as np
import pytest
from scipy.optimize import minimize

import gdutils as gdu
from gdutils.benchmark import Method, Problem, Run, evaluations_to, run, select, summary, to_markdown


@pytest.fixture(scope="module")
def quad():
    q = gdu.objectives.ill_conditioned_quadratic(4, 50.0)
    rng = np.random.default_rng(3)
    return Problem.from_objective(q, [rng.uniform(-2, 2, 4) for _ in range(3)], lipschitz=50.0)


METHODS = [
    Method("NM", "Nelder-Mead", uses="f"),
    Method("BFGS", "BFGS"),
    Method("Newton-CG", "Newton-CG", uses="fgh"),
    Method("GD", gdu.gradient_descent, options=lambda p: {"learning_rate": 1 / p.lipschitz, "maxiter": 3000}),
]


@pytest.fixture(scope="module")
def rows(quad):
    return run([quad], METHODS)


def test_one_row_per_method_and_start(rows, quad):
    assert len(rows) == len(METHODS) * len(quad.starts)
    assert [(r.method, r.start) for r in rows[:4]] == [(m.name, 0) for m in METHODS]
    assert all(r.problem == quad.name and r.dim == 4 for r in rows)


def _direct(quad, method, x0):
    """Independent reference: minimize with plain closures counting calls."""
    calls = {"f": 0, "g": 0, "h": 0}

    def f(x):
        calls["f"] += 1
        return quad.fun(x)

    def g(x):
        calls["g"] += 1
        return quad.jac(x)

    def h(x):
        calls["h"] += 1
        return quad.hess(x)

    kw = {}
    if "g" in method.uses:
        kw["jac"] = g
    if "h" in method.uses:
        kw["hess"] = h
    res = minimize(f, x0, method=method.method, options=method.options_for(quad), **kw)
    return res, calls


def test_counts_match_direct_runs(rows, quad):
    for r in rows:
        method = next(m for m in METHODS if m.name == r.method)
        res, calls = _direct(quad, method, quad.starts[r.start])
        assert (r.nfev, r.njev, r.nhev) == (calls["f"], calls["g"], calls["h"])
        assert r.nit == res.nit
        assert r.error == pytest.approx(max(quad.fun(res.x) - quad.fstar, 0.0), abs=1e-18)
        assert r.reported["nfev"] == res.nfev


def test_errors_and_traces(rows):
    for r in rows:
        assert r.error >= 0 and r.success
        assert r.error < 1e-6
        assert np.all(np.diff(r.trace[:, 0]) > 0)  # evaluations increase
        assert np.all(np.diff(r.trace[:, 1]) <= 0)  # best error so far never increases
        assert r.trace[-1, 1] <= r.error + 1e-12
        assert evaluations_to(r, 1e-6) <= r.evaluations


def test_time_ratio_is_relative_to_the_fastest_in_each_group(rows, quad):
    for s in range(len(quad.starts)):
        group = select(rows, start=s)
        fastest = min(r.seconds for r in group)
        assert min(r.time_ratio for r in group) == 1.0
        for r in group:
            assert r.time_ratio == pytest.approx(r.seconds / fastest)


def test_gradient_descent_row_uses_the_problem_step(rows, quad):
    gd = select(rows, method="GD", start=0)[0]
    res = gdu.gradient_descent(quad.fun, quad.starts[0], jac=quad.jac, learning_rate=1 / 50.0, maxiter=3000)
    assert gd.nit == res.nit and gd.njev == res.njev
    bfgs = select(rows, method="BFGS", start=0)[0]
    assert gd.njev > 5 * bfgs.njev  # condition number 50: GD pays for it


def test_evaluations_to_reads_the_trace():
    r = Run("p", 1, "m", 0, 3, 0, 0, 2, 0.1, 1.0, 0.0, True, {}, np.array([[1, 4.0], [2, 1e-3], [3, 0.0]]))
    assert evaluations_to(r, 1e-2) == 2.0
    assert evaluations_to(r, 0.0) == 3.0
    assert evaluations_to(r, -1.0) == float("inf")


def test_summary_takes_medians_over_starts(rows):
    s = summary(rows, ["njev", "evaluations"])
    assert [e["method"] for e in s] == [m.name for m in METHODS]
    for e in s:
        rs = select(rows, method=e["method"])
        assert e["starts"] == 3
        assert e["njev"] == np.median([r.njev for r in rs])
        assert e["evaluations"] == np.median([r.evaluations for r in rs])


def test_to_markdown_formats_numbers():
    text = to_markdown([{"m": "GD", "n": 5001.0, "e": 0.0123456, "t": float("inf"), "ok": True}])
    assert text.splitlines()[2] == "| GD | 5001 | 0.0123 | never | yes |"
    assert to_markdown([{"a": 1, "b": 2}], ["b"]).splitlines()[0] == "| b |"


def test_bad_inputs_raise_clear_errors(quad):
    f, g = quad.fun, quad.jac
    with pytest.raises(ValueError, match="at least one start"):
        Problem("p", f, g, None, [], 0.0)
    with pytest.raises(ValueError, match="same shape"):
        Problem("p", f, g, None, [np.ones(2), np.ones(3)], 0.0)
    with pytest.raises(ValueError, match=r"shape \(d,\)"):
        Problem("p", f, g, None, [np.ones((2, 2))], 0.0)
    with pytest.raises(ValueError, match="fstar"):
        Problem("p", f, g, None, [np.ones(4)], float("nan"))
    with pytest.raises(ValueError, match="lipschitz"):
        Problem("p", f, g, None, [np.ones(4)], 0.0, lipschitz=-1.0)
    with pytest.raises(ValueError, match="fun must be callable"):
        Problem("p", None, g, None, [np.ones(4)], 0.0)
    with pytest.raises(ValueError, match="hess must be callable or None"):
        Problem("p", f, g, np.eye(4), [np.ones(4)], 0.0)
    with pytest.raises(ValueError, match="no known minimum"):
        Problem.from_objective(gdu.objectives.rosenbrock(3, a=2.0), [np.ones(3)])
    with pytest.raises(ValueError, match="uses must be one of"):
        Method("x", "BFGS", uses="g")
    with pytest.raises(ValueError, match="needs a Hessian"):
        run([Problem("p", f, g, None, [np.ones(4)], 0.0)], [Method("N", "Newton-CG", uses="fgh")])
    with pytest.raises(ValueError, match="needs a gradient"):
        run([Problem("p", f, None, None, [np.ones(4)], 0.0)], [Method("B", "BFGS")])
    with pytest.raises(ValueError, match="at least one problem"):
        run([], METHODS)
    with pytest.raises(ValueError, match="unknown Run fields"):
        select([], colour="red")
    with pytest.raises(ValueError, match="unknown column"):
        summary([], ["speed"])
    with pytest.raises(ValueError, match="at least one entry"):
        to_markdown([])
