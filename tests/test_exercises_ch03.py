"""Chapter 3 exercises: the mistake zoo of every exercise, the solutions, the stubs.

The answers are written the way a learner would write them, independently of the
checkers' own mistake models.
"""

import numpy as np
import pytest
import scipy.linalg
import zoo

from gdutils import landscape as ls
from gdutils import objectives as ob
from gdutils.exercises import ch03

EXERCISES = [
    ch03.classify,
    ch03.direction,
    ch03.start,
    ch03.escape,
    ch03.escape_d,
    ch03.saddle_free,
]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_passes_stub_is_not_attempted_hints_render(ex):
    zoo.assert_exercise_basics(ex)


def test_two_transfer_exercises():
    assert [ex.name for ex in EXERCISES if ex.transfer] == [
        "ch03.escape_d",
        "ch03.saddle_free",
    ]


@pytest.mark.parametrize(
    "mistakes",
    [
        ch03._CLASSIFY_MISTAKES,
        ch03._DIRECTION_MISTAKES,
        ch03._ESCAPE_MISTAKES,
        ch03._ESCAPE_D_MISTAKES,
        ch03._SADDLE_FREE_MISTAKES,
    ],
)
def test_every_named_hint_is_markdown_safe(mistakes):
    for m in mistakes:
        zoo.assert_markdown_safe(m.hint)


# --- exercise 1: classify a critical point --------------------------------------------


def classify_ok(H):
    eig = np.linalg.eigvalsh(H)
    tol = 1e-8 * max(1.0, np.abs(eig).max())
    if eig.min() > tol:
        return "minimum"
    if eig.max() < -tol:
        return "maximum"
    if eig.min() < -tol and eig.max() > tol:
        return "saddle"
    return "degenerate"


def classify_counting(H):
    # counts signs, a loop over the eigenvalues, relative tolerance 1e-10
    eig = np.linalg.eig(H)[0].real
    scale = max(1.0, max(abs(e) for e in eig))
    pos = neg = zero = 0
    for e in eig:
        if e > 1e-10 * scale:
            pos += 1
        elif e < -1e-10 * scale:
            neg += 1
        else:
            zero += 1
    if pos and neg:
        return "Saddle"
    if zero:
        return "degenerate "
    return "minimum" if pos else "maximum"


def classify_in_place(H):  # symmetrises its argument in place first
    H += H.T
    H /= 2
    return classify_ok(H)


def test_classify_zoo():
    zoo.judge(
        ch03.classify.check,
        right=[
            classify_ok,
            classify_counting,
            classify_in_place,
            ls.classify_critical_point,
        ],
        wrong=[
            (lambda H: classify_ok(np.diag(np.diag(H))), "diagonal entries"),
            (
                lambda H: {1: "minimum", -1: "saddle", 0: "degenerate"}[
                    int(np.sign(np.round(np.linalg.det(H), 12)))
                ],
                "determinant test",
            ),
            (
                lambda H: (
                    "minimum"
                    if np.all(np.linalg.eigvalsh(H) >= 0)
                    else "maximum"
                    if np.all(np.linalg.eigvalsh(H) <= 0)
                    else "saddle"
                ),
                None,
            ),
            (
                lambda H: {"minimum": "maximum", "maximum": "minimum"}.get(
                    classify_ok(H), classify_ok(H)
                ),
                "minimum and maximum swapped",
            ),
            (
                lambda H: (
                    "saddle"
                    if np.linalg.eigvalsh(H).min() < 0 < np.linalg.eigvalsh(H).max()
                    else (
                        "degenerate"
                        if np.any(np.linalg.eigvalsh(H) == 0)
                        else "minimum"
                        if np.linalg.eigvalsh(H).min() > 0
                        else "maximum"
                    )
                ),
                "exact zero test",
            ),
            (
                lambda H: "saddle" if classify_ok(H) == "maximum" else classify_ok(H),
                "maximum called a saddle",
            ),
            (lambda H: ls.classify_critical_point(H, tol=1e-2), "tolerance too loose"),
            (lambda H: "min", "label"),
            (lambda H: 0, "label"),
            (lambda H: "saddle", None),
            (lambda H: None, "no return"),
            (lambda H: 1 / 0, "raised an exception"),
        ],
    )


