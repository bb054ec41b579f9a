"""Chapter 6 exercises: the mistake zoo of every exercise, the solutions, the stubs.

The answers are written the way a learner would write them (in-place updates, other loop
orders, other valid formulas), independently of the checkers' own mistake models.
"""

import copy

import numpy as np
import pytest
import zoo

from gdutils import losses, objectives
from gdutils.accelerated import adam, momentum, momentum_rate, rmsprop
from gdutils.exercises import ch06

EXERCISES = [
    ch06.heavy_ball,
    ch06.parameters,
    ch06.adam,
    ch06.rmsprop,
    ch06.regression,
    ch06.amsgrad,
]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_passes_stub_is_not_attempted_hints_render(ex):
    zoo.assert_exercise_basics(ex, no_return=True)


def test_two_transfer_exercises():
    assert [ex.name for ex in EXERCISES if ex.transfer] == [
        "ch06.regression",
        "ch06.amsgrad",
    ]


@pytest.mark.parametrize(
    "mistakes",
    [
        ch06._MISTAKES_HB,
        ch06._MISTAKES_PARAMS,
        ch06._MISTAKES_ADAM,
        ch06._RMSPROP_MISTAKES,
        ch06._REGRESSION_MISTAKES,
        ch06._MISTAKES_AMSGRAD,
    ],
)
def test_every_named_hint_is_markdown_safe(mistakes):
    for m in mistakes:
        zoo.assert_markdown_safe(m.hint)


# --- exercise 1: the heavy ball -------------------------------------------------------


def hb(grad, x0, learning_rate, beta, steps, *, bug=None):
    """A learner's loop, written independently of the checker's reference."""
    x, v = x0, np.zeros_like(x0)
    for i in range(steps + (bug == "range(steps + 1)")):
        if bug == "range(1, steps)" and i == 0:
            continue
        if bug == "x before v":
            x = x + v
            v = beta * v - learning_rate * grad(x - v * 0)
            continue
        point = x + beta * v if bug == "nesterov" else x
        g = grad(point)
        if bug == "no momentum":
            v = -learning_rate * g
        elif bug == "v reset":
            v = np.zeros_like(x)
            v = beta * v - learning_rate * g
        elif bug == "minus beta":
            v = -beta * v - learning_rate * g
        elif bug == "ema":
            v = beta * v - (1 - beta) * learning_rate * g
        elif bug == "plus":
            v = beta * v + learning_rate * g
        else:
            v = beta * v - learning_rate * g
        x += v  # in place on purpose: the caller's x0 changes, which is allowed here
    return x


def hb_two_point(grad, x0, learning_rate, beta, steps):
    # x_{k+1} = x_k - lr g + beta (x_k - x_{k-1})
    previous = x = np.array(x0, dtype=float)
    for _ in range(steps):
        x, previous = x - learning_rate * grad(x) + beta * (x - previous), x
    return x


def hb_pytorch(grad, x0, learning_rate, beta, steps):
    # torch.optim.SGD's form: v = beta v + g, x -= lr v
    x, buf = np.array(x0, dtype=float), None
    for _ in range(steps):
        g = grad(x)
        buf = g if buf is None else beta * buf + g
        x = x - learning_rate * buf
    return x


def hb_trajectory(grad, x0, learning_rate, beta, steps):
    xs, x, v = [x0.copy()], x0.copy(), np.zeros_like(x0)
    for _ in range(steps):
        v = beta * v - learning_rate * grad(x)
        x = x + v
        xs.append(x)
    return np.array(xs)


def test_heavy_ball_reference_is_gdutils_momentum():
    q = objectives.quadratic([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0])
    res = momentum(
        q.fun,
        [2.0, -1.0],
        jac=q.grad,
        learning_rate=0.2,
        beta=0.8,
        maxiter=12,
        gtol=0.0,
    )
    np.testing.assert_allclose(
        ch06._heavy_ball(q.grad, np.array([2.0, -1.0]), 0.2, 0.8, 12), res.x, rtol=1e-12
    )


