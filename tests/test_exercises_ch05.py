"""Chapter 5 exercises: the mistake zoo of every exercise, the solutions, the stubs.

The answers are written the way a learner would write them (loops, in-place updates on
copies, another valid formula, a full Hessian times v), independently of the checkers'
own mistake models.
"""

import numpy as np
import pytest
import zoo
from scipy.optimize import approx_fprime, check_grad, least_squares

import gdutils as gdu
from gdutils.exercises import ch05

EXERCISES = [ch05.forward, ch05.residuals, ch05.poisson_jac, ch05.poisson_hessp]


def bias_col(X):
    return np.column_stack([X, np.ones(len(X))])


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_passes_stub_is_not_attempted_hints_render(ex):
    zoo.assert_exercise_basics(ex)


def test_two_transfer_exercises():
    assert [ex.name for ex in EXERCISES if ex.transfer] == [
        "ch05.poisson_jac",
        "ch05.poisson_hessp",
    ]


@pytest.mark.parametrize(
    "mistakes",
    [
        ch05._MISTAKES_FORWARD,
        ch05._MISTAKES_RESIDUALS,
        ch05._JAC_MISTAKES,
        ch05._HESSP_MISTAKES,
    ],
)
def test_every_named_hint_is_markdown_safe(mistakes):
    for m in mistakes:
        zoo.assert_markdown_safe(m.hint)


# --- exercise 1: forward differences with d + 1 calls ---------------------------------


def forward_gradient(f, x, h=1e-7):
    f0 = f(x)
    return np.array([(f(x + h * e) - f0) / h for e in np.eye(x.size)])


def forward_loop_copy(f, x, h=1e-7):  # a loop over coordinates, each on a fresh copy
    f0, g = f(x), np.empty(x.size)
    for j in range(x.size):
        xj = x.copy()
        xj[j] += h
        g[j] = (f(xj) - f0) / h
    return g


def forward_in_place_restored(f, x, h=1e-7):  # in place, but every change undone
    f0, g = f(x), np.zeros(x.size)
    for j in range(x.size):
        old = x[j]
        x[j] = old + h
        g[j] = (f(x) - f0) / h
        x[j] = old
    return g


def forward_recompute(f, x, h):
    return np.array([(f(x + h * e) - f(x)) / h for e in np.eye(x.size)])


def forward_central(f, x, h):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


def forward_in_place(f, x, h):
    f0, g = f(x), np.zeros(x.size)
    for j in range(x.size):
        x[j] += h  # never undone
        g[j] = (f(x) - f0) / h
    return g


def forward_extra_call(f, x, h):
    f(x)
    return forward_gradient(f, x, h)


def forward_backward(f, x, h):
    f0 = f(x)
    return np.array([(f0 - f(x - h * e)) / h for e in np.eye(x.size)])


def test_forward_gradient_agrees_with_scipy_approx_fprime():
    f = lambda x: float(np.sum(np.exp(x)) + x[0] * x[1])  # noqa: E731
    x = np.array([0.2, -0.7, 1.1])
    np.testing.assert_allclose(
        forward_gradient(f, x, 1e-6), approx_fprime(x, f, 1e-6), rtol=1e-10
    )


def test_forward_zoo():
    zoo.judge(
        ch05.forward.check,
        right=[forward_gradient, forward_loop_copy, forward_in_place_restored],
        wrong=[
            (
                lambda f, x, h: np.full(x.size, (f(x + h) - f(x)) / h),
                "all coordinates at once",
            ),
            (lambda f, x, h: forward_gradient(f, x, h) / 2, "divided by 2h"),
            (lambda f, x, h: -forward_gradient(f, x, h), "wrong sign"),
            (lambda f, x, h: forward_gradient(f, x, h) * h, "not divided by h"),
            (forward_backward, "backward differences"),
            (forward_central, "central differences"),
            (forward_recompute, "f(x) recomputed"),
            (forward_in_place, "modified x in place"),
            (forward_extra_call, "too many calls"),
            (lambda f, x, h: print(forward_gradient(f, x, h)), "no return"),
            (lambda f, x, h: 1 / 0, "raised an exception"),
            (lambda f, x, h: forward_gradient(f, x, h)[:-1], "shape"),
        ],
    )


# --- exercise 2: residuals ------------------------------------------------------------


def residuals(theta, x, y):
    a, b, c = theta
    return a * x**2 + b * x + c - y


def residuals_vander(theta, x, y):  # the design matrix of chapter 2, columns x^2, x, 1
    return np.vander(x, 3) @ theta - y


def residuals_loop(theta, x, y):
    return np.array(
        [
            theta[0] * xi * xi + theta[1] * xi + theta[2] - yi
            for xi, yi in zip(x, y, strict=True)
        ]
    )


