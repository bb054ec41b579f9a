"""Chapter 7 exercises: the mistake zoo of every exercise, the solutions, the stubs.

The answers below are written independently, the way a learner would write them (loops,
slices, asserts, in-place updates), rather than reusing the checkers' own mistake
models.
"""

import json
import re
from pathlib import Path

import autograd.numpy as anp
import numpy as np
import pytest
import zoo
from autograd import grad as autograd_grad

import gdutils as gdu
from gdutils import gradcheck, losses
from gdutils.exercises import ch07

EXERCISES = [ch07.fix, ch07.predict, ch07.full, ch07.numgrad, ch07.huber, ch07.ridge]
CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "07-debugging.ipynb"


def bias_col(X):
    return np.column_stack([X, np.ones(len(X))])


# --- every exercise -------------------------------------------------------------------


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_passes_and_stub_is_not_attempted(ex):
    zoo.assert_exercise_basics(ex)


def test_two_transfer_exercises():
    assert [ex.name for ex in EXERCISES if ex.transfer] == ["ch07.huber", "ch07.ridge"]


def _statement_code(label):
    cells = json.loads(CHAPTER.read_text())["cells"]
    (src,) = [
        "".join(c["source"])
        for c in cells
        if c["metadata"].get("gdbook") == {"exercise": label, "role": "statement"}
    ]
    return re.search(r"```python\n(.*?)\n```", src, re.S).group(1)


@pytest.mark.parametrize(
    "label, fn",
    [("ch07-ex-fix", ch07.buggy_gradient), ("ch07-ex-ridge", ch07.ridge_descent_buggy)],
)
def test_statement_prints_the_module_source(label, fn):
    assert _statement_code(label) == ch07.source_of(fn)


# --- exercise 1: find and fix ---------------------------------------------------------


def loop_gradient(
    theta,
    X,
    y,
    *,
    overwrite=False,
    clip=False,
    mean=True,
    sign=1.0,
    factor=2.0,
    target=True,
):
    total = np.zeros(X.shape[1] + 1)
    for xi, yi in zip(X, y, strict=True):
        ai = np.append(xi, 1.0)
        term = factor * ai * (ai @ theta - (yi if target else 0.0))
        total = term if overwrite else total + term
    g = sign * (total / len(y) if mean else total)
    return np.clip(g, -1, 1) if clip else g


def buggy(**bug):
    return lambda t, X, y: loop_gradient(t, X, y, **bug)


def vectorised(theta, X, y):
    A = bias_col(X)
    return 2 / len(y) * A.T @ (A @ theta - y)


def accumulate_in_place(theta, X, y):
    total = np.zeros_like(theta)
    for ai, yi in zip(bias_col(X), y, strict=True):
        np.add(total, 2 * ai * (ai @ theta - yi), out=total)
    total /= len(y)
    return total


def aliasing_fix(theta, X, y):  # reuses theta as the accumulator
    total = theta
    total[:] = 0.0
    return accumulate_in_place(np.zeros_like(theta), X, y)


def forgot_return(theta, X, y):
    g = vectorised(theta, X, y)  # noqa: F841


def test_buggy_gradient_is_the_last_sample_clipped_and_fails_a_gradient_check():
    rng = np.random.default_rng(0)
    X, y, theta = (
        rng.standard_normal((9, 2)),
        5 * rng.standard_normal(9),
        rng.standard_normal(3),
    )
    a = np.append(X[-1], 1.0)
    np.testing.assert_allclose(
        ch07.buggy_gradient(theta, X, y),
        np.clip(2 * a * (a @ theta - y[-1]) / 9, -1, 1),
    )
    assert (
        gradcheck.check_gradient(losses.mse, ch07.buggy_gradient, theta, args=(X, y))
        > 0.1
    )


