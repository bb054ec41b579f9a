"""gradient_descent and minibatch_gd against closed forms, lstsq and SciPy's minimize
protocol."""

import warnings

import numpy as np
import pytest
from scipy.optimize import OptimizeResult, minimize

import gdutils as gdu
from gdutils import data, losses, objectives, schedules
from gdutils.optimizers import gradient_descent, minibatch_gd


@pytest.fixture(scope="module")
def regression():
    X, y, theta = data.linear_regression(rng=42)
    A = data.add_bias(X)
    exact, *_ = np.linalg.lstsq(A, y, rcond=None)
    L = np.linalg.eigvalsh(losses.mse_hessian(X))[-1]
    return X, y, exact, L


def test_result_is_a_scipy_optimize_result_with_all_fields(regression):
    X, y, exact, L = regression
    res = gradient_descent(
        losses.mse, np.zeros(6), (X, y), losses.mse_grad, learning_rate=1 / L
    )
    assert isinstance(res, OptimizeResult)
    for field in (
        "x",
        "fun",
        "jac",
        "nit",
        "nfev",
        "njev",
        "status",
        "success",
        "message",
        "trajectory",
        "loss_history",
    ):
        assert field in res
    assert res.trajectory.shape == (res.nit + 1, 6) and res.loss_history.shape == (
        res.nit + 1,
    )
    assert res.nfev == res.nit + 1 and res.njev == res.nit + 1
    np.testing.assert_array_equal(res.trajectory[-1], res.x)
    assert res.fun == res.loss_history[-1] == pytest.approx(losses.mse(res.x, X, y))


def test_matches_lstsq_to_1e_8(regression):
    X, y, exact, L = regression
    res = gradient_descent(
        losses.mse,
        np.zeros(6),
        (X, y),
        losses.mse_grad,
        learning_rate=1 / L,
        gtol=1e-12,
        maxiter=10_000,
    )
    assert res.success and res.status == 0
    assert np.linalg.norm(res.x - exact) / np.linalg.norm(exact) <= 1e-8


def test_quadratic_one_step_and_linear_rate():
    q = objectives.quadratic(np.diag([1.0, 4.0]))
    # rate 1/4 kills the stiff coordinate in one step; the other shrinks by 3/4 per step
    # exactly
    res = gradient_descent(
        q.fun, [1.0, 1.0], jac=q.grad, learning_rate=0.25, maxiter=5, gtol=0.0
    )
    np.testing.assert_allclose(res.trajectory[:, 0], 0.75 ** np.arange(6))
    np.testing.assert_allclose(res.trajectory[1:, 1], 0.0, atol=1e-15)


def test_minimize_method_route_equals_direct_call(regression):
    X, y, exact, L = regression
    opts = dict(learning_rate=0.5 / L, maxiter=300, gtol=1e-10)
    direct = gradient_descent(losses.mse, np.zeros(6), (X, y), losses.mse_grad, **opts)
    routed = minimize(
        losses.mse,
        np.zeros(6),
        args=(X, y),
        jac=losses.mse_grad,
        method=gradient_descent,
        options=opts,
    )
    np.testing.assert_array_equal(routed.x, direct.x)
    np.testing.assert_array_equal(routed.trajectory, direct.trajectory)
    assert (routed.nit, routed.nfev, routed.njev) == (
        direct.nit,
        direct.nfev,
        direct.njev,
    )
    # minimize's tol= becomes gtol; jac=True means fun returns (value, gradient)
    both = lambda t, X, y: (losses.mse(t, X, y), losses.mse_grad(t, X, y))  # noqa: E731
    r2 = minimize(
        both,
        np.zeros(6),
        args=(X, y),
        jac=True,
        method=gradient_descent,
        tol=1e-10,
        options=dict(learning_rate=0.5 / L, maxiter=300),
    )
    np.testing.assert_allclose(r2.x, direct.x, rtol=0, atol=0)


def test_minibatch_route_through_minimize(regression):
    X, y, exact, L = regression
    opts = dict(batch_size=10, learning_rate=0.05, epochs=5, rng=3)
    direct = minibatch_gd(losses.mse, np.zeros(6), (X, y), losses.mse_grad, **opts)
    routed = minimize(
        losses.mse,
        np.zeros(6),
        args=(X, y),
        jac=losses.mse_grad,
        method=minibatch_gd,
        options=opts,
    )
    np.testing.assert_array_equal(routed.x, direct.x)


def test_finite_difference_gradient_when_jac_is_none():
    r = objectives.rosenbrock()
    res = gradient_descent(r.fun, [-1.2, 1.0], learning_rate=1e-3, maxiter=50, gtol=0.0)
    ref = gradient_descent(
        r.fun, [-1.2, 1.0], jac=r.grad, learning_rate=1e-3, maxiter=50, gtol=0.0
    )
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-6)
    # values + 2d evaluations per gradient
    assert res.njev == 0 and res.nfev == 51 + 51 * 4


def test_schedule_is_applied_per_update():
    q = objectives.quadratic(np.eye(1))
    rates = []
    gradient_descent(
        q.fun,
        [1.0],
        jac=q.grad,
        learning_rate=schedules.step_decay(0.5, 0.5, every=2),
        maxiter=6,
        gtol=0.0,
        callback=lambda x: rates.append(x[0]),
    )
    # x_{k+1} = (1 - rate_k) x_k with rates 0.5, 0.5, 0.25, 0.25, 0.125, 0.125
    expected = np.cumprod([0.5, 0.5, 0.75, 0.75, 0.875, 0.875])
    np.testing.assert_allclose(rates, expected)


