"""Seeded generators: the reference problems have the shapes and parameters the book
promises."""

import numpy as np
import pytest

from gdutils import data


def test_same_seed_same_data_and_generator_accepted():
    a = data.linear_regression(rng=3)
    b = data.linear_regression(rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, data.linear_regression(rng=4).X)


def test_linear_regression_reference_problem():
    X, y, theta = data.linear_regression(n=2000, rng=0)
    np.testing.assert_array_equal(theta, [1, 2, 3, 4, 5, 0])
    residual = y - X @ theta[:5] - theta[5]
    assert np.std(residual) == pytest.approx(0.1, rel=0.05)  # noise sigma = 0.1
    assert abs(np.mean(X)) < 0.05 and np.std(X) == pytest.approx(1.0, rel=0.05)


def test_polynomial_reference_problem():
    X, y, theta = data.polynomial()
    x = X[:, 1]
    assert len(x) == 800 and x[0] == -1.0 and x[-1] == 399 / 400
    np.testing.assert_allclose(y, 2 * x**2 - 4 * x + 3)
    np.testing.assert_array_equal(X[:, 0], x**2)


def test_toy_and_random_labels():
    X, y, theta = data.toy_1d(4)
    np.testing.assert_array_equal(X.ravel(), [1, 2, 3, 4])
    np.testing.assert_array_equal(y, 2 * X.ravel())
    X, y, theta = data.random_labels(rng=0)
    assert X.shape == (400, 784) and set(np.unique(y)) == {0.0, 1.0} and theta is None


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: data.linear_regression(n=0), "n must be finite and > 0"),
        (
            lambda: data.linear_regression(d=2, weights=[1.0]),
            r"weights must have shape \(d,\) = \(2,\)",
        ),
        (lambda: data.linear_regression(noise=-1.0), "noise must be finite and >= 0"),
        (lambda: data.toy_1d(2.5), "n must be an integer"),
        (lambda: data.random_labels(rng=np.random.RandomState(0)), "default_rng"),
        (lambda: data.add_bias(np.ones(3)), r"X must have shape \(n, d\)"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
