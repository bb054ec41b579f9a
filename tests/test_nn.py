"""gdutils.nn: shapes, gradients (central differences AND autograd), bad shapes,
training."""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from scipy.optimize import check_grad

import gdutils as gdu
from gdutils import nn
from gdutils.gradcheck import numerical_gradient, relative_error

NAMES = ["W1", "b1", "W2", "b2"]


def _data(n=11, d=3, *, output="mse", seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (
        rng.integers(0, 2, n).astype(float)
        if output == "logistic"
        else rng.standard_normal(n)
    )
    return X, y


def _autograd_loss(output):
    """The same network written independently with autograd.numpy (no gdutils code)."""

    def loss(params, X, y):
        W1, b1, W2, b2 = params
        z = anp.dot(X, W1) + b1
        h = anp.maximum(z, 0.0)
        out = (anp.dot(h, W2) + b2)[:, 0]
        if output == "mse":
            return anp.mean((out - y) ** 2)
        return anp.mean(anp.logaddexp(0.0, out) - y * out)

    return loss


def _kink_margin(net, X):
    _, cache = net.forward(X)
    return np.min(np.abs(cache["z1"]))


# --- shapes and the flat view ---------------------------------------------------------


def test_shapes_and_size():
    net = nn.TinyNet(d_in=3, hidden=5, rng=0)
    assert net.size == 3 * 5 + 5 + 5 + 1
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (3, 5),
        "b1": (5,),
        "W2": (5, 1),
        "b2": (1,),
    }
    X, y = _data(n=7)
    out, cache = net.forward(X)
    assert out.shape == (7,)
    assert cache["z1"].shape == cache["h1"].shape == (7, 5)
    grads = net.backward(cache, np.ones(7))
    assert {k: g.shape for k, g in grads.items()} == {
        k: v.shape for k, v in net.params.items()
    }
    assert net.grad(net.get_theta(), X, y).shape == (net.size,)
    assert net.predict(X).shape == (7,)


def test_flat_view_round_trip_and_order():
    net = nn.TinyNet(d_in=2, hidden=3, rng=1)
    theta = net.get_theta()
    p = net.params
    np.testing.assert_array_equal(
        theta, np.concatenate([p["W1"].ravel(), p["b1"], p["W2"].ravel(), p["b2"]])
    )
    new = np.arange(net.size, dtype=float)
    net.set_theta(new)
    np.testing.assert_array_equal(net.get_theta(), new)
    np.testing.assert_array_equal(net.params["W1"], new[:6].reshape(2, 3))
    np.testing.assert_array_equal(net.params["b2"], [12.0])
    new[0] = (
        99.0  # set_theta copies: changing the vector afterwards does not touch the net
    )
    assert net.params["W1"][0, 0] == 0.0


def test_loss_and_grad_do_not_modify_the_net():
    net = nn.TinyNet(d_in=3, hidden=4, rng=2)
    before = net.get_theta()
    X, y = _data()
    net.grad(before + 1.0, X, y)
    net.loss(before + 1.0, X, y)
    np.testing.assert_array_equal(net.get_theta(), before)


def test_forward_matches_plain_numpy():
    net = nn.TinyNet(d_in=3, hidden=4, rng=3)
    X, _ = _data()
    p = net.params
    expected = (np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"]).ravel()
    np.testing.assert_allclose(net.forward(X)[0], expected, rtol=1e-14)
    probs = nn.TinyNet(d_in=3, hidden=4, output="logistic", rng=3).predict(X)
    np.testing.assert_allclose(probs, 1 / (1 + np.exp(-expected)), rtol=1e-12)


def test_same_seed_same_parameters():
    a = nn.TinyNet(d_in=4, hidden=6, rng=7).get_theta()
    b = nn.TinyNet(d_in=4, hidden=6, rng=np.random.default_rng(7)).get_theta()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, nn.TinyNet(d_in=4, hidden=6, rng=8).get_theta())