def test_heavy_ball_zoo():
    zoo.judge(
        ch06.heavy_ball.check,
        right=[
            hb,
            hb_two_point,
            hb_pytorch,
            lambda *c: hb_trajectory(*c)[-1],
            lambda grad, x0, lr, beta, steps: (
                momentum(
                    lambda x: 0.0,
                    x0,
                    jac=grad,
                    learning_rate=lr,
                    beta=beta,
                    maxiter=steps,
                    gtol=0.0,
                ).x
            ),
        ],
        wrong=[
            (lambda *c: hb(*c, bug="no momentum"), "no momentum"),
            (lambda *c: hb(*c, bug="v reset"), "no momentum"),
            (lambda *c: hb(*c, bug="minus beta"), "momentum pushes back"),
            (lambda *c: hb(*c, bug="ema"), "dampened velocity"),
            (lambda *c: hb(*c, bug="nesterov"), "Nesterov look-ahead"),
            (lambda *c: hb(*c, bug="plus"), "gradient ascent"),
            (lambda *c: hb(*c, bug="range(1, steps)"), "one step short"),
            (lambda *c: hb(*c, bug="x before v"), "one step short"),
            (lambda *c: hb(*c, bug="range(steps + 1)"), "one step too many"),
            (hb_trajectory, "returned the trajectory"),
            (
                lambda *c: hb_trajectory(*c)[1:],
                "returned the trajectory without the start",
            ),
            (
                lambda grad, x0, lr, beta, steps: hb(grad, x0, lr, beta, steps)[
                    :, None
                ],
                "shape",
            ),
            (lambda grad, x0, lr, beta, steps: hb(grad, x0, 2 * lr, beta, steps), None),
        ],
    )


# --- exercise 2: Polyak's parameters --------------------------------------------------


def params_ok(A):
    eig = np.linalg.eigvalsh(A)
    sm, sL = np.sqrt(eig[0]), np.sqrt(eig[-1])
    return 4 / (sL + sm) ** 2, ((sL - sm) / (sL + sm)) ** 2


def params_kappa(A):  # written with kappa, via the condition number
    L = np.linalg.eigvalsh(A).max()
    sk = np.sqrt(np.linalg.cond(A))
    return 4 / (np.sqrt(L) * (1 + 1 / sk)) ** 2, ((sk - 1) / (sk + 1)) ** 2


def params_svd(A):
    # singular values of a symmetric positive-definite matrix are its eigenvalues
    s = np.linalg.svd(A, compute_uv=False)
    return np.array(
        [
            4 / (np.sqrt(s[0]) + np.sqrt(s[-1])) ** 2,
            ((np.sqrt(s[0]) - np.sqrt(s[-1])) / (np.sqrt(s[0]) + np.sqrt(s[-1]))) ** 2,
        ]
    )


def params_from(mu_L, *, beta_power=2, step="polyak"):
    def f(A):
        mu, L = mu_L(A)
        sm, sL = np.sqrt(mu), np.sqrt(L)
        lr = {
            "polyak": 4 / (sL + sm) ** 2,
            "gd": 2 / (L + mu),
            "no roots": 4 / (L + mu),
        }[step]
        return lr, ((sL - sm) / (sL + sm)) ** beta_power

    return f


def eig_extremes(A):
    e = np.linalg.eigvalsh(A)
    return e[0], e[-1]


