"""CountedObjective counts every call, and agrees with SciPy where SciPy's counts are
exact."""

import numpy as np
import pytest
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess, rosen_hess_prod

import gdutils as gdu
from gdutils.counting import CountedObjective

STARTS = [np.array([-1.2, 1.0]), np.array([2.0, -1.0, 0.5]), np.full(5, -1.0)]


@pytest.mark.parametrize("x0", STARTS, ids=lambda x: f"d={x.size}")
@pytest.mark.parametrize("method", ["BFGS", "CG", "L-BFGS-B"])
def test_counts_agree_with_scipy_when_the_gradient_is_analytic(method, x0):
    c = CountedObjective(rosen, jac=rosen_der)
    res = minimize(c.fun, x0, jac=c.jac, method=method)
    assert res.success
    assert (c.nfev, c.njev, c.nhev) == (res.nfev, res.njev, 0)
    assert c.evaluations == res.nfev + res.njev


@pytest.mark.parametrize("x0", STARTS, ids=lambda x: f"d={x.size}")
def test_hessian_and_hessian_vector_products_counted_like_newton_cg(x0):
    c = CountedObjective(rosen, jac=rosen_der, hess=rosen_hess)
    res = minimize(c.fun, x0, jac=c.jac, hess=c.hess, method="Newton-CG")
    assert c.counts == {"nfev": res.nfev, "njev": res.njev, "nhev": res.nhev}
    cp = CountedObjective(rosen, jac=rosen_der, hessp=rosen_hess_prod)
    resp = minimize(cp.fun, x0, jac=cp.jac, hessp=cp.hessp, method="Newton-CG")
    assert cp.counts == {"nfev": resp.nfev, "njev": resp.njev, "nhev": resp.nhev}
    np.testing.assert_allclose(resp.x, res.x, atol=1e-6)


@pytest.mark.parametrize("x0", STARTS, ids=lambda x: f"d={x.size}")
def test_finite_difference_gradients_are_function_evaluations(x0):
    d = x0.size
    c = CountedObjective(rosen)  # no jac: SciPy differentiates by forward differences
    assert c.jac is None and c.hess is None and c.hessp is None
    res = minimize(c.fun, x0, jac=c.jac, method="BFGS")
    assert c.njev == 0  # no analytic gradient was ever called ...
    # ... every "gradient evaluation" SciPy reports cost d calls of fun
    assert c.nfev == res.nfev
    assert d * res.njev <= c.nfev <= (d + 1) * res.njev + 2 * res.nit
    # an independent count with a plain closure
    calls = []
    minimize(lambda x: calls.append(1) or rosen(x), x0, method="BFGS")
    assert len(calls) == c.nfev


def test_counts_agree_with_the_books_gradient_descent_and_pass_args():
    X, y, _ = gdu.data.linear_regression(rng=0)
    c = CountedObjective(gdu.mse, jac=gdu.mse_grad)
    res = minimize(
        c.fun,
        np.zeros(6),
        (X, y),
        jac=c.jac,
        method=gdu.gradient_descent,
        options={"learning_rate": 0.2, "maxiter": 500},
    )
    assert res.success
    assert (c.nfev, c.njev) == (res.nfev, res.njev) == (res.nit + 1, res.nit + 1)


def test_trace_records_every_function_value_with_the_running_count():
    c = CountedObjective(rosen, jac=rosen_der)
    res = minimize(c.fun, STARTS[0], jac=c.jac, method="BFGS")
    tr = c.trace
    assert tr.shape == (res.nfev, 2)
    assert np.all(np.diff(tr[:, 0]) >= 1) and tr[-1, 0] <= c.evaluations
    assert tr[0, 1] == rosen(STARTS[0])
    assert tr[:, 1].min() == pytest.approx(res.fun, abs=1e-20)
    ct = c.count_trace  # the counters at each call of fun
    assert ct.shape == (res.nfev, 3) and ct.dtype.kind == "i"
    np.testing.assert_array_equal(ct[:, 0], np.arange(1, res.nfev + 1))
    # the running total of the trace
    np.testing.assert_array_equal(ct.sum(axis=1), tr[:, 0])
    assert (
        np.all(np.diff(ct[:, 1]) >= 0) and ct[-1, 1] <= c.njev and ct[:, 2].max() == 0
    )
    c.reset()
    assert (
        c.counts == {"nfev": 0, "njev": 0, "nhev": 0}
        and c.trace.shape == (0, 2)
        and c.count_trace.shape == (0, 3)
    )


def test_from_objective_counts_the_bundle():
    r = gdu.objectives.rosenbrock(3)
    c = CountedObjective.from_objective(r)
    x = np.array([0.5, -0.3, 1.2])
    np.testing.assert_allclose(c.hess(x), rosen_hess(x))
    np.testing.assert_allclose(c.jac(x), rosen_der(x))
    assert c.counts == {"nfev": 0, "njev": 1, "nhev": 1}
    assert CountedObjective.from_objective(r, hessian=False).hess is None


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="fun must be callable"):
        CountedObjective(3.0)
    with pytest.raises(ValueError, match="jac must be a callable or None"):
        CountedObjective(rosen, jac=True)
    with pytest.raises(ValueError, match="hessp must be a callable or None"):
        CountedObjective(rosen, hessp="no")
    with pytest.raises(ValueError, match="callable fun, grad and hess"):
        CountedObjective.from_objective(object())
