"""Momentum, Nesterov, RMSProp and Adam against closed forms and independent loops."""

import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

import gdutils as gdu
from gdutils import objectives
from gdutils.accelerated import adam, momentum, momentum_rate, rmsprop
from gdutils.schedules import inverse_time

OPTIMIZERS = [momentum, rmsprop, adam]


def quad(kappa=100.0, d=2):
    return objectives.ill_conditioned_quadratic(d, kappa)


def fitted_rate(errors, lo, hi):
    """Fit log e_k = a + p log k + k log rho on lo <= k < hi; return (rho, p)."""
    k = np.arange(lo, hi)
    M = np.column_stack([np.ones(k.size), np.log(k), k])
    coef = np.linalg.lstsq(M, np.log(errors[lo:hi]), rcond=None)[0]
    return float(np.exp(coef[2])), float(coef[1])


# --- momentum: reduces to gradient descent, matches the textbook recurrences ----------


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("rate", [0.015, inverse_time(0.019, decay=0.01)])
def test_beta_zero_is_gradient_descent(nesterov, rate):
    q = quad()
    gd = gdu.gradient_descent(
        q.fun, [1.0, -2.0], jac=q.grad, learning_rate=rate, maxiter=300
    )
    mo = momentum(
        q.fun,
        [1.0, -2.0],
        jac=q.grad,
        learning_rate=rate,
        beta=0.0,
        nesterov=nesterov,
        maxiter=300,
    )
    np.testing.assert_array_equal(mo.trajectory, gd.trajectory)
    np.testing.assert_array_equal(mo.loss_history, gd.loss_history)
    assert (mo.nit, mo.nfev, mo.njev, mo.status, mo.fun) == (
        gd.nit,
        gd.nfev,
        gd.njev,
        gd.status,
        gd.fun,
    )
    np.testing.assert_array_equal(mo.jac, gd.jac)


def test_heavy_ball_is_polyak_two_term_recurrence():
    # x_{k+1} = x_k - a g(x_k) + b (x_k - x_{k-1}), written independently
    q = objectives.quadratic([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0])
    a, b = 0.1, 0.7
    xs = [np.array([2.0, 2.0])]
    xs.append(xs[0] - a * q.grad(xs[0]))
    for _ in range(28):
        xs.append(xs[-1] - a * q.grad(xs[-1]) + b * (xs[-1] - xs[-2]))
    res = momentum(
        q.fun, xs[0], jac=q.grad, learning_rate=a, beta=b, maxiter=29, gtol=0.0
    )
    np.testing.assert_allclose(res.trajectory, np.array(xs), rtol=1e-12, atol=1e-14)


def test_nesterov_is_sutskever_lookahead_form():
    # theta_{k+1} = theta_k + v_{k+1}, v_{k+1} = b v_k - a g(theta_k + b v_k); our
    # iterate is theta + b v
    r = objectives.rosenbrock()
    a, b = 1e-3, 0.9
    theta, v = np.array([-1.2, 1.0]), np.zeros(2)
    looks = [theta.copy()]
    for _ in range(50):
        v = b * v - a * r.grad(theta + b * v)
        theta = theta + v
        looks.append(theta + b * v)
    res = momentum(
        r.fun,
        [-1.2, 1.0],
        jac=r.grad,
        learning_rate=a,
        beta=b,
        nesterov=True,
        maxiter=50,
        gtol=0.0,
    )
    np.testing.assert_allclose(res.trajectory, np.array(looks), rtol=1e-10, atol=1e-12)
    # one gradient and one value per step, plus the start
    assert res.njev == 51 and res.nfev == 51