def test_residuals_fit_the_polynomial():
    X, y, theta = gdu.data.polynomial()
    fit = least_squares(
        residuals, np.array([-11 / 6, -395 / 3, -2400.0]), args=(X[:, 1], y)
    )
    np.testing.assert_allclose(fit.x, theta, atol=1e-8)


def test_residuals_zoo():
    zoo.judge(
        ch05.residuals.check,
        # the other sign: same squares, same fit
        right=[
            residuals,
            residuals_vander,
            residuals_loop,
            lambda t, x, y: y - (t[0] * x**2 + t[1] * x + t[2]),
        ],
        wrong=[
            (lambda t, x, y: residuals(t, x, y) ** 2, "squared residuals"),
            (lambda t, x, y: float(np.sum(residuals(t, x, y) ** 2)), "sum of squares"),
            (
                lambda t, x, y: float(np.mean(residuals(t, x, y) ** 2)),
                "mean squared error",
            ),
            (lambda t, x, y: residuals(t[::-1], x, y), "parameters reversed"),
            (lambda t, x, y: residuals(t, x, 0 * y), "target forgotten"),
            (lambda t, x, y: np.abs(residuals(t, x, y)), "absolute residuals"),
            (
                lambda t, x, y: t[0] * x**2 + t[1] * x**2 + t[2] - y,
                "linear term squared",
            ),
            (lambda t, x, y: residuals(t, x, y)[:, None], "shape"),
            (lambda t, x, y: None, "no return"),
            # the constant forgotten
            (
                lambda t, x, y: t[0] * x**2 + t[1] * x - y,
                None,
            ),
        ],
    )


# --- exercise 3 (transfer): the gradient of the Poisson loss --------------------------


def poisson_grad(theta, X, y):
    A = bias_col(X)
    return A.T @ (np.exp(A @ theta) - y) / len(y)


def poisson_grad_split(theta, X, y):  # weights and bias apart
    w, b = theta[:-1], theta[-1]
    r = np.exp(X @ w + b) - y
    return np.append(X.T @ r, r.sum()) / len(y)


def poisson_grad_loop(theta, X, y):
    g = np.zeros(len(theta))
    for xi, yi in zip(X, y, strict=True):
        ai = np.append(xi, 1.0)
        g += (np.exp(ai @ theta) - yi) * ai
    return g / len(y)


def poisson_grad_mean_axis(theta, X, y):
    A = bias_col(X)
    return np.mean((np.exp(A @ theta) - y)[:, None] * A, axis=0)


def test_poisson_reference_is_the_gradient_of_the_loss():
    rng = np.random.default_rng(0)
    X, y = rng.uniform(-1, 1, (12, 2)), rng.poisson(2.0, 12).astype(float)
    for _ in range(3):
        t = rng.standard_normal(3)
        assert check_grad(ch05.poisson_loss, ch05.poisson_gradient, t, X, y) < 1e-6
        v = rng.standard_normal(3)
        fd = (
            ch05.poisson_gradient(t + 1e-6 * v, X, y)
            - ch05.poisson_gradient(t - 1e-6 * v, X, y)
        ) / 2e-6
        np.testing.assert_allclose(
            ch05.poisson_hessian_product(t, v, X, y), fd, rtol=1e-6, atol=1e-8
        )


def test_poisson_jac_zoo():
    A = bias_col
    zoo.judge(
        ch05.poisson_jac.check,
        right=[
            poisson_grad,
            poisson_grad_split,
            poisson_grad_loop,
            poisson_grad_mean_axis,
        ],
        wrong=[
            (
                lambda t, X, y: 2 / len(y) * A(X).T @ (A(X) @ t - y),
                "MSE formula copied",
            ),
            (
                lambda t, X, y: A(X).T @ (A(X) @ t - y) / len(y),
                "MSE formula without the 2",
            ),
            (
                lambda t, X, y: A(X).T @ (1 / (1 + np.exp(-A(X) @ t)) - y) / len(y),
                "logistic formula copied",
            ),
            (lambda t, X, y: A(X).T @ (np.exp(A(X) @ t) - y), "sum instead of mean"),
            (lambda t, X, y: A(X).T @ (y - np.exp(A(X) @ t)) / len(y), "wrong sign"),
            (lambda t, X, y: A(X).T @ np.exp(A(X) @ t) / len(y), "target forgotten"),
            (lambda t, X, y: 2 * A(X).T @ (np.exp(A(X) @ t) - y) / len(y), "factor 2"),
            (
                lambda t, X, y: X.T @ (np.exp(A(X) @ t) - y) / len(y),
                "bias gradient missing",
            ),
            (
                lambda t, X, y: (
                    np.column_stack([np.ones(len(X)), X]).T
                    @ (np.exp(np.column_stack([np.ones(len(X)), X]) @ t) - y)
                    / len(y)
                ),
                "bias first",
            ),
            (
                lambda t, X, y: A(X) @ (np.exp(A(X) @ t) - y) / len(y),
                "missing transpose",
            ),
            # the loss's terms
            (
                lambda t, X, y: A(X).T @ (np.exp(A(X) @ t) - y * (A(X) @ t)) / len(y),
                None,
            ),
        ],
    )


