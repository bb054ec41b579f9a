"""Every objective's gradient and Hessian against finite differences; critical points
checked independently."""

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der, rosen_hess

from gdutils import objectives as ob
from gdutils.gradcheck import numerical_gradient, relative_error
from gdutils.landscape import classify_critical_point

# Every factory of the module, with a few parameter choices each.
OBJECTIVES = {
    "quadratic": ob.quadratic([[3.0, 1.0], [1.0, 2.0]], [1.0, -1.0], 0.5),
    "ill_conditioned_quadratic": ob.ill_conditioned_quadratic(4, 1e3),
    "rosenbrock-2": ob.rosenbrock(),
    "rosenbrock-5": ob.rosenbrock(5),
    "rosenbrock-3-a2": ob.rosenbrock(3, a=2.0, b=10.0),
    "saddle": ob.saddle(),
    "saddle-asym": ob.saddle(0.5, 3.0),
    "plateau_saddle": ob.plateau_saddle(),
    "monkey_saddle": ob.monkey_saddle(),
    "multi_well": ob.multi_well(),
    "multi_well-separable": ob.multi_well(0.2, -0.1, 0.0),
    "multi_well-other": ob.multi_well(0.2, 0.05, -0.1),
    "random_field": ob.random_field(3, 20, rng=0),
    "random_field-1d": ob.random_field(1, 5, rng=1),
}
LANDSCAPES = [
    "saddle",
    "saddle-asym",
    "plateau_saddle",
    "monkey_saddle",
    "multi_well",
    "multi_well-separable",
    "multi_well-other",
]


def test_every_factory_is_covered():
    factories = {name for name in ob.__all__ if name != "Objective"}
    covered = {key.split("-")[0] for key in OBJECTIVES}
    assert factories == covered


def _numerical_hessian(grad, x, h=1e-5):
    d = x.size
    H = np.empty((d, d))
    for i in range(d):
        e = np.zeros(d)
        e[i] = h
        H[:, i] = (grad(x + e) - grad(x - e)) / (2 * h)
    return H


@pytest.mark.parametrize("key", OBJECTIVES)
def test_gradient_and_hessian_match_finite_differences(key):
    obj = OBJECTIVES[key]
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.uniform(-1.5, 1.5, obj.dim)
        g = obj.grad(x)
        assert g.shape == (obj.dim,)
        assert relative_error(g, numerical_gradient(obj.fun, x)) < 1e-8
        H = obj.hess(x)
        assert H.shape == (obj.dim, obj.dim) and np.allclose(H, H.T)
        assert relative_error(H, _numerical_hessian(obj.grad, x)) < 1e-8
        assert isinstance(obj.fun(x), float) and obj(x) == obj.fun(x)


