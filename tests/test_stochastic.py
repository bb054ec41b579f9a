"""Stochastic-gradient helpers against exact enumeration, the optimizer itself and
closed forms."""

import itertools
import math
import warnings

import numpy as np
import pytest
from scipy import stats

import gdutils as gdu
from gdutils import stochastic as st


@pytest.mark.parametrize(
    "n, b", [(800, 1), (800, 16), (100, 32), (7, 7), (7, 3), (1, 1)]
)
def test_steps_per_epoch(n, b):
    assert st.steps_per_epoch(n, b) == math.ceil(n / b)
    assert st.steps_per_epoch(n, None) == 1


@pytest.mark.parametrize(
    "args, match",
    [
        ((0, 1), "n "),
        ((10, 0), "batch_size"),
        ((10, 11), "between 1 and n"),
        ((10, 2.5), "batch_size"),
    ],
)
def test_steps_per_epoch_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        st.steps_per_epoch(*args)


@pytest.mark.parametrize(
    "n, b, epochs", [(10, 3, 4), (9, 1, 2), (12, None, 3), (12, 12, 2)]
)
def test_epoch_batches_are_partitions(n, b, epochs):
    batches = st.epoch_batches(n, b, rng=1, epochs=epochs)
    per = st.steps_per_epoch(n, b)
    assert len(batches) == per * epochs
    for e in range(epochs):
        epoch = np.concatenate(batches[e * per : (e + 1) * per])
        # every sample once: without replacement
        assert sorted(epoch.tolist()) == list(range(n))


@pytest.mark.parametrize("b", [1, 3, 8, None])
def test_epoch_batches_reproduce_minibatch_gd(b):
    """A plain loop over epoch_batches(seed) retraces minibatch_gd(rng=seed) update by
    update."""
    X, y, _ = gdu.data.linear_regression(n=23, d=3, rng=4)
    res = gdu.minibatch_gd(
        gdu.mse,
        np.ones(4),
        (X, y),
        gdu.mse_grad,
        batch_size=b,
        learning_rate=0.03,
        epochs=3,
        rng=9,
    )
    theta, path = np.ones(4), [np.ones(4)]
    for idx in st.epoch_batches(len(y), b, rng=9, epochs=3):
        theta = theta - 0.03 * gdu.mse_grad(theta, X[idx], y[idx])
        path.append(theta)
    # the fast path scales the residual before the product: equal up to rounding
    np.testing.assert_allclose(np.array(path), res.trajectory, rtol=1e-13, atol=1e-15)


def test_epoch_batches_bad_input():
    with pytest.raises(ValueError, match="epochs"):
        st.epoch_batches(5, 2, rng=0, epochs=0)
    with pytest.raises(ValueError, match="between 1 and n"):
        st.epoch_batches(5, 6, rng=0)


def _exact_variance(G, b, replace):
    """Average of ||mean(G[B]) - mean(G)||^2 over every possible batch B
    (enumeration)."""
    n = len(G)
    subsets = (
        itertools.product(range(n), repeat=b)
        if replace
        else itertools.combinations(range(n), b)
    )
    devs = [np.sum((G[list(B)].mean(axis=0) - G.mean(axis=0)) ** 2) for B in subsets]
    return float(np.mean(devs))


@pytest.mark.parametrize("b", [1, 2, 3, 5, 6])
@pytest.mark.parametrize("replace", [False, True])
def test_predicted_variance_equals_enumeration(b, replace):
    G = np.random.default_rng(0).standard_normal((6, 3)) * [1.0, 2.0, 0.5]
    assert st.predicted_variance(G, b, replace=replace) == pytest.approx(
        _exact_variance(G, b, replace), rel=1e-12
    )


@pytest.mark.parametrize("b", [1, 4, 16, 40])
@pytest.mark.parametrize("replace", [False, True])
def test_measured_variance_is_close_to_prediction(b, replace):
    G = np.random.default_rng(1).standard_normal((50, 4)) + [0.0, 1.0, 2.0, 3.0]
    measured = st.minibatch_variance(G, b, rng=2, num_batches=20000, replace=replace)
    # ~20000 batches: the relative standard error is about 1-2 %; allow 5 %
    assert measured == pytest.approx(
        st.predicted_variance(G, b, replace=replace), rel=0.05
    )


