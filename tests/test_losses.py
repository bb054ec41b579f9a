"""MSE and cross-entropy against independent references: closed forms, finite
differences, scipy, autograd."""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as agrad
from autograd import hessian as ahessian
from scipy.optimize import check_grad

import gdutils as gdu
from gdutils import data, losses


@pytest.fixture
def problem():
    X, y, theta = data.linear_regression(n=40, d=3, rng=7)
    return X, y, np.random.default_rng(8).standard_normal(4)


def test_mse_matches_a_direct_formula(problem):
    X, y, t = problem
    assert losses.mse(t, X, y) == pytest.approx(
        np.mean((X @ t[:3] + t[3] - y) ** 2), rel=1e-14
    )
    assert losses.mse(t[:3], X, y) == pytest.approx(
        np.mean((X @ t[:3] - y) ** 2), rel=1e-14
    )


def test_mse_gradient_against_autograd_and_check_grad(problem):
    X, y, t = problem
    ref = agrad(lambda th: anp.mean((anp.dot(X, th[:3]) + th[3] - y) ** 2))(t)
    np.testing.assert_allclose(losses.mse_grad(t, X, y), ref, rtol=1e-12, atol=1e-14)
    assert check_grad(losses.mse, losses.mse_grad, t, X, y) < 1e-5
    assert (
        gdu.check_gradient(
            lambda th: losses.mse(th, X, y), lambda th: losses.mse_grad(th, X, y), t
        )
        < 1e-9
    )


def test_mse_hessian_against_autograd(problem):
    X, y, t = problem
    ref = ahessian(lambda th: anp.mean((anp.dot(X, th[:3]) + th[3] - y) ** 2))(t)
    np.testing.assert_allclose(losses.mse_hessian(X), ref, rtol=1e-12)
    np.testing.assert_allclose(
        losses.mse_hessian(X, bias=False), ref[:3, :3], rtol=1e-12
    )


def test_gradient_is_zero_at_the_least_squares_solution(problem):
    X, y, _ = problem
    A = data.add_bias(X)
    ts, *_ = np.linalg.lstsq(A, y, rcond=None)
    assert np.max(np.abs(losses.mse_grad(ts, X, y))) < 1e-12


def test_toy_gradient_closed_form():
    X, y, _ = data.toy_1d()
    # dL/dw = (2/N) sum x^2 (w - 2) = (28/3)(w - 2)
    assert losses.mse_grad([1.0], X, y)[0] == pytest.approx(-28 / 3, rel=1e-14)


def test_predict():
    np.testing.assert_array_equal(
        losses.predict([1.0, 2.0, 0.5], [[1.0, 1.0], [0.0, 2.0]]), [3.5, 4.5]
    )


def test_cross_entropy_against_autograd():
    X, y, _ = data.random_labels(n=30, d=4, rng=1)
    t = np.random.default_rng(2).standard_normal(5)

    def ref_loss(th):
        z = anp.dot(X, th[:4]) + th[4]
        return anp.mean(anp.logaddexp(0.0, z) - y * z) + 0.03 * anp.sum(th[:4] ** 2)

    assert losses.cross_entropy(t, X, y, l2=0.03) == pytest.approx(
        ref_loss(t), rel=1e-13
    )
    np.testing.assert_allclose(
        losses.cross_entropy_grad(t, X, y, l2=0.03), agrad(ref_loss)(t), rtol=1e-11
    )


def test_cross_entropy_gradient_is_p_minus_y_times_x():
    X, y, _ = data.random_labels(n=20, d=3, rng=3)
    t = np.array([0.2, -0.1, 0.4, 0.0])
    p = 1 / (1 + np.exp(-(X @ t[:3] + t[3])))
    np.testing.assert_allclose(
        losses.cross_entropy_grad(t, X, y), np.append(X.T @ (p - y), np.sum(p - y)) / 20
    )


def test_cross_entropy_is_finite_for_huge_logits():
    X = np.array([[1000.0], [-1000.0]])
    assert np.isfinite(losses.cross_entropy([1.0, 0.0], X, [0.0, 1.0]))
    assert losses.cross_entropy([1.0, 0.0], X, [1.0, 0.0]) == pytest.approx(
        0.0, abs=1e-300
    )