@pytest.mark.parametrize("d", [2, 3, 6])
def test_rosenbrock_matches_scipy(d):
    r = ob.rosenbrock(d)
    rng = np.random.default_rng(d)
    for x in [rng.uniform(-2, 2, d), np.full(d, -1.2), np.ones(d)]:
        assert np.isclose(r.fun(x), rosen(x), rtol=1e-14, atol=0)
        np.testing.assert_allclose(r.grad(x), rosen_der(x), rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(r.hess(x), rosen_hess(x), rtol=1e-13, atol=1e-12)
    np.testing.assert_array_equal(r.minimizers[0], np.ones(d))
    assert r.minimum == 0.0


def test_quadratics_minimizer_and_value():
    q = OBJECTIVES["quadratic"]
    A, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
    np.testing.assert_allclose(q.minimizers[0], np.linalg.solve(A, b), rtol=1e-14)
    assert np.allclose(q.grad(q.minimizers[0]), 0, atol=1e-14)
    np.testing.assert_allclose(
        np.diag(OBJECTIVES["ill_conditioned_quadratic"].hess(np.zeros(4))),
        [1, 10, 100, 1000],
    )


@pytest.mark.parametrize("key", OBJECTIVES)
def test_critical_points_have_zero_gradient_and_their_label(key):
    obj = OBJECTIVES[key]
    # Chained Rosenbrock with a not in {0, 1} has no closed-form minimizer, and nothing
    # is known in advance about a random field: nothing is claimed.
    unknown = key == "rosenbrock-3-a2" or key.startswith("random_field")
    assert obj.critical_points or (unknown and obj.minimizers == ())
    for label, points in obj.critical_points.items():
        for p in points:
            assert np.max(np.abs(obj.grad(p))) < 1e-12
            assert classify_critical_point(obj.hess(p)) == label
    for m in obj.minimizers:
        assert any(np.array_equal(m, p) for p in obj.critical_points["minimum"])
    if obj.minimizers:
        assert (
            obj.minimum
            == min(obj.fun(m) for m in obj.minimizers)
            == obj.fun(obj.minimizers[0])
        )


def _probe(obj, p, radius=1e-3, n=400):
    """Signs of f(p + v) - f(p) over directions v on a small circle: an independent
    classification."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    diffs = np.array(
        [obj.fun(p + radius * np.array([np.cos(a), np.sin(a)])) - obj.fun(p) for a in t]
    )
    return (
        bool(np.all(diffs > 0)),
        bool(np.all(diffs < 0)),
        bool(np.any(diffs > 0) and np.any(diffs < 0)),
    )


@pytest.mark.parametrize("key", LANDSCAPES)
def test_landscape_labels_agree_with_the_function_values_around_each_point(key):
    obj = OBJECTIVES[key]
    for label, points in obj.critical_points.items():
        for p in points:
            up, down, both = _probe(obj, p)
            expected = {
                "minimum": up,
                "maximum": down,
                "saddle": both,
                "degenerate": both,
            }[label]
            assert expected, (label, p)


def test_known_critical_points():
    s = ob.saddle()
    assert s.critical_points == {"saddle": [s.critical_points["saddle"][0]]}
    np.testing.assert_array_equal(s.hess(np.zeros(2)), np.diag([2.0, -2.0]))
    assert s.minimizers == () and s.minimum is None
    np.testing.assert_array_equal(
        ob.saddle(0.5, 3.0).hess(np.ones(2)), np.diag([1.0, -6.0])
    )

    p = ob.plateau_saddle()
    assert sorted(p.critical_points) == ["minimum", "saddle"]
    np.testing.assert_array_equal(p.critical_points["saddle"][0], [0.0, 0.0])
    assert [m.tolist() for m in p.minimizers] == [
        [-1.0, 0.0],
        [1.0, 0.0],
    ] and p.minimum == -0.25

    m = ob.monkey_saddle()
    assert m.critical_points.keys() == {"degenerate"}
    np.testing.assert_array_equal(m.hess(np.zeros(2)), np.zeros((2, 2)))
    assert m.fun(np.array([0.1, 0.0])) > 0 > m.fun(np.array([-0.1, 0.0]))


@pytest.mark.parametrize(
    "key", ["multi_well", "multi_well-separable", "multi_well-other"]
)
def test_multi_well_has_four_minima_of_different_depths(key):
    w = OBJECTIVES[key]
    counts = {k: len(v) for k, v in w.critical_points.items()}
    assert counts == {"maximum": 1, "minimum": 4, "saddle": 4}
    depths = [w.fun(m) for m in w.minimizers]
    assert depths == sorted(depths) and np.all(np.diff(depths) > 0.05)
    quadrants = {(bool(m[0] > 0), bool(m[1] > 0)) for m in w.minimizers}
    assert len(quadrants) == 4


def test_multi_well_critical_points_are_all_of_them():
    # Newton's method from a grid of starts finds no critical point that the bundle
    # misses.
    w = ob.multi_well()
    known = np.concatenate([np.array(v) for v in w.critical_points.values()])
    for x0 in np.linspace(-2, 2, 9):
        for y0 in np.linspace(-2, 2, 9):
            p = np.array([x0, y0])
            for _ in range(60):
                try:
                    p = p - np.linalg.solve(w.hess(p), w.grad(p))
                except np.linalg.LinAlgError:
                    break
            if np.all(np.isfinite(p)) and np.max(np.abs(w.grad(p))) < 1e-10:
                assert np.min(np.linalg.norm(known - p, axis=1)) < 1e-8


def test_separable_multi_well_is_a_product_of_cubic_roots():
    w = OBJECTIVES["multi_well-separable"]
    rx = np.sort(np.roots([1, 0, -1, 0.2]).real)
    ry = np.sort(np.roots([1, 0, -1, -0.1]).real)
    pts = np.array(sorted((x, y) for x in rx for y in ry))
    got = np.array(sorted(tuple(p) for v in w.critical_points.values() for p in v))
    np.testing.assert_allclose(got, pts, atol=1e-12)


@pytest.mark.parametrize("key", LANDSCAPES)
def test_landscapes_accept_a_stack_of_points(key):
    obj = OBJECTIVES[key]
    P = np.random.default_rng(1).uniform(-2, 2, (7, 2))
    np.testing.assert_allclose(obj.fun(P), [obj.fun(p) for p in P], rtol=1e-15)
    np.testing.assert_allclose(
        obj.grad(P), np.array([obj.grad(p) for p in P]), rtol=1e-15
    )
    np.testing.assert_allclose(
        obj.hess(P), np.array([obj.hess(p) for p in P]), rtol=1e-15
    )
    assert obj.hess(P).shape == (7, 2, 2)


def test_random_field_accepts_a_stack_and_is_seeded():
    f = ob.random_field(4, 30, rng=3)
    P = np.random.default_rng(2).normal(size=(6, 4))
    np.testing.assert_allclose(f.fun(P), [f.fun(p) for p in P], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(
        f.grad(P), np.array([f.grad(p) for p in P]), rtol=1e-13, atol=1e-15
    )
    np.testing.assert_allclose(
        f.hess(P), np.array([f.hess(p) for p in P]), rtol=1e-13, atol=1e-15
    )
    assert (
        f.fun(P[0])
        == ob.random_field(4, 30, rng=3).fun(P[0])
        != ob.random_field(4, 30, rng=4).fun(P[0])
    )
    assert f.critical_points == {} and f.minimizers == () and f.minimum is None


def test_random_field_has_the_stated_covariance():
    # E f(x) f(x') = exp(-|x - x'|^2 / 2) for every K; hence, at one point, var f = 1,
    # cov(f, H_ii) = -1, var H_ii = 3, cov(H_ii, H_jj) = 1, var H_ij = 1, and the
    # gradient is uncorrelated with f and H. Given f = u, the Hessian is then -u I plus
    # sqrt(2) times the GOE matrix of landscape.random_symmetric (diagonal variance 2,
    # off-diagonal 1), as the chapter says.
    n, gen = 4000, np.random.default_rng(0)
    x1 = np.array([0.7, -0.4])
    f0, f1, G, H = np.empty(n), np.empty(n), np.empty((n, 2)), np.empty((n, 2, 2))
    for i in range(n):
        f = ob.random_field(2, 3, rng=gen)
        f0[i], f1[i], G[i], H[i] = (
            f.fun(np.zeros(2)),
            f.fun(x1),
            f.grad(np.zeros(2)),
            f.hess(np.zeros(2)),
        )
    R = H + f0[:, None, None] * np.eye(2)  # the Hessian minus its regression on f

    def close(a, b, want):
        # the sample covariance (all means are zero) within 5 standard errors
        prod = a * b
        assert abs(prod.mean() - want) < 5 * prod.std() / np.sqrt(n), (
            prod.mean(),
            want,
        )

    close(f0, f0, 1.0)
    close(f0, f1, np.exp(-x1 @ x1 / 2))
    close(f0, H[:, 0, 0], -1.0)
    close(H[:, 0, 0], H[:, 0, 0], 3.0)
    close(H[:, 0, 0], H[:, 1, 1], 1.0)
    close(H[:, 0, 1], H[:, 0, 1], 1.0)
    close(G[:, 0], f0, 0.0)
    close(G[:, 0], H[:, 0, 0], 0.0)
    close(R[:, 0, 0], R[:, 0, 0], 2.0)  # sqrt(2) * GOE: diagonal variance 2 ...
    close(R[:, 0, 0], R[:, 1, 1], 0.0)  # ... independent diagonal entries ...
    close(R[:, 0, 0], f0, 0.0)  # ... and no correlation left with f


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match=r"square matrix of shape \(d, d\)"):
        ob.quadratic(np.ones((2, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        ob.quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="positive definite"):
        ob.quadratic(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="condition must be >= 1"):
        ob.ill_conditioned_quadratic(2, 0.5)
    with pytest.raises(ValueError, match="d >= 2"):
        ob.rosenbrock(1)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        ob.rosenbrock(3).grad(np.ones(2))
    with pytest.raises(ValueError, match="> 0"):
        ob.saddle(1.0, -1.0)
    with pytest.raises(ValueError, match="finite number"):
        ob.multi_well(np.nan)
    for obj in (ob.saddle(), ob.plateau_saddle(), ob.monkey_saddle(), ob.multi_well()):
        with pytest.raises(ValueError, match=r"\(2,\) or \(n, 2\)"):
            obj.grad(np.ones((3, 3)))
        with pytest.raises(ValueError, match=r"shape \(2,\)"):
            obj.fun(np.ones(3))
        with pytest.raises(ValueError, match="NaN or inf"):
            obj.grad(np.array([[np.nan, 0.0]]))
        with pytest.raises(ValueError, match=r"\(2,\) or \(n, 2\)"):
            obj.hess(np.ones((4, 3)))
        with pytest.raises(ValueError, match=r"shape \(2,\)"):
            obj.hess(np.ones(3))
    with pytest.raises(ValueError, match=r"\(3,\) or \(n, 3\)"):
        ob.random_field(3, rng=0).grad(np.ones((2, 2)))
    with pytest.raises(ValueError, match="n_features"):
        ob.random_field(3, 0)