def test_variance_edge_cases_and_bad_input():
    G = np.arange(12.0).reshape(6, 2)
    assert st.minibatch_variance(G, 6) == 0.0 and st.predicted_variance(G, 6) == 0.0
    # seeded
    assert st.minibatch_variance(G, 2, rng=5) == st.minibatch_variance(G, 2, rng=5)
    with pytest.raises(ValueError, match=r"shape \(n, p\)"):
        st.minibatch_variance(np.arange(6.0), 2)
    with pytest.raises(ValueError, match="at least 2 rows"):
        st.predicted_variance(np.ones((1, 3)), 1)
    with pytest.raises(ValueError, match="NaN or inf"):
        st.predicted_variance(np.array([[1.0], [np.nan]]), 1)
    with pytest.raises(ValueError, match="between 1 and n"):
        st.minibatch_variance(G, 7)
    with pytest.raises(ValueError, match="num_batches"):
        st.minibatch_variance(G, 2, num_batches=0)


def test_loglog_slope_matches_scipy():
    rng = np.random.default_rng(3)
    x = np.array([1, 2, 4, 8, 16, 32.0])
    y = 3.0 * x**-0.8 * np.exp(0.05 * rng.standard_normal(6))
    ref = stats.linregress(np.log(x), np.log(y)).slope
    assert st.loglog_slope(x, y) == pytest.approx(ref, rel=1e-12)
    assert st.loglog_slope([1, 10, 100], [2.0, 2.0, 2.0]) == pytest.approx(
        0.0, abs=1e-12
    )


@pytest.mark.parametrize(
    "x, y, match",
    [
        ([1, 2], [1, -1], "positive"),
        ([1, 2, 3], [1, 2], "same length"),
        ([0, 1], [1, 1], "positive"),
        ([1], [1], "same length"),
    ],
)
def test_loglog_slope_bad_input(x, y, match):
    with pytest.raises(ValueError, match=match):
        st.loglog_slope(x, y)


def test_ema_against_explicit_weights():
    rng = np.random.default_rng(4)
    v, beta = rng.standard_normal(25), 0.8
    t = np.arange(25)
    raw = np.array(
        [(1 - beta) * np.sum(beta ** (k - t[: k + 1]) * v[: k + 1]) for k in t]
    )
    np.testing.assert_allclose(st.ema(v, beta, debias=False), raw, rtol=1e-12)
    np.testing.assert_allclose(st.ema(v, beta), raw / (1 - beta ** (t + 1)), rtol=1e-12)
    # debiased: constants stay
    np.testing.assert_allclose(st.ema(np.full(10, 3.0), 0.95), 3.0, rtol=1e-12)
    np.testing.assert_array_equal(st.ema(v, 0.0), v)


def test_ema_reduces_noise_variance_as_theory_says():
    """For white noise the stationary EMA variance is (1 - beta) / (1 + beta) times the
    input's."""
    v = np.random.default_rng(5).standard_normal(200_000)
    beta = 0.9
    smoothed = st.ema(v, beta)[1000:]
    assert np.var(smoothed) == pytest.approx((1 - beta) / (1 + beta), rel=0.05)


@pytest.mark.parametrize("beta", [1.0, -0.1, 1.5, "0.9", True])
def test_ema_bad_beta(beta):
    with pytest.raises(ValueError, match="beta"):
        st.ema([1.0, 2.0], beta)


def test_ema_bad_values():
    with pytest.raises(ValueError, match=r"shape \(t,\)"):
        st.ema(np.ones((3, 2)))


# --- many runs at once ----------------------------------------------------------------

