"""Armijo backtracking and Polyak's step, against closed forms, SciPy's line search and
the descent lemma."""

import numpy as np
import pytest
from scipy.optimize import line_search, minimize

from gdutils import objectives
from gdutils.linesearch import LINE_SEARCH_FAILED, armijo_step, backtracking, polyak
from gdutils.rates import random_quadratic


@pytest.fixture
def quad():
    return random_quadratic(8, 50.0, np.random.default_rng(1))


def test_armijo_step_is_the_first_trial_that_passes(quad):
    x = np.random.default_rng(2).standard_normal(8)
    g = quad.grad(x)
    for c1 in (1e-4, 0.3, 0.5):
        t, ft, trials = armijo_step(
            quad.fun, x, quad.fun(x), g, initial_step=1.0, c1=c1, shrink=0.5
        )
        assert t == 0.5 ** (trials - 1) and ft == pytest.approx(
            quad.fun(x - t * g), rel=1e-14
        )
        assert quad.fun(x - t * g) <= quad.fun(x) - c1 * t * g @ g  # passes
        # the previous trial failed
        assert quad.fun(x - 2 * t * g) > quad.fun(x) - c1 * 2 * t * g @ g
        assert t >= 0.5 / 50.0  # descent lemma: every t <= 1/L passes when c1 <= 1/2


def test_armijo_on_a_quadratic_matches_the_closed_form_acceptance_interval():
    # f = 1/2 a t^2 along -g: the test passes iff t <= 2 (1 - c1) / a (a = g.A g / g.g),
    # a closed form
    q = objectives.quadratic(np.diag([1.0, 9.0]))
    x = np.array([1.0, 1.0])
    g = q.grad(x)
    a = g @ np.diag([1.0, 9.0]) @ g / (g @ g)
    for c1 in (0.1, 0.4):
        t, _, _ = armijo_step(
            q.fun, x, q.fun(x), g, initial_step=1.0, c1=c1, shrink=0.5
        )
        limit = 2 * (1 - c1) / a
        assert t <= limit < 2 * t


def test_armijo_along_a_direction_and_against_scipy_wolfe():
    r = objectives.rosenbrock()
    x = np.array([-1.2, 1.0])
    g = r.grad(x)
    p = -g / np.linalg.norm(g)
    t, _, _ = armijo_step(r.fun, x, r.fun(x), g, p, initial_step=1.0, c1=1e-4)
    assert r.fun(x + t * p) <= r.fun(x) + 1e-4 * t * g @ p
    alpha = line_search(r.fun, r.grad, x, p, c1=1e-4, c2=0.9)[0]
    # SciPy's strong-Wolfe step also satisfies Armijo; both are steps of sufficient
    # decrease of similar size
    assert r.fun(x + alpha * p) <= r.fun(x) + 1e-4 * alpha * g @ p
    assert 0.1 < t / alpha < 10
    with pytest.raises(ValueError, match="descent direction"):
        armijo_step(r.fun, x, r.fun(x), g, -p)


def test_backtracking_converges_and_counts(quad):
    x0 = np.ones(8)
    res = backtracking(quad.fun, x0, jac=quad.grad, gtol=1e-8, maxiter=5000)
    assert res.success and np.allclose(res.x, 0.0, atol=1e-7)
    assert res.njev == res.nit + 1 and len(res.step_sizes) == res.nit
    trials = np.round(np.log(res.step_sizes) / np.log(0.5)).astype(int) + 1
    # every trial counted, the accepted value reused
    assert res.nfev == 1 + trials.sum()
    assert np.all(np.diff(res.loss_history) < 0)  # sufficient decrease: monotone
    assert np.min(res.step_sizes) >= 0.5 / 50.0


def test_backtracking_warm_start_saves_function_evaluations(quad):
    x0 = np.ones(8)
    cold = backtracking(quad.fun, x0, jac=quad.grad, gtol=1e-8, maxiter=5000)
    warm = backtracking(quad.fun, x0, jac=quad.grad, gtol=1e-8, maxiter=5000, grow=2.0)
    assert warm.success and warm.nfev < cold.nfev