def test_non_strict_with_tolerance_is_named():
    def non_strict(H):
        eig = np.linalg.eigvalsh(H)
        return (
            "minimum"
            if np.all(eig >= -1e-12)
            else "maximum"
            if np.all(eig <= 1e-12)
            else "saddle"
        )

    assert ch03.classify.check(non_strict).mistake == "non-strict inequalities"


# --- exercise 2: the escape direction -------------------------------------------------


def direction_eig(H):
    vals, vecs = np.linalg.eig(H)
    v = np.real(vecs[:, np.argmin(np.real(vals))])
    return v / np.linalg.norm(v)


def direction_power(H):
    # power iteration on (c I - H): its top eigenvector is H's bottom one
    c = np.abs(H).sum() + 1.0
    M = c * np.eye(len(H)) - H
    v = np.ones(len(H)) / np.sqrt(len(H)) + np.arange(len(H)) * 1e-3
    for _ in range(5000):
        v = M @ v
        v /= np.linalg.norm(v)
    return v


def test_direction_zoo():
    zoo.judge(
        ch03.direction.check,
        right=[
            direction_eig,
            lambda H: -direction_eig(H),
            lambda H: np.linalg.eigh(H)[1][:, 0],
            lambda H: list(np.linalg.eigh(H)[1][:, 0]),
            direction_power,
        ],
        wrong=[
            (lambda H: np.linalg.eigh(H)[1][:, -1], "largest eigenvalue"),
            (lambda H: np.linalg.eigh(H)[1][0], "row instead of column"),
            (lambda H: np.linalg.eig(H)[1][:, 0], "unsorted eig"),
            (
                lambda H: np.linalg.eigh(H)[1][
                    :, np.sum(np.linalg.eigvalsh(H) < 0) - 1
                ],
                "least negative eigenvalue",
            ),
            (lambda H: 2.5 * direction_eig(H), "not normalised"),
            (lambda H: np.zeros(len(H)), "zero gradient"),
            (lambda H: direction_eig(H)[:1], "shape"),
            (lambda H: np.linalg.eigvalsh(H)[0], "shape"),
            (lambda H: np.ones(len(H)) / np.sqrt(len(H)), None),
            (lambda H: None, "no return"),
        ],
    )


def test_direction_is_the_one_noisy_gd_escapes_along():
    # Independent reference: from a saddle of the multi-well, noisy escapes leave along
    # +-direction.
    w = ob.multi_well()
    S = ch03.EXERCISE_SADDLE
    u = direction_eig(w.hess(S))
    for seed in range(5):
        traj = ls.noisy_gd(
            w.grad, S, learning_rate=0.1, noise=1e-6, steps=200, rng=seed
        )
        k = np.argmax(np.linalg.norm(traj - S, axis=1) > 0.02)
        step = traj[k] - S
        assert abs(step @ u) / np.linalg.norm(step) > 0.99


# --- exercise 3: a start towards a chosen minimum -------------------------------------


def towards(S, H, target, radius):
    vals, vecs = np.linalg.eig(H)
    u = np.real(vecs[:, np.argmin(vals.real)])
    if u @ (target - S) < 0:
        u = -u
    return S + 0.9 * radius * u / np.linalg.norm(u)


def straight_at_target(S, H, target, radius):
    # moves straight at the target: the escape component is right too
    d = target - S
    return S + 0.5 * radius * d / np.linalg.norm(d)


def in_place_start(S, H, target, radius):  # updates S in place and returns it
    u = np.linalg.eigh(H)[1][:, 0]
    S += 0.3 * radius * np.sign(u @ (target - S)) * u
    return S


def _u(H):
    return np.linalg.eigh(H)[1][:, 0]