# --- gradients: central differences and autograd, every parameter tensor --------------


@pytest.mark.parametrize("output", ["mse", "logistic"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_central_differences(output, seed):
    net = nn.TinyNet(d_in=3, hidden=6, output=output, rng=seed)
    X, y = _data(output=output, seed=seed)
    # no pre-activation within reach of a finite-difference nudge
    assert _kink_margin(net, X) > 1e-4
    theta = net.get_theta()
    g_bp = net.unflatten(net.grad(theta, X, y))
    g_fd = net.unflatten(numerical_gradient(net.loss, theta, args=(X, y)))
    for name in NAMES:
        assert relative_error(g_bp[name], g_fd[name]) <= 1e-7, name
    # scipy's own finite-difference check (forward differences, so a looser tolerance)
    assert check_grad(net.loss, net.grad, theta, X, y) <= 1e-5 * np.linalg.norm(
        net.grad(theta, X, y)
    )


@pytest.mark.parametrize("output", ["mse", "logistic"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_autograd(output, seed):
    net = nn.TinyNet(d_in=3, hidden=6, output=output, rng=seed)
    X, y = _data(output=output, seed=seed)
    params = [net.params[k] for k in NAMES]
    ref = grad(_autograd_loss(output))(params, X, y)
    loss_ag = _autograd_loss(output)(params, X, y)
    assert net.loss(net.get_theta(), X, y) == pytest.approx(float(loss_ag), rel=1e-13)
    g_bp = net.unflatten(net.grad(net.get_theta(), X, y))
    for name, g_ref in zip(NAMES, ref, strict=True):
        assert g_bp[name].shape == g_ref.shape
        np.testing.assert_allclose(
            g_bp[name], g_ref, rtol=1e-12, atol=1e-14, err_msg=name
        )


def test_layer_backward_against_autograd():
    rng = np.random.default_rng(9)
    X, W, b = (
        rng.standard_normal((5, 3)),
        rng.standard_normal((3, 2)),
        rng.standard_normal(2),
    )
    G = rng.standard_normal((5, 2))  # L = sum(G * out) has dL/dout = G

    def L(X, W, b):
        return anp.sum(G * (anp.dot(X, W) + b))

    dX, dW, db = nn.linear_backward(G, X, W)
    np.testing.assert_allclose(dX, grad(L, 0)(X, W, b), rtol=1e-13)
    np.testing.assert_allclose(dW, grad(L, 1)(X, W, b), rtol=1e-13)
    np.testing.assert_allclose(db, grad(L, 2)(X, W, b), rtol=1e-13)
    z = rng.standard_normal((5, 2))
    np.testing.assert_array_equal(
        nn.relu_backward(G, z), grad(lambda z: anp.sum(G * anp.maximum(z, 0.0)))(z)
    )


def test_heads_against_closed_forms():
    out = np.array([0.3, -1.2, 2.0])
    y = np.array([1.0, 0.0, 1.0])
    loss, d = nn.mse_head(out, y)
    assert loss == pytest.approx(np.mean((out - y) ** 2))
    np.testing.assert_allclose(
        d, numerical_gradient(lambda o: nn.mse_head(o, y)[0], out), rtol=1e-8
    )
    loss, d = nn.logistic_head(out, y)
    p = 1 / (1 + np.exp(-out))
    assert loss == pytest.approx(
        -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-12
    )
    np.testing.assert_allclose(d, (p - y) / 3, rtol=1e-12)


def test_logistic_head_with_linear_layer_is_logistic_regression():
    """One Linear layer + the logistic head = gdutils.losses.cross_entropy (its gradient
    too)."""
    X, y = _data(n=20, d=4, output="logistic", seed=4)
    theta = np.random.default_rng(4).standard_normal(5)
    out = nn.linear_forward(X, theta[:4, None], theta[4:])[:, 0]
    loss, dout = nn.logistic_head(out, y)
    _, dW, db = nn.linear_backward(dout[:, None], X, theta[:4, None])
    assert loss == pytest.approx(gdu.cross_entropy(theta, X, y), rel=1e-13)
    np.testing.assert_allclose(
        np.append(dW.ravel(), db), gdu.cross_entropy_grad(theta, X, y), rtol=1e-12
    )


# --- bad input ------------------------------------------------------------------------


def test_bad_shapes_raise_value_error_naming_the_expected_shape():
    net = nn.TinyNet(d_in=3, hidden=4, rng=0)
    X, y = _data(n=6)
    theta = net.get_theta()
    with pytest.raises(
        ValueError, match=r"X must have shape \(n, d_in\) = \(n, 3\); got \(6, 2\)"
    ):
        net.forward(X[:, :2])
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        net.loss(theta, X[:, 0], y)
    with pytest.raises(ValueError, match=r"y must have shape \(n,\) = \(6,\)"):
        net.grad(theta, X, y[:, None])
    with pytest.raises(ValueError, match=r"same number of samples"):
        net.loss(theta, X, y[:5])
    with pytest.raises(
        ValueError,
        match=(
            r"theta must be a 1-D array of shape \(21,\) for TinyNet\(d_in=3, hidden=4"
        ),
    ):
        net.grad(theta[:-1], X, y)
    with pytest.raises(
        ValueError,
        match=r"theta must be a 1-D array of shape \(21,\).*got shape \(1, 21\)",
    ):
        net.loss(theta[None, :], X, y)
    _, cache = net.forward(X)
    with pytest.raises(ValueError, match=r"dout must have shape \(n,\) = \(6,\)"):
        net.backward(cache, np.ones((6, 1)))
    with pytest.raises(ValueError, match=r"W1 must have shape \(3, 4\)"):
        net.flatten({**net.params, "W1": np.ones((4, 3))})


def test_layer_functions_reject_bad_shapes():
    X, W = np.ones((5, 3)), np.ones((3, 2))
    with pytest.raises(ValueError, match=r"W must have shape \(d, k\) = \(3, k\)"):
        nn.linear_forward(X, np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"b must have shape \(k,\) = \(2,\)"):
        nn.linear_forward(X, W, np.ones(3))
    with pytest.raises(ValueError, match=r"dout must have shape \(n, k\) = \(5, 2\)"):
        nn.linear_backward(np.ones((2, 5)), X, W)
    with pytest.raises(ValueError, match=r"X must have shape \(n, d\)"):
        nn.linear_backward(np.ones((5, 2)), np.ones(5), W)
    with pytest.raises(ValueError, match=r"dout must have the shape of z, \(5, 2\)"):
        nn.relu_backward(np.ones((5, 1)), np.ones((5, 2)))
    with pytest.raises(
        ValueError, match=r"out must have the shape of y, \(n,\) = \(5,\)"
    ):
        nn.mse_head(np.ones((5, 1)), np.ones(5))
    with pytest.raises(ValueError, match=r"y must have shape \(n,\)"):
        nn.mse_head(np.ones(5), np.ones((5, 1)))
    with pytest.raises(ValueError, match=r"labels 0 or 1"):
        nn.logistic_head(np.ones(2), np.array([0.0, 2.0]))


def test_divergence_is_reported_not_raised():
    """A blown-up theta gives a non-finite loss, so the optimizers can report status
    2."""
    net = nn.TinyNet(d_in=1, hidden=8, rng=0)
    x = np.linspace(-3, 3, 40)
    X, y = x[:, None], np.sin(x)
    bad = net.get_theta()
    bad[0] = np.inf
    with np.errstate(invalid="ignore", over="ignore"):
        assert not np.isfinite(net.loss(bad, X, y))
    res = gdu.gradient_descent(
        net.loss, net.get_theta(), (X, y), net.grad, learning_rate=50.0, maxiter=100
    )
    assert res.status == 2 and not res.success
    res = gdu.minibatch_gd(
        net.loss,
        net.get_theta(),
        (X, y),
        net.grad,
        batch_size=8,
        learning_rate=50.0,
        epochs=20,
        rng=0,
    )
    assert res.status == 2


def test_bad_constructor_arguments():
    with pytest.raises(
        ValueError, match=r"output must be one of \['logistic', 'mse'\]"
    ):
        nn.TinyNet(2, 3, output="softmax")
    with pytest.raises(ValueError, match=r"hidden must be an integer"):
        nn.TinyNet(2, 3.5)
    with pytest.raises(ValueError, match=r"d_in must be finite and > 0"):
        nn.TinyNet(0, 3)


# --- training with the book's optimizers ----------------------------------------------


def test_minibatch_training_fits_a_sine():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 200)
    X, y = x[:, None], np.sin(x) + 0.1 * rng.standard_normal(200)
    net = nn.TinyNet(d_in=1, hidden=16, rng=1)
    res = gdu.minibatch_gd(
        net.loss,
        net.get_theta(),
        (X, y),
        net.grad,
        batch_size=32,
        learning_rate=0.05,
        epochs=300,
        rng=2,
    )
    assert res.success
    assert res.loss_history[0] > 0.3
    # noise floor 0.01; a straight line cannot get below ~0.2 here
    assert res.fun < 0.03
    line = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[1][
        0
    ] / len(y)
    assert line > 0.15


def test_full_batch_gradient_descent_reduces_logistic_loss():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120, 2))
    # a ring: not linearly separable
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 > 1.2).astype(float)
    net = nn.TinyNet(d_in=2, hidden=12, output="logistic", rng=4)
    res = gdu.gradient_descent(
        net.loss, net.get_theta(), (X, y), net.grad, learning_rate=0.5, maxiter=2000
    )
    assert res.loss_history[-1] < 0.5 * res.loss_history[0]
    accuracy = np.mean((net.predict(X, res.x) > 0.5) == (y == 1))
    assert accuracy > 0.9


