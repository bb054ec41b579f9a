"""Chapter 2 exercises: the mistake zoo of every exercise, the solutions, the stubs.

The answers are written the way a learner would write them (loops, explicit bias,
in-place updates, other valid formulas), independently of the checkers' own mistake
models.
"""

import math

import numpy as np
import pytest
import zoo

import gdutils as gdu
from gdutils import schedules, stochastic
from gdutils.exercises import ch02

EXERCISES = [ch02.epoch, ch02.robbins_monro, ch02.variance, ch02.floor, ch02.critical]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_passes_stub_is_not_attempted_hints_render(ex):
    zoo.assert_exercise_basics(ex)


def test_two_transfer_exercises():
    assert [ex.name for ex in EXERCISES if ex.transfer] == [
        "ch02.floor",
        "ch02.critical",
    ]


@pytest.mark.parametrize(
    "mistakes",
    [
        ch02._MISTAKES_EPOCH,
        ch02._MISTAKES_V64,
        ch02._MISTAKES_FLOOR,
        ch02._MISTAKES_CRITICAL,
    ],
)
def test_every_named_hint_is_markdown_safe(mistakes):
    for m in mistakes:
        zoo.assert_markdown_safe(m.hint)


# --- exercise 1: one epoch ------------------------------------------------------------


def explicit_bias(theta, X, y, batch_size, learning_rate, order):
    w, b = np.array(theta[:-1], float), float(theta[-1])
    for start in range(0, len(y), batch_size):
        idx = order[start : start + batch_size]
        r = X[idx] @ w + b - y[idx]
        w, b = (
            w - learning_rate * 2 * X[idx].T @ r / len(idx),
            b - learning_rate * 2 * r.mean(),
        )
    return np.append(w, b)


def in_place(theta, X, y, batch_size, learning_rate, order):
    # updates its own copy in place
    theta = theta.copy()
    for start in range(0, len(y), batch_size):
        idx = order[start : start + batch_size]
        theta -= learning_rate * gdu.mse_grad(theta, X[idx], y[idx])
    return theta


def by_split(theta, X, y, batch_size, learning_rate, order):
    # np.array_split-free: slicing the shuffled data
    Xs, ys = X[order], y[order]
    A = np.column_stack([Xs, np.ones(len(ys))])
    for start in range(0, len(ys), batch_size):
        a, t = A[start : start + batch_size], ys[start : start + batch_size]
        theta = theta - learning_rate * 2 / len(t) * a.T @ (a @ theta - t)
    return theta


def mutating(theta, X, y, batch_size, learning_rate, order):
    # changes the caller's theta
    for start in range(0, len(y), batch_size):
        idx = order[start : start + batch_size]
        theta -= learning_rate * gdu.mse_grad(theta, X[idx], y[idx])
    return theta


