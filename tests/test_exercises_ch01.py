"""Chapter 1 exercises: the mistake zoo of every exercise, the solutions, the stubs.

The answers are written the way a learner would write them (loops, slices, in-place
updates, other valid formulas), independently of the checkers' own mistake models.
"""

import numpy as np
import pytest
import zoo

from gdutils import gradcheck, losses
from gdutils.exercises import Feedback, ch01

EXERCISES = [ch01.loop, ch01.vector, ch01.rate, ch01.ridge, ch01.weighted]


def bias_col(X):
    return np.column_stack([X, np.ones(len(X))])


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_passes_stub_is_not_attempted_hints_render(ex):
    zoo.assert_exercise_basics(ex)


def test_two_transfer_exercises():
    assert [ex.name for ex in EXERCISES if ex.transfer] == [
        "ch01.ridge",
        "ch01.weighted",
    ]


@pytest.mark.parametrize(
    "mistakes",
    [
        ch01.LOOP_MISTAKES,
        ch01.VECTOR_MISTAKES,
        ch01._VECTOR_EXTRA,
        ch01._RATE_MISTAKES,
        ch01._RIDGE_MISTAKES,
        ch01._WEIGHTED_MISTAKES,
        ch01._bias_slips(ch01.ridge_gradient),
    ],
)
def test_every_named_hint_is_markdown_safe(mistakes):
    for m in mistakes:
        zoo.assert_markdown_safe(m.hint)


# --- exercise 1: the 1-D gradient with a loop -----------------------------------------


def loop_gradient(
    w,
    x,
    y,
    *,
    overwrite=False,
    target=True,
    sign=1.0,
    factor=2.0,
    mean=True,
    inner=True,
    ddof=0,
):
    total = 0.0
    for xi, yi in zip(x, y, strict=True):
        term = factor * (xi if inner else 1.0) * (w * xi - (yi if target else 0.0))
        total = term if overwrite else total + term
    return sign * (total / (len(x) - ddof) if mean else total)


def loop_1d(**bug):
    return lambda w, x, y: loop_gradient(w, x, y, **bug)


def indexed_loop(w, x, y):
    total = 0
    for i in range(len(x)):
        total = total + 2 * (w * x[i] - y[i]) * x[i]
    return total / len(x)


def in_place_1d(w, x, y):  # works on its own copies, in place
    r = np.array(x, dtype=float) * w
    r -= y
    r *= 2 * np.asarray(x)
    return r.mean()


def mutating_1d(w, x, y):  # scales x in place: the caller's data change
    x *= w
    return np.mean(2 * (x / w) * (x - y))


def test_loop_zoo():
    zoo.judge(
        ch01.loop.check,
        right=[
            loop_gradient,
            indexed_loop,
            in_place_1d,
            lambda w, x, y: np.mean(2 * x * (w * x - y)),
            lambda w, x, y: 2 * np.dot(x, x * w - y) / len(x),
        ],
        wrong=[
            (loop_1d(overwrite=True), "accumulator overwritten"),
            (loop_1d(overwrite=True, mean=False), "accumulator overwritten (no mean)"),
            (loop_1d(target=False), "forgot the target"),
            (loop_1d(sign=-1.0), "wrong sign"),
            (loop_1d(factor=1.0), "missing factor 2"),
            (loop_1d(mean=False), "sum instead of mean"),
            (loop_1d(ddof=1), "divided by N - 1"),
            (loop_1d(inner=False), "x squared only"),
            (mutating_1d, "mutates its input"),
            (lambda w, x, y: print(np.mean(2 * x * (w * x - y))), "no return"),
            (lambda w, x, y: 1 / 0, "raised an exception"),
            (lambda w, x, y: 42.0, None),
            (lambda w, x, y: 2 * x * (w * x - y), "shape"),
        ],
    )


# --- exercise 2: vectorised, with a bias ----------------------------------------------


def vec(theta, X, y):
    A = bias_col(X)
    return 2 / len(y) * A.T @ (A @ theta - y)


def split_weights_and_bias(theta, X, y):
    w, b = theta[:-1], theta[-1]
    r = X @ w + b - y
    return np.append(2 * X.T @ r / len(y), 2 * r.mean())


def loop_vector(theta, X, y):  # a loop is fine too: the checker only judges the result
    g = np.zeros(len(theta))
    for xi, yi in zip(X, y, strict=True):
        ai = np.append(xi, 1.0)
        g += 2 * (ai @ theta - yi) * ai
    return g / len(y)