def test_start_zoo():
    zoo.judge(
        ch03.start.check,
        right=[towards, straight_at_target, in_place_start, ch03._towards],
        wrong=[
            (lambda S, H, t, r: S, "exactly on the saddle"),
            (
                lambda S, H, t, r: S - 0.5 * r * np.sign(_u(H) @ (t - S)) * _u(H),
                "wrong side",
            ),
            (lambda S, H, t, r: S + 0.5 * r * _u(H), "wrong side"),
            (
                lambda S, H, t, r: S + 0.5 * r * np.linalg.eigh(H)[1][:, 1],
                "stable direction",
            ),
            (
                lambda S, H, t, r: S + 3 * r * np.sign(_u(H) @ (t - S)) * _u(H),
                "too far",
            ),
            (lambda S, H, t, r: t, "too far"),
            (
                lambda S, H, t, r: 0.5 * r * np.sign(_u(H) @ (t - S)) * _u(H),
                "offset, not point",
            ),
            (lambda S, H, t, r: np.append(S, 0.0), "shape"),
            (lambda S, H, t, r: "here", "not numbers"),
            (lambda S, H, t, r: None, "no return"),
        ],
    )


def test_start_cases_cover_both_neighbours_of_every_saddle():
    cases = ch03._start_cases()
    w = ob.multi_well()
    assert len(cases) == 8
    for k in range(0, 8, 2):
        # the two sides lead to different minima
        assert not np.allclose(cases[k][2], cases[k + 1][2])
    for S, H, _target, _r in cases:
        assert (
            np.max(np.abs(w.grad(S))) < 1e-12
            and ls.classify_critical_point(H) == "saddle"
        )


def test_single_start_checker():
    w = ob.multi_well()
    S = ch03.EXERCISE_SADDLE
    u = _u(w.hess(S))
    toward = u if u @ (w.minimizers[0] - S) > 0 else -u
    assert ch03.check_start(S + 0.03 * toward).passed
    assert ch03.check_start(None).status == "not attempted"
    assert ch03.check_start(S - 0.03 * toward).mistake == "wrong side"
    assert ch03.check_start(S).mistake == "exactly on the saddle"
    assert ch03.check_start(S + 0.2 * toward).mistake == "too far"


# --- exercise 4: the escape time under noise ------------------------------------------


def escape_ok(rate, noise, lam, r):
    q = 1 + rate * abs(lam)
    return np.log(r / (rate * noise / np.sqrt(q**2 - 1))) / np.log(q)


def escape_log1p(rate, noise, lam, r):
    q = np.log1p(-rate * lam)  # lam < 0
    sig = rate * noise / np.sqrt(np.expm1(2 * q))  # q^2 - 1 = exp(2 ln q) - 1
    return (np.log(r) - np.log(sig)) / q


def test_escape_zoo():
    zoo.judge(
        ch03.escape.check,
        right=[
            escape_ok,
            escape_log1p,
            ch03.escape_steps_reference,
            lambda e, s, l, r: (
                np.log2(r * np.sqrt((1 + e * abs(l)) ** 2 - 1) / (e * s))
                / np.log2(1 + e * abs(l))
            ),
        ],
        wrong=[
            (
                lambda e, s, l, r: (
                    np.log(r * np.sqrt((1 + e * abs(l)) ** 2 - 1) / (e * s))
                    / (e * abs(l))
                ),
                "small-step approximation",
            ),
            (lambda e, s, l, r: np.log(r / s) / np.log(1 + e * abs(l)), "raw noise"),
            (
                lambda e, s, l, r: np.log(r / (e * s)) / np.log(1 + e * abs(l)),
                "one kick only",
            ),
            (
                lambda e, s, l, r: (
                    np.log10(r * np.sqrt((1 + e * abs(l)) ** 2 - 1) / (e * s))
                    / np.log(1 + e * abs(l))
                ),
                "log10",
            ),
            (
                lambda e, s, l, r: (
                    np.log(r * np.sqrt((1 + e * abs(l)) ** 2 - 1) / (e * s))
                    / np.log(1 + abs(l))
                ),
                "rate left out",
            ),
            (
                lambda e, s, l, r: (
                    np.log(r / (s * np.sqrt(e / (2 * abs(l))))) / np.log(1 + e * abs(l))
                ),
                "approximate effective noise",
            ),
            (
                lambda e, s, l, r: (
                    np.log(r * ((1 + e * abs(l)) ** 2 - 1) / (e * s) ** 2)
                    / np.log(1 + e * abs(l))
                ),
                "sigma_eff squared",
            ),
            (lambda e, s, l, r: -escape_ok(e, s, l, r), "radius and noise swapped"),
            (lambda e, s, l, r: np.ceil(escape_ok(e, s, l, r)), None),
            (lambda e, s, l, r: str(escape_ok(e, s, l, r)), "not numbers"),
        ],
    )