def test_parameters_zoo():
    zoo.judge(
        ch06.parameters.check,
        right=[
            ch06.heavy_ball_parameters,
            params_ok,
            params_kappa,
            params_svd,
            lambda A: list(params_ok(A)),
        ],
        wrong=[
            (
                params_from(lambda A: (np.diag(A).min(), np.diag(A).max())),
                "diagonal instead of eigenvalues",
            ),
            (params_from(eig_extremes, beta_power=1), "beta not squared"),
            (params_from(eig_extremes, step="gd"), "gradient-descent step"),
            (
                params_from(eig_extremes, step="no roots"),
                "square roots missing in the step",
            ),
            (
                lambda A: (
                    params_ok(A)[0],
                    ((np.linalg.cond(A) - 1) / (np.linalg.cond(A) + 1)) ** 2,
                ),
                "kappa instead of its root",
            ),
            (lambda A: params_ok(A)[::-1], "swapped"),
            (lambda A: params_ok(A)[0], "shape"),
            (lambda A: (1 / np.linalg.eigvalsh(A)[-1], params_ok(A)[1]), None),
        ],
    )


# --- exercise 3: Adam -----------------------------------------------------------------


def adam_learner(grad, x0, lr, steps, *, bug=None, b1=0.9, b2=0.999, eps=1e-8):
    x = x0  # updated in place below: allowed
    m = np.zeros_like(x)
    s = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        if bug == "swap":
            m = b2 * m + (1 - b2) * g
            s = b1 * s + (1 - b1) * g**2
        elif bug == "m forgotten":
            m = (1 - b1) * g
            s = b2 * s + (1 - b2) * g**2
        else:
            m = b1 * m + (1 - b1) * g
            s = b2 * s + (1 - b2) * g**2
        tt = t - 1 if bug == "t from 0" else t + 1 if bug == "t + 1" else t
        if bug == "no correction":
            mh, sh = m, s
        elif bug == "overwrite":
            m, s = m / (1 - b1**tt), s / (1 - b2**tt)
            mh, sh = m, s
        elif bug == "only m":
            mh, sh = m / (1 - b1**tt), s
        elif bug == "only s":
            mh, sh = m, s / (1 - b2**tt)
        else:
            mh, sh = m / (1 - b1**tt), s / (1 - b2**tt)
        x -= (
            lr
            * mh
            / (
                (sh + eps)
                if bug == "no sqrt"
                else np.sqrt(sh + eps)
                if bug == "eps inside"
                else (np.sqrt(sh) + eps)
            )
        )
    return x


def adam_via_gdutils(grad, x0, lr, steps):
    return adam(
        lambda x: 0.0, x0, jac=grad, learning_rate=lr, maxiter=steps, gtol=0.0
    ).x


def adam_corrected_rate(grad, x0, lr, steps):
    # the paper's efficient form: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
    x = np.array(x0, dtype=float)
    m = s = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        lr_t = lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        x = x - lr_t * m / (np.sqrt(s) + 1e-8 * np.sqrt(1 - 0.999**t))
    return x


def adam_paper_efficient(grad, x0, lr, steps):
    # Kingma and Ba's efficient form, with their unscaled eps
    x = np.array(x0, dtype=float)
    m = s = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        x = x - lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(s) + 1e-8)
    return x


def test_adam_zoo():
    zoo.judge(
        ch06.adam.check,
        right=[
            adam_learner,
            adam_via_gdutils,
            adam_corrected_rate,
            adam_paper_efficient,
            lambda *c: adam_learner(*c, bug="eps inside"),
        ],
        wrong=[
            (lambda *c: adam_learner(*c, bug="no correction"), "no bias correction"),
            (lambda *c: adam_learner(*c, bug="t + 1"), "bias correction one step late"),
            (lambda *c: adam_learner(*c, bug="t from 0"), "bias correction from t = 0"),
            (
                lambda *c: adam_learner(*c, bug="overwrite"),
                "corrected state overwritten",
            ),
            (lambda *c: adam_learner(*c, bug="no sqrt"), "square root missing"),
            (
                lambda *c: adam_learner(*c, bug="m forgotten"),
                "momentum state forgotten",
            ),
            (lambda *c: adam_learner(*c, bug="swap"), "betas swapped"),
            (lambda *c: adam_learner(*c, bug="only m"), "only m corrected"),
            (lambda *c: adam_learner(*c, bug="only s"), "only s corrected"),
            (lambda grad, x0, lr, steps: adam_learner(grad, x0, lr, steps - 1), None),
            (
                lambda grad, x0, lr, steps: adam_learner(grad, x0, lr, steps)[:, None],
                "shape",
            ),
        ],
    )


