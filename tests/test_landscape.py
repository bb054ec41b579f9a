"""Landscape helpers against closed forms, gradient_descent and direct simulation."""

import itertools

import numpy as np
import pytest

import gdutils as gdu
from gdutils import landscape as ls
from gdutils import objectives as ob


def _rotation(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


# --- classification -------------------------------------------------------------------


@pytest.mark.parametrize(
    "eigs, label",
    [
        ([2.0, 1.0], "minimum"),
        ([-2.0, -0.5], "maximum"),
        ([3.0, -1e-3], "saddle"),
        ([1.0, 0.0], "degenerate"),
        ([0.0, -4.0], "degenerate"),
        ([0.0, 0.0], "degenerate"),
        ([1.0, 0.0, -1.0], "saddle"),  # a zero eigenvalue does not hide a strict saddle
        ([5.0, 4.0, 1e-6], "minimum"),
    ],
)
def test_classification_is_invariant_under_rotation(eigs, label):
    d = len(eigs)
    Q, _ = np.linalg.qr(np.random.default_rng(d).standard_normal((d, d)))
    H = Q @ np.diag(eigs) @ Q.T
    H = (H + H.T) / 2
    assert ls.classify_critical_point(np.diag(eigs)) == label
    assert ls.classify_critical_point(H) == label


def test_classification_agrees_with_cholesky_on_random_matrices():
    # Independent reference: a matrix is positive definite iff its Cholesky
    # factorisation exists.
    for H in ls.random_symmetric(3, 300, rng=0):
        try:
            np.linalg.cholesky(H)
            pd = True
        except np.linalg.LinAlgError:
            pd = False
        try:
            np.linalg.cholesky(-H)
            nd = True
        except np.linalg.LinAlgError:
            nd = False
        want = "minimum" if pd else "maximum" if nd else "saddle"
        assert ls.classify_critical_point(H) == want


def test_diagonal_is_not_enough():
    H = np.array([[1.0, 2.0], [2.0, 1.0]])  # eigenvalues 3 and -1
    assert ls.classify_critical_point(H) == "saddle"
    assert (
        ls.classify_critical_point(
            _rotation(0.3) @ np.diag([1.0, -1.0]) @ _rotation(0.3).T
        )
        == "saddle"
    )


def test_tolerance_is_relative_to_the_largest_eigenvalue():
    assert ls.classify_critical_point(np.diag([1e6, 1e-5])) == "degenerate"
    assert ls.classify_critical_point(np.diag([1e6, 1e-5]), tol=1e-12) == "minimum"
    # tiny, but far above tol * max(1, largest)
    assert ls.classify_critical_point(np.diag([1e-6, 2e-6])) == "minimum"


def test_classification_bad_inputs():
    with pytest.raises(ValueError, match=r"square matrix of shape \(d, d\)"):
        ls.classify_critical_point(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"square matrix of shape \(d, d\)"):
        ls.classify_critical_point([1.0, 2.0])
    with pytest.raises(ValueError, match="symmetric"):
        ls.classify_critical_point([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="NaN or inf"):
        ls.classify_critical_point([[np.nan, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="tol"):
        ls.classify_critical_point(np.eye(2), tol=-1.0)


# --- noisy gradient descent -----------------------------------------------------------


def test_noise_free_noisy_gd_is_gradient_descent():
    w = ob.multi_well()
    traj = ls.noisy_gd(w.grad, [1.5, 1.7], learning_rate=0.1, steps=40)
    res = gdu.gradient_descent(
        w.fun, [1.5, 1.7], jac=w.grad, learning_rate=0.1, maxiter=40, gtol=0.0
    )
    np.testing.assert_array_equal(traj, res.trajectory)


def test_noisy_gd_with_a_schedule_matches_gradient_descent():
    r = ob.rosenbrock()
    sched = gdu.schedules.inverse_time(1e-3, decay=0.01)
    traj = ls.noisy_gd(r.grad, [-1.2, 1.0], learning_rate=sched, steps=30)
    res = gdu.gradient_descent(
        r.fun, [-1.2, 1.0], jac=r.grad, learning_rate=sched, maxiter=30, gtol=0.0
    )
    np.testing.assert_allclose(traj, res.trajectory, rtol=1e-15)


def test_noise_has_the_stated_size_and_is_seeded():
    eta, sigma = 0.2, 0.5
    traj = ls.noisy_gd(
        lambda x: np.zeros_like(x),
        np.zeros(3),
        learning_rate=eta,
        noise=sigma,
        steps=20_000,
        rng=1,
    )
    steps = np.diff(traj, axis=0)
    assert (
        abs(steps.std() / (eta * sigma) - 1) < 0.02
        and abs(steps.mean()) < 0.01 * eta * sigma
    )
    again = ls.noisy_gd(
        lambda x: np.zeros_like(x),
        np.zeros(3),
        learning_rate=eta,
        noise=sigma,
        steps=5,
        rng=1,
    )
    np.testing.assert_array_equal(again, traj[:6])


def test_noisy_gd_runs_stacks_and_stops_before_overflow():
    s = ob.saddle()
    starts = np.array([[1.0, 0.0], [0.0, 1e-3], [1.0, 1.0]])
    traj = ls.noisy_gd(s.grad, starts, learning_rate=0.1, steps=10)
    assert traj.shape == (11, 3, 2)
    for i in range(3):
        np.testing.assert_allclose(
            traj[:, i], ls.noisy_gd(s.grad, starts[i], learning_rate=0.1, steps=10)
        )
    blow = ls.noisy_gd(lambda x: -(x**3), [1.0], learning_rate=1.0, steps=50)
    assert np.all(np.isfinite(blow)) and len(blow) < 51


def test_noisy_gd_bad_inputs():
    g = lambda x: x  # noqa: E731
    with pytest.raises(ValueError, match="noise"):
        ls.noisy_gd(g, [1.0], noise=-1.0)
    with pytest.raises(ValueError, match="steps"):
        ls.noisy_gd(g, [1.0], steps=2.5)
    with pytest.raises(ValueError, match=r"\(d,\) or \(n, d\)"):
        ls.noisy_gd(g, np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="learning_rate"):
        ls.noisy_gd(g, [1.0], learning_rate=0.0)
    with pytest.raises(ValueError, match="same shape"):
        ls.noisy_gd(lambda x: np.ones(3), [1.0, 2.0])


# --- escape times and their prediction ------------------------------------------------


def test_deterministic_escape_matches_the_prediction_to_the_step():
    # From (0, delta) on a y^2 - curvature saddle, y_k = delta * q^k exactly: escape at
    # ceil(T).
    for lam, eta, delta, r in [
        (-2.0, 0.1, 1e-6, 0.5),
        (-0.5, 0.05, 1e-3, 1.0),
        (-4.0, 0.2, 1e-9, 2.0),
    ]:
        s = ob.saddle(1.0, -lam / 2)
        t = ls.escape_times(
            s.grad,
            [0.0, 0.0],
            x0=[0.0, delta],
            learning_rate=eta,
            noise=0.0,
            radius=r,
            n_runs=3,
        )
        want = np.ceil(ls.predicted_escape_time(r, delta, eta, lam))
        np.testing.assert_array_equal(t, want)


def test_escape_times_agree_with_single_runs_of_noisy_gd():
    s = ob.saddle(1.0, 0.5)
    for seed in range(5):
        t = ls.escape_times(
            s.grad,
            [0.0, 0.0],
            learning_rate=0.1,
            noise=1e-3,
            radius=0.2,
            n_runs=1,
            rng=seed,
        )
        traj = ls.noisy_gd(
            s.grad, [0.0, 0.0], learning_rate=0.1, noise=1e-3, steps=400, rng=seed
        )
        first = np.argmax(np.linalg.norm(traj, axis=1) >= 0.2)
        assert first > 0 and t[0] == first


def test_effective_noise_is_the_limit_of_the_linear_recursion():
    for sigma, eta, lam in [(1.0, 0.1, -1.0), (1e-3, 0.05, -4.0), (2.0, 0.3, -0.2)]:
        q = 1 + eta * abs(lam)
        k = np.arange(4000)
        # std of u_k / q^k as k -> infinity
        spread = eta * sigma * np.sqrt(np.sum(q ** (-2.0 * (k + 1))))
        assert np.isclose(ls.effective_noise(sigma, eta, lam), spread, rtol=1e-12)
        assert np.isclose(
            ls.effective_noise(sigma, eta, lam),
            sigma * np.sqrt(eta / (2 * abs(lam))),
            rtol=0.1,
        )


def test_mean_noisy_escape_time_matches_the_prediction():
    eta, r = 0.1, 0.5
    for lam, sigma in [(-1.0, 1e-5), (-2.0, 1e-3), (-0.5, 1e-2)]:
        s = ob.saddle(1.0, -lam / 2)
        t = ls.escape_times(
            s.grad,
            [0.0, 0.0],
            learning_rate=eta,
            noise=sigma,
            radius=r,
            n_runs=400,
            rng=3,
        )
        base = ls.predicted_escape_time(
            r, ls.effective_noise(sigma, eta, lam), eta, lam
        )
        # The random amplitude |Z| of the built-up noise adds E[-log|Z|] = (euler_gamma
        # + log 2) / 2 e-folds.
        corrected = base + (np.euler_gamma + np.log(2)) / 2 / np.log1p(eta * abs(lam))
        assert not np.isnan(t).any()
        assert 1.0 < t.mean() / base < 1.25
        assert abs(t.mean() / corrected - 1) < 0.04


def test_escape_times_edge_cases_and_bad_inputs():
    s = ob.saddle()
    stuck = ls.escape_times(
        s.grad,
        [0.0, 0.0],
        learning_rate=0.1,
        noise=0.0,
        radius=0.1,
        n_runs=4,
        max_steps=50,
    )
    assert np.isnan(stuck).all()
    outside = ls.escape_times(
        s.grad,
        [0.0, 0.0],
        x0=[1.0, 0.0],
        learning_rate=0.1,
        noise=0.0,
        radius=0.5,
        n_runs=2,
    )
    np.testing.assert_array_equal(outside, [0.0, 0.0])
    with pytest.raises(ValueError, match="radius"):
        ls.escape_times(s.grad, [0.0, 0.0], learning_rate=0.1, noise=0.1, radius=0.0)
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\)"):
        ls.escape_times(
            s.grad, [0.0, 0.0], x0=[0.0], learning_rate=0.1, noise=0.1, radius=1.0
        )
    with pytest.raises(ValueError, match="n_runs"):
        ls.escape_times(
            s.grad, [0.0, 0.0], learning_rate=0.1, noise=0.1, radius=1.0, n_runs=0
        )
    for bad in (1.0, 0.0, np.nan, "x"):
        with pytest.raises(ValueError, match="negative Hessian eigenvalue"):
            ls.predicted_escape_time(1.0, 1e-3, 0.1, bad)
        with pytest.raises(ValueError, match="negative Hessian eigenvalue"):
            ls.effective_noise(1.0, 0.1, bad)
    with pytest.raises(ValueError, match="scale"):
        ls.predicted_escape_time(1.0, 0.0, 0.1, -1.0)


# --- basins of attraction -------------------------------------------------------------


def test_basin_map_of_a_separable_double_well():
    p = ob.plateau_saddle()
    labels = ls.basin_map(
        p.grad,
        p.minimizers,
        xlim=(-2, 2),
        ylim=(-1, 1),
        resolution=41,
        learning_rate=0.1,
    )
    xs = np.linspace(-2, 2, 41)
    # minimizers sorted: (-1, 0) first
    want = np.where(xs < 0, 0, np.where(xs > 0, 1, -1))
    for row in labels:
        np.testing.assert_array_equal(row, want)


def test_basin_map_agrees_with_gradient_descent():
    w = ob.multi_well()
    M = np.array(w.minimizers)
    res_, lim = 31, (-2.5, 2.5)
    for eta in (0.1, 0.4):
        labels = ls.basin_map(
            w.grad, M, xlim=lim, ylim=lim, resolution=res_, learning_rate=eta
        )
        grid = np.linspace(*lim, res_)
        rng = np.random.default_rng(0)
        for i, j in rng.integers(0, res_, (25, 2)):
            r = gdu.gradient_descent(
                w.fun,
                [grid[j], grid[i]],
                jac=w.grad,
                learning_rate=eta,
                maxiter=3000,
                gtol=1e-9,
            )
            if r.status == 2:
                assert labels[i, j] == -1
            else:
                assert labels[i, j] == int(np.argmin(np.linalg.norm(M - r.x, axis=1)))
    # at rate 0.4 some far starts diverge
    assert set(np.unique(labels)) == {
        -1,
        0,
        1,
        2,
        3,
    }


def test_basin_map_bad_inputs():
    g = lambda p: p  # noqa: E731
    with pytest.raises(ValueError, match=r"shape \(m, 2\)"):
        ls.basin_map(g, [0.0, 0.0], xlim=(-1, 1), ylim=(-1, 1))
    with pytest.raises(ValueError, match="xlim"):
        ls.basin_map(g, [[0.0, 0.0]], xlim=(1, -1), ylim=(-1, 1))
    with pytest.raises(ValueError, match="resolution"):
        ls.basin_map(g, [[0.0, 0.0]], xlim=(-1, 1), ylim=(-1, 1), resolution=0)


# --- gradient descent from random starts, Newton's method -----------------------------


def test_the_chapters_square_is_invariant_and_eta_is_below_one_over_L():
    # The chapter applies the saddle-avoidance theorem on [-1.5, 1.5]^2 with eta = 0.1:
    # one gradient step maps the square into itself (each coordinate map is increasing
    # there and the boundary moves inwards), and every Hessian eigenvalue on it is below
    # 1 / eta in size.
    w, box, eta = ob.multi_well(), 1.5, 0.1
    t = np.linspace(-box, box, 301)
    P = np.column_stack([g.ravel() for g in np.meshgrid(t, t)])
    step = P - eta * w.grad(P)
    assert np.abs(step).max() < box
    eig = np.linalg.eigvalsh(w.hess(P))
    corners = np.linalg.eigvalsh(
        w.hess(np.array([[box, box], [-box, box], [box, -box], [-box, -box]]))
    )
    assert np.abs(eig).max() == np.abs(corners).max() and eta * np.abs(eig).max() < 1


def test_newton_jumps_onto_a_quadratic_saddle_and_matches_a_plain_loop():
    s = ob.saddle(0.5, 3.0)
    traj = ls.newton_iterates(s.grad, s.hess, [0.4, -0.7], steps=3)
    # the quadratic model is exact: one step
    np.testing.assert_allclose(traj[1:], 0.0, atol=1e-15)
    w = ob.multi_well()
    x = np.array([0.3, -0.9])
    want = [x.copy()]
    for _ in range(6):
        x = x - np.linalg.solve(w.hess(x), w.grad(x))
        want.append(x.copy())
    np.testing.assert_allclose(
        ls.newton_iterates(w.grad, w.hess, [0.3, -0.9], steps=6),
        want,
        rtol=1e-13,
        atol=1e-15,
    )
    assert ls.newton_iterates(w.grad, w.hess, [0.3, -0.9], steps=0).shape == (1, 2)


def test_newton_converges_to_every_saddle_from_within_0_15_and_gd_never_does():
    # The chapter's claim, on a dense polar grid: Newton from within 0.15 of a saddle of
    # the multi-well landscape converges to that saddle; gradient descent (eta = 0.1)
    # leaves it.
    w = ob.multi_well()
    th = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    r = np.linspace(0.01, 0.15, 15)
    ring = np.column_stack(
        [np.outer(r, np.cos(th)).ravel(), np.outer(r, np.sin(th)).ravel()]
    )
    for s in w.critical_points["saddle"]:
        ends = ls.newton_iterates(w.grad, w.hess, s + ring, steps=40)[-1]
        assert np.linalg.norm(ends - s, axis=1).max() < 1e-12
        gd = ls.noisy_gd(w.grad, s + ring, learning_rate=0.1, steps=400)[-1]
        assert set(ls.critical_point_reached(gd, w.critical_points)) == {"minimum"}


def test_newton_runs_stacks_and_marks_failed_runs_nan():
    w = ob.multi_well()
    starts = np.array([[0.2, 0.3], [1.2, -1.0], [-0.9, 0.1]])
    traj = ls.newton_iterates(w.grad, w.hess, starts, steps=8)
    assert traj.shape == (9, 3, 2)
    for i in range(3):
        np.testing.assert_allclose(
            traj[:, i],
            ls.newton_iterates(w.grad, w.hess, starts[i], steps=8),
            rtol=1e-13,
        )
    # f = x^3 / 3 - x: Newton is undefined where f'' = 2x = 0; that run turns NaN, the
    # other goes on.
    grad = lambda p: p**2 - 1  # noqa: E731
    hess = lambda p: 2 * p[..., None]  # noqa: E731
    traj = ls.newton_iterates(grad, hess, np.array([[0.0], [3.0]]), steps=10)
    assert np.all(np.isnan(traj[1:, 0])) and abs(traj[-1, 1, 0] - 1) < 1e-12
    single = ls.newton_iterates(
        lambda x: x**2 - 1, lambda x: np.array([[2 * x[0]]]), [0.0], steps=3
    )
    assert single.shape == (4, 1) and np.all(np.isnan(single[1:]))


def test_newton_bad_inputs():
    g = lambda x: x  # noqa: E731
    h = lambda x: np.eye(1)  # noqa: E731
    with pytest.raises(ValueError, match="steps"):
        ls.newton_iterates(g, h, [1.0], steps=-1)
    with pytest.raises(ValueError, match=r"\(d,\) or \(n, d\)"):
        ls.newton_iterates(g, h, np.ones((2, 2, 2)))


def test_critical_point_reached():
    w = ob.multi_well()
    pts = [p for v in w.critical_points.values() for p in v]
    labels = ls.critical_point_reached(np.array(pts) + 1e-8, w.critical_points)
    assert labels.tolist() == [k for k, v in w.critical_points.items() for _ in v]
    assert ls.critical_point_reached(pts[0] + 1e-3, w.critical_points) == "none"
    assert (
        ls.critical_point_reached(pts[0] + 1e-3, w.critical_points, tol=1e-2)
        == "maximum"
    )
    assert ls.critical_point_reached([[np.nan, 0.0]], w.critical_points).tolist() == [
        "none"
    ]
    with pytest.raises(ValueError, match="dimension"):
        ls.critical_point_reached([[0.0, 0.0, 0.0]], w.critical_points)
    with pytest.raises(ValueError, match="empty"):
        ls.critical_point_reached([0.0, 0.0], {})
    with pytest.raises(ValueError, match="tol"):
        ls.critical_point_reached([0.0, 0.0], w.critical_points, tol=0.0)


# --- random symmetric matrices --------------------------------------------------------


def test_random_symmetric_is_the_goe():
    A = ls.random_symmetric(4, 20_000, rng=0)
    assert np.array_equal(A, A.transpose(0, 2, 1))
    assert abs(A[:, 0, 0].var() - 1.0) < 0.03 and abs(A[:, 0, 1].var() - 0.5) < 0.02
    assert abs(np.mean(A[:, 1, 2] * A[:, 0, 3])) < 0.02


def test_positive_definite_fraction_closed_forms():
    n = 100_000
    for d, exact in [(1, 0.5), (2, (1 - 1 / np.sqrt(2)) / 2)]:
        frac = ls.positive_definite_fraction(d, n, rng=d)
        assert abs(frac - exact) < 4 * np.sqrt(exact * (1 - exact) / n)


def test_positive_definite_fraction_counts_what_eigvalsh_counts():
    # The vectorised Cholesky test gives the eigenvalue verdict, matrix by matrix.
    for d in (1, 2, 3, 5, 8):
        A = ls.random_symmetric(d, 20_000, rng=d)
        want = np.linalg.eigvalsh(A)[:, 0] > 0
        np.testing.assert_array_equal(ls._cholesky_exists(A), want)
        assert ls.positive_definite_fraction(d, 20_000, rng=d) == want.mean()
    # many positive definite ones
    shifted = ls.random_symmetric(6, 5000, rng=9) + 2.5 * np.eye(6)
    np.testing.assert_array_equal(
        ls._cholesky_exists(shifted), np.linalg.eigvalsh(shifted)[:, 0] > 0
    )
    assert 0.1 < ls._cholesky_exists(shifted).mean() < 0.9


def test_positive_definite_fraction_falls_fast_and_is_reproducible():
    fracs = [ls.positive_definite_fraction(d, 20_000, rng=10 + d) for d in range(1, 5)]
    assert all(a > 3 * b for a, b in itertools.pairwise(fracs))
    assert ls.positive_definite_fraction(10, 20_000, rng=0) == 0.0
    assert ls.positive_definite_fraction(
        3, 5000, rng=7
    ) == ls.positive_definite_fraction(3, 5000, rng=7, batch=333)
    with pytest.raises(ValueError, match="n_samples"):
        ls.positive_definite_fraction(3, 0)
    with pytest.raises(ValueError, match="d must be"):
        ls.random_symmetric(0)
