"""Learning-rate schedules: closed forms, purity, bad input, and the Robbins–Monro
test."""

import dataclasses
import math

import numpy as np
import pytest
from scipy.special import digamma, polygamma

import gdutils as gdu
from gdutils import schedules as S


def test_closed_forms():
    assert S.constant(0.3)(0) == S.constant(0.3)(10**6) == 0.3
    s = S.step_decay(0.5, factor=0.5, every=10)
    assert [s(k) for k in (0, 9, 10, 19, 20, 35)] == [
        0.5,
        0.5,
        0.25,
        0.25,
        0.125,
        0.0625,
    ]
    assert S.inverse_time(2.0, decay=0.5)(4) == pytest.approx(2.0 / 3.0)
    assert S.inverse_time(2.0, decay=0.0)(100) == 2.0  # no decay: constant
    c = S.cosine(1.0, total_steps=100, final=0.1)
    assert c(0) == 1.0 and c(100) == pytest.approx(0.1) and c(500) == pytest.approx(0.1)
    assert c(50) == pytest.approx(0.55)  # halfway: the mean of start and end
    assert c(25) == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi / 4)) / 2)


def test_power_decay_generalises_inverse_time():
    inv, pw = S.inverse_time(0.7, decay=0.03), S.power_decay(0.7, power=1.0, decay=0.03)
    ks = [0, 1, 7, 1000, 10**6]
    assert [pw(k) for k in ks] == pytest.approx([inv(k) for k in ks], rel=1e-15)
    assert S.power_decay(1.0, power=0.5, decay=1.0)(8) == pytest.approx(1 / 3)


def test_schedules_are_pure_functions_of_the_step():
    for s in (
        S.step_decay(0.5, 0.5, 3),
        S.inverse_time(0.1, 0.2),
        S.cosine(1.0, 20),
        S.power_decay(1.0, 0.75),
    ):
        forward = [s(k) for k in range(30)]
        backward = [s(k) for k in reversed(range(30))][::-1]
        assert forward == backward
        with pytest.raises(dataclasses.FrozenInstanceError):
            s.rate = 1.0  # frozen: no state to change


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: S.inverse_time(0.1, decay=-1.0), "decay"),
        (lambda: S.power_decay(0.1, power=1.0, decay=-0.5), "decay"),
        (lambda: S.power_decay(0.1, power=-1.0), "power"),
        (lambda: S.power_decay(0.1, power=0.0), "power"),
        (lambda: S.step_decay(0.1, factor=0.5, every=0), "every"),
        (lambda: S.step_decay(0.1, factor=1.5, every=2), "factor"),
        (lambda: S.step_decay(0.1, factor=-0.5, every=2), "factor"),
        (lambda: S.cosine(0.1, total_steps=0), "total_steps"),
        (lambda: S.cosine(0.1, total_steps=10, final=0.2), "final"),
        (lambda: S.constant(-0.1), "rate"),
        (lambda: S.constant(float("nan")), "rate"),
        (lambda: S.as_schedule(0.0), "learning_rate"),
        (lambda: S.as_schedule(lambda k: -1.0), "learning_rate"),
    ],
)
def test_bad_parameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("k", [-1, 1.5, True])
def test_bad_step_raises(k):
    with pytest.raises(ValueError, match="step k"):
        S.constant(0.1)(k)


def test_as_schedule_is_used_by_the_optimizers():
    """A schedule passed to minibatch_gd sets the rate of update k (checked by hand on
    full batches)."""
    X, y, _ = gdu.data.linear_regression(n=20, d=2, rng=0)
    sched = S.step_decay(0.2, factor=0.5, every=2)
    res = gdu.minibatch_gd(
        gdu.mse, np.zeros(3), (X, y), gdu.mse_grad, learning_rate=sched, epochs=5, rng=0
    )
    theta = np.zeros(3)
    for k in range(5):
        theta = theta - sched(k) * gdu.mse_grad(theta, X, y)
    np.testing.assert_allclose(res.x, theta, rtol=1e-14)
    assert S.as_schedule(0.3)(5) == 0.3 and S.as_schedule(sched) is sched