# --- exercise 4 (transfer): its Hessian-vector product --------------------------------


def poisson_hessp(theta, v, X, y):
    A = bias_col(X)
    return A.T @ (np.exp(A @ theta) * (A @ v)) / len(y)


def poisson_hessp_full(theta, v, X, y):
    # forms the Hessian, then multiplies: right, if wasteful
    A = bias_col(X)
    H = A.T @ np.diag(np.exp(A @ theta)) @ A / len(y)
    return H @ v


def poisson_hessp_einsum(theta, v, X, y):
    A = bias_col(X)
    return np.einsum("i,ij,ik,k->j", np.exp(A @ theta), A, A, v) / len(y)


def poisson_hessp_loop(theta, v, X, y):
    out = np.zeros(len(theta))
    for xi in X:
        ai = np.append(xi, 1.0)
        out += np.exp(ai @ theta) * (ai @ v) * ai
    return out / len(y)


def poisson_hessp_scales_v(theta, v, X, y):
    # changes v in place: the caller's vector is gone
    A = bias_col(X)
    v /= len(y)
    return A.T @ (np.exp(A @ theta) * (A @ v))


def test_poisson_hessp_zoo():
    A = bias_col
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    zoo.judge(
        ch05.poisson_hessp.check,
        right=[
            poisson_hessp,
            poisson_hessp_full,
            poisson_hessp_einsum,
            poisson_hessp_loop,
        ],
        wrong=[
            (lambda t, v, X, y: A(X).T @ (A(X) @ v) / len(y), "weights forgotten"),
            (
                lambda t, v, X, y: (
                    A(X).T @ (np.exp(A(X) @ t) ** 2 * (A(X) @ v)) / len(y)
                ),
                "weights squared",
            ),
            (
                lambda t, v, X, y: (
                    A(X).T @ (sig(A(X) @ t) * (1 - sig(A(X) @ t)) * (A(X) @ v)) / len(y)
                ),
                "logistic weights copied",
            ),
            (
                lambda t, v, X, y: (
                    A(X).T @ ((np.exp(A(X) @ t) - y) * (A(X) @ v)) / len(y)
                ),
                "target in the Hessian",
            ),
            (
                lambda t, v, X, y: A(X).T @ (np.exp(A(X) @ t) * (A(X) @ v)),
                "sum instead of mean",
            ),
            (
                lambda t, v, X, y: A(X).T @ (np.exp(A(X) @ t) - y) / len(y),
                "gradient returned",
            ),
            (
                lambda t, v, X, y: A(X).T @ np.diag(np.exp(A(X) @ t)) @ A(X) / len(y),
                "full Hessian returned",
            ),
            (
                lambda t, v, X, y: (
                    2 * A(X).T @ np.diag(np.exp(A(X) @ t)) @ A(X) / len(y)
                ),
                "full Hessian returned",
            ),
            (
                lambda t, v, X, y: (
                    A(X).T @ np.diag(np.exp(A(X) @ t)) @ A(X) / len(y) * v
                ).sum(axis=0),
                "v multiplied entrywise",
            ),
            (poisson_hessp_scales_v, "mutates its input"),
            (
                lambda t, v, X, y: A(X) @ (np.exp(A(X) @ t) * (A(X).T @ v)) / len(y),
                "missing transpose",
            ),
            (
                lambda t, v, X, y: (
                    A(X).T @ (np.exp(A(X) @ t) * (A(X) @ v)) / len(y) + v
                ),
                None,
            ),
        ],
    )


def test_poisson_hessp_drives_newton_cg():
    data = ch05.poisson_data()
    from scipy.optimize import minimize

    fit = minimize(
        ch05.poisson_loss,
        np.zeros(4),
        args=(data["X_counts"], data["y_counts"]),
        jac=poisson_grad,
        hessp=poisson_hessp,
        method="Newton-CG",
    )
    assert (
        fit.success
        and np.max(np.abs(poisson_grad(fit.x, data["X_counts"], data["y_counts"])))
        < 1e-4
    )