def mutating_vector(theta, X, y):  # reuses theta's memory for the gradient
    g = vec(theta, X, y)
    theta[:] = g
    return theta


def test_vector_zoo():
    zoo.judge(
        ch01.vector.check,
        right=[
            vec,
            split_weights_and_bias,
            loop_vector,
            losses.mse_grad,
            lambda t, X, y: (
                2 * np.mean((bias_col(X) @ t - y)[:, None] * bias_col(X), axis=0)
            ),
        ],
        wrong=[
            (lambda t, X, y: -vec(t, X, y), "wrong sign"),
            (lambda t, X, y: vec(t, X, y) / 2, "missing factor 2"),
            (lambda t, X, y: vec(t, X, y) * len(y), "sum instead of mean"),
            (lambda t, X, y: vec(t, X, 0 * y), "forgot the target"),
            (
                lambda t, X, y: 2 / len(y) * X.T @ (X @ t[:-1] + t[-1] - y),
                "bias gradient missing",
            ),
            (
                lambda t, X, y: np.append(
                    2 / len(y) * X.T @ (X @ t[:-1] + t[-1] - y), 0.0
                ),
                "bias gradient zero",
            ),
            (
                lambda t, X, y: 2 / len(y) * bias_col(X) @ (bias_col(X).T @ t - y),
                "missing transpose",
            ),
            (
                lambda t, X, y: 2 / len(y) * bias_col(X) @ (bias_col(X) @ t - y),
                "missing transpose",
            ),
            (
                lambda t, X, y: (
                    2
                    / len(y)
                    * np.column_stack([np.ones(len(X)), X]).T
                    @ (np.column_stack([np.ones(len(X)), X]) @ t - y)
                ),
                "bias first",
            ),
            (mutating_vector, "mutates its input"),
            (lambda t, X, y: vec(t, X, y)[:, None], "shape"),
            (lambda t, X, y: np.ones(len(t)), None),
        ],
    )


# --- exercise 3: the largest stable learning rate -------------------------------------


def rate_by_power_iteration(X):
    A = bias_col(X)
    H = 2 / len(X) * A.T @ A
    v = np.ones(H.shape[0])
    for _ in range(2000):
        v = H @ v
        v /= np.linalg.norm(v)
    return 2 / (v @ H @ v)


def test_rate_zoo():
    zoo.judge(
        ch01.rate.check,
        right=[
            ch01.stability_limit,
            rate_by_power_iteration,
            # L = 2 sigma_max^2 / n
            lambda X: len(X) / np.linalg.norm(bias_col(X), 2) ** 2,
            lambda X: float(
                2
                / np.max(
                    np.linalg.eigvals(2 / len(X) * bias_col(X).T @ bias_col(X)).real
                )
            ),
        ],
        wrong=[
            (
                lambda X: (
                    1 / np.linalg.eigvalsh(2 / len(X) * bias_col(X).T @ bias_col(X))[-1]
                ),
                "one over L",
            ),
            (
                lambda X: (
                    2 / np.linalg.eigvalsh(bias_col(X).T @ bias_col(X) / len(X))[-1]
                ),
                "Hessian without the 2",
            ),
            (
                lambda X: 2 / np.linalg.eigvalsh(2 * bias_col(X).T @ bias_col(X))[-1],
                "Hessian without 1/n",
            ),
            (
                lambda X: 2 / np.linalg.eigvalsh(2 / len(X) * X.T @ X)[-1],
                "forgot the bias column",
            ),
            (
                lambda X: (
                    2 / np.linalg.eigvalsh(2 / len(X) * bias_col(X).T @ bias_col(X))[0]
                ),
                "smallest eigenvalue",
            ),
            (
                lambda X: 2 / np.max(np.diag(2 / len(X) * bias_col(X).T @ bias_col(X))),
                "largest diagonal entry",
            ),
            (lambda X: 2 / np.trace(2 / len(X) * bias_col(X).T @ bias_col(X)), "trace"),
            (
                lambda X: (
                    np.linalg.eigvalsh(2 / len(X) * bias_col(X).T @ bias_col(X))[-1] / 2
                ),
                "reciprocal",
            ),
            (lambda X: "0.1", "not numbers"),
            (lambda X: 0.1, None),
        ],
    )