def test_fix_zoo():
    zoo.judge(
        ch07.fix.check,
        right=[loop_gradient, losses.mse_grad, vectorised, accumulate_in_place],
        wrong=[
            (ch07.buggy_gradient, "unchanged (bugs 3 and 9)"),
            (buggy(overwrite=True, clip=True), "unchanged (bugs 3 and 9)"),
            (buggy(overwrite=True), "accumulator overwritten (bug 3)"),
            (
                buggy(overwrite=True, mean=False),
                "accumulator overwritten, no mean (bug 3)",
            ),
            (buggy(clip=True), "gradient clipped (bug 9)"),
            (buggy(clip=True, mean=False), "sum instead of mean, clipped (bug 9)"),
            (buggy(sign=-1.0), "wrong sign"),
            (buggy(factor=1.0), "missing factor 2"),
            (buggy(mean=False), "sum instead of mean"),
            (buggy(target=False), "forgot the target"),
            (lambda t, X, y: vectorised(t, X, y)[:-1], "bias gradient missing"),
            (
                lambda t, X, y: np.append(vectorised(t, X, y)[:-1], 0.0),
                "bias gradient zero",
            ),
            (aliasing_fix, "mutates its input"),
            (forgot_return, "no return"),
            (
                lambda t, X, y: 2 / len(y) * bias_col(X) @ (bias_col(X).T @ t),
                "raised an exception",
            ),
            (lambda t, X, y: np.ones(len(t)), None),
        ],
    )


# --- exercise 2: shape-safe predict ---------------------------------------------------


def safe_predict(theta, X):
    theta, X = np.asarray(theta, dtype=float), np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got {X.shape}")
    if theta.shape != (X.shape[1] + 1,):
        raise ValueError(
            f"theta must have shape ({X.shape[1] + 1},); got {theta.shape}"
        )
    return X @ theta[:-1] + theta[-1]


def safe_predict_ndim(theta, X):
    # separate checks, a loop for the prediction, a static message
    if np.ndim(X) != 2 or np.ndim(theta) != 1 or len(theta) != np.shape(X)[1] + 1:
        raise ValueError("expected theta of shape (d + 1,) and X of shape (n, d)")
    return np.array([row @ theta[:-1] for row in X]) + theta[-1]


def lenient_reshape(theta, X):  # accepts a 1-D X by reshaping it
    X = np.asarray(X, dtype=float)
    X = X.reshape(len(X), -1)
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (X.shape[1] + 1,):
        raise ValueError("theta has the wrong shape")
    return X @ theta[:-1] + theta[-1]


def first_d(theta, X):  # ignores extra parameters
    if np.ndim(theta) != 1:
        raise ValueError("theta must have shape (d + 1,)")
    d = X.shape[1]
    return X @ theta[:d] + theta[d]


def asserting(theta, X):
    assert np.ndim(theta) == 1 and np.ndim(X) == 2 and len(theta) == X.shape[1] + 1
    return X @ theta[:-1] + theta[-1]


def type_error(theta, X):
    if np.ndim(theta) != 1:
        raise TypeError("theta must have shape (d + 1,)")
    return X @ theta[:-1] + theta[-1]


def no_message(theta, X):
    if np.ndim(X) != 2 or np.shape(theta) != (np.shape(X)[1] + 1,):
        raise ValueError()
    return X @ theta[:-1] + theta[-1]


def only_ndim(theta, X):  # NumPy's own ValueError does the rest: "matmul: ... mismatch"
    if np.ndim(theta) != 1:
        raise ValueError("theta must have shape (d + 1,)")
    return X @ theta[:-1] + theta[-1]


def test_predict_zoo():
    zoo.judge(
        ch07.predict.check,
        right=[safe_predict, safe_predict_ndim],
        wrong=[
            (lambda t, X: t[:-1] * X + t[-1], "element-wise product (bug 1)"),
            (
                lambda t, X: (X @ t[:-1] + t[-1]).reshape(-1, 1),
                "column of predictions (bug 2)",
            ),
            (lambda t, X: X @ t[1:] + t[0], "bias first"),
            (lambda t, X: X @ t[:-1], "forgot the bias"),
            (lambda t, X: X @ t[:-1] + t[-1], "column of weights (bug 2)"),
            # gdutils also accepts weights without a bias
            (
                gdu.predict,
                "too few parameters",
            ),
            (first_d, "too many parameters"),
            (lenient_reshape, "1-D X"),
            (asserting, "assert instead of ValueError"),
            (type_error, "column of weights (bug 2)"),
            (no_message, "no message"),
            (only_ndim, "message misses the shape"),
        ],
    )


def test_predict_hint_for_a_column_says_what_was_returned():
    fb = ch07.check_safe_predict(lambda t, X: X @ t[:-1] + t[-1])
    assert "(6, 1)" in fb.message and "ValueError" in fb.message


# --- exercise 3: the full-data gradient norm ------------------------------------------


