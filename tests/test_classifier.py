"""gdutils.classifier.SoftmaxNet: gradients against autograd and finite differences,
fast path, inits, errors."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from scipy.optimize import check_grad

from gdutils.classifier import INITS, SoftmaxNet
from gdutils.gradcheck import numerical_gradient, relative_error


def _data(n=9, d=4, K=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, K, n)


def _autograd_loss(net, l2):
    def loss(theta, X, y):  # the same network written independently with autograd.numpy
        sl, (d, h), K = net.slices, net.shapes["W1"], net.n_classes
        W1, b1 = anp.reshape(theta[sl["W1"]], (d, h)), theta[sl["b1"]]
        W2, b2 = anp.reshape(theta[sl["W2"]], (h, K)), theta[sl["b2"]]
        Z = anp.dot(anp.maximum(anp.dot(X, W1) + b1, 0.0), W2) + b2
        m = anp.max(Z, axis=1, keepdims=True)
        lse = m[:, 0] + anp.log(anp.sum(anp.exp(Z - m), axis=1))
        ce = anp.mean(lse - Z[np.arange(len(y)), y])
        return ce + l2 * (anp.sum(W1**2) + anp.sum(W2**2))

    return loss


@pytest.mark.parametrize("init", ["he", "glorot", "pytorch"])
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_gradient_matches_autograd_and_finite_differences(init, l2):
    X, y = _data()
    net = SoftmaxNet(4, 5, 3, init=init, rng=1)
    theta = net.get_theta()
    ours = net.grad(theta, X, y, l2)
    np.testing.assert_allclose(
        ours, grad(_autograd_loss(net, l2))(theta, X, y), rtol=1e-9, atol=1e-12
    )
    assert net.loss(theta, X, y, l2) == pytest.approx(
        float(_autograd_loss(net, l2)(theta, X, y)), rel=1e-12
    )
    assert (
        relative_error(ours, numerical_gradient(lambda t: net.loss(t, X, y, l2), theta))
        < 1e-7
    )
    assert check_grad(net.loss, net.grad, theta, X, y, l2) < 1e-5


def test_fast_path_agrees_with_checked_path():
    X, y = _data(n=12, seed=4)
    net = SoftmaxNet(4, 6, 3, rng=2)
    theta = net.get_theta()
    for l2 in (0.0, 0.1):
        loss, g = net.fast_loss_and_grad(theta, X, y, l2)
        ref_loss, ref_g = net.loss_and_grad(theta, X, y, l2)
        assert loss == pytest.approx(ref_loss, rel=1e-13)
        np.testing.assert_allclose(g, ref_g, rtol=1e-12, atol=1e-15)
    loss, acc = net.fast_eval(theta, X, y)
    assert loss == pytest.approx(
        net.loss(theta, X, y), rel=1e-13
    ) and acc == net.accuracy(theta, X, y)


def test_flat_view_round_trip_and_mask():
    net = SoftmaxNet(3, 4, 5, rng=0)
    theta = net.get_theta()
    assert theta.shape == (net.size,) == (3 * 4 + 4 + 4 * 5 + 5,)
    assert np.array_equal(net.flatten(net.unflatten(theta)), theta)
    assert net.weight_mask().sum() == 3 * 4 + 4 * 5
    net2 = SoftmaxNet(3, 4, 5, rng=9).set_theta(theta)
    assert np.array_equal(net2.get_theta(), theta)


def test_initialisation_scales():
    big = SoftmaxNet(400, 300, 10, init="he", rng=0)
    assert np.std(big.params["W1"]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert np.all(big.params["b1"] == 0)
    gl = SoftmaxNet(400, 300, 10, init="glorot", rng=0)
    assert np.std(gl.params["W1"]) == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    pt = SoftmaxNet(400, 300, 10, init="pytorch", rng=0)
    assert np.max(np.abs(pt.params["W1"])) <= 1 / np.sqrt(400)
    assert np.all(SoftmaxNet(3, 4, 2, init="zeros").get_theta() == 0)
    c = SoftmaxNet(3, 4, 2, init="constant", init_value=0.3)
    assert np.all(c.params["W1"] == 0.3) and np.all(c.params["W2"] == 0.3)
    small = SoftmaxNet(3, 4, 2, output_scale=0.1, rng=5)
    np.testing.assert_allclose(
        small.params["W2"], 0.1 * SoftmaxNet(3, 4, 2, rng=5).params["W2"]
    )
    assert set(INITS) == {"he", "glorot", "pytorch", "zeros", "constant"}


def test_zero_and_constant_init_symmetry():
    X, y = _data(n=20, seed=1)
    z = SoftmaxNet(4, 5, 3, init="zeros")
    g = z.unflatten(z.grad(z.get_theta(), X, y))
    assert np.all(g["W1"] == 0) and np.all(g["b1"] == 0) and np.all(g["W2"] == 0)
    c = SoftmaxNet(4, 5, 3, init="constant", init_value=0.2)
    gW1 = c.unflatten(c.grad(c.get_theta(), X, y))["W1"]
    # every unit gets the same gradient
    np.testing.assert_array_equal(gW1, np.repeat(gW1[:, :1], 5, axis=1))


def test_dead_units_predict_and_accuracy():
    net = SoftmaxNet(2, 3, 2, rng=0)
    p = net.params
    p["W1"][:] = [[1.0, -1.0, 0.5], [1.0, -1.0, 0.5]]
    p["b1"][:] = [0.0, -10.0, 0.0]
    X = np.array([[1.0, 2.0], [0.5, 0.1]])
    np.testing.assert_array_equal(net.dead_units(X), [False, True, False])
    assert net.predict(X).shape == (2,) and np.allclose(
        net.predict_proba(X).sum(axis=1), 1.0
    )
    assert net.accuracy(None, X, net.predict(X)) == 1.0


def test_bad_inputs():
    net = SoftmaxNet(4, 5, 3, rng=0)
    X, y = _data()
    with pytest.raises(ValueError, match="init must be one of"):
        SoftmaxNet(4, 5, 3, init="uniform")
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        SoftmaxNet(4, 5, 1)
    with pytest.raises(ValueError, match=r"shape \(n, d_in\)"):
        net.loss(None, X[:, :3], y)
    with pytest.raises(ValueError, match="looks one-hot"):
        net.loss(None, X, np.eye(3)[y])
    with pytest.raises(ValueError, match="in 0..2"):
        net.loss(None, X, y + 3)
    with pytest.raises(ValueError, match="theta must be a 1-D array"):
        net.loss(np.zeros(5), X, y)