def test_stability_limit_value_checker():
    X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, -1.0], [3.0, 0.5]])
    A = bias_col(X)
    H = 2 / 4 * A.T @ A
    right = 2 / np.linalg.eigvalsh(H)[-1]
    assert ch01.stability_limit(X) == pytest.approx(right)
    assert ch01.check_stability_limit(right, X).passed
    assert ch01.check_stability_limit(None, X).status == "not attempted"
    assert ch01.check_stability_limit("abc", X).status == "fail"
    assert (
        ch01.check_stability_limit(1 / np.linalg.eigvalsh(H)[-1], X).mistake
        == "one over L"
    )


def test_stability_limit_is_where_gd_diverges():
    X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, -1.0], [3.0, 0.5]])
    y = X @ np.array([1.0, -1.0]) + 0.5
    H = losses.mse_hessian(X)
    v = np.linalg.eigh(H)[1][:, -1]  # start along the stiffest direction
    limit = ch01.stability_limit(X)
    for rate, grows in [(0.99 * limit, False), (1.01 * limit, True)]:
        theta = np.linalg.lstsq(bias_col(X), y, rcond=None)[0] + v
        e0 = losses.mse(theta, X, y)
        for _ in range(2000):
            theta = theta - rate * losses.mse_grad(theta, X, y)
        assert (losses.mse(theta, X, y) > e0) == grows


# --- exercise 4 (transfer): the ridge gradient ----------------------------------------


def ridge_ok(theta, X, y, lam):
    A = bias_col(X)
    reg = theta.copy()
    reg[-1] = 0.0
    return 2 / len(y) * A.T @ (A @ theta - y) + 2 * lam * reg


def ridge_mask(theta, X, y, lam):
    mask = np.ones_like(theta)
    mask[-1] = 0
    return losses.mse_grad(theta, X, y) + 2 * lam * mask * theta


def ridge_append(theta, X, y, lam):
    return vec(theta, X, y) + 2 * lam * np.append(theta[:-1], 0.0)


def ridge_in_place(theta, X, y, lam):  # builds the result in place, in a fresh array
    g = vec(theta, X, y)
    g[:-1] += 2 * lam * theta[:-1]
    return g


def ridge_aliased(theta, X, y, lam):  # the classic: reg is theta itself
    reg = theta
    reg[-1] = 0.0
    return vec(theta, X, y) + 2 * lam * reg


def ridge_aliased_after(theta, X, y, lam):
    # the data term first, then the aliasing: result right, theta zeroed
    g = vec(theta, X, y)
    reg = theta
    reg[-1] = 0.0
    return g + 2 * lam * reg


def test_ridge_gradient_is_the_gradient_of_the_ridge_loss():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), rng.standard_normal(10)
    for _ in range(3):
        t = rng.standard_normal(4)
        assert (
            gradcheck.check_gradient(
                ch01.ridge_loss, ch01.ridge_gradient, t, args=(X, y, 0.7)
            )
            < 1e-8
        )


def test_ridge_zoo():
    zoo.judge(
        ch01.ridge.check,
        right=[ridge_ok, ridge_mask, ridge_append, ridge_in_place],
        wrong=[
            (ridge_aliased, "mutates its input"),
            (ridge_aliased_after, "mutates its input"),
            (lambda t, X, y, lam: vec(t, X, y) + 2 * lam * t, "bias penalised"),
            (
                lambda t, X, y, lam: vec(t, X, y) + lam * np.append(t[:-1], 0),
                "lam instead of 2 lam",
            ),
            (lambda t, X, y, lam: vec(t, X, y), "penalty forgotten"),
            (
                lambda t, X, y, lam: vec(t, X, y) - 2 * lam * np.append(t[:-1], 0),
                "penalty with the wrong sign",
            ),
            (
                lambda t, X, y, lam: (
                    vec(t, X, y) + 2 * lam * np.append(t[:-1], 0) / len(y)
                ),
                "penalty divided by n",
            ),
            (
                lambda t, X, y, lam: vec(t, X, y) / 2 + 2 * lam * np.append(t[:-1], 0),
                "data term missing factor 2",
            ),
            (
                lambda t, X, y, lam: (
                    vec(t, X, y) * len(y) + 2 * lam * np.append(t[:-1], 0)
                ),
                "data term summed",
            ),
            (lambda t, X, y, lam: -ridge_ok(t, X, y, lam), "wrong sign"),
            (lambda t, X, y, lam: ridge_ok(t, X, y, lam)[:-1], "bias gradient missing"),
            (
                lambda t, X, y, lam: np.append(ridge_ok(t, X, y, lam)[:-1], 0.0),
                "bias gradient zero",
            ),
            (
                lambda t, X, y, lam: 2 / len(y) * bias_col(X) @ (bias_col(X).T @ t - y),
                "missing transpose",
            ),
            (
                lambda t, X, y, lam: (
                    ridge_ok(t, X, y, lam)
                    + 2 * lam * np.append(np.zeros(len(t) - 1), t[-1])
                ),
                "bias penalised",
            ),
            (
                lambda t, X, y, lam: (
                    vec(t, X, y)
                    + np.append(np.zeros(len(t) - 2), [2 * lam * t[-2], 0.0])
                ),
                "penalty only on the last weight",
            ),
        ],
    )