def test_minimize_protocol_and_callbacks(quad):
    x0 = np.ones(8)
    direct = backtracking(quad.fun, x0, jac=quad.grad, maxiter=30, gtol=0.0)
    seen = []
    via = minimize(
        quad.fun,
        x0,
        jac=quad.grad,
        method=backtracking,
        callback=lambda intermediate_result: seen.append(intermediate_result.fun),
        options=dict(maxiter=30, gtol=0.0),
    )
    assert (
        np.array_equal(via.x, direct.x) and via.nfev == direct.nfev and len(seen) == 30
    )
    assert seen[-1] == pytest.approx(direct.fun)
    xs = []
    backtracking(
        quad.fun,
        x0,
        jac=quad.grad,
        maxiter=5,
        gtol=0.0,
        callback=lambda xk: xs.append(xk),
    )
    assert len(xs) == 5 and np.array_equal(
        xs[-1], backtracking(quad.fun, x0, jac=quad.grad, maxiter=5, gtol=0.0).x
    )

    def stop(xk):
        raise StopIteration

    assert backtracking(quad.fun, x0, jac=quad.grad, callback=stop).status == 3
    pk = minimize(
        quad.fun,
        x0,
        jac=quad.grad,
        method=polyak,
        options=dict(f_star=0.0, maxiter=20, gtol=0.0),
    )
    assert np.array_equal(
        pk.x, polyak(quad.fun, x0, jac=quad.grad, maxiter=20, gtol=0.0).x
    )


def test_wrong_gradient_is_reported_not_raised(quad):
    res = backtracking(quad.fun, np.ones(8), jac=lambda x: -quad.grad(x))
    assert (
        res.status == LINE_SEARCH_FAILED
        and not res.success
        and "gradient" in res.message
    )


def test_polyak_step_closed_form_and_guarantees(quad):
    x0 = np.random.default_rng(3).standard_normal(8)
    res = polyak(quad.fun, x0, jac=quad.grad, maxiter=200, gtol=0.0)
    x = x0
    for t in res.step_sizes[:5]:  # t = (f - f*) / ||g||^2, recomputed independently
        g = quad.grad(x)
        assert t == pytest.approx(quad.fun(x) / (g @ g), rel=1e-12)
        x = x - t * g
    dist = np.linalg.norm(res.trajectory, axis=1)
    assert np.all(np.diff(dist) <= 1e-12)  # distance never increases (convex)
    # strongly convex rate
    assert np.all((dist[1:] / dist[:-1]) ** 2 <= 1 - 1 / (4 * 50.0) + 1e-12)
    stopped = polyak(lambda x: float(x @ x), [1.0], jac=lambda x: 2 * x, f_star=1.0)
    assert stopped.success and stopped.nit == 0 and "f_star" in stopped.message


def test_bad_input():
    f, g = (lambda x: float(x @ x)), (lambda x: 2 * x)
    for kw, msg in [
        (dict(c1=1.5), "c1"),
        (dict(shrink=0.0), "shrink"),
        (dict(grow=0.5), "grow"),
        (dict(initial_step=-1.0), "initial_step"),
        (dict(bounds=[(0, 1)]), "bounds"),
        (dict(foo=1), "unknown options"),
    ]:
        with pytest.raises(ValueError, match=msg):
            backtracking(f, [1.0], jac=g, **kw)
    with pytest.raises(ValueError, match="f_star"):
        polyak(f, [1.0], jac=g, f_star=float("nan"))


def test_finite_difference_gradient_is_counted():
    res = backtracking(lambda x: float(x @ x), [1.0, 2.0], maxiter=3, gtol=0.0)
    # 2 d evaluations per gradient, 4 gradients
    assert res.njev == 0 and res.nfev >= 4 * 4