def test_divergence_is_reported_not_warned(regression):
    X, y, exact, L = regression
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow warning would fail the test
        res = gradient_descent(
            losses.mse,
            np.zeros(6),
            (X, y),
            losses.mse_grad,
            learning_rate=3 / L,
            maxiter=100_000,
        )
        mb = minibatch_gd(
            losses.mse,
            np.zeros(6),
            (X, y),
            losses.mse_grad,
            batch_size=1,
            learning_rate=5.0,
            epochs=50,
            rng=0,
        )
    assert res.status == 2 and not res.success and "Diverged" in res.message
    assert res.nit < 200  # stopped early instead of running 100 000 iterations
    assert mb.status == 2 and not mb.success and mb.nepoch < 50
    # an update that overflows the parameters themselves: fun (which rejects inf) is
    # never called on them
    huge = minibatch_gd(
        losses.mse,
        np.zeros(6),
        (X, y),
        losses.mse_grad,
        batch_size=1,
        learning_rate=1e6,
        epochs=5,
        rng=0,
    )
    assert huge.status == 2 and np.isnan(huge.fun) and "Diverged" in huge.message


def test_maxiter_status_and_callback_stop():
    q = objectives.quadratic(np.diag([1.0, 100.0]))
    res = gradient_descent(
        q.fun, [1.0, 1.0], jac=q.grad, learning_rate=0.001, maxiter=10
    )
    assert res.status == 1 and not res.success and res.nit == 10

    def stop(x):
        raise StopIteration

    res = gradient_descent(
        q.fun, [1.0, 1.0], jac=q.grad, learning_rate=0.001, callback=stop
    )
    assert res.status == 3 and res.nit == 1


def test_minibatch_full_batch_equals_gradient_descent(regression):
    X, y, exact, L = regression
    mb = minibatch_gd(
        losses.mse,
        np.zeros(6),
        (X, y),
        losses.mse_grad,
        batch_size=None,
        learning_rate=0.3,
        epochs=40,
        rng=0,
    )
    gd = gradient_descent(
        losses.mse,
        np.zeros(6),
        (X, y),
        losses.mse_grad,
        learning_rate=0.3,
        maxiter=40,
        gtol=0.0,
    )
    np.testing.assert_allclose(mb.trajectory, gd.trajectory, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(mb.loss_history, gd.loss_history, rtol=1e-12)


def test_minibatch_same_seed_same_trajectory_and_sampling_without_replacement(
    regression,
):
    X, y, exact, L = regression
    run = lambda seed: minibatch_gd(
        losses.mse,
        np.zeros(6),
        (X, y),
        losses.mse_grad,  # noqa: E731
        batch_size=32,
        learning_rate=0.01,
        epochs=3,
        rng=seed,
    )
    a, b, c = run(5), run(5), run(6)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert not np.array_equal(a.trajectory, c.trajectory)
    # 100 = 32 + 32 + 32 + 4
    assert a.nit == 3 * 4 and a.nsamples == 300 and a.nepoch == 3
    assert a.loss_history.shape == (4,) and a.trajectory.shape == (13, 6)
    seen = []
    minibatch_gd(
        lambda t, X, y: 0.0,
        np.zeros(1),
        (np.arange(10.0).reshape(-1, 1), np.zeros(10)),
        lambda t, X, y: (seen.extend(X[:, 0]), np.zeros(1))[1],
        batch_size=3,
        epochs=1,
        rng=0,
    )
    # each sample exactly once per epoch (then the final full gradient)
    assert sorted(seen[:10]) == list(range(10))


def test_reference_regression_reaches_noise_floor(regression):
    X, y, exact, L = regression
    res = minibatch_gd(
        losses.mse,
        np.zeros(6),
        (X, y),
        losses.mse_grad,
        batch_size=32,
        learning_rate=0.01,
        epochs=1000,
        rng=0,
    )
    assert res.success
    # near sigma^2 = 0.01, above the exact optimum
    assert losses.mse(exact, X, y) < res.fun < 1.3 * 0.01


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(learning_rate=0.0), "learning_rate must be finite and > 0"),
        (dict(learning_rate=-0.1), "learning_rate must be finite and > 0"),
        (dict(learning_rate=np.nan), "learning_rate must be finite and > 0"),
        (
            dict(learning_rate=lambda k: -1.0),
            r"learning_rate\(0\) must be finite and > 0",
        ),
        (dict(maxiter=-1), "maxiter must be finite and >= 0"),
        (dict(bounds=[(0, 1)] * 6), "does not support bounds"),
        (dict(lr=0.1), r"unknown options: \['lr'\]"),
    ],
)
def test_gradient_descent_bad_arguments(regression, kwargs, match):
    X, y, exact, L = regression
    with pytest.raises(ValueError, match=match):
        gradient_descent(losses.mse, np.zeros(6), (X, y), losses.mse_grad, **kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(batch_size=101), r"batch_size must be between 1 and n = 100 .*got 101"),
        (dict(batch_size=0), "batch_size must be finite and > 0"),
        (dict(batch_size=2.5), "batch_size must be an integer"),
        (dict(learning_rate=0), "learning_rate must be finite and > 0"),
        (dict(epochs=-3), "epochs must be finite and >= 0"),
    ],
)
def test_minibatch_bad_arguments(regression, kwargs, match):
    X, y, exact, L = regression
    with pytest.raises(ValueError, match=match):
        minibatch_gd(losses.mse, np.zeros(6), (X, y), losses.mse_grad, **kwargs)