# --- exercise 4: RMSProp's first step -------------------------------------------------


def first_step_measured(rho):
    # the learner measures it with gdutils, at its default eps
    g = np.array([3.0, -0.02])
    one = rmsprop(
        lambda x: float(g @ x),
        np.zeros(2),
        jac=lambda x: g,
        learning_rate=0.01,
        rho=rho,
        maxiter=1,
        gtol=0.0,
    )
    return float(np.abs(one.x[0]) / 0.01)


def test_rmsprop_zoo():
    zoo.judge(
        ch06.rmsprop.check,
        right=[
            ch06.rmsprop_first_step,
            lambda rho: (1 - rho) ** -0.5,
            lambda rho: np.sqrt(1 / (1 - rho)),
            first_step_measured,
        ],
        wrong=[
            (lambda rho: 1 / (1 - rho), "square root missing"),
            (lambda rho: 1.0, "as if bias-corrected"),
            (lambda rho: np.sqrt(1 - rho), "inverted"),
            (lambda rho: 1 / np.sqrt(rho), "used rho instead of 1 - rho"),
            (lambda rho: 1 / np.sqrt(1 - rho**2), "second step"),
            (lambda rho: 10.0, "constant"),
            (lambda rho: 1 - rho, None),
            (lambda rho: "10", "not numbers"),
        ],
    )


# --- exercise 5 (transfer): momentum for the regression, judged by its measured rate --


def bias(X):
    return np.column_stack([X, np.ones(len(X))])


def reg_ok(X):
    H = 2 / len(X) * bias(X).T @ bias(X)
    eig = np.linalg.eigvalsh(H)
    sm, sL = np.sqrt(eig[0]), np.sqrt(eig[-1])
    return 4 / (sL + sm) ** 2, ((sL - sm) / (sL + sm)) ** 2


def reg_svd(X):  # the Hessian's eigenvalues are 2 sigma^2 / n
    s = np.linalg.svd(bias(X), compute_uv=False)
    lam = 2 * s**2 / len(X)
    sm, sL = np.sqrt(lam.min()), np.sqrt(lam.max())
    return [4 / (sL + sm) ** 2, ((sL - sm) / (sL + sm)) ** 2]


def reg_power_iteration(X):
    # L by power iteration, mu by inverse iteration: close, not exact
    H = 2 / len(X) * bias(X).T @ bias(X)
    v = np.ones(len(H))
    for _ in range(500):
        v = H @ v
        v /= np.linalg.norm(v)
    L = v @ H @ v
    w = np.ones(len(H))
    for _ in range(500):
        w = np.linalg.solve(H, w)
        w /= np.linalg.norm(w)
    mu = w @ H @ w
    sm, sL = np.sqrt(mu), np.sqrt(L)
    return 4 / (sL + sm) ** 2, ((sL - sm) / (sL + sm)) ** 2


def reg_eig_unsorted(X):
    # np.linalg.eig does not sort: min and max instead of first and last
    lam = np.linalg.eig(2 * bias(X).T @ bias(X) / len(X))[0].real
    sm, sL = np.sqrt(lam.min()), np.sqrt(lam.max())
    return np.array([4 / (sL + sm) ** 2, ((sL - sm) / (sL + sm)) ** 2])


def reg_from_h(H_of, *, beta_power=2, step="polyak"):
    def f(X):
        eig = np.linalg.eigvalsh(H_of(X))
        mu, L = eig[0], eig[-1]
        sm, sL = np.sqrt(mu), np.sqrt(L)
        lr = 4 / (sL + sm) ** 2 if step == "polyak" else 2 / (L + mu)
        return lr, ((sL - sm) / (sL + sm)) ** beta_power

    return f