# --- rates on quadratics: measured against theory -------------------------------------


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_heavy_ball_reaches_optimal_rate(kappa):
    q = quad(kappa)
    s = np.sqrt(kappa)
    alpha, beta = 4 / (s + 1) ** 2, ((s - 1) / (s + 1)) ** 2
    theory = (s - 1) / (s + 1)
    # 65 decades of decrease: still far above float underflow
    n = int(150 / -np.log(theory))
    res = momentum(
        q.fun,
        [1.0, 1.0],
        jac=q.grad,
        learning_rate=alpha,
        beta=beta,
        maxiter=n,
        gtol=0.0,
    )
    err = np.linalg.norm(res.trajectory, axis=1)  # the minimizer is 0
    rho, power = fitted_rate(err, n // 2, n)
    assert rho == pytest.approx(theory, rel=1e-4)
    assert power == pytest.approx(1.0, abs=0.02)  # double root: the error is ~ k rho^k
    # a plain window ratio sees the same rate up to the factor k: within 1 %
    assert (err[n] / err[n // 2]) ** (2 / n) == pytest.approx(theory, rel=0.01)
    assert momentum_rate(alpha, beta, [1.0, kappa]) == pytest.approx(theory, rel=1e-6)
    # and it beats the best constant-rate gradient descent, (kappa - 1) / (kappa + 1)
    assert theory < (kappa - 1) / (kappa + 1)


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_nesterov_rate_with_standard_parameters(kappa):
    q = quad(kappa)
    s = np.sqrt(kappa)
    theory = 1 - 1 / s
    n = int(150 / -np.log(theory))
    res = momentum(
        q.fun,
        [1.0, 1.0],
        jac=q.grad,
        learning_rate=1 / kappa,
        beta=(s - 1) / (s + 1),
        nesterov=True,
        maxiter=n,
        gtol=0.0,
    )
    rho, power = fitted_rate(np.linalg.norm(res.trajectory, axis=1), n // 2, n)
    assert rho == pytest.approx(theory, rel=1e-4)
    # double root at the smallest eigenvalue
    assert power == pytest.approx(1.0, abs=0.05)


def test_momentum_rate_equals_companion_matrix_and_measurement():
    rng = np.random.default_rng(3)
    for _ in range(30):
        lam = rng.uniform(0.1, 10.0, size=3)
        beta = rng.uniform(0.0, 0.95)
        alpha = rng.uniform(0.01, 1.2) / lam.max()
        for nesterov in (False, True):
            radii = []
            for l in lam:
                h = alpha * l
                if nesterov:
                    # state (x_k, x_{k-1}): x_{k+1} = (1+b)(1-h) x_k - b(1-h) x_{k-1}
                    M = np.array([[(1 + beta) * (1 - h), -beta * (1 - h)], [1.0, 0.0]])
                else:
                    M = np.array([[1 + beta - h, -beta], [1.0, 0.0]])
                radii.append(np.max(np.abs(np.linalg.eigvals(M))))
            assert momentum_rate(alpha, beta, lam, nesterov=nesterov) == pytest.approx(
                max(radii), rel=1e-6, abs=1e-7
            )
    # measured on a quadratic with distinct roots (no double root): ratio of late errors
    q = objectives.quadratic(np.diag([1.0, 4.0, 9.0]))
    res = momentum(
        q.fun,
        [1.0, 1.0, 1.0],
        jac=q.grad,
        learning_rate=0.05,
        beta=0.3,
        maxiter=400,
        gtol=0.0,
    )
    err = np.linalg.norm(res.trajectory, axis=1)
    assert (err[400] / err[200]) ** (1 / 200) == pytest.approx(
        momentum_rate(0.05, 0.3, [1.0, 4.0, 9.0]), rel=1e-3
    )


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_stability_limits(beta):
    # heavy ball is stable for rate * L < 2 (1 + beta); Nesterov for rate * L < 2 (1 +
    # beta) / (1 + 2 beta)
    q = objectives.quadratic(np.diag([1.0, 10.0]))
    for nesterov, limit in [
        (False, 2 * (1 + beta)),
        (True, 2 * (1 + beta) / (1 + 2 * beta)),
    ]:
        for factor, status in [(0.98, 1), (1.02, 2)]:
            res = momentum(
                q.fun,
                [1.0, 1.0],
                jac=q.grad,
                learning_rate=factor * limit / 10,
                beta=beta,
                nesterov=nesterov,
                maxiter=3000,
                gtol=1e-8,
            )
            assert res.status in ((0, 1) if status == 1 else (2,)), (
                nesterov,
                factor,
                res.message,
            )
        assert (
            momentum_rate(0.999 * limit / 10, beta, [1.0, 10.0], nesterov=nesterov) < 1
        )
        assert (
            momentum_rate(1.001 * limit / 10, beta, [1.0, 10.0], nesterov=nesterov) > 1
        )


# --- RMSProp and Adam -----------------------------------------------------------------


def reference_adam(grad, x, rate, b1, b2, eps, steps, correct=True, amsgrad=False):
    # PyTorch's torch.optim.Adam, amsgrad included: the running maximum of the raw
    # average exp_avg_sq, then the bias correction
    m = np.zeros_like(x)
    s = np.zeros_like(x)
    s_max = np.zeros_like(x)
    xs = [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g**2
        s_max = np.maximum(s_max, s)
        v = s_max if amsgrad else s
        mh, sh = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
        x = x - rate * mh / (np.sqrt(sh) + eps)
        xs.append(x.copy())
    return np.array(xs)


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("correct", [True, False])
def test_adam_matches_reference_loop(correct, amsgrad):
    r = objectives.rosenbrock()
    res = adam(
        r.fun,
        [-1.2, 1.0],
        jac=r.grad,
        learning_rate=0.05,
        beta1=0.8,
        beta2=0.99,
        eps=1e-6,
        bias_correction=correct,
        amsgrad=amsgrad,
        maxiter=60,
        gtol=0.0,
    )
    ref = reference_adam(
        r.grad, np.array([-1.2, 1.0]), 0.05, 0.8, 0.99, 1e-6, 60, correct, amsgrad
    )
    np.testing.assert_allclose(res.trajectory, ref, rtol=1e-12)
    # on Rosenbrock the gradients fall and rise again: the maximum does change the path
    if amsgrad:
        plain = adam(
            r.fun,
            [-1.2, 1.0],
            jac=r.grad,
            learning_rate=0.05,
            beta1=0.8,
            beta2=0.99,
            eps=1e-6,
            bias_correction=correct,
            maxiter=60,
            gtol=0.0,
        )
        assert not np.allclose(plain.trajectory, res.trajectory)


def test_constant_rate_adam_does_not_settle_but_amsgrad_does():
    # Near the minimizer the gradients fade, s decays like beta2^t and the effective
    # step rate / sqrt(s_hat) grows until the iteration is unstable (for beta1 = 0.9
    # once rate * lambda_max(P H) passes 2 (1 + beta1) / (1 - beta1) = 38, P = diag of
    # effective steps): the iterate is thrown back out, again and again. AMSGrad's
    # maximum keeps the step bounded.
    X, y, _ = gdu.data.linear_regression(rng=0)
    A = np.column_stack([X, np.ones(len(y))])
    H, c = 2 / len(y) * A.T @ A, 2 / len(y) * A.T @ y
    q = objectives.quadratic(H, c)  # the mse up to a constant
    best = q.minimizers[0]
    runs = {
        ams: adam(
            q.fun,
            np.zeros(6),
            jac=q.grad,
            learning_rate=1.0,
            maxiter=3000,
            gtol=0.0,
            amsgrad=ams,
        )
        for ams in (False, True)
    }
    dist = {
        ams: np.linalg.norm(r.trajectory - best, axis=1) / np.linalg.norm(best)
        for ams, r in runs.items()
    }
    # got there, thrown out again
    assert dist[False][:1500].min() < 1e-12 and dist[False][1500:].max() > 1e-2
    assert dist[True][1500:].max() < 1e-13  # AMSGrad stays at round-off
    # the effective steps, from the gradients along each path
    for ams, r in runs.items():
        G = np.array([q.grad(x) for x in r.trajectory[:-1]])
        s = np.zeros(6)
        s_max = np.zeros(6)
        eff = []
        for t, g in enumerate(G, start=1):
            s = 0.999 * s + 0.001 * g**2
            s_max = np.maximum(s_max, s)
            eff.append(1.0 / (np.sqrt((s_max if ams else s) / (1 - 0.999**t)) + 1e-8))
        eff = np.array(eff)
        growth = eff[99:].max(axis=0) / eff[99]
        # only the bias correction can still grow it: by at most 1 / sqrt(1 - beta2^100)
        if ams:
            assert np.all(growth <= 1 / np.sqrt(1 - 0.999**100) * (1 + 1e-12))
        else:
            assert np.all(growth > 5)


def test_rmsprop_matches_reference_loop():
    r = objectives.rosenbrock()
    x, s, xs = np.array([-1.2, 1.0]), np.zeros(2), [np.array([-1.2, 1.0])]
    for _ in range(60):
        g = r.grad(x)
        s = 0.95 * s + 0.05 * g**2
        x = x - 0.01 * g / (np.sqrt(s) + 1e-7)
        xs.append(x)
    res = rmsprop(
        r.fun,
        [-1.2, 1.0],
        jac=r.grad,
        learning_rate=0.01,
        rho=0.95,
        eps=1e-7,
        maxiter=60,
        gtol=0.0,
    )
    np.testing.assert_allclose(res.trajectory, np.array(xs), rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e4])
def test_adam_first_steps_have_size_learning_rate(scale):
    # with a constant gradient g, the corrected averages are exactly g and g^2 at every
    # step, so every step is rate * g / (|g| + eps), whatever the scale of g
    g = scale * np.array([3.0, -0.5, 2.0])
    rate, eps = 0.01, 1e-8
    res = adam(
        lambda x: float(g @ x),
        np.zeros(3),
        jac=lambda x: g,
        learning_rate=rate,
        eps=eps,
        maxiter=5,
        gtol=0.0,
    )
    steps = np.diff(res.trajectory, axis=0)
    np.testing.assert_allclose(
        steps, np.tile(-rate * g / (np.abs(g) + eps), (5, 1)), rtol=1e-12
    )
    # without the correction the step is rate * (1 - b1^t) / sqrt(1 - b2^t) (eps aside):
    # 3.16 rate at t = 1
    raw = adam(
        lambda x: float(g @ x),
        np.zeros(3),
        jac=lambda x: g,
        learning_rate=rate,
        eps=1e-300,
        bias_correction=False,
        maxiter=5,
        gtol=0.0,
    )
    t = np.arange(1, 6)[:, None]
    expected = -rate * np.sign(g) * (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    np.testing.assert_allclose(np.diff(raw.trajectory, axis=0), expected, rtol=1e-10)
    assert abs(expected[0, 0]) / rate == pytest.approx(0.1 / np.sqrt(0.001))


def test_rmsprop_first_step_is_rate_over_sqrt_one_minus_rho():
    g = np.array([5.0, -1e-2])
    res = rmsprop(
        lambda x: float(g @ x),
        np.zeros(2),
        jac=lambda x: g,
        learning_rate=0.01,
        rho=0.99,
        eps=1e-300,
        maxiter=1,
        gtol=0.0,
    )
    np.testing.assert_allclose(res.x, -0.01 * np.sign(g) / np.sqrt(0.01), rtol=1e-12)


def test_adam_is_not_rotation_invariant_but_momentum_is():
    q = quad(100.0)
    c, s = np.cos(np.pi / 4), np.sin(np.pi / 4)
    R = np.array([[c, -s], [s, c]])
    qr = objectives.quadratic(R @ q.hess(np.zeros(2)) @ R.T)
    x0 = np.array([1.0, 1.0])
    kw = dict(maxiter=200, gtol=0.0)
    a = momentum(q.fun, x0, jac=q.grad, learning_rate=0.03, beta=0.6, **kw)
    b = momentum(qr.fun, R @ x0, jac=qr.grad, learning_rate=0.03, beta=0.6, **kw)
    np.testing.assert_allclose(b.loss_history, a.loss_history, rtol=1e-8, atol=1e-300)
    a = adam(q.fun, x0, jac=q.grad, learning_rate=0.1, **kw)
    b = adam(qr.fun, R @ x0, jac=qr.grad, learning_rate=0.1, **kw)
    assert a.loss_history[-1] < 1e-6 * b.loss_history[-1]


def test_adaptive_methods_on_least_squares():
    X, y, _ = gdu.data.linear_regression(rng=0)
    A = np.column_stack([X, np.ones(len(y))])
    best = np.linalg.lstsq(A, y, rcond=None)[0]
    for opt, kw in [
        (adam, dict(learning_rate=0.1)),
        (momentum, dict(learning_rate=0.1, beta=0.5, nesterov=True)),
    ]:
        res = opt(
            gdu.mse, np.zeros(6), (X, y), gdu.mse_grad, maxiter=5000, gtol=1e-7, **kw
        )
        # (Adam reaches gtol before its effective step has grown unstable: see the test
        # above)
        assert res.status == 0, (opt.__name__, res.message)
        np.testing.assert_allclose(res.x, best, atol=1e-6)
    # constant-rate RMSProp never settles: its steps stay about `rate` long per
    # coordinate, so it keeps hovering about rate/2 from the minimizer on average (on
    # seed 0 it is an exact +-rate/2 cycle)
    for seed, rate in [(0, 0.01), (0, 0.003), (7, 0.01)]:
        X, y, _ = gdu.data.linear_regression(rng=seed)
        best = np.linalg.lstsq(np.column_stack([X, np.ones(len(y))]), y, rcond=None)[0]
        res = rmsprop(
            gdu.mse,
            np.zeros(6),
            (X, y),
            gdu.mse_grad,
            learning_rate=rate,
            maxiter=5000,
            gtol=1e-7,
        )
        assert res.status == 1
        gap = np.abs(res.trajectory[-100:] - best)
        assert 0.3 < gap.mean() / rate < 0.7 and gap.max() < 2 * rate
        if seed == 0:
            assert gap.max() == pytest.approx(rate / 2, rel=1e-3)


# --- the minimize(method=...) protocol ------------------------------------------------


@pytest.mark.parametrize(
    "opt, options",
    [
        (momentum, {"learning_rate": 0.002, "beta": 0.9}),
        (momentum, {"learning_rate": 0.002, "beta": 0.9, "nesterov": True}),
        (rmsprop, {"learning_rate": 0.01}),
        (adam, {"learning_rate": 0.05}),
    ],
)
def test_minimize_equals_direct_call(opt, options):
    r = objectives.rosenbrock()
    direct = opt(r.fun, [-1.2, 1.0], jac=r.grad, maxiter=300, **options)
    via = minimize(
        r.fun, [-1.2, 1.0], jac=r.grad, method=opt, options={"maxiter": 300, **options}
    )
    np.testing.assert_array_equal(via.x, direct.x)
    np.testing.assert_array_equal(via.trajectory, direct.trajectory)
    assert (via.nit, via.nfev, via.njev, via.status, via.message) == (
        direct.nit,
        direct.nfev,
        direct.njev,
        direct.status,
        direct.message,
    )
    # tol maps to gtol, jac=True (fun returns value and gradient) works as in scipy
    a = minimize(r.fun, [-1.2, 1.0], jac=r.grad, method=opt, tol=1e-3, options=options)
    b = opt(r.fun, [-1.2, 1.0], jac=r.grad, gtol=1e-3, **options)
    assert a.nit == b.nit
    c = minimize(
        lambda x: (r.fun(x), r.grad(x)),
        [-1.2, 1.0],
        jac=True,
        method=opt,
        options={"maxiter": 300, **options},
    )
    np.testing.assert_array_equal(c.x, direct.x)


@pytest.mark.parametrize("opt", OPTIMIZERS)
def test_callback_and_numerical_gradient(opt):
    q = quad(10.0)
    seen = []

    def cb(x):
        seen.append(x)
        if len(seen) == 5:
            raise StopIteration

    res = opt(q.fun, [1.0, 1.0], jac=q.grad, learning_rate=0.01, callback=cb)
    assert res.status == 3 and not res.success and res.nit == 5
    np.testing.assert_array_equal(np.array(seen), res.trajectory[1:])
    exact = opt(q.fun, [1.0, 1.0], jac=q.grad, learning_rate=0.01, maxiter=20)
    numeric = opt(q.fun, [1.0, 1.0], learning_rate=0.01, maxiter=20)
    np.testing.assert_allclose(numeric.x, exact.x, rtol=1e-6)
    # values + central differences
    assert numeric.njev == 0 and numeric.nfev == 21 + 21 * 2 * 2


# --- bad inputs and divergence --------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(beta=1.0), r"beta must be in \[0, 1\)"),
        (dict(beta=-0.1), r"beta must be in \[0, 1\)"),
        (dict(beta=1.5), r"beta must be in \[0, 1\)"),
        (dict(beta="0.9"), "beta must be a number"),
        (dict(beta=True), "beta must be a number"),
        (dict(learning_rate=0.0), "learning_rate must be finite and > 0"),
        (dict(learning_rate=-0.1), "learning_rate must be finite and > 0"),
        (dict(learning_rate=np.inf), "learning_rate must be finite and > 0"),
        (dict(learning_rate=lambda k: 0.1 if k < 3 else -0.1), r"learning_rate\(3\)"),
        (dict(nesterov="yes"), "nesterov must be True or False"),
        (dict(maxiter=-1), "maxiter"),
        (dict(gtol=-1.0), "gtol"),
        (dict(lr=0.1), "unknown options"),
        (dict(bounds=[(0, 1), (0, 1)]), "does not support bounds"),
    ],
)
def test_momentum_bad_inputs(kwargs, match):
    q = quad(10.0)
    with pytest.raises(ValueError, match=match):
        momentum(q.fun, [1.0, 1.0], jac=q.grad, **kwargs)


@pytest.mark.parametrize(
    "opt, kwargs, match",
    [
        (rmsprop, dict(rho=1.0), r"rho must be in \[0, 1\)"),
        (rmsprop, dict(eps=0.0), "eps must be finite and > 0"),
        (rmsprop, dict(learning_rate=0), "learning_rate must be finite and > 0"),
        (adam, dict(beta1=1.0), r"beta1 must be in \[0, 1\)"),
        (adam, dict(beta2=0.0), r"beta2 must be in \(0, 1\)"),
        (adam, dict(beta2=1.0), r"beta2 must be in \(0, 1\)"),
        (adam, dict(eps=-1e-8), "eps must be finite and > 0"),
        (adam, dict(learning_rate=-0.001), "learning_rate must be finite and > 0"),
        (adam, dict(bias_correction="no"), "bias_correction must be True or False"),
        (adam, dict(amsgrad=1), "amsgrad must be True or False"),
        (
            adam,
            dict(constraints=[{"type": "eq", "fun": np.sum}]),
            "does not support constraints",
        ),
    ],
)
def test_adaptive_bad_inputs(opt, kwargs, match):
    q = quad(10.0)
    with pytest.raises(ValueError, match=match):
        opt(q.fun, [1.0, 1.0], jac=q.grad, **kwargs)


@pytest.mark.parametrize("opt", OPTIMIZERS)
def test_bad_x0_and_jac_shape(opt):
    q = quad(10.0)
    with pytest.raises(ValueError, match=r"x0 must be a 1-D array"):
        opt(q.fun, [[1.0], [1.0]], jac=lambda x: q.grad(x))
    with pytest.raises(ValueError, match=r"jac must return shape \(2,\)"):
        opt(lambda x: float(x @ x), [1.0, 1.0], jac=lambda x: np.ones((2, 1)))


def test_momentum_rate_bad_inputs():
    with pytest.raises(ValueError, match="learning_rate"):
        momentum_rate(0.0, 0.5, [1.0])
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        momentum_rate(0.1, 1.0, [1.0])
    with pytest.raises(ValueError, match="eigenvalues must be a non-empty 1-D array"):
        momentum_rate(0.1, 0.5, [[1.0]])


@pytest.mark.parametrize(
    "opt, kwargs",
    [
        (momentum, dict(learning_rate=0.05, beta=0.9)),  # 0.05 * 100 = 5 > 2 (1 + 0.9)
        (momentum, dict(learning_rate=0.015, beta=0.9, nesterov=True)),  # 1.5 > 1.357
        (rmsprop, dict(learning_rate=1e3)),
        (adam, dict(learning_rate=1e3)),
    ],
)
def test_divergence_is_status_2_without_warnings(opt, kwargs):
    r = objectives.rosenbrock() if opt is not momentum else quad(100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = opt(r.fun, [-1.2, 1.0], jac=r.grad, maxiter=5000, **kwargs)
    assert res.status == 2 and not res.success
    assert res.message.startswith("Diverged")
    assert len(res.loss_history) == res.nit + 1 < 5000


def test_overflowing_iterate_is_status_2_and_fun_never_sees_inf():
    q = quad(10.0)  # its fun raises ValueError on a non-finite x
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = momentum(
            q.fun,
            [1.0, 1.0],
            jac=q.grad,
            learning_rate=1e308,
            beta=0.9,
            divergence_factor=1e300,
        )
    assert res.status == 2 and np.isnan(res.fun) and not np.all(np.isfinite(res.x))
