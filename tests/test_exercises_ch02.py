"""Chapter 2 checkers: the right answer passes, the stub is "not attempted", each known mistake is named."""

import math

import numpy as np
import pytest

from gdutils import schedules, stochastic
from gdutils.exercises import ch02


def _stub(*args):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("checker", [ch02.check_minibatch_epoch, ch02.check_robbins_monro, ch02.check_ema])
def test_stub_is_not_attempted(checker):
    assert checker(_stub).status == "not attempted"
    assert checker(lambda *a: None).mistake == "no return"


def test_variance_stub_is_not_attempted():
    assert ch02.check_variance_prediction(None, 1.0).status == "not attempted"


# --- exercise 1 ----------------------------------------------------------------------------------

def _learner_epoch(theta, X, y, batch_size, learning_rate, order):
    """A correct version written the way a learner might: explicit residuals and an explicit bias."""
    w, b = np.array(theta[:-1], float), float(theta[-1])
    for start in range(0, len(y), batch_size):
        idx = order[start:start + batch_size]
        r = X[idx] @ w + b - y[idx]
        w, b = w - learning_rate * 2 * X[idx].T @ r / len(idx), b - learning_rate * 2 * r.mean()
    return np.append(w, b)


def test_minibatch_epoch_correct():
    assert ch02.check_minibatch_epoch(ch02.minibatch_epoch).passed
    assert ch02.check_minibatch_epoch(_learner_epoch).passed


def test_minibatch_epoch_reference_is_one_epoch_of_minibatch_gd():
    import gdutils as gdu

    X, y, _ = gdu.data.linear_regression(n=13, d=2, rng=0)
    res = gdu.minibatch_gd(gdu.mse, np.zeros(3), (X, y), gdu.mse_grad, batch_size=4, learning_rate=0.05, epochs=1, rng=3)
    order = np.random.default_rng(3).permutation(13)
    np.testing.assert_allclose(ch02.minibatch_epoch(np.zeros(3), X, y, 4, 0.05, order), res.x, rtol=1e-14)


@pytest.mark.parametrize("mistake", ch02._MISTAKES_EPOCH, ids=lambda m: m.name)
def test_minibatch_epoch_mistakes_are_named(mistake):
    fb = ch02.check_minibatch_epoch(mistake.compute)
    assert fb.status == "fail" and fb.mistake == mistake.name and fb.message.endswith(mistake.hint)


def test_minibatch_epoch_unknown_bug_and_crash():
    fb = ch02.check_minibatch_epoch(lambda t, X, y, b, lr, o: ch02.minibatch_epoch(t, X, y, b, lr, o) + 1e-3)
    assert fb.status == "fail" and fb.mistake is None
    fb = ch02.check_minibatch_epoch(lambda t, X, y, b, lr, o: X @ t)
    assert fb.status == "fail"


# --- exercise 2 ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "schedule",
    [lambda k: 0.1 / (1 + k / 500), schedules.inverse_time(0.1, decay=0.01), schedules.power_decay(0.1, power=0.75),
     lambda k: 0.1 / np.sqrt(1 + k) ** 1.5],
)
def test_robbins_monro_pass(schedule):
    fb = ch02.check_robbins_monro(schedule)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "schedule, mistake",
    [
        (lambda k: 0.1, "constant"),
        (schedules.cosine(0.1, total_steps=1000, final=0.001), "constant"),
        (lambda k: 0.1 * 0.99**k, "finite total step"),
        (schedules.step_decay(0.1, 0.5, 800), "finite total step"),
        (schedules.cosine(0.1, total_steps=10**6), "finite total step"),
        (lambda k: 0.1 / (1 + k) ** 2, "too fast"),
        (lambda k: 0.1 / math.sqrt(1 + k), "too slow"),
        (schedules.power_decay(0.1, power=0.3), "too slow"),
        (lambda k: 0.1 * (1 + k), "growing"),
        (lambda k: 0.5 / (1 + k), "first rate"),
        (lambda k: 0.1 - 0.01 * k, "not positive"),
    ],
)
def test_robbins_monro_mistakes(schedule, mistake):
    fb = ch02.check_robbins_monro(schedule)
    assert fb.status == "fail" and fb.mistake == mistake, str(fb)


def test_robbins_monro_crash_is_reported():
    fb = ch02.check_robbins_monro(lambda k: 0.1 / k)  # ZeroDivisionError at k = 0
    assert fb.status == "fail" and "ZeroDivisionError" in fb.message


def test_robbins_monro_other_first_rate():
    assert ch02.check_robbins_monro(lambda k: 0.5 / (1 + k), first_rate=0.5).passed


# --- exercise 3 ----------------------------------------------------------------------------------

def test_variance_prediction_matches_the_formula_and_measurement():
    G = np.random.default_rng(0).standard_normal((100, 6)) * 3
    v8 = stochastic.predicted_variance(G, 8)
    assert ch02.variance_at(64, v8, 8, 100) == pytest.approx(stochastic.predicted_variance(G, 64), rel=1e-12)
    measured = stochastic.minibatch_variance(G, 64, rng=1, num_batches=20000)
    assert ch02.variance_at(64, v8, 8, 100) == pytest.approx(measured, rel=0.05)
    assert ch02.check_variance_prediction(ch02.variance_at(64, v8, 8, 100), v8).passed


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (lambda v: v / 8, "no finite-population correction"),
        (lambda v: v / 8 * 36 / 99, "correction at b = 64 only"),
        (lambda v: v / math.sqrt(8), "standard-deviation scaling"),
        (lambda v: v * 8, "ratio inverted, no correction"),
        (lambda v: v * 8 * 36 / 92, "ratio inverted"),
    ],
)
def test_variance_prediction_mistakes(answer, mistake):
    v8 = 0.37
    fb = ch02.check_variance_prediction(answer(v8), v8)
    assert fb.status == "fail" and fb.mistake == mistake


def test_variance_prediction_wrong_and_bad():
    assert ch02.check_variance_prediction(123.0, 0.37).mistake is None
    assert ch02.check_variance_prediction("big", 0.37).status == "fail"
    with pytest.raises(ValueError, match="between 1 and n"):
        ch02.variance_at(200, 1.0, 8, 100)
    with pytest.raises(ValueError, match="b_old = n"):
        ch02.variance_at(4, 1.0, 100, 100)


# --- exercise 4 ----------------------------------------------------------------------------------

def _learner_ema(values, beta):
    s, out = 0.0, []
    for t, v in enumerate(values, start=1):
        s = beta * s + (1 - beta) * v
        out.append(s / (1 - beta**t))
    return np.array(out)


def test_ema_correct():
    assert ch02.check_ema(_learner_ema).passed
    assert ch02.check_ema(stochastic.ema).passed


@pytest.mark.parametrize("mistake", ch02._MISTAKES_EMA, ids=lambda m: m.name)
def test_ema_mistakes_are_named(mistake):
    fb = ch02.check_ema(mistake.compute)
    assert fb.status == "fail" and fb.mistake == mistake.name