# --- whole messages and edge cases (from mutation testing) ----------------------------

NET = nn.TinyNet(d_in=3, hidden=4, rng=0)
X5, W32 = np.ones((5, 3)), np.ones((3, 2))


def _complex(name):
    return (
        f"{name} is complex (dtype complex128); expected real numbers. Pass"
        f" {name}.real if the imaginary part is meant to be dropped."
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: nn.linear_forward(np.ones((0, 3)), W32, np.ones(2)),
            "X is an empty batch (shape (0, 3)); expected at least one row.",
        ),
        (
            lambda: nn.linear_forward(np.ones(3), W32, np.ones(2)),
            "X must have shape (n, d); got shape (3,).",
        ),
        (
            lambda: nn.linear_forward(X5, np.ones(3), np.ones(2)),
            "W must have shape (d, k); got shape (3,).",
        ),
        (
            lambda: nn.linear_forward(X5, W32, []),
            "b is empty; expected at least one entry.",
        ),
        (
            lambda: nn.linear_forward(X5, W32, [0.0, np.nan]),
            "b contains NaN or inf; expected finite values.",
        ),
        (
            lambda: nn.linear_backward(np.ones((5, 2)), np.ones(5), W32),
            "X must have shape (n, d); got shape (5,).",
        ),
        (
            lambda: nn.linear_backward(np.ones((5, 2)), X5, np.ones(3)),
            "W must have shape (d, k); got shape (3,).",
        ),
        (
            lambda: nn.linear_backward(np.ones(5), X5, W32),
            "dout must have shape (n, k); got shape (5,).",
        ),
        (
            lambda: nn.linear_backward(np.ones((5, 2)), X5, np.ones((2, 2))),
            "W must have shape (d, k) = (3, k) to match X of shape (5, 3); got (2, 2).",
        ),
        (
            lambda: nn.relu_backward([np.nan], [1.0]),
            "dout contains NaN or inf; expected finite values.",
        ),
        (
            lambda: nn.relu_backward([1.0], []),
            "z is empty; expected at least one entry.",
        ),
        (lambda: nn.mse_head(np.ones(2) * 1j, np.ones(2)), _complex("out")),
        (lambda: nn.logistic_head(np.ones(2), np.ones(2) * 1j), _complex("y")),
        (lambda: NET.unflatten(NET.get_theta() * 1j), _complex("theta")),
        (lambda: NET.set_theta(NET.get_theta() * 1j), _complex("theta")),
        (
            lambda: NET.flatten([1, 2]),
            "params must be a dict with keys ['W1', 'b1', 'W2', 'b2']; got list.",
        ),
        (
            lambda: NET.flatten({**NET.params, "W1": NET.params["W1"] * 1j}),
            _complex("W1"),
        ),
        (lambda: NET.forward(X5 * 1j), _complex("X")),
        (
            lambda: NET.forward(np.ones(3)),
            "X must have shape (n, d_in) = (n, 3); got (3,). For a single feature use"
            " X.reshape(-1, 1).",
        ),
        (
            # 2-D with the wrong width: no hint about a single feature
            lambda: NET.forward(np.ones((3, 2))),
            "X must have shape (n, d_in) = (n, 3); got (3, 2).",
        ),
        (
            lambda: NET.forward(np.full((2, 3), np.nan)),
            "X contains NaN or inf; expected finite values.",
        ),
        (
            lambda: NET.backward([1], np.ones(5)),
            "cache must be the dict returned by forward (keys X, z1, h1, params);"
            " got list.",
        ),
        (
            lambda: NET.backward(NET.forward(X5)[1], np.ones(5) * 1j),
            _complex("dout"),
        ),
    ],
)
def test_whole_error_messages(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_relu_gradient_at_the_kink_is_zero():
    """The derivative 0 is used at z = 0 exactly, in relu_backward and in the net."""
    z = np.array([-1.0, 0.0, 0.0, 2.0])
    np.testing.assert_array_equal(nn.relu_backward(np.full(4, 3.0), z), [0, 0, 0, 3])
    # a hidden unit with W1 = 0 and b1 = 0 sits at the kink for every sample: its
    # incoming weights get no gradient
    net = nn.TinyNet(d_in=2, hidden=3, rng=1)
    net.params["W1"][:, 0] = 0.0
    net.params["b1"][0] = 0.0
    X, y = _data(n=6, d=2)
    g = net.unflatten(net.grad(net.get_theta(), X, y))
    np.testing.assert_array_equal(g["W1"][:, 0], 0.0)
    assert g["b1"][0] == 0.0
    assert np.all(g["W1"][:, 1:] != 0.0)


def test_initial_parameters_are_uniform_on_one_over_sqrt_fan_in():
    """PyTorch's default: Linear(fan_in, .) draws weights and bias from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    net = nn.TinyNet(d_in=4, hidden=100, rng=0)
    for name, bound in [("W1", 0.5), ("b1", 0.5), ("W2", 0.1), ("b2", 0.1)]:
        a = net.params[name]
        assert np.all(np.abs(a) < bound), name
        if a.size > 1:  # 100 or 400 draws reach close to both ends
            assert a.max() > 0.9 * bound and a.min() < -0.9 * bound, name


def test_predict_of_the_mse_net_is_its_output():
    net = nn.TinyNet(d_in=3, hidden=4, rng=5)
    X, _ = _data(n=6)
    p = net.params
    expected = (np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"]).ravel()
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-14)
    assert np.any(expected < 0)  # not a probability


def test_heads_on_diverged_outputs_warn_nothing():
    """A blown-up output gives an infinite or NaN loss, silently (the optimizer reports
    it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, d = nn.mse_head(np.array([1e200, 0.0]), np.zeros(2))
        assert loss == np.inf and d.tolist() == [1e200, 0.0]
        loss, d = nn.logistic_head(np.array([np.inf, 0.0]), np.zeros(2))
        assert not np.isfinite(loss) and d.tolist() == [0.5, 0.25]