def weighted_batches(grad, theta, batches):
    n = sum(len(yb) for _, yb in batches)
    g = sum(len(yb) / n * grad(theta, Xb, yb) for Xb, yb in batches)
    return float(np.sqrt(g @ g))


def stacked(grad, theta, batches):
    return np.linalg.norm(
        grad(
            theta,
            np.vstack([b[0] for b in batches]),
            np.hstack([b[1] for b in batches]),
        )
    )


def last_batch(grad, theta, batches):
    for Xb, yb in batches:
        g = grad(theta, Xb, yb)
    return np.linalg.norm(g)  # the loop variable still holds the last batch


def full_vector(grad, theta, batches):
    return grad(
        theta, np.vstack([b[0] for b in batches]), np.hstack([b[1] for b in batches])
    )


def test_full_gradient_norm_against_an_independent_formula():
    rng = np.random.default_rng(3)
    X, y, theta = (
        rng.standard_normal((11, 3)),
        rng.standard_normal(11),
        rng.standard_normal(4),
    )
    batches = [(X[s : s + 4], y[s : s + 4]) for s in range(0, 11, 4)]
    direct = np.linalg.norm(2 / 11 * bias_col(X).T @ (bias_col(X) @ theta - y))
    assert ch07.full_gradient_norm(losses.mse_grad, theta, batches) == pytest.approx(
        direct, rel=1e-12
    )
    assert weighted_batches(losses.mse_grad, theta, batches) == pytest.approx(
        direct, rel=1e-12
    )


def test_full_zoo():
    zoo.judge(
        ch07.full.check,
        right=[weighted_batches, ch07.full_gradient_norm, stacked],
        wrong=[
            (last_batch, "last mini-batch only (bug 6)"),
            (lambda g, t, B: np.linalg.norm(g(t, *B[0])), "one mini-batch only"),
            (
                lambda g, t, B: np.linalg.norm(
                    sum(g(t, Xb, yb) for Xb, yb in B) / len(B)
                ),
                "unweighted mean of batch gradients",
            ),
            (
                lambda g, t, B: (
                    sum(np.linalg.norm(g(t, Xb, yb)) for Xb, yb in B) / len(B)
                ),
                "mean of batch norms",
            ),
            (
                lambda g, t, B: np.linalg.norm(sum(g(t, Xb, yb) for Xb, yb in B)),
                "sum of batch gradients",
            ),
            (
                lambda g, t, B: float(full_vector(g, t, B) @ full_vector(g, t, B)),
                "squared norm",
            ),
            (lambda g, t, B: np.abs(full_vector(g, t, B)).max(), "largest component"),
            (full_vector, "returned the gradient"),
            # ignores the given gradient
            (
                lambda g, t, B: weighted_batches(losses.mse_grad, t, B),
                None,
            ),
            (lambda g, t, B: B.pop() and stacked(g, t, B), "mutates its input"),
        ],
    )


# --- exercise 4: the numerical gradient -----------------------------------------------


def central(f, theta, h):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        fp, fm = f(theta + e), f(theta - e)
        if np.ndim(fp) != 0:
            raise ValueError("f must return a scalar")
        g[i] = (fp - fm) / (2 * h)
    return g


def central_eye(f, theta, h):
    if np.ndim(f(theta)) != 0:
        raise ValueError(
            f"f returned shape {np.shape(f(theta))}; it must return a Scalar loss"
        )
    return np.array(
        [f(theta + h * e) - f(theta - h * e) for e in np.eye(theta.size)]
    ) / (2 * h)