def reg_singular_values(X):
    s = np.linalg.svd(bias(X), compute_uv=False)
    sm, sL = np.sqrt(s.min()), np.sqrt(s.max())
    return 4 / (sL + sm) ** 2, ((sL - sm) / (sL + sm)) ** 2


def test_measured_rate_matches_theory_at_and_away_from_the_optimum():
    for (X,) in ch06._regression_cases():
        lam = np.linalg.eigvalsh(2 / len(X) * bias(X).T @ bias(X))
        for lr, beta in [reg_ok(X), (1.5 / lam[-1], 0.3), (1 / lam[-1], 0.0)]:
            theory = momentum_rate(lr, beta, lam)
            assert ch06.measured_rate(X, lr, beta) == pytest.approx(theory, rel=0.03)
        assert ch06.measured_rate(X, 3 / lam[-1], 0.0) == np.inf


def test_regression_zoo():
    H = lambda X: 2 / len(X) * bias(X).T @ bias(X)  # noqa: E731
    zoo.judge(
        ch06.regression.check,
        right=[
            ch06.regression_momentum,
            reg_ok,
            reg_svd,
            reg_power_iteration,
            reg_eig_unsorted,
            lambda X: ch06.heavy_ball_parameters(losses.mse_hessian(X)),
        ],
        wrong=[
            (
                reg_from_h(lambda X: bias(X).T @ bias(X) / len(X)),
                "Hessian without the 2",
            ),
            (reg_from_h(lambda X: 2 * bias(X).T @ bias(X)), "Hessian without 1/n"),
            (reg_from_h(lambda X: 2 / len(X) * X.T @ X), "forgot the bias column"),
            (reg_singular_values, "singular values of A"),
            (reg_from_h(H, beta_power=1), "beta not squared"),
            (reg_from_h(H, step="gd"), "gradient-descent step"),
            (
                lambda X: (
                    reg_ok(X)[0],
                    ((np.linalg.cond(H(X)) - 1) / (np.linalg.cond(H(X)) + 1)) ** 2,
                ),
                "kappa instead of its root",
            ),
            (
                lambda X: ch06.heavy_ball_parameters(np.diag(np.diag(H(X)))),
                "diagonal instead of eigenvalues",
            ),
            (
                lambda X: (
                    2 / (np.linalg.eigvalsh(H(X))[0] + np.linalg.eigvalsh(H(X))[-1]),
                    0.0,
                ),
                "no momentum",
            ),
            (lambda X: reg_ok(X)[::-1], "swapped"),
            (lambda X: (reg_ok(X)[0], 1.2), "out of range"),
            (lambda X: reg_ok(X)[0], "not two numbers"),
            (lambda X: (3 / np.linalg.eigvalsh(H(X))[-1], 0.2), "diverges"),
            (lambda X: (0.5 * reg_ok(X)[0], reg_ok(X)[1]), None),
        ],
    )


# --- exercise 6 (transfer): AMSGrad ---------------------------------------------------