def test_escape_number_for_the_printed_setting_and_the_prediction_holds():
    s = ch03.ESCAPE_SETTING
    eta, sigma, lam, r = s["learning_rate"], s["noise"], s["curvature"], s["radius"]
    right = escape_ok(eta, sigma, lam, r)
    assert ch03.check_escape_steps(right).passed
    assert (
        ch03.check_escape_steps(np.log(r / sigma) / np.log(1 + eta * abs(lam))).mistake
        == "raw noise"
    )
    saddle = ob.saddle(1.0, -lam / 2)
    t = ls.escape_times(
        saddle.grad,
        [0.0, 0.0],
        learning_rate=eta,
        noise=sigma,
        radius=r,
        n_runs=300,
        rng=0,
    )
    assert 1 / 1.25 < t.mean() / right < 1.25


# --- exercise 5 (transfer): the escape time in d dimensions ---------------------------


def escape_d_ok(H, offset, rate, radius):
    lam, V = np.linalg.eigh(H)
    return np.log(radius / abs(V[:, 0] @ offset)) / np.log(1 + rate * abs(lam[0]))


def escape_d_eig_loop(H, offset, rate, radius):
    # unsorted eig, a loop to find the most negative
    vals, vecs = np.linalg.eig(H)
    k = 0
    for i in range(len(vals)):
        if vals[i].real < vals[k].real:
            k = i
    u = vecs[:, k].real / np.linalg.norm(vecs[:, k].real)
    return np.log(radius / np.abs(np.dot(u, offset))) / np.log1p(rate * -vals[k].real)


def escape_d_by_simulation_then_formula(H, offset, rate, radius):
    # exact growth factor from the step matrix
    M = np.eye(len(H)) - rate * H
    mu, W = np.linalg.eigh(M)
    c = abs(W[:, -1] @ offset)
    return np.log(radius / c) / np.log(mu[-1])


def test_escape_d_prediction_is_what_gd_does():
    for H, offset, rate, radius in ch03._cases_escape_d():
        u = np.linalg.eigh(H)[1][:, 0]
        x, k = offset.copy(), 0
        while abs(u @ x) < radius:
            x = x - rate * H @ x
            k += 1
        T = ch03.escape_steps_d(H, offset, rate, radius)
        assert T <= k + 1e-9 < T + 1


def test_escape_d_zoo():
    def lam_v(H):
        return np.linalg.eigh(H)

    zoo.judge(
        ch03.escape_d.check,
        right=[escape_d_ok, escape_d_eig_loop, escape_d_by_simulation_then_formula],
        wrong=[
            (
                lambda H, o, e, r: (
                    np.log(r / np.linalg.norm(o)) / np.log(1 + e * abs(lam_v(H)[0][0]))
                ),
                "no projection",
            ),
            (
                lambda H, o, e, r: (
                    np.log(r / abs(lam_v(H)[1][:, 1] @ o))
                    / np.log(1 + e * abs(lam_v(H)[0][1]))
                ),
                "least negative eigenvalue",
            ),
            (
                lambda H, o, e, r: (
                    np.log(r / abs(lam_v(H)[1][:, -1] @ o))
                    / np.log(1 + e * abs(lam_v(H)[0][-1]))
                ),
                "largest eigenvalue",
            ),
            (
                lambda H, o, e, r: (
                    np.log(r / abs(lam_v(H)[1][:, 0] @ o)) / (e * abs(lam_v(H)[0][0]))
                ),
                "small-step approximation",
            ),
            (
                lambda H, o, e, r: (
                    np.log(r / abs(lam_v(H)[1][0] @ o))
                    / np.log(1 + e * abs(lam_v(H)[0][0]))
                ),
                "row instead of column",
            ),
            (
                lambda H, o, e, r: (
                    np.log10(r / abs(lam_v(H)[1][:, 0] @ o))
                    / np.log(1 + e * abs(lam_v(H)[0][0]))
                ),
                "log10",
            ),
            (
                lambda H, o, e, r: (
                    np.log(r / abs(lam_v(H)[1][:, 0] @ o))
                    / np.log(1 + abs(lam_v(H)[0][0]))
                ),
                "rate left out",
            ),
            (
                lambda H, o, e, r: (
                    np.log(r / (lam_v(H)[1][:, 0] @ o))
                    / np.log(1 + e * abs(lam_v(H)[0][0]))
                ),
                "signed component",
            ),
            (lambda H, o, e, r: np.ceil(escape_d_ok(H, o, e, r)), None),
            (lambda H, o, e, r: 100.0, None),
        ],
    )