def test_partial_sums_match_closed_forms():
    K = 1000
    # rates 1/(k+1): harmonic numbers
    s1, s2 = S.partial_sums(S.inverse_time(1.0, decay=1.0), K)
    assert s1[-1] == pytest.approx(digamma(K + 1) + np.euler_gamma, rel=1e-12)
    assert s2[-1] == pytest.approx(np.pi**2 / 6 - polygamma(1, K + 1), rel=1e-12)
    # geometric blocks
    g1, g2 = S.partial_sums(S.step_decay(0.5, factor=0.5, every=10), 400)
    assert g1[-1] == pytest.approx(0.5 * 10 * (1 - 0.5**40) / 0.5, rel=1e-12)
    assert g2[-1] == pytest.approx(0.25 * 10 * (1 - 0.25**40) / 0.75, rel=1e-12)
    with pytest.raises(ValueError, match="steps"):
        S.partial_sums(S.constant(0.1), 0)
    with pytest.raises(ValueError, match="finite number"):
        S.partial_sums(lambda k: -0.1, 3)


@pytest.mark.parametrize("power", [0.3, 0.5, 0.6, 0.75, 1.0, 1.2, 2.0])
def test_robbins_monro_on_power_laws(power):
    v = S.robbins_monro(S.power_decay(0.1, power=power, decay=0.01))
    assert v.exponent == pytest.approx(power, abs=1e-4)
    assert v.sum_diverges == (power <= 1)
    assert v.squares_converge == (power > 0.5)
    assert v.satisfied == (0.5 < power <= 1)


def test_robbins_monro_on_the_other_schedules():
    assert not S.robbins_monro(S.constant(0.1)).satisfied
    assert S.robbins_monro(S.constant(0.1)).squares_converge is False
    step = S.robbins_monro(S.step_decay(0.5, 0.5, 800))
    assert step.exponent == math.inf and not step.sum_diverges
    assert not S.robbins_monro(
        S.cosine(0.5, total_steps=1000)
    ).sum_diverges  # reaches 0: finite total
    assert not S.robbins_monro(
        S.cosine(0.5, total_steps=1000, final=0.01)
    ).squares_converge  # constant tail
    assert S.robbins_monro(S.inverse_time(0.5, decay=1 / 800)).satisfied
    assert S.robbins_monro(lambda k: 1.0 / (k + 1) ** 2).exponent == pytest.approx(2.0)
    assert S.robbins_monro(
        lambda k: np.float64(0.1) / np.sqrt(k + 1)
    ).exponent == pytest.approx(0.5)


@pytest.mark.parametrize(
    "schedule, match",
    [
        (lambda k: -1.0, "finite rate >= 0"),
        (lambda k: float("nan"), "finite rate >= 0"),
        (lambda k: "fast", "must return a number"),
        (lambda k: 0.0 if k < 10**10 else 1.0, "positive later"),
    ],
)
def test_robbins_monro_bad_schedules(schedule, match):
    with pytest.raises(ValueError, match=match):
        S.robbins_monro(schedule)


# --- found by mutation testing: defaults, boundaries, whole messages ------------------


def test_defaults():
    assert S.step_decay(1.0)(9) == 1.0 and S.step_decay(1.0)(10) == 0.5
    assert S.inverse_time(1.0)(1) == 0.5
    assert S.power_decay(1.0)(1) == 0.5 and S.power_decay(1.0, power=2.0)(1) == 0.25
    assert S.cosine(1.0, total_steps=4)(4) == 0.0
    assert S.robbins_monro(S.power_decay(1.0, power=1.005)).sum_diverges  # tol 0.01
    assert not S.robbins_monro(S.power_decay(1.0, power=1.02)).sum_diverges


def test_boundaries_are_kept_exactly():
    assert S.step_decay(1.0, factor=1.0, every=1)(50) == 1.0  # factor 1: allowed
    assert S.cosine(1.0, total_steps=10, final=1.0)(3) == 1.0  # final == rate: allowed
    assert S.inverse_time(1.0, decay=0.0)(7) == 1.0
    assert S.power_decay(2.0, power=1.0, decay=0.0)(7) == 2.0
    assert S.constant(0.5)(np.array(3)) == 0.5  # a 0-d array step
    assert S.constant(0.5)(3.0) == 0.5  # an integral float step
    assert S.constant(0.5)(0) == 0.5
    v = S.robbins_monro(S.power_decay(1.0, power=0.5, decay=1.0), tol=0.001)
    assert v.exponent == 0.5 and v.sum_diverges and not v.squares_converge
    v = S.robbins_monro(S.power_decay(1.0, power=0.51, decay=1.0), tol=0.001)
    assert v.squares_converge
    v = S.robbins_monro(S.power_decay(1.0, power=1.0, decay=1.0), tol=1e-9)
    assert v.exponent == 1.0 and v.sum_diverges and v.satisfied
    assert S.robbins_monro(lambda k: 3).exponent == 0.0  # an int rate
    assert S.robbins_monro(lambda k: np.int64(3)).exponent == 0.0
    assert math.copysign(1.0, S.robbins_monro(S.constant(0.1)).exponent) == 1.0
    assert S.RobbinsMonro(1.0, True, False).satisfied is False
    assert S.RobbinsMonro(1.0, False, True).satisfied is False


