"""gdutils.training: the loop's update rules agree with the book's optimizers; early
stopping, warm-up, range test."""

import numpy as np
import pytest

import gdutils as gdu
from gdutils import accelerated, training
from gdutils.classifier import SoftmaxNet


def _problem(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    return X, y, SoftmaxNet(3, 6, 3, rng=seed)


def test_sgd_matches_minibatch_gd():
    X, y, net = _problem()
    theta0 = net.get_theta()
    ours = training.train(
        net,
        theta0,
        (X, y),
        learning_rate=0.2,
        epochs=4,
        batch_size=7,
        rng=np.random.default_rng(3),
    )
    ref = gdu.minibatch_gd(
        net.loss,
        theta0,
        (X, y),
        net.grad,
        batch_size=7,
        learning_rate=0.2,
        epochs=4,
        rng=np.random.default_rng(3),
    )
    np.testing.assert_allclose(ours.x, ref.x, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.history["train_loss"], ref.loss_history, rtol=1e-12)


@pytest.mark.parametrize(
    "opt, ref, kw",
    [
        ("momentum", accelerated.momentum, dict(beta=0.9)),
        ("adam", accelerated.adam, dict()),
        ("adamw", accelerated.adam, dict()),  # weight_decay = 0: plain Adam
    ],
)
def test_full_batch_updates_match_accelerated(opt, ref, kw):
    X, y, net = _problem()
    theta0 = net.get_theta()
    ours = training.train(
        net,
        theta0,
        (X, y),
        optimizer=opt,
        learning_rate=0.05,
        epochs=6,
        batch_size=len(y),
        rng=0,
        **kw,
    )
    theirs = ref(
        net.loss,
        theta0,
        (X, y),
        net.grad,
        learning_rate=0.05,
        maxiter=6,
        gtol=0.0,
        **kw,
    )
    np.testing.assert_allclose(ours.x, theirs.x, rtol=1e-10, atol=1e-12)


def test_adamw_decays_only_weights_and_l2_is_coupled():
    X, y, net = _problem()
    theta0 = net.get_theta()
    # Adam's own step is negligible
    tiny = dict(learning_rate=1e-12, epochs=1, batch_size=len(y), rng=0)
    res = training.train(
        net, theta0, (X, y), optimizer="adamw", weight_decay=1e10, **tiny
    )
    mask = net.weight_mask()
    np.testing.assert_allclose(
        res.x[mask], theta0[mask] * (1 - 1e-12 * 1e10), rtol=1e-9
    )
    np.testing.assert_allclose(res.x[~mask], theta0[~mask], atol=1e-11)
    g_l2 = net.grad(theta0, X, y, 0.3) - net.grad(theta0, X, y)
    np.testing.assert_allclose(g_l2[mask], 0.6 * theta0[mask])


def test_validation_history_and_early_stopping_keep_the_best():
    X, y, net = _problem(n=60)
    Xv, yv, _ = _problem(n=30, seed=1)
    res = training.train(
        net,
        net.get_theta(),
        (X, y),
        (Xv, yv),
        optimizer="adam",
        learning_rate=0.3,
        epochs=60,
        batch_size=10,
        patience=2,
        rng=0,
    )
    h = res.history
    assert len(h["val_loss"]) == res.nepoch + 1 and res.status in (0, 3)
    best, stop = training.early_stopping(h["val_loss"], 2)
    assert res.best_epoch == best and (res.status == 0 or res.nepoch == stop)
    assert (
        net.loss(res.x, Xv, yv)
        == pytest.approx(h["val_loss"][best])
        == pytest.approx(res.best_val_loss)
    )


def test_divergence_is_reported_without_warnings():
    X, y, net = _problem()
    res = training.train(
        net,
        net.get_theta(),
        (X * 1e3, y),
        learning_rate=1e6,
        epochs=5,
        batch_size=10,
        rng=0,
    )
    assert (
        res.status == 2 and not res.success and np.isnan(res.history["train_loss"][-1])
    )


def test_monitor_records_every_update():
    X, y, net = _problem()
    res = training.train(
        net,
        net.get_theta(),
        (X, y),
        learning_rate=0.1,
        epochs=2,
        batch_size=8,
        rng=0,
        monitor=True,
    )
    h = res.history
    assert set(h["grad_norm"]) == set(h["update_ratio"]) == {"W1", "b1", "W2", "b2"}
    assert (
        all(len(v) == res.nit == 10 for v in h["grad_norm"].values())
        and len(h["batch_loss"]) == 10
    )
    # SGD's first update is rate * gradient: the ratio is rate * |g| / |w|
    g0 = net.unflatten(
        net.grad(
            net.get_theta(),
            X[np.random.default_rng(0).permutation(40)[:8]],
            y[np.random.default_rng(0).permutation(40)[:8]],
        )
    )["W1"]
    assert h["update_ratio"]["W1"][0] == pytest.approx(
        0.1 * np.linalg.norm(g0) / np.linalg.norm(net.params["W1"])
    )


def test_warmup_and_early_stopping_function():
    r = training.warmup(lambda k: 1.0 / (k + 1), 2)
    assert [r(0), r(1), r(2)] == [0.5, 0.5, 1 / 3]
    assert training.early_stopping([5, 4, 4, 4], 2) == (1, 3)
    assert training.early_stopping([5, 4, 3], 1) == (2, 2)
    assert training.early_stopping([1, 2, 3, 4], 1) == (0, 1)


def test_range_test_and_suggest_rate():
    X, y, net = _problem(n=64)
    rates, losses = training.lr_range_test(
        net,
        net.get_theta(),
        (X, y),
        lr_min=1e-3,
        lr_max=1e4,
        steps=60,
        batch_size=16,
        rng=0,
    )
    assert len(rates) == len(losses) < 60 and rates[0] == 1e-3
    assert not np.isfinite(losses[-1]) or losses[-1] > 4 * np.min(losses)
    assert training.suggest_rate([1.0, 2.0, 3.0], [3.0, np.inf, 1.0]) == pytest.approx(
        0.3
    )
    with pytest.raises(ValueError, match="no finite"):
        training.suggest_rate([1.0, 2.0], [np.nan, np.inf])


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(optimizer="rmsprop"), "optimizer must be one of"),
        (dict(weight_decay=0.1), "decoupled decay"),
        (dict(patience=2), "needs val_data"),
        (dict(batch_size=100), "batch_size"),
    ],
)
def test_bad_arguments(kw, match):
    X, y, net = _problem()
    with pytest.raises(ValueError, match=match):
        training.train(net, net.get_theta(), (X, y), **kw)


def test_bad_data_is_refused_once():
    X, y, net = _problem()
    with pytest.raises(ValueError, match="looks one-hot"):
        training.train(net, net.get_theta(), (X, np.eye(3)[y]))
    with pytest.raises(ValueError, match="in 0..2"):
        training.train(net, net.get_theta(), (X, y + 5))
    with pytest.raises(ValueError, match="finite"):
        training.train(net, net.get_theta(), (X * np.nan, y))