# --- exercise 6 (transfer): the saddle-free Newton step -------------------------------


def sfn_ok(g, H):
    lam, V = np.linalg.eigh(H)
    return -V @ np.diag(1 / np.abs(lam)) @ V.T @ g


def sfn_loop(g, H):
    lam, V = np.linalg.eigh(H)
    step = np.zeros_like(g, dtype=float)
    for i in range(len(lam)):
        step -= (V[:, i] @ g) / abs(lam[i]) * V[:, i]
    return step


def sfn_sqrtm(g, H):  # |H| = sqrt(H^2), then a linear solve
    absH = np.real(scipy.linalg.sqrtm(H @ H))
    return -np.linalg.solve(absH, g)


def sfn_in_place(g, H):  # builds the step in place in its own array
    lam, V = np.linalg.eigh(H)
    step = V.T @ g
    step /= np.abs(lam)
    step = V @ step
    step *= -1
    return step


def sfn_overwrites_g(g, H):  # overwrites the caller's gradient with the step
    lam, V = np.linalg.eigh(H)
    g[:] = -V @ ((V.T @ g) / np.abs(lam))
    return g


def test_saddle_free_zoo():
    def ev(H):
        return np.linalg.eigh(H)

    zoo.judge(
        ch03.saddle_free.check,
        right=[sfn_ok, sfn_loop, sfn_sqrtm, sfn_in_place, ch03.saddle_free_step],
        wrong=[
            (lambda g, H: -np.linalg.inv(H) @ g, "plain Newton"),
            (lambda g, H: -sfn_ok(g, H), "uphill"),
            (lambda g, H: -g, "gradient step"),
            (
                lambda g, H: -ev(H)[1].T @ ((ev(H)[1] @ g) / np.abs(ev(H)[0])),
                "rows instead of columns",
            ),
            (
                lambda g, H: -ev(H)[1] @ ((ev(H)[1].T @ g) / ev(H)[0] ** 2),
                "squared eigenvalues",
            ),
            (lambda g, H: -np.linalg.solve(np.abs(H), g), "absolute entries"),
            (
                lambda g, H: -ev(H)[1] @ ((ev(H)[1].T @ g) * np.abs(ev(H)[0])),
                "multiplied by the eigenvalues",
            ),
            (
                lambda g, H: -(ev(H)[1].T @ g) / np.abs(ev(H)[0]),
                "components not put back",
            ),
            (lambda g, H: sfn_ok(g, H)[:-1], "shape"),
            (lambda g, H: -g / np.abs(np.diag(H)), None),
            (sfn_overwrites_g, "mutates its input"),
        ],
    )


def test_saddle_free_step_goes_downhill_where_newton_goes_up():
    w = ob.multi_well()
    S = ch03.EXERCISE_SADDLE
    rng = np.random.default_rng(0)
    ups = 0
    for p in S + 0.1 * rng.standard_normal((200, 2)):
        g, H = w.grad(p), w.hess(p)
        assert g @ ch03.saddle_free_step(g, H) < 0
        ups += g @ -np.linalg.solve(H, g) > 0
    assert ups > 0