def _full(message):
    import re

    return "^" + re.escape(message) + "$"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: S.constant(0.1)(-1), "the step k must be an integer >= 0; got -1."),
        (lambda: S.constant(0.1)(1.5), "the step k must be an integer >= 0; got 1.5."),
        (
            lambda: S.constant(0.1)(True),
            "the step k must be an integer >= 0; got True.",
        ),
        (
            lambda: S.constant(0.1)(math.inf),
            "the step k must be an integer >= 0; got inf.",
        ),
        (lambda: S.constant(0.1)("3"), "the step k must be an integer >= 0; got '3'."),
        (
            lambda: S.step_decay(0.1, factor=1.5, every=2),
            "factor must be in (0, 1] for a decay; got 1.5.",
        ),
        (
            lambda: S.step_decay(0.1, factor=0.5, every=0),
            "every (the period in steps) must be finite and > 0; got 0.",
        ),
        (lambda: S.step_decay(-0.1), "rate must be finite and > 0; got -0.1."),
        (
            lambda: S.step_decay(0.1, factor=0.0),
            "factor must be finite and > 0; got 0.0.",
        ),
        (lambda: S.inverse_time(0.0), "rate must be finite and > 0; got 0.0."),
        (lambda: S.inverse_time(0.1, -1.0), "decay must be finite and >= 0; got -1.0."),
        (lambda: S.power_decay(0.0), "rate must be finite and > 0; got 0.0."),
        (
            lambda: S.power_decay(0.1, power=0.0),
            "power (the exponent of the decay) must be finite and > 0; got 0.0.",
        ),
        (
            lambda: S.power_decay(0.1, decay=-1.0),
            "decay must be finite and >= 0; got -1.0.",
        ),
        (lambda: S.cosine(0.0, 5), "rate must be finite and > 0; got 0.0."),
        (lambda: S.cosine(0.1, 0), "total_steps must be finite and > 0; got 0."),
        (lambda: S.cosine(0.1, 5, -1.0), "final must be finite and >= 0; got -1.0."),
        (
            lambda: S.cosine(0.1, 5, 0.2),
            "final must not exceed rate; got final=0.2 > rate=0.1.",
        ),
        (
            lambda: S.as_schedule(lambda k: 0.0),
            "learning_rate(0) must be finite and > 0; got 0.0.",
        ),
        (
            lambda: S.as_schedule(-1.0),
            "learning_rate must be finite and > 0; got -1.0.",
        ),
        (
            lambda: S.partial_sums(S.constant(0.1), 0),
            "steps must be finite and > 0; got 0.",
        ),
        (
            lambda: S.partial_sums(lambda k: np.nan, 2),
            "schedule(k) must return a finite number >= 0 for every step k.",
        ),
        (
            lambda: S.partial_sums(lambda k: [0.1, 0.1], 2),
            "schedule(k) must return a finite number >= 0 for every step k.",
        ),
        (
            lambda: S.robbins_monro(3.0),
            "schedule must be a callable k -> rate (e.g. gdu.inverse_time(0.1)); got"
            " 3.0.",
        ),
        (
            lambda: S.robbins_monro(S.constant(0.1), tol=0.0),
            "tol must be finite and > 0; got 0.0.",
        ),
        (
            lambda: S.robbins_monro(lambda k: True),
            "schedule(k) must return a number; got True at k = 1000000000.",
        ),
        (
            lambda: S.robbins_monro(lambda k: -1.0),
            "schedule(k) must return a finite rate >= 0; got -1.0 at k = 1000000000.",
        ),
        (
            lambda: S.robbins_monro(lambda k: 1.0 if k < 10**10 else -1.0),
            "schedule(k) must return a finite rate >= 0; got -1.0 at k ="
            " 1000000000000.",
        ),
        (
            lambda: S.robbins_monro(lambda k: 0.0 if k < 10**10 else 1.0),
            "schedule(k) is 0 at k = 10^9 but positive later; expected a decaying"
            " rate.",
        ),
    ],
)
def test_whole_messages(call, message):
    with pytest.raises(ValueError, match=_full(message)):
        call()