def no_scalar_check(f, theta, h):
    return np.array(
        [(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(theta.size)]
    )


def assert_scalar(f, theta, h):
    assert np.ndim(f(theta)) == 0
    return no_scalar_check(f, theta, h)


def numpy_refuses(f, theta, h):
    # g[i] = array raises NumPy's own ValueError, with no word of why
    g = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        g[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


def silent_refusal(f, theta, h):
    if np.ndim(f(theta)) != 0:
        raise ValueError()
    return no_scalar_check(f, theta, h)


def test_numerical_gradient_reference_is_close_to_autograd():
    # noqa: E731
    smooth = lambda t: (
        anp.sum(anp.exp(0.5 * t)) + anp.log1p(anp.dot(t, t)) + anp.prod(anp.sin(t))
    )
    for f, theta, h in ch07._numgrad_cases():
        assert f(theta) == pytest.approx(float(smooth(theta)), rel=1e-12)
        exact = autograd_grad(smooth)(theta)
        assert (
            gradcheck.relative_error(gradcheck.numerical_gradient(f, theta, h), exact)
            < 10 * h**2
        )


def test_numgrad_zoo():
    zoo.judge(
        ch07.numgrad.check,
        right=[central, gradcheck.numerical_gradient, central_eye],
        wrong=[
            (
                lambda f, t, h: (f(t + h) - f(t - h)) / (2 * h),
                "all coordinates at once (bug 5)",
            ),
            (
                lambda f, t, h: np.ones_like(t) * (f(t + h) - f(t - h)) / (2 * h),
                "all coordinates at once, broadcast (bug 5)",
            ),
            (
                lambda f, t, h: np.array(
                    [(f(t + h * e) - f(t)) / h for e in np.eye(t.size)]
                ),
                "forward difference",
            ),
            (
                lambda f, t, h: np.array(
                    [(f(t + h * e) - f(t - h * e)) / h for e in np.eye(t.size)]
                ),
                "divided by h, not 2h",
            ),
            (
                lambda f, t, h: np.array(
                    [(f(t - h * e) - f(t + h * e)) / (2 * h) for e in np.eye(t.size)]
                ),
                "wrong sign",
            ),
            (no_scalar_check, "per-sample losses (bug 5)"),
            (assert_scalar, "per-sample losses (bug 5)"),
            (numpy_refuses, "message misses the point"),
            (silent_refusal, "message misses the point"),
            (
                lambda f, t, h: t.__setitem__(0, t[0] + h) or central(f, t, h),
                "mutates its input",
            ),
        ],
    )


def test_per_sample_losses_case_is_a_vector():
    assert ch07._per_sample_losses(np.array([0.5, -1.0])).shape == (4,)


# --- exercise 5 (transfer): the Huber gradient ----------------------------------------


def huber_loop(theta, X, y, delta):
    g = np.zeros(len(theta))
    for xi, yi in zip(X, y, strict=True):
        ai = np.append(xi, 1.0)
        r = ai @ theta - yi
        g += (r if abs(r) <= delta else delta * np.sign(r)) * ai
    return g / len(y)


def huber_where(theta, X, y, delta):
    r = X @ theta[:-1] + theta[-1] - y
    c = np.where(np.abs(r) <= delta, r, delta * np.sign(r))
    return np.append(X.T @ c, c.sum()) / len(y)


def huber_variant(
    theta,
    X,
    y,
    delta,
    *,
    clip_grad=False,
    slope=None,
    drop=False,
    sign=1.0,
    mean=True,
    quad=False,
):
    A = bias_col(X)
    r = A @ theta - y
    if quad:
        c = r
    elif drop:
        c = np.where(np.abs(r) <= delta, r, 0.0)
    elif slope is not None:
        c = np.where(np.abs(r) <= delta, r, slope * np.sign(r))
    elif clip_grad:
        return np.clip(A.T @ r / len(y), -delta, delta)
    else:
        c = np.clip(r, -delta, delta)
    g = sign * A.T @ c
    return g / len(y) if mean else g


def huber_bias_first(theta, X, y, delta):
    c = np.clip(X @ theta[1:] + theta[0] - y, -delta, delta)
    return np.concatenate([[c.mean()], X.T @ c / len(y)])


def test_huber_loss_against_autograd():
    rng = np.random.default_rng(5)
    X, y, theta = (
        rng.standard_normal((10, 3)),
        3 * rng.standard_normal(10),
        rng.standard_normal(4),
    )

    def loss(t):
        r = anp.abs(anp.dot(X, t[:-1]) + t[-1] - y)
        return anp.mean(anp.where(r <= 0.7, r**2 / 2, 0.7 * (r - 0.35)))

    assert ch07.huber_loss(theta, X, y, 0.7) == pytest.approx(
        float(loss(theta)), rel=1e-12
    )
    np.testing.assert_allclose(
        huber_loop(theta, X, y, 0.7), autograd_grad(loss)(theta), rtol=1e-10
    )
    assert (
        gdu.check_gradient(ch07.huber_loss, huber_loop, theta, args=(X, y, 0.7)) < 1e-7
    )


def test_huber_cases_straddle_delta():
    for theta, X, y, delta in ch07._huber_cases():
        r = np.abs(bias_col(X) @ theta - y)
        assert np.any(r < 0.8 * delta) and np.any(r > 1.4 * delta) and delta != 1


def test_huber_zoo():
    v = lambda **kw: lambda t, X, y, dl: huber_variant(t, X, y, dl, **kw)  # noqa: E731
    zoo.judge(
        ch07.huber.check,
        right=[huber_loop, huber_where, v()],
        wrong=[
            (v(quad=True), "quadratic everywhere"),
            (lambda t, X, y, dl: losses.mse_grad(t, X, y), "the MSE gradient"),
            (v(clip_grad=True), "gradient clipped, not the residuals (bug 9)"),
            (v(slope=1.0), "slope 1 beyond delta"),
            (v(drop=True), "outliers dropped"),
            (v(sign=-1.0), "wrong sign"),
            (v(mean=False), "sum instead of mean"),
            (lambda t, X, y, dl: v()(t, X, y, dl)[:-1], "bias gradient missing"),
            (huber_bias_first, "bias first"),
            (v(slope=0.5), None),  # half the slope: no name, still wrong
            # returned the loss
            (
                lambda t, X, y, dl: ch07.huber_loss(t, X, y, dl),
                "shape",
            ),
        ],
    )


# --- exercise 6 (transfer): diagnose a training loop ----------------------------------


def ridge_copy(
    X, y, lam, rate, steps, *, mask=True, factor=2.0, sign=1.0, extra=0, copy=True
):
    A = bias_col(X)
    theta = np.zeros(A.shape[1])
    for _ in range(steps + extra):
        reg = theta.copy() if copy else theta
        if mask:
            reg[-1] = 0.0
        theta = theta - rate * (
            2 / len(y) * A.T @ (A @ theta - y) + sign * factor * lam * reg
        )
    return theta


def ridge_append(X, y, lam, rate, steps):
    A = bias_col(X)
    theta = np.zeros(A.shape[1])
    for _ in range(steps):
        theta = theta - rate * (
            2 / len(y) * A.T @ (A @ theta - y) + 2 * lam * np.append(theta[:-1], 0.0)
        )
    return theta


def ridge_in_place(X, y, lam, rate, steps):
    A = bias_col(X)
    theta = np.zeros(A.shape[1])
    penalised = np.ones_like(theta)
    penalised[-1] = 0.0
    for _ in range(steps):
        theta -= rate * (
            2 / len(y) * A.T @ (A @ theta - y) + 2 * lam * penalised * theta
        )
    return theta


def ridge_forgot_return(X, y, lam, rate, steps):
    ridge_append(X, y, lam, rate, steps)


def test_ridge_buggy_loop_zeroes_the_bias_and_misses_the_minimiser():
    X, y, lam, rate, steps = ch07._ridge_cases()[0]
    good, bad = (
        ridge_append(X, y, lam, rate, 2000),
        ch07.ridge_descent_buggy(X, y, lam, rate, 2000),
    )
    assert np.allclose(
        gdu.numerical_gradient(ch07.ridge_loss, good, args=(X, y, lam)), 0, atol=1e-6
    )
    assert ch07.ridge_loss(bad, X, y, lam) > 1.5 * ch07.ridge_loss(good, X, y, lam)
    # it did fall
    assert ch07.ridge_loss(bad, X, y, lam) < ch07.ridge_loss(
        np.zeros(X.shape[1] + 1), X, y, lam
    )


def test_ridge_zoo():
    # noqa: E731
    r = lambda **kw: (
        lambda X, y, lam, rate, steps: ridge_copy(X, y, lam, rate, steps, **kw)
    )
    zoo.judge(
        ch07.ridge.check,
        right=[r(), ridge_append, ridge_in_place],
        wrong=[
            (ch07.ridge_descent_buggy, "unchanged (reg aliases theta)"),
            (r(copy=False), "unchanged (reg aliases theta)"),
            (r(mask=False), "bias penalised"),
            (r(factor=1.0), "penalty gradient lam w"),
            (r(factor=0.0), "penalty forgotten"),
            (r(sign=-1.0), "penalty sign"),
            (r(extra=1), "one step too many"),
            (r(extra=-1), "one step too few"),
            (ridge_forgot_return, "no return"),
            (lambda X, y, lam, rate, steps: r()(X, y, lam, rate, steps)[:-1], "shape"),
            (r(factor=4.0), None),
        ],
    )