def test_bad_data_and_start():
    X, y, _ = data.linear_regression(n=10, d=2, rng=0)
    with pytest.raises(
        ValueError, match=r"y must have shape \(n,\) = \(10,\); got \(10, 1\)"
    ):
        minibatch_gd(losses.mse, np.zeros(3), (X, y.reshape(-1, 1)), losses.mse_grad)
    with pytest.raises(ValueError, match="needs the data as args"):
        minibatch_gd(losses.mse, np.zeros(3), (), losses.mse_grad)
    with pytest.raises(ValueError, match="x0 contains NaN"):
        gradient_descent(losses.mse, [np.nan, 0, 0], (X, y), losses.mse_grad)
    with pytest.raises(ValueError, match=r"x0 must be a 1-D array"):
        gradient_descent(losses.mse, np.zeros((3, 1)), (X, y), losses.mse_grad)
    with pytest.raises(ValueError, match=r"jac must return shape \(3,\)"):
        gradient_descent(losses.mse, np.zeros(3), (X, y), lambda t, X, y: np.zeros(2))
    with pytest.raises(ValueError, match=r"X must have shape \(n, d\)"):
        minibatch_gd(losses.mse, np.zeros(3), (np.ones(10), y), losses.mse_grad)


def test_public_names():
    assert gdu.gradient_descent is gradient_descent and gdu.minibatch_gd is minibatch_gd


def test_schedule_may_anneal_to_zero_but_not_below():
    X, y, _ = data.linear_regression(n=20, d=2, rng=0)
    res = minibatch_gd(
        losses.mse,
        np.zeros(3),
        (X, y),
        losses.mse_grad,
        batch_size=5,
        learning_rate=schedules.cosine(0.1, total_steps=8),
        epochs=4,
        rng=0,
    )
    # rate 0 after step 8: no motion
    np.testing.assert_array_equal(res.trajectory[-1], res.trajectory[-8])
    with pytest.raises(ValueError, match=r"learning_rate\(3\) must be finite and >= 0"):
        gradient_descent(
            losses.mse,
            np.zeros(3),
            (X, y),
            losses.mse_grad,
            learning_rate=lambda k: 0.1 - 0.05 * k,
        )


# --- SciPy's two callback protocols ---------------------------------------------------


def test_callback_intermediate_result_protocol_direct_and_through_minimize():
    """A callback with the single parameter ``intermediate_result`` gets an
    OptimizeResult (x, fun)."""
    q = objectives.quadratic(np.diag([1.0, 4.0]))
    for route in ("direct", "minimize"):
        got = []

        def cb(intermediate_result):
            assert isinstance(intermediate_result, OptimizeResult)
            got.append(
                (
                    intermediate_result.x.copy(),
                    intermediate_result.fun,
                    intermediate_result.nit,
                )
            )

        if route == "direct":
            res = gradient_descent(
                q.fun,
                [1.0, 1.0],
                jac=q.grad,
                learning_rate=0.1,
                maxiter=7,
                gtol=0.0,
                callback=cb,
            )
        else:
            res = minimize(
                q.fun,
                [1.0, 1.0],
                jac=q.grad,
                method=gradient_descent,
                callback=cb,
                options={"learning_rate": 0.1, "maxiter": 7, "gtol": 0.0},
            )
        assert res.status == 1 and len(got) == 7
        np.testing.assert_array_equal(
            np.array([x for x, _, _ in got]), res.trajectory[1:]
        )
        assert (
            [f for _, f, _ in got]
            == [q.fun(x) for x, _, _ in got]
            == list(res.loss_history[1:])
        )
        assert [k for _, _, k in got] == list(range(1, 8))


def test_callback_intermediate_result_may_stop_the_run_like_scipy():
    q = objectives.quadratic(np.diag([1.0, 4.0]))

    def stop_below(intermediate_result):
        if intermediate_result.fun < 1e-3:
            raise StopIteration

    ours = minimize(
        q.fun,
        [1.0, 1.0],
        jac=q.grad,
        method=gradient_descent,
        callback=stop_below,
        options={"learning_rate": 0.1},
    )
    assert ours.status == 3 and not ours.success and "StopIteration" in ours.message
    # stopped at the first iterate below the threshold
    assert ours.fun < 1e-3 <= ours.loss_history[-2]
    theirs = minimize(q.fun, [1.0, 1.0], jac=q.grad, method="BFGS", callback=stop_below)
    # SciPy's own wording
    assert (
        theirs.status == 99 and not theirs.success and "StopIteration" in theirs.message
    )