import copy  # noqa: E402


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("b", [1, 7, 32, 100])
def test_sgd_runs_equals_minibatch_gd_run_by_run(b, replace):
    X, y, _ = gdu.data.linear_regression(rng=0)
    gens = [np.random.default_rng(s) for s in (3, 4)]
    rates = [0.01, 0.03]
    paths = st.sgd_runs(
        X,
        y,
        np.zeros(6),
        batch_size=b,
        learning_rates=rates,
        updates=40,
        rngs=gens,
        replace=replace,
    )
    assert paths.shape == (2, 2, 41, 6)
    for g, rate in enumerate(rates):
        for r, gen in enumerate(gens):
            if replace:
                s = copy.deepcopy(gen).integers(0, 100, size=40 * b)
                ref = gdu.minibatch_gd(
                    gdu.mse,
                    np.zeros(6),
                    (X[s], y[s]),
                    gdu.mse_grad,
                    batch_size=b,
                    learning_rate=rate,
                    epochs=1,
                    shuffle=False,
                ).trajectory[:41]
            else:
                epochs = -(-40 // st.steps_per_epoch(100, b))
                ref = gdu.minibatch_gd(
                    gdu.mse,
                    np.zeros(6),
                    (X, y),
                    gdu.mse_grad,
                    batch_size=b,
                    learning_rate=rate,
                    epochs=epochs,
                    rng=copy.deepcopy(gen),
                ).trajectory[:41]
            np.testing.assert_allclose(paths[g, r], ref, rtol=1e-12, atol=1e-12)
    # the generators were copied, not advanced
    assert gens[0].integers(10**9) == np.random.default_rng(3).integers(10**9)


def test_sgd_runs_schedules_seeds_and_divergence():
    X, y, _ = gdu.data.linear_regression(n=20, d=2, rng=1)
    sched = gdu.schedules.inverse_time(0.05, decay=0.1)
    paths = st.sgd_runs(
        X,
        y,
        np.zeros(3),
        batch_size=4,
        learning_rates=[sched, 50.0],
        updates=300,
        rngs=[0],
    )
    ref = gdu.minibatch_gd(
        gdu.mse,
        np.zeros(3),
        (X, y),
        gdu.mse_grad,
        batch_size=4,
        learning_rate=sched,
        epochs=6,
        rng=0,
    ).trajectory
    np.testing.assert_allclose(paths[0, 0, :31], ref, rtol=1e-12)
    # rate 50 diverges: inf/NaN, no warning flood
    assert not np.all(np.isfinite(paths[1, 0, -1]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=30), "between 1 and n"),
        (dict(updates=0), "updates"),
        (dict(rngs=[]), "at least one generator"),
        (dict(learning_rates=[-0.1]), "learning_rate"),
        (dict(learning_rates=[]), "at least one rate"),
        (dict(learning_rates=[lambda k: float("nan")]), "finite"),
        (dict(theta0=np.zeros(2)), r"theta0 must have shape \(3,\)"),
        (dict(rngs=[1.5]), "rng must be"),
    ],
)
def test_sgd_runs_bad_input(kwargs, match):
    X, y, _ = gdu.data.linear_regression(n=20, d=2, rng=1)
    args = dict(
        theta0=np.zeros(3), batch_size=4, learning_rates=[0.1], updates=5, rngs=[0]
    )
    args.update(kwargs)
    theta0 = args.pop("theta0")
    with pytest.raises(ValueError, match=match):
        st.sgd_runs(X, y, theta0, **args)


def test_excess_mse_is_the_loss_above_least_squares():
    X, y, _ = gdu.data.linear_regression(n=30, d=3, rng=2)
    thetas = np.random.default_rng(5).standard_normal((4, 7, 4))
    A = gdu.data.add_bias(X)
    best = gdu.mse(np.linalg.lstsq(A, y, rcond=None)[0], X, y)
    want = np.array([[gdu.mse(t, X, y) - best for t in row] for row in thetas])
    np.testing.assert_allclose(st.excess_mse(thetas, X, y), want, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="d \\+ 1 = 4"):
        st.excess_mse(np.zeros(3), X, y)


def test_first_below():
    c = np.array([[3.0, np.nan, 0.5], [np.inf, 2.0, 1.0]])
    np.testing.assert_array_equal(st.first_below(c, 1.0), [2.0, 2.0])
    np.testing.assert_array_equal(st.first_below(c, 0.1), [np.inf, np.inf])
    with pytest.raises(ValueError, match="finite"):
        st.first_below(c, np.nan)
    with pytest.raises(ValueError, match="at least one entry"):
        st.first_below(np.zeros((2, 0)), 1.0)


# --- whole messages, defaults and edge cases (from mutation testing) ------------------

X20, Y20, _ = gdu.data.linear_regression(n=20, d=2, rng=1)