def n_over_b_batches(theta, X, y, batch_size, learning_rate, order):
    # len(y) // batch_size batches
    theta = np.array(theta, float)
    for j in range(len(y) // batch_size):
        idx = order[j * batch_size : (j + 1) * batch_size]
        theta = theta - learning_rate * gdu.mse_grad(theta, X[idx], y[idx])
    return theta


def test_epoch_zoo():
    zoo.judge(
        ch02.epoch.check,
        right=[ch02.minibatch_epoch, explicit_bias, in_place, by_split],
        wrong=[(m.compute, m.name) for m in ch02._MISTAKES_EPOCH]
        + [
            (n_over_b_batches, "last batch dropped"),
            (mutating, "mutates its input"),
            (lambda t, X, y, b, lr, o: print(t), "no return"),
            (lambda t, X, y, b, lr, o: X @ t, None),
            (
                lambda t, X, y, b, lr, o: (
                    ch02.minibatch_epoch(t, X, y, b, lr, o) + 1e-3
                ),
                None,
            ),
            (
                lambda t, X, y, b, lr, o: ch02.minibatch_epoch(t, X, y, b, lr, o)[:-1],
                "shape",
            ),
        ],
    )


def test_epoch_reference_is_one_epoch_of_minibatch_gd():
    X, y, _ = gdu.data.linear_regression(n=13, d=2, rng=gdu.book_rng("test-epoch-data"))
    res = gdu.minibatch_gd(
        gdu.mse,
        np.zeros(3),
        (X, y),
        gdu.mse_grad,
        batch_size=4,
        learning_rate=0.05,
        epochs=1,
        rng=gdu.book_rng("test-epoch"),
    )
    order = gdu.book_rng("test-epoch").permutation(13)
    np.testing.assert_allclose(
        ch02.minibatch_epoch(np.zeros(3), X, y, 4, 0.05, order), res.x, rtol=1e-14
    )


# --- exercise 2: Robbins–Monro --------------------------------------------------------


def test_robbins_monro_zoo():
    zoo.judge(
        ch02.robbins_monro.check,
        right=[
            lambda k: 0.1 / (1 + k / 100),
            schedules.inverse_time(0.1, decay=0.01),
            schedules.power_decay(0.1, power=0.75),
            lambda k: 0.1 / np.sqrt(1 + k) ** 1.5,
            lambda k: 0.1 / (1 + k) ** 0.5001,
            lambda k: 0.1 * (1 + k) ** -1.0,
        ],
        wrong=[
            (lambda k: 0.1, "constant"),
            (schedules.cosine(0.1, total_steps=1000, final=0.001), "constant"),
            (lambda k: 0.1 * 0.99**k, "finite total step"),
            (schedules.step_decay(0.1, 0.5, 800), "finite total step"),
            (schedules.cosine(0.1, total_steps=10**6), "finite total step"),
            (lambda k: 0.1 / (1 + k) ** 2, "too fast"),
            # a finite total step, however slowly
            (
                lambda k: 0.1 / (1 + k) ** 1.0001,
                "too fast",
            ),
            (lambda k: 0.1 / math.sqrt(1 + k), "too slow"),
            (schedules.power_decay(0.1, power=0.3), "too slow"),
            (lambda k: 0.1 * (1 + k), "growing"),
            (lambda k: 0.5 / (1 + k), "first rate"),
            (lambda k: 0.1 - 0.01 * k, "not positive"),
            (lambda k: 0.1 / k, "raised an exception"),  # ZeroDivisionError at k = 0
            (lambda k: None, "no return"),
        ],
    )


def test_robbins_monro_other_first_rate():
    assert ch02.check_robbins_monro(lambda k: 0.5 / (1 + k), first_rate=0.5).passed


# --- exercise 3: the variance of a batch of 64 ----------------------------------------


def test_variance_prediction_matches_the_formula_and_measurement():
    G = gdu.book_rng("test-variance").standard_normal((100, 6)) * 3
    v8 = stochastic.predicted_variance(G, 8)
    assert ch02.variance_at(64, v8, 8, 100) == pytest.approx(
        stochastic.predicted_variance(G, 64), rel=1e-12
    )
    measured = stochastic.minibatch_variance(
        G, 64, rng=gdu.book_rng("test-variance-64"), num_batches=20000
    )
    assert ch02.variance_at(64, v8, 8, 100) == pytest.approx(measured, rel=0.05)


def test_variance_zoo():
    def via_sigma(v8, n):  # recover sigma^2 first, then apply the formula at b = 64
        sigma2 = v8 * 8 * (n - 1) / (n - 8)
        return sigma2 / 64 * (n - 64) / (n - 1)

    zoo.judge(
        ch02.variance.check,
        right=[
            lambda v8, n: v8 * 8 / 64 * (n - 64) / (n - 8),
            via_sigma,
            lambda v8, n: ch02.variance_at(64, v8, 8, n),
        ],
        wrong=[(m.compute, m.name) for m in ch02._MISTAKES_V64]
        + [
            (lambda v8, n: v8 / 64, None),
            (lambda v8, n: str(v8 / 8), "not numbers"),
            (lambda v8, n: print(v8 / 8), "no return"),
        ],
    )


def test_variance_helpers_bad_input():
    with pytest.raises(ValueError, match="between 1 and n"):
        ch02.variance_at(200, 1.0, 8, 100)
    with pytest.raises(ValueError, match="b_old = n"):
        ch02.variance_at(4, 1.0, 100, 100)


# --- exercise 4 (transfer): the exact 1-D noise floor ---------------------------------


def floor_by_series(h, s2, eta, b):  # sum the geometric series of the kicks' variances
    q = (1 - eta * h) ** 2
    var = eta**2 * s2 / b / (1 - q)
    return 0.5 * h * var


def floor_by_iteration(h, s2, eta, b):
    # iterate the variance recursion to its fixed point
    v = 0.0
    for _ in range(20000):
        v = (1 - eta * h) ** 2 * v + eta**2 * s2 / b
    return h * v / 2


def test_floor_exact_against_a_simulation():
    h, s2, eta, b = 1.5, 2.0, 0.8, 3
    gen = gdu.book_rng("test-floor")
    theta = np.zeros(20000)
    for _ in range(300):
        theta = theta - eta * (h * theta + gen.normal(0.0, np.sqrt(s2 / b), theta.size))
    f = h / 2 * theta**2
    assert abs(f.mean() - ch02.floor_1d(h, s2, eta, b)) < 5 * f.std() / np.sqrt(f.size)
    with pytest.raises(ValueError, match="stable only"):
        ch02.floor_1d(1.0, 1.0, 2.5, 1)


def test_floor_zoo():
    zoo.judge(
        ch02.floor.check,
        right=[ch02.floor_1d, floor_by_series, floor_by_iteration],
        wrong=[(m.compute, m.name) for m in ch02._MISTAKES_FLOOR]
        + [
            (lambda h, s2, eta, b: eta * s2 / (2 * b * (2 - eta * h)) + 1e-3, None),
            (lambda h, s2, eta, b: None, "no return"),
            (lambda h, s2, eta, b: [eta * s2 / (4 * b)] * 2, "shape"),
        ],
    )


# --- exercise 5 (transfer): the critical batch size -----------------------------------


def by_examples(b, steps):  # E = S b is linear in b: E = E_min + S_min b
    b = np.asarray(b, float)
    S_min, E_min = np.polyfit(b, np.asarray(steps) * b, 1)
    return E_min / S_min


def by_lstsq(b, steps):
    M = np.column_stack([np.ones(len(b)), 1 / np.asarray(b, float)])
    S_min, E_min = np.linalg.lstsq(M, np.asarray(steps, float), rcond=None)[0]
    return E_min / S_min


def weighted(b, steps):
    S = np.asarray(steps, float)
    E_min, S_min = np.polyfit(1 / np.asarray(b, float), S, 1, w=1 / S)
    return E_min / S_min


def test_critical_zoo():
    zoo.judge(
        ch02.critical.check,
        right=[ch02.critical_batch, by_examples, by_lstsq, weighted],
        wrong=[(m.compute, m.name) for m in ch02._MISTAKES_CRITICAL]
        + [
            (lambda b, S: float(np.median(b)), None),
            (lambda b, S: None, "no return"),
            (lambda b, S: np.polyfit(1 / np.asarray(b, float), S, 1), "shape"),
        ],
    )


def test_critical_batch_on_the_chapters_law():
    b = np.array([1, 4, 16, 64, 256, 1024])
    assert ch02.critical_batch(b, 3.3 + 122 / b) == pytest.approx(122 / 3.3)
    with pytest.raises(ValueError, match="same length"):
        ch02.critical_batch([1, 2], [3.0])


# --- the old exponential-moving-average checker still judges right --------------------


def test_ema_checker():
    assert ch02.check_ema(stochastic.ema).passed
    for m in ch02._MISTAKES_EMA:
        assert ch02.check_ema(m.compute).mistake == m.name