def test_classic_callback_still_gets_the_iterate_through_minimize():
    q = objectives.quadratic(np.diag([1.0, 4.0]))
    seen = []

    def classic(xk):
        # any parameter name other than intermediate_result: the classic form
        assert isinstance(xk, np.ndarray) and xk.shape == (2,)
        seen.append(xk)
        xk[:] = 99.0  # a copy: the run is not affected

    res = minimize(
        q.fun,
        [1.0, 1.0],
        jac=q.grad,
        method=gradient_descent,
        callback=classic,
        options={"learning_rate": 0.1, "maxiter": 5, "gtol": 0.0},
    )
    assert len(seen) == 5 and np.all(np.abs(res.trajectory) < 2)
    two_params = []
    gradient_descent(
        q.fun,
        [1.0, 1.0],
        jac=q.grad,
        learning_rate=0.1,
        maxiter=3,
        gtol=0.0,
        callback=lambda intermediate_result, extra=None: two_params.append(
            intermediate_result
        ),
    )
    # not exactly {"intermediate_result"}: classic form
    assert all(isinstance(x, np.ndarray) for x in two_params)
    with pytest.raises(ValueError, match="callback must be callable"):
        gradient_descent(q.fun, [1.0, 1.0], jac=q.grad, callback="stop")


def test_minibatch_callback_protocols_per_epoch():
    X, y, _ = data.linear_regression(n=20, d=2, rng=0)
    got, seen = [], []
    res = minimize(
        losses.mse,
        np.zeros(3),
        args=(X, y),
        jac=losses.mse_grad,
        method=minibatch_gd,
        callback=lambda intermediate_result: got.append(intermediate_result),
        options=dict(batch_size=5, learning_rate=0.05, epochs=3, rng=0),
    )
    assert [r.nit for r in got] == [4, 8, 12] and [r.fun for r in got] == list(
        res.loss_history[1:]
    )
    minibatch_gd(
        losses.mse,
        np.zeros(3),
        (X, y),
        losses.mse_grad,
        batch_size=5,
        epochs=2,
        rng=0,
        callback=lambda x: seen.append(x),
    )
    assert len(seen) == 2 and seen[0].shape == (3,)

    def stop(intermediate_result):
        raise StopIteration

    stopped = minibatch_gd(
        losses.mse,
        np.zeros(3),
        (X, y),
        losses.mse_grad,
        batch_size=5,
        epochs=5,
        rng=0,
        callback=stop,
    )
    assert (
        stopped.status == 3
        and stopped.nepoch == 1
        and "StopIteration" in stopped.message
    )


def _generic(fn):
    """The same loss behind a plain function: minibatch_gd's generic, per-batch path."""
    return lambda theta, X, y, *more: fn(theta, X, y, *more)


@pytest.mark.parametrize("b", [1, 7, 64, None])
@pytest.mark.parametrize("shuffle", [True, False, "once"])
def test_fast_path_retraces_the_generic_path(regression, b, shuffle):
    """The trusted kernels (validate once, permute into a buffer) give the iterates of
    the per-batch path that calls the public, validating mse_grad on X[idx]."""
    X, y, _, _ = regression
    kw = dict(batch_size=b, learning_rate=0.02, epochs=3, rng=5, shuffle=shuffle)
    fast = minibatch_gd(losses.mse, np.zeros(6), (X, y), losses.mse_grad, **kw)
    slow = minibatch_gd(
        _generic(losses.mse), np.zeros(6), (X, y), _generic(losses.mse_grad), **kw
    )
    np.testing.assert_allclose(fast.trajectory, slow.trajectory, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fast.loss_history, slow.loss_history, rtol=1e-12)
    for field in ("nit", "nfev", "njev", "nsamples", "nepoch", "status", "message"):
        assert fast[field] == slow[field], field


def test_fast_path_for_cross_entropy_with_l2():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((90, 2))
    y = (X[:, 0] + 0.5 * rng.standard_normal(90) > 0).astype(float)
    kw = dict(batch_size=8, learning_rate=0.1, epochs=4, rng=2)
    args = (X, y, 0.05)
    fast = minibatch_gd(
        losses.cross_entropy,
        np.zeros(X.shape[1] + 1),
        args,
        losses.cross_entropy_grad,
        **kw,
    )
    slow = minibatch_gd(
        _generic(losses.cross_entropy),
        np.zeros(X.shape[1] + 1),
        args,
        _generic(losses.cross_entropy_grad),
        **kw,
    )
    np.testing.assert_allclose(fast.trajectory, slow.trajectory, rtol=1e-12, atol=1e-14)
    assert fast.njev == slow.njev and fast.nfev == slow.nfev


def test_fast_path_validates_once_as_strictly():
    X, y, _ = data.linear_regression(n=20, d=2, rng=1)
    with pytest.raises(ValueError, match=r"theta must have shape \(2,\)"):
        minibatch_gd(_generic(losses.mse), np.zeros(5), (X, y), losses.mse_grad)
    with pytest.raises(ValueError, match="class labels 0 or 1"):
        minibatch_gd(
            _generic(losses.cross_entropy),
            np.zeros(3),
            (X, y),
            losses.cross_entropy_grad,
        )
    with pytest.raises(ValueError, match="l2"):
        minibatch_gd(
            _generic(losses.cross_entropy),
            np.zeros(3),
            (X, (y > 0) * 1.0, -1.0),
            losses.cross_entropy_grad,
        )