def test_sigmoid_is_stable_and_symmetric():
    z = np.array([-800.0, -3.0, 0.0, 3.0, 800.0])
    s = losses.sigmoid(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s + losses.sigmoid(-z), 1.0)


# --- bad input: a clear ValueError naming the expected shape or value -----------------

X5 = np.ones((5, 2))


@pytest.mark.parametrize(
    "theta, X, y, match",
    [
        (
            np.zeros(3),
            X5,
            np.ones((5, 1)),
            r"y must have shape \(n,\) = \(5,\); got \(5, 1\)",
        ),
        (np.zeros(3), X5, np.ones(4), "same number of samples: X has 5 rows, y has 4"),
        (np.zeros(3), np.ones(5), np.ones(5), r"X must have shape \(n, d\)"),
        (np.zeros(3), np.ones((0, 2)), np.ones(0), "empty"),
        (
            np.zeros(3),
            np.where(np.eye(5, 2) > 0, np.nan, 1.0),
            np.ones(5),
            "X contains NaN or inf",
        ),
        (np.zeros(3), X5, np.array([1, 2, np.inf, 4, 5.0]), "y contains NaN or inf"),
        (np.zeros(4), X5, np.ones(5), r"theta must have shape \(2,\) .* or \(3,\)"),
        (np.zeros((3, 1)), X5, np.ones(5), r"theta must have shape"),
        (np.array([0, np.nan, 0.0]), X5, np.ones(5), "theta contains NaN"),
    ],
)
def test_bad_input_raises_clear_value_error(theta, X, y, match):
    for fn in (losses.mse, losses.mse_grad):
        with pytest.raises(ValueError, match=match):
            fn(theta, X, y)


def test_cross_entropy_needs_binary_labels_and_nonnegative_l2():
    with pytest.raises(ValueError, match="labels 0 or 1"):
        losses.cross_entropy(np.zeros(3), X5, np.full(5, 0.5))
    with pytest.raises(ValueError, match="l2 must be finite and >= 0"):
        losses.cross_entropy_grad(np.zeros(3), X5, np.ones(5), l2=-1.0)


@pytest.fixture(scope="module")
def tall():
    """More rows than one block of losses._BLOCK, and a ragged last block."""
    rng = np.random.default_rng(11)
    n = 2 * losses._BLOCK + 37
    X = rng.standard_normal((n, 3))
    return X, rng.standard_normal(n), rng.standard_normal(4)


def test_blocked_mse_and_gradient_match_the_design_matrix_formula(tall):
    X, y, t = tall
    A = data.add_bias(X)
    r = A @ t - y
    assert losses.mse(t, X, y) == pytest.approx(r @ r / len(y), rel=1e-13)
    np.testing.assert_allclose(
        losses.mse_grad(t, X, y), 2 / len(y) * A.T @ r, rtol=1e-12, atol=1e-13
    )
    np.testing.assert_allclose(
        losses.mse_grad(t[:3], X, y),
        2 / len(y) * X.T @ (X @ t[:3] - y),
        rtol=1e-12,
        atol=1e-13,
    )


@pytest.mark.parametrize("row", [0, losses._BLOCK - 1, losses._BLOCK, -1])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_blocked_validation_finds_nan_in_any_block(tall, row, bad):
    X, y, t = tall
    X = X.copy()
    X[row, 1] = bad
    for fn in (losses.mse, losses.mse_grad):
        with pytest.raises(ValueError, match="X contains NaN or inf"):
            fn(t, X, y)


