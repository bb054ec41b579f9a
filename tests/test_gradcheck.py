"""Finite differences: accurate where theory says, and independent of the gradient they
check."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from gdutils import gradcheck


def test_central_difference_is_second_order():
    f = lambda x: np.sum(np.sin(x))  # noqa: E731
    x = np.array([0.3, 1.1])
    errs = [
        np.max(np.abs(gradcheck.numerical_gradient(f, x, h) - np.cos(x)))
        for h in (1e-2, 1e-3)
    ]
    assert errs[0] / errs[1] == pytest.approx(100, rel=0.05)  # error ~ h^2


def test_agrees_with_scipy_approx_fprime():
    f = lambda x: float(np.exp(x[0]) * x[1] ** 2)  # noqa: E731
    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(
        gradcheck.numerical_gradient(f, x), approx_fprime(x, f, 1e-7), rtol=1e-5
    )


def test_check_gradient_flags_a_wrong_gradient():
    f = lambda x: float(x @ x)  # noqa: E731
    x = np.array([1.0, 2.0, 3.0])
    assert gradcheck.check_gradient(f, lambda x: 2 * x, x) < 1e-9
    assert gradcheck.check_gradient(f, lambda x: x, x) == pytest.approx(1 / 3, rel=1e-6)


def test_relative_error_properties():
    assert gradcheck.relative_error([0.0], [0.0]) == 0.0
    assert gradcheck.relative_error([1.0, 0.0], [-1.0, 0.0]) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.relative_error([1.0], [1.0, 2.0])


def test_vector_valued_f_is_rejected():
    # bug 5 from the wild: a "loss" that is a vector of per-sample losses
    with pytest.raises(ValueError, match="f must return a scalar"):
        gradcheck.numerical_gradient(lambda x: x**2, np.array([1.0, 2.0]))


def test_bad_step():
    with pytest.raises(ValueError, match="h must be finite and > 0"):
        gradcheck.numerical_gradient(lambda x: float(x @ x), np.ones(2), h=0.0)
