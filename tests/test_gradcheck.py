"""Finite differences: accurate where theory says, and independent of the gradient they
check."""

import re

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


# --- found by mutation testing: arguments passed on, defaults, whole messages ---------


def _full(message: str) -> str:
    return "^" + re.escape(message) + "$"


def test_args_reach_f_and_grad_on_both_sides():
    def f(x, a, b):
        return float(a * x @ x + b @ x)

    def g(x, a, b):
        return 2 * a * x + b

    x, b = np.array([0.5, -1.0]), np.array([3.0, 1.0])
    np.testing.assert_allclose(
        gradcheck.numerical_gradient(f, x, args=(2.0, b)), g(x, 2.0, b), rtol=1e-8
    )
    assert gradcheck.check_gradient(f, g, x, args=(2.0, b)) < 1e-9
    assert gradcheck.check_gradient(f, g, x, 1e-4, (2.0, b)) < 1e-9


def test_default_step_is_small():
    """h = 1e-6: the O(h^2) error on a cubic is far below 1e-8 (not so at h = 1)."""
    f = lambda x: float(np.sum(x**3))  # noqa: E731
    g = lambda x: 3 * x**2  # noqa: E731
    x = np.array([1.0, -2.0])
    assert gradcheck.check_gradient(f, g, x) < 1e-8
    np.testing.assert_allclose(gradcheck.numerical_gradient(f, x), g(x), rtol=1e-8)


def test_whole_messages():
    def minus_side_vector(x):  # a scalar at x + h, a vector at x - h
        return float(x @ x) if x[0] > 1 else x

    cases = [
        (
            lambda: gradcheck.numerical_gradient(minus_side_vector, np.array([1.0, 0])),
            "f must return a scalar (one number: the function value); got an array"
            " of shape (2,). A per-sample vector of losses needs .mean().",
        ),
        (
            lambda: gradcheck.numerical_gradient(lambda x: None, np.array([1.0])),
            "f returned None; it must return a scalar (one number: the function"
            " value). Did it forget `return`?",
        ),
        (
            lambda: gradcheck.numerical_gradient(3.0, np.array([1.0])),
            "f must be callable; got 3.0.",
        ),
        (
            lambda: gradcheck.relative_error([1j], [1.0]),
            "a is complex (dtype complex128); expected real numbers. Pass a.real if"
            " the imaginary part is meant to be dropped.",
        ),
        (
            lambda: gradcheck.relative_error([1.0], [1j]),
            "b is complex (dtype complex128); expected real numbers. Pass b.real if"
            " the imaginary part is meant to be dropped.",
        ),
        (
            lambda: gradcheck.relative_error([np.nan], [1.0]),
            "a contains NaN or inf, so no relative error can be computed (a test"
            " `error > tol` would silently pass).",
        ),
        (
            lambda: gradcheck.relative_error([1.0], [np.inf]),
            "b contains NaN or inf, so no relative error can be computed (a test"
            " `error > tol` would silently pass).",
        ),
        (
            lambda: gradcheck.relative_error([1.0], [1.0, 2.0]),
            "a and b must have the same shape; got (1,) and (2,).",
        ),
        (
            lambda: gradcheck.check_gradient(np.sum, lambda x: x, [np.nan]),
            "x contains NaN or inf; expected finite values.",
        ),
        (
            lambda: gradcheck.check_gradient(np.sum, 3, [1.0]),
            "grad must be callable; got 3.",
        ),
        (
            lambda: gradcheck.check_gradient(np.sum, lambda x: x * np.inf, [1.0]),
            "grad returned NaN or inf at x: [inf]. Check it where it is finite, or"
            " fix the overflow.",
        ),
        (
            lambda: gradcheck.check_gradient(
                lambda x: float(np.log(x[0] - 1.0)), lambda x: x, [1.0]
            ),
            "f is not finite near x (its central differences are NaN or inf).",
        ),
        (
            lambda: gradcheck.check_gradient(np.sum, lambda x: None, [1.0]),
            "grad returned None; it must return the gradient, an array of shape"
            " (1,). Did it forget `return`?",
        ),
    ]
    for call, message in cases:
        with np.errstate(all="ignore"), pytest.raises(ValueError, match=_full(message)):
            call()


def test_the_message_names_a_named_gradient():
    def my_grad(x):
        return x * np.inf

    with (
        np.errstate(all="ignore"),
        pytest.raises(ValueError, match="^my_grad returned"),
    ):
        gradcheck.check_gradient(np.sum, my_grad, [1.0])