def _sgd(**kwargs):
    args = {"batch_size": 4, "learning_rates": [0.1], "updates": 5, "rngs": [0]}
    args.update(kwargs)
    return lambda: st.sgd_runs(X20, Y20, np.zeros(3), **args)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: st.steps_per_epoch(2.5, 1),
            "n (the number of samples) must be an integer; got 2.5.",
        ),
        (
            lambda: st.steps_per_epoch(0, 1),
            "n (the number of samples) must be finite and > 0; got 0.",
        ),
        (
            lambda: st.steps_per_epoch(10, 2.5),
            "batch_size must be an integer; got 2.5.",
        ),
        (
            lambda: st.steps_per_epoch(10, 11),
            "batch_size must be between 1 and n = 10; got 11.",
        ),
        (
            lambda: st.epoch_batches(5, 2, rng=0, epochs=2.5),
            "epochs must be an integer; got 2.5.",
        ),
        (
            lambda: st.epoch_batches(5, 2, rng=0, epochs=0),
            "epochs must be finite and > 0; got 0.",
        ),
        (
            lambda: st.predicted_variance(np.ones((1, 3)), 1),
            "G needs at least 2 rows (examples) to have a variance; got 1.",
        ),
        (
            lambda: st.predicted_variance(np.array([[1.0], [np.nan]]), 1),
            "G contains NaN or inf; expected finite per-example gradients.",
        ),
        (
            lambda: st.minibatch_variance(np.ones((4, 1)), 2, num_batches=2.5),
            "num_batches must be an integer; got 2.5.",
        ),
        (
            lambda: st.minibatch_variance(np.ones((4, 1)), 2, num_batches=0),
            "num_batches must be finite and > 0; got 0.",
        ),
        (
            lambda: st.minibatch_variance(np.ones((4, 1)), 2, replace="no"),
            "replace must be True or False; got 'no'.",
        ),
        (_sgd(updates=2.5), "updates must be an integer; got 2.5."),
        (_sgd(updates=0), "updates must be finite and > 0; got 0."),
        (_sgd(rngs=[]), "rngs must hold at least one generator (or seed)."),
        (_sgd(replace="no"), "replace must be True or False; got 'no'."),
        (
            _sgd(learning_rates=[-0.1]),
            "learning_rate must be finite and > 0; got -0.1.",
        ),
        (
            _sgd(learning_rates=[]),
            "learning_rates must hold at least one rate or schedule.",
        ),
        (
            _sgd(learning_rates=[lambda k: -0.1]),
            "every learning rate (or schedule(k)) must be a finite number >= 0.",
        ),
        (
            # None is not a rate: read as float it is NaN, refused like one
            _sgd(learning_rates=[lambda k: None]),
            "every learning rate (or schedule(k)) must be a finite number >= 0.",
        ),
        (
            lambda: st.excess_mse(np.ones((2, 2)) * 1j, X20[:, :1], Y20),
            "paths is complex (dtype complex128); expected real numbers. Pass"
            " paths.real if the imaginary part is meant to be dropped.",
        ),
        (
            lambda: st.first_below([1j], 1.0),
            "curves is complex (dtype complex128); expected real numbers. Pass"
            " curves.real if the imaginary part is meant to be dropped.",
        ),
    ],
)
def test_whole_error_messages(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_defaults_one_epoch_beta_and_num_batches():
    batches = st.epoch_batches(7, 3, rng=2)
    assert [len(b) for b in batches] == [3, 3, 1]  # one epoch
    v = np.random.default_rng(6).standard_normal(12)
    t = np.arange(12)
    raw = np.array([0.1 * np.sum(0.9 ** (k - t[: k + 1]) * v[: k + 1]) for k in t])
    np.testing.assert_allclose(st.ema(v), raw / (1 - 0.9 ** (t + 1)), rtol=1e-12)
    # n = 5, b = 3: one batch per permutation, so 2000 batches are 2000 permutations
    G = np.random.default_rng(7).standard_normal((5, 2))
    for replace in (False, True):
        assert st.minibatch_variance(G, 3, rng=4, replace=replace) == (
            st.minibatch_variance(G, 3, rng=4, replace=replace, num_batches=2000)
        )


@pytest.mark.parametrize("n, b, epochs", [(7, 3, 2), (6, 2, 1), (9, 4, 3)])
def test_minibatch_variance_uses_the_full_batches_of_epochs(n, b, epochs):
    """Without replacement the batches are those of epoch_batches, the last smaller
    one of each epoch left out."""
    G = np.random.default_rng(n).standard_normal((n, 2))
    full = [B for B in st.epoch_batches(n, b, rng=3, epochs=epochs) if len(B) == b]
    want = np.mean([np.sum((G[B].mean(axis=0) - G.mean(axis=0)) ** 2) for B in full])
    got = st.minibatch_variance(G, b, rng=3, num_batches=len(full))
    assert got == pytest.approx(want, rel=1e-12)


def test_minibatch_variance_with_replacement_draws_every_row():
    """G = (0, 1), b = 2: the batch means 0, 1/2, 1/2, 1 give E||g_B - g||^2 = 1/8;
    a sampler that missed row 0 would give 1/4."""
    G = np.array([[0.0], [1.0]])
    got = st.minibatch_variance(G, 2, rng=0, num_batches=4000, replace=True)
    assert got == pytest.approx(0.125, rel=0.1)  # standard error ~ 0.002


def test_sgd_runs_takes_a_single_rate_or_schedule():
    sched = gdu.schedules.inverse_time(0.05, decay=0.1)
    both = st.sgd_runs(
        X20,
        Y20,
        np.zeros(3),
        batch_size=4,
        learning_rates=[0.1, sched],
        updates=9,
        rngs=[0, 1],
    )
    for g, rate in enumerate([0.1, sched]):
        one = st.sgd_runs(
            X20,
            Y20,
            np.zeros(3),
            batch_size=4,
            learning_rates=rate,
            updates=9,
            rngs=[0, 1],
        )
        assert one.shape == (1, 2, 10, 3)
        np.testing.assert_array_equal(one[0], both[g])


def test_sgd_runs_schedule_may_pause_at_rate_zero():
    """A schedule may return 0 (>= 0 is allowed): that update leaves theta as it is."""
    paths = st.sgd_runs(
        X20,
        Y20,
        np.zeros(3),
        batch_size=4,
        learning_rates=[lambda k: 0.0 if k == 0 else 0.1],
        updates=3,
        rngs=[0],
    )[0, 0]
    np.testing.assert_array_equal(paths[1], paths[0])
    assert not np.array_equal(paths[2], paths[1])


@pytest.mark.parametrize("b", [1, 3])
def test_sgd_runs_diverges_without_warnings(b):
    """x = 1, 2, 3 and rate 10 blow up to inf and then inf - inf = NaN: reported in the
    iterates, with no overflow or invalid-value warning."""
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = st.sgd_runs(
            X,
            y,
            np.zeros(2),
            batch_size=b,
            learning_rates=[10.0],
            updates=300,
            rngs=[0],
        )[0, 0]
    bad = ~np.isfinite(paths).all(axis=1)
    assert bad[-1] and np.isnan(paths[-1]).any()
    first = np.argmax(bad)
    assert bad[first:].all()  # inf or NaN from then on


def test_excess_mse_small_case_and_huge_features():
    X, y = np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0])  # y = 2x + 1
    # (theta - theta*) = (0, 1): the mean of 1^2 over three points is 1
    np.testing.assert_allclose(
        st.excess_mse(np.array([[2.0, 1.0], [2.0, 2.0], [2.5, 1.0]]), X, y),
        [0.0, 1.0, 0.25 * 5 / 3],
        atol=1e-12,
    )
    # features so large that A^T A overflows: not finite, and no overflow warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = st.excess_mse(np.array([[2e-160, 1.0]]), 1e160 * X, y)
    assert not np.isfinite(huge).any()


def test_first_below_row_by_row_and_along_the_last_axis():
    c = np.array([[5.0, 2.0, 0.5, 0.1], [5.0, 4.0, 3.0, 2.0]])
    np.testing.assert_array_equal(st.first_below(c, 1.0), [2.0, np.inf])
    curves = np.random.default_rng(8).uniform(0, 4, size=(2, 3, 5))
    curves[1, 2] = 9.0  # a curve that never gets there
    want = [
        [next((k for k, v in enumerate(row) if v <= 1.0), np.inf) for row in block]
        for block in curves
    ]
    got = st.first_below(curves, 1.0)
    assert got.shape == (2, 3) and got.dtype == float
    np.testing.assert_array_equal(got, want)
