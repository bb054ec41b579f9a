"""The benchmark table: counts match direct SciPy runs, errors and time ratios are what
they say."""

import numpy as np
import pytest
from scipy.optimize import minimize

import gdutils as gdu
from gdutils.benchmark import (
    Method,
    Problem,
    Run,
    counts_to,
    evaluations_to,
    run,
    select,
    stopped_by,
    summary,
    tally,
    to_markdown,
)


@pytest.fixture(scope="module")
def quad():
    q = gdu.objectives.ill_conditioned_quadratic(4, 50.0)
    rng = np.random.default_rng(3)
    return Problem.from_objective(
        q, [rng.uniform(-2, 2, 4) for _ in range(3)], lipschitz=50.0
    )


METHODS = [
    Method("NM", "Nelder-Mead", uses="f"),
    Method("BFGS", "BFGS"),
    Method("Newton-CG", "Newton-CG", uses="fgh"),
    Method(
        "GD",
        gdu.gradient_descent,
        options=lambda p: {"learning_rate": 1 / p.lipschitz, "maxiter": 3000},
    ),
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
        assert r.error == pytest.approx(
            max(quad.fun(res.x) - quad.fstar, 0.0), abs=1e-18
        )
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
    res = gdu.gradient_descent(
        quad.fun, quad.starts[0], jac=quad.jac, learning_rate=1 / 50.0, maxiter=3000
    )
    assert gd.nit == res.nit and gd.njev == res.njev
    bfgs = select(rows, method="BFGS", start=0)[0]
    assert gd.njev > 5 * bfgs.njev  # condition number 50: GD pays for it


def test_evaluations_to_reads_the_trace():
    r = Run(
        "p",
        1,
        "m",
        0,
        3,
        0,
        0,
        2,
        0.1,
        1.0,
        0.0,
        True,
        {},
        np.array([[1, 4.0], [2, 1e-3], [3, 0.0]]),
    )
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
    text = to_markdown(
        [{"m": "GD", "n": 5001.0, "e": 0.0123456, "t": float("inf"), "ok": True}]
    )
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
        run(
            [Problem("p", f, g, None, [np.ones(4)], 0.0)],
            [Method("N", "Newton-CG", uses="fgh")],
        )
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
    with pytest.raises(ValueError, match="hessp must be callable or None"):
        Problem("p", f, g, None, [np.ones(4)], 0.0, hessp=3)
    with pytest.raises(ValueError, match="needs Hessian-vector products"):
        run(
            [Problem("p", f, g, None, [np.ones(4)], 0.0)],
            [Method("N", "Newton-CG", uses="fgp")],
        )
    with pytest.raises(ValueError, match="pairs"):
        Problem("p", f, g, None, [np.ones(4)], 0.0, local_minima=[np.ones(4)])
    with pytest.raises(ValueError, match="above fstar"):
        Problem("p", f, g, None, [np.ones(4)], 0.0, local_minima=[(np.ones(4), -1.0)])
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        Problem("p", f, g, None, [np.ones(4)], 0.0, local_minima=[(np.ones(3), 1.0)])
    with pytest.raises(ValueError, match="tol must be finite and > 0"):
        run([quad], METHODS[:1], tol=0.0)
    with pytest.raises(ValueError, match="no count_trace"):
        counts_to(
            Run("p", 1, "m", 0, 1, 0, 0, 0, 0.1, 1.0, 0.0, True, {}, np.zeros((1, 2))),
            1e-6,
        )
    with pytest.raises(ValueError, match="at least one label"):
        tally([])


# --- equal accuracy, stopping rules, Hessian-vector products, local minima ------------


def test_counts_to_reads_the_counters_at_the_first_evaluation_within_tol(rows, quad):
    for r in rows:
        c = counts_to(r, 1e-6)
        # same moment as the trace
        assert c["evaluations"] == evaluations_to(r, 1e-6) <= r.evaluations
        assert c["nfev"] <= r.nfev and c["njev"] <= r.njev and c["nhev"] <= r.nhev
        # an independent reference: rerun with plain closures and stop counting at the
        # first value within tol
        method = next(m for m in METHODS if m.name == r.method)
        calls, first = {"f": 0, "g": 0, "h": 0}, []

        def f(x):
            calls["f"] += 1
            value = quad.fun(x)
            if value - quad.fstar <= 1e-6 and not first:
                first.append(dict(calls))
            return value

        kw = (
            {"jac": lambda x: (calls.__setitem__("g", calls["g"] + 1), quad.jac(x))[1]}
            if "g" in method.uses
            else {}
        )
        if "h" in method.uses:
            kw["hess"] = lambda x: (
                calls.__setitem__("h", calls["h"] + 1),
                quad.hess(x),
            )[1]
        minimize(
            f,
            quad.starts[r.start],
            method=method.method,
            options=method.options_for(quad),
            **kw,
        )
        assert (c["nfev"], c["njev"], c["nhev"]) == (
            first[0]["f"],
            first[0]["g"],
            first[0]["h"],
        )
    assert counts_to(rows[0], -1.0) == dict.fromkeys(
        ("nfev", "njev", "nhev", "evaluations"), float("inf")
    )


def test_stopped_by_names_scipy_default_rules():
    from scipy.optimize import rosen, rosen_der, rosen_hess

    x0 = [-1.2, 1.0]
    assert (
        stopped_by("Nelder-Mead", minimize(rosen, x0, method="Nelder-Mead"))
        == "xatol and fatol"
    )
    assert (
        stopped_by(
            "Nelder-Mead",
            minimize(rosen, x0, method="Nelder-Mead", options={"maxfev": 10}),
        )
        == "maxfev"
    )
    assert stopped_by("Powell", minimize(rosen, x0, method="Powell")) == "ftol"
    assert (
        stopped_by("BFGS", minimize(rosen, x0, jac=rosen_der, method="BFGS")) == "gtol"
    )
    assert (
        stopped_by(
            "cg",
            minimize(rosen, x0, jac=rosen_der, method="CG", options={"maxiter": 3}),
        )
        == "maxiter"
    )
    assert (
        stopped_by("L-BFGS-B", minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B"))
        == "ftol"
    )
    assert (
        stopped_by(
            "L-BFGS-B",
            minimize(
                rosen,
                x0,
                jac=rosen_der,
                method="L-BFGS-B",
                options={"ftol": 0.0, "gtol": 1e-6},
            ),
        )
        == "gtol"
    )
    assert (
        stopped_by(
            "Newton-CG",
            minimize(rosen, x0, jac=rosen_der, hess=rosen_hess, method="Newton-CG"),
        )
        == "xtol"
    )
    assert (
        stopped_by(
            "trust-ncg",
            minimize(rosen, x0, jac=rosen_der, hess=rosen_hess, method="trust-ncg"),
        )
        == "gtol"
    )
    gd = gdu.gradient_descent
    assert (
        stopped_by(gd, gd(rosen, x0, jac=rosen_der, learning_rate=1e-3, maxiter=5))
        == "maxiter"
    )
    assert stopped_by(gd, gd(rosen, x0, jac=rosen_der, learning_rate=1.0)) == "diverged"

    def halt(intermediate_result):
        raise StopIteration

    assert (
        stopped_by(
            "BFGS", minimize(rosen, x0, jac=rosen_der, method="BFGS", callback=halt)
        )
        == "callback"
    )
    assert (
        stopped_by(gd, minimize(rosen, x0, jac=rosen_der, method=gd, callback=halt))
        == "callback"
    )
    assert stopped_by("COBYLA", {"status": 7}) == "status 7"


def test_rows_carry_stopping_rule_outcome_and_uses(rows):
    assert {r.stopped_by for r in select(rows, method="BFGS")} == {"gtol"}
    assert {r.stopped_by for r in select(rows, method="NM")} == {"xatol and fatol"}
    assert {r.stopped_by for r in select(rows, method="Newton-CG")} == {"xtol"}
    assert {r.outcome for r in rows} == {"global minimum"} and all(
        r.target_gap == 0.0 for r in rows
    )
    assert {r.uses for r in select(rows, method="Newton-CG")} == {"fgh"}


def test_hessian_vector_products_are_counted_for_newton_cg(quad):
    A = quad.hess(np.zeros(4))
    p = Problem.from_objective(
        gdu.objectives.ill_conditioned_quadratic(4, 50.0),
        quad.starts,
        hessp=lambda x, v: A @ v,
    )
    both = run(
        [p],
        [
            Method("hess", "Newton-CG", uses="fgh"),
            Method("hessp", "Newton-CG", uses="fgp"),
        ],
    )
    for s in range(3):
        h, hp = (
            select(both, method="hess", start=s)[0],
            select(both, method="hessp", start=s)[0],
        )
        res = minimize(p.fun, p.starts[s], jac=p.jac, hessp=p.hessp, method="Newton-CG")
        assert hp.nhev == res.nhev == hp.reported["nhev"] and hp.uses == "fgp"
        # the same Newton steps, one product per CG iteration
        assert h.njev == hp.njev and hp.nhev > h.nhev


def test_runs_ending_at_a_known_local_minimum_are_classified_and_measured_against_it():
    r = gdu.objectives.rosenbrock(6)
    x_loc = np.r_[-1.0, np.ones(5)]
    for _ in range(20):
        x_loc = x_loc - np.linalg.solve(r.hess(x_loc), r.grad(x_loc))
    f_loc = r.fun(x_loc)
    near_local, near_global = x_loc + 0.05, np.ones(6) - 0.05
    p = Problem.from_objective(
        r, [near_local, near_global], local_minima=[(x_loc, f_loc)]
    )
    rows = run(
        [p],
        [Method("BFGS", "BFGS"), Method("short", "BFGS", options={"maxiter": 0})],
        tol=1e-6,
    )
    bfgs_local, bfgs_global = select(rows, method="BFGS")
    assert (
        bfgs_local.outcome == "local minimum"
        and bfgs_local.target_gap == pytest.approx(f_loc)
    )
    assert bfgs_local.error == pytest.approx(f_loc, abs=1e-6)  # error is still f - f*
    # it converged, to the local minimum
    assert np.isfinite(counts_to(bfgs_local, 1e-6)["evaluations"])
    assert bfgs_global.outcome == "global minimum" and bfgs_global.target_gap == 0.0
    # stopped at once, near each minimizer
    short_local, short_global = select(rows, method="short")
    assert short_local.outcome == short_global.outcome == "not converged"
    # measured against the nearby one
    assert (
        short_local.target_gap == pytest.approx(f_loc)
        and short_global.target_gap == 0.0
    )
    assert np.isinf(counts_to(short_local, 1e-6)["evaluations"])


def test_tally_orders_labels_by_count():
    assert tally(["a"]) == "a"
    assert tally(["b", "a", "a", "c"]) == "a 2/4, b 1/4, c 1/4"