# --- exercise 5 (transfer): the weighted MSE gradient ---------------------------------


def weighted_ok(theta, X, y, s):
    A = bias_col(X)
    return 2 * A.T @ (s * (A @ theta - y)) / s.sum()


def weighted_loop(theta, X, y, s):
    g, total = np.zeros(len(theta)), 0.0
    for xi, yi, si in zip(X, y, s, strict=True):
        ai = np.append(xi, 1.0)
        g += 2 * si * (ai @ theta - yi) * ai
        total += si
    return g / total


def weighted_sqrt_trick(theta, X, y, s):
    # scale rows and targets by sqrt(s): the plain formula does the rest
    r = np.sqrt(s)
    A, yt = bias_col(X) * r[:, None], y * r
    return 2 * A.T @ (A @ theta - yt) / s.sum()


def weighted_normalised_first(theta, X, y, s):
    p = s / np.sum(s)
    return 2 * bias_col(X).T @ (p * (bias_col(X) @ theta - y))


def weighted_mutating(theta, X, y, s):  # normalises the weights in place
    s /= s.sum()
    return 2 * bias_col(X).T @ (s * (bias_col(X) @ theta - y))


def test_weighted_gradient_is_the_gradient_of_the_weighted_loss():
    rng = np.random.default_rng(1)
    X, y, s = (
        rng.standard_normal((10, 2)),
        rng.standard_normal(10),
        rng.uniform(0.1, 2, 10),
    )
    for _ in range(3):
        t = rng.standard_normal(3)
        assert (
            gradcheck.check_gradient(
                ch01.weighted_mse, ch01.weighted_mse_gradient, t, args=(X, y, s)
            )
            < 1e-8
        )


def test_weighted_zoo():
    A = bias_col
    zoo.judge(
        ch01.weighted.check,
        right=[
            weighted_ok,
            weighted_loop,
            weighted_sqrt_trick,
            weighted_normalised_first,
        ],
        wrong=[
            (
                lambda t, X, y, s: 2 * A(X).T @ (s * (A(X) @ t - y)) / len(y),
                "divided by n",
            ),
            (lambda t, X, y, s: vec(t, X, y), "weights forgotten"),
            (
                lambda t, X, y, s: 2 * A(X).T @ (s**2 * (A(X) @ t - y)) / s.sum(),
                "weights squared",
            ),
            (
                lambda t, X, y, s: 2 * A(X).T @ (A(X) @ t - y) / s.sum(),
                "weights forgotten in the numerator",
            ),
            (
                lambda t, X, y, s: A(X).T @ (s * (A(X) @ t - y)) / s.sum(),
                "missing factor 2",
            ),
            (
                lambda t, X, y, s: 2 * A(X).T @ (s * (y - A(X) @ t)) / s.sum(),
                "wrong sign",
            ),
            (
                lambda t, X, y, s: 2 * A(X).T @ (s * (A(X) @ t)) / s.sum(),
                "forgot the target",
            ),
            (
                lambda t, X, y, s: 2 * A(X).T @ (np.sqrt(s) * (A(X) @ t - y)) / s.sum(),
                "sqrt of the weights",
            ),
            (lambda t, X, y, s: weighted_ok(t, X, y, s)[:-1], "bias gradient missing"),
            (
                lambda t, X, y, s: np.append(weighted_ok(t, X, y, s)[:-1], 0.0),
                "bias gradient zero",
            ),
            (
                lambda t, X, y, s: 2 * A(X) @ (s * (A(X).T @ t - y)) / s.sum(),
                "missing transpose",
            ),
            (weighted_mutating, "mutates its input"),
            (lambda t, X, y, s: 2 * A(X).T @ (s * (A(X) @ t - y)), None),
        ],
    )


def test_feedback_rendering_and_validation():
    fb = Feedback("pass", "ok")
    assert fb._repr_markdown_().startswith("**✔")
    with pytest.raises(ValueError, match="status must be one of"):
        Feedback("maybe", "?")