def test_keep_thins_the_trajectory(regression):
    X, y, _, _ = regression
    kw = dict(batch_size=10, learning_rate=0.02, epochs=3, rng=5)
    full = minibatch_gd(losses.mse, np.zeros(6), (X, y), losses.mse_grad, **kw)
    per = -(-len(y) // 10)
    assert full.trajectory.shape == (3 * per + 1, 6)
    ep = minibatch_gd(
        losses.mse, np.zeros(6), (X, y), losses.mse_grad, keep="epoch", **kw
    )
    np.testing.assert_array_equal(ep.trajectory, full.trajectory[::per])
    assert len(ep.trajectory) == len(ep.loss_history) == 4
    none = minibatch_gd(
        losses.mse, np.zeros(6), (X, y), losses.mse_grad, keep="none", **kw
    )
    assert none.trajectory.shape == (0, 6)
    np.testing.assert_array_equal(none.x, full.x)
    with pytest.raises(ValueError, match="keep must be one of"):
        minibatch_gd(losses.mse, np.zeros(6), (X, y), losses.mse_grad, keep="some")


def test_shuffle_once_visits_one_fixed_order_every_epoch():
    X, y, _ = data.linear_regression(n=11, d=1, rng=0)
    seen = []

    def jac(theta, Xb, yb):
        seen.append(yb.copy())
        return losses.mse_grad(theta, Xb, yb)

    minibatch_gd(
        losses.mse,
        np.zeros(2),
        (X, y),
        jac,
        batch_size=4,
        epochs=3,
        rng=6,
        shuffle="once",
    )
    epochs = [np.concatenate(seen[i : i + 3]) for i in range(0, 9, 3)]
    order = np.random.default_rng(6).permutation(11)
    for e in epochs:
        np.testing.assert_array_equal(e, y[order])
    with pytest.raises(ValueError, match="shuffle must be True or False, or 'once'"):
        minibatch_gd(losses.mse, np.zeros(2), (X, y), jac, shuffle="twice")


def test_every_field_when_the_start_is_not_finite():
    """Found by mutation testing: the early return was only checked for its status."""
    res = gradient_descent(lambda x: np.inf, [1.0, 2.0], jac=lambda x: 2 * x)
    np.testing.assert_array_equal(res.x, [1.0, 2.0])
    assert res.fun == np.inf and res.nit == 0 and res.status == 2
    assert res.success is False and (res.nfev, res.njev) == (1, 1)
    np.testing.assert_array_equal(res.jac, [2.0, 4.0])
    np.testing.assert_array_equal(res.trajectory, [[1.0, 2.0]])
    np.testing.assert_array_equal(res.loss_history, [np.inf])
    assert res.message == "Diverged: the loss is not finite at x0 (loss = inf)."
    res = gradient_descent(lambda x: 1.0, [1.0], jac=lambda x: x * np.nan)
    assert (
        res.message == "Diverged: the gradient is not finite at x0 (gradient = [nan])."
    )
    X, y, _ = data.linear_regression(n=10, d=1, rng=0)
    for keep, rows in (("all", 1), ("none", 0)):
        res = minibatch_gd(
            lambda t, X, y: np.nan, [0.0, 0.0], (X, y), losses.mse_grad, keep=keep
        )
        assert res.status == 2 and res.nit == 0 and res.success is False
        assert (res.nepoch, res.nsamples, res.nfev, res.njev) == (0, 0, 1, 0)
        assert np.isnan(res.fun) and np.isnan(res.jac).all() and res.jac.shape == (2,)
        assert res.trajectory.shape == (rows, 2)
        assert res.message == "Diverged: the loss is not finite at x0 (loss = nan)."


def _trusted_mse_grad():
    """A gradient that offers a trusted kernel but no epoch of its own: the fast path
    every other gdutils loss (cross-entropy) takes."""

    def grad(theta, X, y):
        return losses.mse_grad(theta, X, y)

    grad._prepare = losses.mse_grad._prepare
    return grad


@pytest.mark.parametrize("b", [1, 7, None])
@pytest.mark.parametrize("jac", ["epoch", "kernel"])
def test_fast_path_stops_at_the_first_non_finite_update_as_the_generic_path(
    regression, b, jac
):
    """The fast path checks the iterate once per epoch and replays an epoch that ends
    in inf/NaN: it must stop where the per-update check stops, with the same fields."""
    X, y, _, L = regression
    grad = losses.mse_grad if jac == "epoch" else _trusted_mse_grad()
    # 50 / L: the loss passes divergence_factor at the end of an epoch (iterates
    # finite); 1e6 and 1e307: an update overflows the iterate itself, so the epoch
    # is replayed
    overflowed = []
    for rate in (50.0 / L, 1e6, 1e307):
        kw = dict(batch_size=b, learning_rate=rate, epochs=40, rng=3)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow warning on either path
            fast = minibatch_gd(losses.mse, np.zeros(6), (X, y), grad, **kw)
            slow = minibatch_gd(
                _generic(losses.mse), np.zeros(6), (X, y), _generic(grad), **kw
            )
        assert fast.status == slow.status == 2
        for field in ("nit", "nfev", "njev", "nsamples", "nepoch", "message"):
            assert fast[field] == slow[field], field
        # equal up to rounding until the last iterate, where the overflow may come
        # one multiplication earlier or later: both finite, or both not
        np.testing.assert_allclose(
            fast.trajectory[:-1], slow.trajectory[:-1], rtol=1e-12, atol=1e-14
        )
        assert np.isfinite(fast.trajectory[:-1]).all()
        last = np.isfinite(fast.trajectory[-1]).all()
        assert last == np.isfinite(slow.trajectory[-1]).all()
        overflowed.append(not last)
    # (one full batch per epoch: the loss check at the end of the epoch comes first)
    assert overflowed[0] is False and any(overflowed) == (b is not None)


def test_fast_path_keeps_no_shuffled_copy_of_the_data():
    """Peak memory of a reshuffled run on top of the data: a batch buffer, the
    permutation and the loss's blocks, not a second X."""
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40_000, 25))
    y = rng.standard_normal(40_000)
    kw = dict(batch_size=64, learning_rate=0.001, epochs=2, rng=0, keep="none")
    tracemalloc.start()
    try:
        minibatch_gd(losses.mse, np.zeros(26), (X, y), losses.mse_grad, **kw)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        minibatch_gd(
            losses.mse, np.zeros(26), (X, y), losses.mse_grad, shuffle="once", **kw
        )
        once = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.2 * X.nbytes, (peak, X.nbytes)
    assert once > X.nbytes  # shuffle="once" keeps one shuffled copy, as documented


