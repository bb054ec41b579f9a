"""gdutils.multiclass: softmax and its cross-entropy against SciPy, finite differences
and autograd; label checks."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from scipy.optimize import check_grad
from scipy.special import log_softmax as scipy_log_softmax
from scipy.special import softmax as scipy_softmax

from gdutils import multiclass as mc
from gdutils.gradcheck import numerical_gradient, relative_error


def _case(n=7, K=4, seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((n, K)), rng.integers(0, K, n)


@pytest.mark.parametrize("scale", [0.1, 3.0, 300.0])
def test_softmax_and_log_softmax_match_scipy(scale):
    Z, _ = _case(scale=scale)
    np.testing.assert_allclose(
        mc.log_softmax(Z), scipy_log_softmax(Z, axis=1), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        mc.softmax(Z), scipy_softmax(Z, axis=1), rtol=1e-12, atol=1e-300
    )
    np.testing.assert_allclose(mc.softmax(Z).sum(axis=1), 1.0)


def test_loss_matches_scipy_and_is_stable():
    Z, y = _case()
    loss, _ = mc.softmax_cross_entropy(Z, y)
    assert loss == pytest.approx(
        -np.mean(scipy_log_softmax(Z, axis=1)[np.arange(len(y)), y]), rel=1e-12
    )
    # shifting every logit changes nothing
    big, _ = mc.softmax_cross_entropy(Z + 1e4, y)
    assert big == pytest.approx(loss, rel=1e-9)
    assert mc.softmax_cross_entropy(np.zeros((3, 5)), [0, 1, 4])[0] == pytest.approx(
        np.log(5)
    )


def test_gradient_matches_finite_differences_and_check_grad():
    Z, y = _case(n=5, K=6, seed=3)
    f = lambda z: mc.softmax_cross_entropy(z.reshape(Z.shape), y)[0]  # noqa: E731
    # noqa: E731
    g = lambda z: mc.softmax_cross_entropy(z.reshape(Z.shape), y)[1].ravel()
    assert relative_error(g(Z.ravel()), numerical_gradient(f, Z.ravel())) < 1e-8
    assert check_grad(f, g, Z.ravel()) < 1e-6


def test_gradient_matches_autograd():
    Z, y = _case(n=6, K=3, seed=5)
    Y = mc.one_hot(y, 3)

    def loss(z):  # written independently with autograd.numpy
        m = anp.max(z, axis=1, keepdims=True)
        lse = m[:, 0] + anp.log(anp.sum(anp.exp(z - m), axis=1))
        return anp.mean(lse - anp.sum(z * Y, axis=1))

    np.testing.assert_allclose(
        mc.softmax_cross_entropy(Z, y)[1], grad(loss)(Z), rtol=1e-10, atol=1e-14
    )
    assert mc.softmax_cross_entropy(Z, y)[0] == pytest.approx(float(loss(Z)), rel=1e-12)


def test_gradient_rows_sum_to_zero():
    Z, y = _case()
    np.testing.assert_allclose(
        mc.softmax_cross_entropy(Z, y)[1].sum(axis=1), 0.0, atol=1e-15
    )


def test_non_finite_logits_give_nan_without_warnings():
    Z, y = _case()
    Z[2, 1] = np.inf
    loss, dZ = mc.softmax_cross_entropy(Z, y)  # pytest turns warnings into errors
    assert np.isnan(loss) and np.all(np.isnan(dZ))


def test_one_hot_round_trip_and_accuracy():
    y = np.array([2, 0, 1, 2])
    Y = mc.one_hot(y, 3)
    assert Y.shape == (4, 3) and np.array_equal(mc.labels_from_one_hot(Y), y)
    assert mc.accuracy(Y, y) == 1.0 and mc.accuracy(Y[:, ::-1], y) == 0.25
    np.testing.assert_array_equal(mc.as_labels(np.array([1.0, 0.0])), [1, 0])


@pytest.mark.parametrize(
    "y, n_classes, match",
    [
        ([0, 3], 3, "in 0..2"),
        ([-1, 0], 3, "in 0..2"),
        ([0.5, 1.0], 3, "non-integer"),
        ([[1, 0, 0], [0, 1, 0]], 3, "looks one-hot"),
        ([[1], [0]], 3, "column"),
        ([], 3, "empty"),
        (["a", "b"], 3, "integer class labels"),
        ([True, False], 3, "integer class labels"),
    ],
)
def test_bad_labels_are_refused(y, n_classes, match):
    with pytest.raises(ValueError, match=match):
        mc.as_labels(y, n_classes)


def test_label_form_confusion_is_refused_everywhere():
    Z, y = _case(K=3)
    with pytest.raises(ValueError, match="looks one-hot"):
        mc.softmax_cross_entropy(Z, mc.one_hot(y, 3))
    with pytest.raises(ValueError, match="looks like integer labels"):
        mc.labels_from_one_hot(y)
    with pytest.raises(ValueError, match="looks one-hot"):
        mc.one_hot(mc.one_hot(y, 3), 3)
    with pytest.raises(ValueError, match="one-hot"):
        mc.labels_from_one_hot([[1, 1, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match="one label per sample"):
        mc.softmax_cross_entropy(Z, y[:-1])
    with pytest.raises(ValueError, match=r"shape \(n, K\)"):
        mc.softmax_cross_entropy(Z[0], y[:1])
    with pytest.raises(ValueError, match="n_classes"):
        mc.as_labels([0, 1], 1)