def ams_learner(grad, x0, lr, steps, *, bug=None, b1=0.9, b2=0.999, eps=1e-8):
    x = x0
    m, s, s_hat_max, v_max = (
        np.zeros_like(x),
        np.zeros_like(x),
        np.zeros_like(x),
        np.zeros_like(x),
    )
    s_prev = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        m = (1 - b1) * g if bug == "m forgotten" else b1 * m + (1 - b1) * g
        s_prev, s = s, b2 * s + (1 - b2) * g * g
        if bug == "merged":
            s = np.maximum(s, v_max)
        v_max = np.maximum(v_max, s)
        m_hat = m / (1 - b1**t)
        if bug == "adam":
            denom = s / (1 - b2**t)
        elif bug == "max of corrected":
            s_hat_max = np.maximum(s_hat_max, s / (1 - b2**t))
            denom = s_hat_max
        elif bug == "max of g2":
            s_hat_max = np.maximum(s_hat_max, g * g)
            denom = s_hat_max
        elif bug == "last two":
            denom = np.maximum(s_prev, s) / (1 - b2**t)
        elif bug == "no correction":
            m_hat, denom = m, v_max
        else:
            denom = v_max / (1 - b2**t)
        x -= (
            lr
            * m_hat
            / (
                (denom + eps)
                if bug == "no sqrt"
                else (
                    np.sqrt(denom + eps)
                    if bug == "eps inside"
                    else (np.sqrt(denom) + eps)
                )
            )
        )
    return x


def ams_via_gdutils(grad, x0, lr, steps):
    return adam(
        lambda x: 0.0,
        x0,
        jac=grad,
        learning_rate=lr,
        maxiter=steps,
        gtol=0.0,
        amsgrad=True,
    ).x


def ams_denominator_first(grad, x0, lr, steps):
    # PyTorch's arrangement of the same formula
    x = np.array(x0, dtype=float)
    m = s = s_max = np.zeros_like(x)
    for t in range(1, steps + 1):
        g = grad(x)
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g**2
        s_max = np.maximum(s_max, s)
        denom = np.sqrt(s_max) / np.sqrt(1 - 0.999**t) + 1e-8
        x = x - lr / (1 - 0.9**t) * m / denom
    return x


def test_eps_is_negligible_in_every_adam_and_amsgrad_case():
    """The cases' gradients are large: moving eps (inside the root, scaled) changes the
    iterates by
    far less than the checkers' tolerance rtol=1e-8."""
    fresh = copy.deepcopy  # the learners' loops update x0 in place
    for case in ch06._cases_adam():
        ref = ch06._adam(*fresh(case))
        for other in (
            adam_paper_efficient(*fresh(case)),
            adam_learner(*fresh(case), bug="eps inside"),
        ):
            np.testing.assert_allclose(other, ref, rtol=1e-10, atol=1e-14)
    for case in ch06._cases_amsgrad():
        np.testing.assert_allclose(
            ams_learner(*fresh(case), bug="eps inside"),
            ch06.amsgrad_steps(*fresh(case)),
            rtol=1e-10,
            atol=1e-14,
        )


def test_amsgrad_reference_is_gdutils_amsgrad():
    for case in ch06._cases_amsgrad():
        np.testing.assert_allclose(
            ch06.amsgrad_steps(*case), ams_via_gdutils(*case), rtol=1e-12, atol=1e-15
        )


def test_amsgrad_zoo():
    zoo.judge(
        ch06.amsgrad.check,
        right=[
            ch06.amsgrad_steps,
            ams_learner,
            ams_via_gdutils,
            ams_denominator_first,
            lambda *c: ams_learner(*c, bug="eps inside"),
        ],
        wrong=[
            (lambda *c: ams_learner(*c, bug="adam"), "plain Adam"),
            (
                lambda *c: ams_learner(*c, bug="max of corrected"),
                "maximum of the corrected average",
            ),
            (lambda *c: ams_learner(*c, bug="no correction"), "no bias correction"),
            (
                lambda *c: ams_learner(*c, bug="max of g2"),
                "maximum of the squared gradients",
            ),
            (
                lambda *c: ams_learner(*c, bug="last two"),
                "maximum of the last two averages",
            ),
            (lambda *c: ams_learner(*c, bug="merged"), "maximum stored in the average"),
            (lambda *c: ams_learner(*c, bug="m forgotten"), "momentum state forgotten"),
            (lambda *c: ams_learner(*c, bug="no sqrt"), "square root missing"),
            (lambda grad, x0, lr, steps: ams_learner(grad, x0, lr, steps - 1), None),
        ],
    )