def _quadratic_pair(x):
    """f(x) = ||x||^2 and its gradient, returned together (scipy's jac=True)."""
    return float(x @ x), 2 * x


def test_jac_true_gives_the_run_of_a_separate_gradient(regression):
    """fun returning (value, gradient) with jac=True: the same iterates and losses as
    passing the gradient separately, for both optimizers."""
    sep = gradient_descent(
        lambda x: float(x @ x), [3.0, -4.0], jac=lambda x: 2 * x, learning_rate=0.1
    )
    pair = gradient_descent(_quadratic_pair, [3.0, -4.0], jac=True, learning_rate=0.1)
    np.testing.assert_array_equal(pair.trajectory, sep.trajectory)
    np.testing.assert_array_equal(pair.loss_history, sep.loss_history)
    np.testing.assert_array_equal(pair.jac, sep.jac)
    assert pair.nit == sep.nit > 10 and pair.success
    X, y, _, _ = regression

    def mse_pair(theta, X, y):
        return losses.mse(theta, X, y), losses.mse_grad(theta, X, y)

    kw = dict(batch_size=16, learning_rate=0.02, epochs=2, rng=1)
    a = minibatch_gd(mse_pair, np.zeros(6), (X, y), jac=True, **kw)
    b = minibatch_gd(
        _generic(losses.mse), np.zeros(6), (X, y), _generic(losses.mse_grad), **kw
    )
    np.testing.assert_allclose(a.trajectory, b.trajectory, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(a.loss_history, b.loss_history, rtol=1e-12)


def test_finite_differences_pass_the_data_args():
    """jac=None: central differences of fun(x, *args), the same run as the exact
    gradient of the same args."""
    a = np.array([1.0, -2.0])
    fun = lambda x, a: float((x - a) @ (x - a))  # noqa: E731
    fd = gradient_descent(fun, [0.0, 0.0], args=(a,), learning_rate=0.25)
    exact = gradient_descent(
        fun, [0.0, 0.0], args=(a,), jac=lambda x, a: 2 * (x - a), learning_rate=0.25
    )
    np.testing.assert_allclose(fd.x, a, atol=1e-6)
    np.testing.assert_allclose(fd.trajectory, exact.trajectory, atol=1e-6)
    assert fd.nfev == len(fd.loss_history) + 4 * (fd.nit + 1) and fd.njev == 0


def test_divergence_threshold_is_factor_times_max_of_start_loss_and_one():
    """Diverged means f > divergence_factor * max(|f0|, 1): a loss equal to the
    threshold is not divergence, one past it is."""

    def losses_of(x0, factor):
        # f = x^2 at rate 1.5: every step multiplies x by -2 and f by 4
        res = gradient_descent(
            lambda x: float(x @ x),
            [x0],
            jac=lambda x: 2 * x,
            learning_rate=1.5,
            divergence_factor=factor,
        )
        assert res.status == 2
        return res.nit, list(res.loss_history)

    # f0 = 1: f = 1, 4, 16; 4 equals the threshold 4 * 1 and is not divergence
    assert losses_of(1.0, 4.0) == (2, [1, 4, 16])
    # f0 = 0.25 < 1: the threshold is factor * 1 = 10, so it stops at 16 (and would
    # stop at 4 if f0 itself were used)
    assert losses_of(0.5, 10.0)[1] == [0.25, 1, 4, 16]
    # f0 = 4 > 1: threshold 3 * 4 = 12 (not 3 / 4), then 4 * 4 = 16 (not passed by 16)
    assert losses_of(2.0, 3.0)[1] == [4, 16]
    assert losses_of(2.0, 4.0)[1] == [4, 16, 64]


def test_an_update_to_inf_stops_with_nan_loss_and_no_warning():
    """An update that overflows the iterate: loss NaN (fun is never called on it),
    status 2, one loss per iterate, the gradient of the last finite iterate."""
    calls = []

    def fun(x):
        calls.append(x.copy())
        return float(x @ x)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gradient_descent(
            fun, [1.0, -1.0], jac=lambda x: 2 * x, learning_rate=1e308
        )
    assert res.status == 2 and not res.success and res.nit == 1
    assert np.isnan(res.fun) and np.isnan(res.loss_history[-1])
    assert len(res.loss_history) == len(res.trajectory) == 2
    assert np.isinf(res.trajectory[-1]).all() and res.message.startswith("Diverged")
    assert all(np.isfinite(c).all() for c in calls)
    np.testing.assert_array_equal(res.jac, [2.0, -2.0])


def test_a_loss_of_minus_inf_is_divergence_not_a_warning():
    """log(x^2) reaches log(0) = -inf at x = 0: reported as divergence, with no
    divide-by-zero warning (and a huge loss without an overflow warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gradient_descent(
            lambda x: float(np.log(x @ x)),
            [1.0],
            jac=lambda x: 2 / x,
            learning_rate=0.5,
        )
        assert res.status == 2 and res.fun == -np.inf and res.nit == 1
        huge = gradient_descent(
            lambda x: float(np.sum(x**4)),
            [1.0],
            jac=lambda x: 4 * x**3,
            learning_rate=1e100,
            maxiter=5,
        )
    assert huge.status == 2


def test_gtol_is_inclusive():
    """Converged when max |g| <= gtol: a start whose gradient is exactly gtol."""
    res = gradient_descent(lambda x: float(x @ x), [0.5], jac=lambda x: 2 * x, gtol=1.0)
    assert res.status == 0 and res.nit == 0 and res.success


def test_documented_defaults():
    """The defaults the docstrings and chapters rely on."""
    import inspect

    gd = inspect.signature(gradient_descent).parameters
    assert (gd["learning_rate"].default, gd["maxiter"].default) == (0.1, 1000)
    assert gd["divergence_factor"].default == 1e12 and gd["gtol"].default == 1e-6
    mb = inspect.signature(minibatch_gd).parameters
    assert (mb["learning_rate"].default, mb["epochs"].default) == (0.01, 100)
    assert mb["divergence_factor"].default == 1e12 and mb["keep"].default == "all"
    res = gradient_descent(lambda x: float(x @ x), [1.0], jac=lambda x: 2 * x)
    np.testing.assert_allclose(res.trajectory[:4, 0], 0.8 ** np.arange(4))


def test_minibatch_result_fields_after_a_completed_and_a_diverged_run(regression):
    X, y, _, _ = regression
    kw = dict(batch_size=32, learning_rate=0.01, epochs=3, rng=0)
    res = minibatch_gd(losses.mse, np.zeros(6), (X, y), losses.mse_grad, **kw)
    assert res.message == "Completed 3 epochs of 4 batches (batch_size=32)."
    np.testing.assert_allclose(res.jac, losses.mse_grad(res.x, X, y), rtol=1e-12)
    assert res.fun == pytest.approx(losses.mse(res.x, X, y), rel=1e-12)
    np.testing.assert_array_equal(res.x, res.trajectory[-1])
    bad = minibatch_gd(
        losses.mse,
        np.zeros(6),
        (X, y),
        losses.mse_grad,
        batch_size=1,
        learning_rate=1e3,
        epochs=5,
        rng=0,
    )
    assert bad.status == 2 and np.isnan(bad.jac).all() and bad.jac.shape == (6,)
    # it stopped inside the first or a later epoch: one sample per update counted
    assert bad.nsamples == bad.nit and bad.nit < 5 * len(y)
    np.testing.assert_array_equal(bad.x, bad.trajectory[-1])
    start = minibatch_gd(
        lambda t, X, y: np.nan, [1.0, 2.0], (X[:, :1], y), losses.mse_grad
    )
    np.testing.assert_array_equal(start.x, [1.0, 2.0])
    assert np.isnan(start.jac).all() and start.jac.shape == (2,)
    assert np.isnan(start.loss_history).all() and start.loss_history.shape == (1,)


@pytest.mark.parametrize("generic", [False, True])
def test_a_schedule_on_every_path_of_minibatch_gd(regression, generic):
    """A rate schedule of the update index on the fused MSE epoch, on a trusted kernel
    without an epoch of its own, and on user functions: the textbook loop."""
    X, y, _, _ = regression
    sched = schedules.step_decay(0.05, factor=0.5, every=3)
    grads = [losses.mse_grad, _trusted_mse_grad()]
    if generic:
        grads = [_generic(losses.mse_grad)]
    for grad in grads:
        res = minibatch_gd(
            losses.mse if not generic else _generic(losses.mse),
            np.zeros(6),
            (X, y),
            grad,
            batch_size=40,
            learning_rate=sched,
            epochs=2,
            rng=4,
        )
        theta, path = np.zeros(6), [np.zeros(6)]
        for k, idx in enumerate(
            gdu.stochastic.epoch_batches(len(y), 40, rng=4, epochs=2)
        ):
            theta = theta - sched(k) * losses.mse_grad(theta, X[idx], y[idx])
            path.append(theta)
        np.testing.assert_allclose(res.trajectory, path, rtol=1e-12, atol=1e-14)


def test_cross_entropy_fast_path_loss_history_includes_the_penalty():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] > 0).astype(float)
    args = (X, y, 0.3)
    kw = dict(batch_size=8, learning_rate=0.1, epochs=3, rng=2)
    fast = minibatch_gd(
        losses.cross_entropy, np.ones(3), args, losses.cross_entropy_grad, **kw
    )
    for f, x in zip(fast.loss_history[1:], fast.trajectory[8::8], strict=True):
        assert f == pytest.approx(losses.cross_entropy(x, X, y, 0.3), rel=1e-12)


def test_the_trusted_gradient_validates_its_own_extra_args():
    """The kernel's _prepare gets the extra args (l2) even when fun ignores them."""
    X, y = np.array([[0.0], [1.0]]), np.array([0.0, 1.0])
    with pytest.raises(ValueError, match="l2 must be finite and >= 0"):
        minibatch_gd(
            lambda t, X, y, l2: 0.0,
            np.zeros(2),
            (X, y, -1.0),
            losses.cross_entropy_grad,
            batch_size=1,
        )


def test_the_fast_path_validates_once_per_run_and_uses_mses_epoch(
    regression, monkeypatch
):
    """Validation (the NaN scan of X) happens for the start loss and the final
    gradient only, however many epochs; the MSE epochs run in mse_grad._epoch."""
    X, y, _, _ = regression
    from gdutils import losses as L

    scans, epochs = [], []
    real_scan, real_epoch = L.require_finite_block, L.mse_grad._epoch
    monkeypatch.setattr(
        L, "require_finite_block", lambda b: scans.append(1) or real_scan(b)
    )
    monkeypatch.setattr(
        L.mse_grad, "_epoch", lambda *a: epochs.append(1) or real_epoch(*a)
    )
    for n_epochs in (1, 6):
        scans.clear(), epochs.clear()
        minibatch_gd(
            L.mse,
            np.zeros(6),
            (X, y),
            L.mse_grad,
            batch_size=10,
            epochs=n_epochs,
            rng=0,
        )
        assert len(scans) == 2 and len(epochs) == n_epochs


def test_jac_false_means_finite_differences_as_none():
    f = lambda x: float((x - 1.0) @ (x - 1.0))  # noqa: E731
    none = gradient_descent(f, [0.0, 3.0], jac=None, learning_rate=0.25)
    false = gradient_descent(f, [0.0, 3.0], jac=False, learning_rate=0.25)
    np.testing.assert_array_equal(false.trajectory, none.trajectory)
    assert false.njev == 0 and false.nfev == none.nfev and false.success


def test_default_divergence_factor_and_iteration_limits_in_action():
    """divergence_factor=1e12 exactly: a loss of 1e12 + 0.5 times the start diverges;
    maxiter=1000 and epochs=100 by default."""
    # f = x^2 from x0 = 1, one step to x1 = -(1e6 + 2.5e-7): f1 = 1e12 + 0.5
    rate = (1.0 + 1e6 + 2.5e-7) / 2
    f, g = (lambda x: float(x @ x)), (lambda x: 2 * x)
    res = gradient_descent(f, [1.0], jac=g, learning_rate=rate)
    assert 1e12 < res.loss_history[1] <= 1e12 + 1
    assert res.status == 2 and res.nit == 1
    mb = minibatch_gd(
        lambda t, X, y: float(t @ t),
        [1.0],
        (np.zeros((3, 1)), np.zeros(3)),
        lambda t, X, y: 2 * t,
        batch_size=None,
        learning_rate=rate,
        rng=0,
    )
    assert mb.status == 2 and mb.nepoch == 1
    slow = gradient_descent(f, [1.0], jac=g, learning_rate=1e-6, gtol=0.0)
    assert slow.status == 1 and slow.nit == 1000
    mb = minibatch_gd(
        lambda t, X, y: float(t @ t),
        [1.0],
        (np.zeros((3, 1)), np.zeros(3)),
        lambda t, X, y: 2 * t,
        batch_size=3,
        rng=0,
    )
    assert mb.nepoch == 100 and mb.nit == 100 and mb.success


@pytest.mark.parametrize("grad", ["epoch", "kernel"])
def test_samples_are_counted_to_the_update_where_a_later_epoch_diverges(
    regression, grad
):
    """A schedule that jumps to a huge rate at update n + 3: the run stops inside its
    second epoch, after n + 4 per-example gradients (b = 1)."""
    X, y, _, _ = regression
    n = len(y)
    jac = losses.mse_grad if grad == "epoch" else _trusted_mse_grad()

    def rate(k):
        return 1e307 if k >= n + 3 else 0.001

    res = minibatch_gd(
        losses.mse,
        np.zeros(6),
        (X, y),
        jac,
        batch_size=1,
        learning_rate=rate,
        epochs=4,
        rng=0,
    )
    assert res.status == 2 and res.nepoch == 2
    assert res.nit == res.nsamples == res.njev and res.nit in (n + 4, n + 5)


def test_the_trusted_gradient_refuses_bad_extra_args_before_any_update():
    X, y = np.array([[0.0], [1.0]]), np.array([0.0, 1.0])
    epochs_run = []
    with pytest.raises(ValueError, match="l2 must be finite and >= 0"):
        minibatch_gd(
            lambda t, X, y, l2: 0.0,
            np.zeros(2),
            (X, y, -1.0),
            losses.cross_entropy_grad,
            batch_size=1,
            epochs=3,
            callback=lambda xk: epochs_run.append(xk),
        )
    assert epochs_run == []  # refused when the run is set up, not at the end
