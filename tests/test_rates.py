"""Rate helpers against closed forms: eigenvalues, contraction factors, step counts,
slopes, Nesterov's function."""

import numpy as np
import pytest

from gdutils import gradient_descent, objectives, rates


def test_extreme_eigenvalues_and_factor():
    H = np.array([[2.0, 1.0], [1.0, 2.0]])
    assert rates.extreme_eigenvalues(H) == pytest.approx((1.0, 3.0))
    assert rates.gd_factor(1 / 3, [1.0, 3.0]) == pytest.approx(2 / 3)
    # 2/(L + mu): (kappa - 1)/(kappa + 1)
    assert rates.gd_factor(0.5, [1.0, 3.0]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="symmetric"):
        rates.extreme_eigenvalues([[1.0, 2.0], [0.0, 1.0]])


@pytest.mark.parametrize(
    "rho, tol", [(0.9, 1e-6), (0.5, 0.5**10), (0.99, 0.3), (0.1, 1e-3)]
)
def test_predicted_steps_is_the_smallest_k(rho, tol):
    k = rates.predicted_steps(rho, tol)
    assert rho**k <= tol < rho ** (k - 1)


def test_measured_steps_on_a_quadratic_agree_with_the_closed_form():
    # start along the slowest eigenvector: ||e_k|| = (1 - 1/kappa)^k exactly, so
    # measured = predicted
    q = objectives.quadratic(np.diag([1.0, 20.0]))
    res = gradient_descent(
        q.fun, [1.0, 0.0], jac=q.grad, learning_rate=1 / 20, maxiter=400, gtol=0.0
    )
    e = np.linalg.norm(res.trajectory, axis=1)
    assert rates.steps_to(e, 1e-4) == rates.predicted_steps(1 - 1 / 20, 1e-4)
    assert rates.per_step_rate(e, 10, 300) == pytest.approx(0.95, rel=1e-10)
    assert rates.steps_to(e, 1e-30) is None


def test_loglog_slope():
    k = np.arange(1, 500)
    assert rates.loglog_slope(k, 3 / k) == pytest.approx(-1)
    with pytest.raises(ValueError, match="positive"):
        rates.loglog_slope(k, -1 / k)


def test_random_quadratic_spectrum_and_margin():
    q = rates.random_quadratic(6, 400.0, np.random.default_rng(4), margin=2.0)
    eig = np.linalg.eigvalsh(q.hess(np.zeros(6)))
    assert eig[0] == pytest.approx(1.0) and eig[-1] == pytest.approx(400.0)
    assert np.all((eig[1:-1] >= 2.0 - 1e-9) & (eig[1:-1] <= 200.0 + 1e-9))
    with pytest.raises(ValueError, match="Generator"):
        rates.random_quadratic(3, 10.0, 7)


def test_nesterov_function_minimizer_and_krylov_structure():
    d = 9
    f = rates.nesterov_worst_function(d, L=2.0)
    xs = f.minimizers[0]
    assert np.allclose(xs, 1 - np.arange(1, d + 1) / (d + 1))
    assert f.minimum == pytest.approx(2.0 / 8 * (-1 + 1 / (d + 1)))
    assert np.max(np.linalg.eigvalsh(f.hess(xs))) < 2.0  # L-smooth with the stated L
    # gradient steps from 0 fill one coordinate per step
    x = np.zeros(d)
    for k in range(1, 5):
        x = x - 0.5 * f.grad(x)
        assert np.all(x[k:] == 0) and x[k - 1] != 0
        assert f.fun(x) - f.minimum >= rates.nesterov_lower_bound(k, d, L=2.0) - 1e-14
    with pytest.raises(ValueError, match="k < d"):
        rates.nesterov_lower_bound(d, d)


def test_lower_bound_equals_the_k_dimensional_minimum():
    d, k = 11, 4
    full = rates.nesterov_worst_function(d)
    small = rates.nesterov_worst_function(k)
    padded = np.concatenate([small.minimizers[0], np.zeros(d - k)])
    assert full.fun(padded) - full.minimum == pytest.approx(
        float(rates.nesterov_lower_bound(k, d))
    )