def test_gradient_does_not_copy_X_for_the_bias(tall):
    import tracemalloc

    X, y, t = tall
    X = np.vstack([X] * 4)  # 3.2 MB
    y = np.concatenate([y] * 4)
    tracemalloc.start()
    losses.mse_grad(t, X, y)
    losses.mse(t, X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < X.nbytes / 4  # a design matrix [X, 1] would be 4/3 X.nbytes


# --- found by mutation testing ---------------------------------------------------


@pytest.mark.parametrize(
    "fn", [losses.mse, losses.mse_grad, losses.cross_entropy, losses.cross_entropy_grad]
)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_every_loss_refuses_nan_or_inf_in_X(fn, bad):
    X = np.ones((5, 2))
    X[3, 1] = bad
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        fn(np.zeros(3), X, np.ones(5))
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        losses.predict(np.zeros(3), X)


def test_predict_with_and_without_bias_and_its_bad_input():
    X, _, _ = data.linear_regression(n=7, d=3, rng=2)
    t = np.array([0.5, -1.0, 2.0, 0.25])
    np.testing.assert_allclose(losses.predict(t, X), X @ t[:3] + 0.25, rtol=1e-15)
    np.testing.assert_allclose(losses.predict(t[:3], X), X @ t[:3], rtol=1e-15)
    assert losses.predict(t, X).shape == (7,)
    with pytest.raises(ValueError, match=r"X.reshape\(-1, 1\)"):
        losses.predict([1.0], X[:, 0])
    with pytest.raises(ValueError, match=r"theta must have shape \(3,\)"):
        losses.predict(np.zeros(5), X)
    with pytest.raises(ValueError, match="X is complex"):
        losses.predict(t, X * 1j)


@pytest.mark.parametrize("bias", [True, False])
def test_trusted_kernels_equal_the_public_functions(problem, bias):
    X, y, t = problem
    t = t if bias else t[:3]
    for rows in (slice(0, 1), slice(3, 20), slice(None)):
        Xb, yb = X[rows], y[rows]
        np.testing.assert_array_equal(
            losses._mse_grad_batch(t, Xb, yb), losses.mse_grad(t, Xb, yb)
        )
        assert losses._mse_value(t, Xb, yb) == losses.mse(t, Xb, yb)
    labels = (y > np.median(y)) * 1.0
    np.testing.assert_array_equal(
        losses._ce_grad_batch(t, X, labels, 0.1),
        losses.cross_entropy_grad(t, X, labels, l2=0.1),
    )
    assert losses._mse_prepare(t, X, y) is losses._mse_grad_batch
    assert losses._mse_value_prepare(t, X, y) is losses._mse_value
    assert losses._ce_prepare(t, X, labels, 0.1) is losses._ce_grad_batch
    for prepare in (losses._mse_prepare, losses._mse_value_prepare):
        with pytest.raises(ValueError, match="theta must have shape"):
            prepare(np.zeros(7), X, y)
    with pytest.raises(ValueError, match="labels 0 or 1"):
        losses._ce_prepare(t, X, y)
    with pytest.raises(ValueError, match="l2"):
        losses._ce_prepare(t, X, labels, -0.1)


def test_huge_values_give_inf_without_warnings():
    big = np.array([[1e200, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.mse([1e200, 0.0], big, [0.0]) == np.inf
        assert not np.isfinite(losses.mse_grad([1e200, 0.0, 1.0], big, [0.0])).all()
        assert losses._mse_value(np.array([1e200, 0.0]), big, np.zeros(1)) == np.inf


def test_cross_entropy_gradient_without_bias_and_with_l2_against_autograd():
    X, y, _ = data.random_labels(n=25, d=3, rng=5)
    t = np.random.default_rng(6).standard_normal(3)

    def ref(th):
        z = anp.dot(X, th)
        return anp.mean(anp.logaddexp(0.0, z) - y * z) + 0.2 * anp.sum(th**2)

    np.testing.assert_allclose(
        losses.cross_entropy_grad(t, X, y, 0.2), agrad(ref)(t), rtol=1e-12
    )
    assert losses.cross_entropy(t, X, y, 0.2) == pytest.approx(ref(t), rel=1e-13)


def test_hessian_with_and_without_bias_and_bad_input():
    X, _, _ = data.linear_regression(n=9, d=2, rng=3)
    A = np.column_stack([X, np.ones(9)])
    np.testing.assert_allclose(losses.mse_hessian(X), 2 / 9 * A.T @ A, rtol=1e-14)
    np.testing.assert_allclose(
        losses.mse_hessian(X, bias=False), 2 / 9 * X.T @ X, rtol=1e-14
    )
    for bad, match in (
        (X[:, 0], r"X.reshape\(-1, 1\)"),
        (np.float64(3.0), r"X must have shape \(n, d\)"),
        (np.zeros((0, 2)), "empty"),
        (np.where(X > 0.5, np.inf, X), "X contains NaN or inf"),
    ):
        with pytest.raises(ValueError, match=match):
            losses.mse_hessian(bad)


def test_inf_times_zero_gives_nan_without_warnings():
    X = np.array([[0.0, 1e200]])  # the residual overflows; then 0 * inf in X^T r
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = losses.mse_grad([0.0, 1e200, 0.0], X, [0.0])
    assert np.isnan(g[0]) and np.isinf(g[1])


def test_mse_scans_X_for_nan_once_per_call(tall, monkeypatch):
    """The blocked check is the only scan: as_data's whole-array scan is skipped."""
    from gdutils import _validation

    def whole_scan(X):
        raise AssertionError("X scanned as a whole on top of the block scan")

    monkeypatch.setattr(_validation, "require_finite_block", whole_scan)
    X, y, t = tall
    losses.mse(t, X, y)
    losses.mse_grad(t, X, y)
    with pytest.raises(AssertionError, match="as a whole"):
        losses.predict(t, X)  # predict scans X with as_data (no blocks)


def test_predict_of_a_number_is_a_value_error():
    with pytest.raises(ValueError, match=r"X must have shape \(n, d\)"):
        losses.predict([1.0], 3.0)


def _plain_epoch(theta, X, y, order, b, rates):
    """The epoch mse_grad._epoch runs, written as the textbook loop on the design
    matrix A = [X, 1]: theta <- theta - rate_k (2/m) A_B^T (A_B theta - y_B)."""
    A = data.add_bias(X) if theta.shape[0] > X.shape[1] else X
    path = []
    idx = np.arange(len(y)) if order is None else order
    for k, start in enumerate(range(0, len(y), b)):
        B = idx[start : start + b]
        rate = rates if isinstance(rates, float) else rates[k]
        theta = theta - rate * 2 / len(B) * A[B].T @ (A[B] @ theta - y[B])
        path.append(theta)
    return path


@pytest.mark.parametrize("b", [1, 2, 3, 7, 40])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shuffled", [True, False])
@pytest.mark.parametrize("scheduled", [True, False])
def test_mse_epoch_is_the_textbook_loop(problem, b, bias, shuffled, scheduled):
    """minibatch_gd's fused epoch for the MSE (gather into a buffer, scale the
    residual, update in place) against the textbook update on the design matrix."""
    X, y, t = problem
    theta = t if bias else t[:3]
    order = np.random.default_rng(b).permutation(len(y)) if shuffled else None
    steps = -(-len(y) // b)
    rates = list(np.linspace(0.05, 0.01, steps)) if scheduled else 0.03
    x, path = theta.copy(), []
    done = losses.mse_grad._epoch(x, X, y, order, b, rates, path, False)
    expected = _plain_epoch(theta, X, y, order, b, rates)
    assert done == steps == len(path)
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x, expected[-1], rtol=1e-12, atol=1e-14)
    y_before = y.copy()
    x2 = theta.copy()
    assert losses.mse_grad._epoch(x2, X, y, order, b, rates, None, True) == steps
    np.testing.assert_array_equal(x2, x)  # no trajectory, same arithmetic
    np.testing.assert_array_equal(y, y_before)  # the data are never written


@pytest.mark.parametrize("b", [1, 4])
def test_mse_epoch_with_check_stops_at_the_first_non_finite_iterate(problem, b):
    X, y, t = problem
    x, path = t.copy(), []
    # a rate far past 2/L: the iterates grow by a large factor every update (the
    # caller, minibatch_gd, silences the overflow as here)
    with np.errstate(over="ignore", invalid="ignore"):
        done = losses.mse_grad._epoch(x, X, y, None, b, 1e80, path, True)
    assert done == len(path) < -(-len(y) // b)
    assert all(np.isfinite(p).all() for p in path[:-1])
    assert not np.isfinite(path[-1]).all()
    np.testing.assert_array_equal(x, path[-1])
    x2, rest = t.copy(), []
    with np.errstate(over="ignore", invalid="ignore"):  # without check: to the end
        losses.mse_grad._epoch(x2, X, y, None, b, 1e80, rest, False)
    assert len(rest) == -(-len(y) // b) and not np.isfinite(x2).all()
