"""Bad input never gives a silent wrong answer: a table of cases per public module.

Each row of a ``BAD`` table is (id, a call, a fragment of the ``ValueError`` message
``gdutils`` must raise); each row of ``ODD`` is a valid but unusual input (lists, ints,
float32, 0-d arrays) that must work, and ``DIVERGES`` are runs that must end with status
2, never ``success``. Warnings are errors in this test suite (``filterwarnings = error``
in ``pyproject.toml``), so a case that "works" with a warning flood fails here too.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from gdutils import _validation as v
from gdutils import (
    accelerated,
    benchmark,
    classifier,
    counting,
    data,
    gradcheck,
    landscape,
    linesearch,
    losses,
    multiclass,
    nn,
    objectives,
    optimizers,
    rates,
    schedules,
    splits,
    stochastic,
    training,
)

X, Y, _THETA = data.linear_regression(n=8, d=2, rng=0)
Z3 = np.zeros(3)


def _f(x):
    return float(x @ x)


def _g(x):
    return 2 * x


def _three(x):
    return Z3


def _vector_after_start(x):
    """A scalar at the start [1, 2], a vector anywhere else (finite differences)."""
    return float(x @ x) if np.array_equal(x, [1.0, 2.0]) else x


class _Nameless:
    """A callable without ``__name__``."""

    def __call__(self, x):
        return float(x @ x)


def _gd(**kw):
    return optimizers.gradient_descent(_f, [1.0, 2.0], jac=_g, **kw)


def _mb(**kw):
    kw.setdefault("batch_size", 4)
    return optimizers.minibatch_gd(losses.mse, Z3, (X, Y), losses.mse_grad, **kw)


NET = nn.TinyNet(2, 3, rng=0)
SNET = classifier.SoftmaxNet(2, 3, 3, rng=0)
XB, YB = np.ones((4, 2)), np.zeros(4)


def _saddle_grad(p):
    """Gradient of (x^2 - y^2) / 2, for one point (2,) or a stack (n, 2)."""
    p = np.asarray(p)
    return p * np.array([1.0, -1.0])


BAD = {
    "validation": [
        ("complex array", lambda: v.as_real_array([1 + 1j]), "is complex"),
        ("strings", lambda: v.as_real_array(["a", "b"]), "must hold real numbers"),
        ("None as data", lambda: v.as_real_array(None), "must hold real numbers"),
        ("ragged list", lambda: v.as_real_array([[1.0], [1.0, 2.0]]), "regular shape"),
        (
            "truthy string as bool",
            lambda: v.as_bool("no", "shuffle"),
            "must be True or False",
        ),
        ("int as bool", lambda: v.as_bool(1, "shuffle"), "must be True or False"),
        ("bool as rate", lambda: v.as_positive(True, "rate"), "must be a number"),
        ("string as rate", lambda: v.as_positive("0.1", "rate"), "must be a number"),
        ("complex rate", lambda: v.as_positive(0.1j, "rate"), "must be a number"),
        ("nan rate", lambda: v.as_positive(float("nan"), "rate"), "finite and > 0"),
        ("negative rate", lambda: v.as_positive(-0.1, "rate"), "finite and > 0"),
        (
            "float as integer",
            lambda: v.as_positive(2.5, "n", integer=True),
            "an integer",
        ),
        ("string seed", lambda: v.as_rng("seed"), "rng must be None, an integer seed"),
        ("float seed", lambda: v.as_rng(1.5), "rng must be None, an integer seed"),
        ("negative seed", lambda: v.as_rng(-1), "rng must be None, an integer seed"),
        ("bool seed", lambda: v.as_rng(True), "rng must be None, an integer seed"),
        ("RandomState", lambda: v.as_rng(np.random.RandomState(0)), "not RandomState"),
        ("inf bias", lambda: v.as_finite(np.inf, "bias"), "must be finite"),
        ("fun returns None", lambda: v.scalar_output(None, "fun"), "forget `return`"),
        (
            "fun returns vector",
            lambda: v.scalar_output(np.ones(4), "fun"),
            "needs .mean()",
        ),
        (
            "fun returns pair",
            lambda: v.scalar_output((1.0, Z3), "fun"),
            "pass jac=True",
        ),
        ("fun returns complex", lambda: v.scalar_output(1j, "fun"), "complex"),
        (
            "fun returns string",
            lambda: v.scalar_output("1", "fun"),
            "must return a scalar",
        ),
        (
            "grad returns None",
            lambda: v.gradient_output(None, "jac", (2,)),
            "forget `return`",
        ),
        (
            "grad wrong shape",
            lambda: v.gradient_output(Z3, "jac", (2,)),
            "must return shape (2,)",
        ),
        ("grad complex", lambda: v.gradient_output([1j, 0], "jac", (2,)), "is complex"),
    ],
    "optimizers": [
        (
            "complex x0",
            lambda: optimizers.gradient_descent(_f, [1 + 1j, 0.0], jac=_g),
            "x0 is complex",
        ),
        (
            "string x0",
            lambda: optimizers.gradient_descent(_f, "ab", jac=_g),
            "x0 must hold real numbers",
        ),
        (
            "2-d x0",
            lambda: optimizers.gradient_descent(_f, np.zeros((2, 1)), jac=_g),
            "x0 must be a 1-D array",
        ),
        (
            "empty x0",
            lambda: optimizers.gradient_descent(_f, [], jac=_g),
            "x0 is empty",
        ),
        (
            "nan x0",
            lambda: optimizers.gradient_descent(_f, [np.nan, 0.0], jac=_g),
            "x0 contains NaN",
        ),
        (
            "fun not callable",
            lambda: optimizers.gradient_descent(3.0, [1.0], jac=_g),
            "fun must be callable",
        ),
        (
            "jac a string",
            lambda: optimizers.gradient_descent(_f, [1.0], jac="2-point"),
            "jac must be a callable",
        ),
        (
            "fun per-sample vector",
            lambda: optimizers.gradient_descent(lambda x: x**2, [1.0, 2.0], jac=_g),
            "needs .mean()",
        ),
        (
            "fun returns None",
            lambda: optimizers.gradient_descent(lambda x: None, [1.0], jac=_g),
            "returned None",
        ),
        (
            "jac=True, scalar fun",
            lambda: optimizers.gradient_descent(_f, [1.0], jac=True),
            "must return a pair",
        ),
        (
            "jac wrong shape",
            lambda: optimizers.gradient_descent(_f, [1.0, 2.0], jac=lambda x: Z3),
            "shape (2,)",
        ),
        (
            "jac returns None",
            lambda: optimizers.gradient_descent(_f, [1.0], jac=lambda x: None),
            "returned None",
        ),
        (
            "complex gradient",
            lambda: optimizers.gradient_descent(_f, [1.0], jac=lambda x: x * 1j),
            "is complex",
        ),
        (
            "zero rate",
            lambda: _gd(learning_rate=0.0),
            "learning_rate must be finite and > 0",
        ),
        (
            "negative rate",
            lambda: _gd(learning_rate=-0.1),
            "learning_rate must be finite and > 0",
        ),
        (
            "nan rate",
            lambda: _gd(learning_rate=np.nan),
            "learning_rate must be finite and > 0",
        ),
        ("string rate", lambda: _gd(learning_rate="0.1"), "learning_rate must be"),
        (
            "schedule returns negative",
            lambda: _gd(learning_rate=lambda k: -0.1),
            "learning_rate(0)",
        ),
        ("float maxiter", lambda: _gd(maxiter=10.5), "maxiter must be an integer"),
        ("negative gtol", lambda: _gd(gtol=-1.0), "gtol must be finite"),
        ("unknown option", lambda: _gd(lr=0.1), "unknown options: ['lr']"),
        ("bounds", lambda: _gd(bounds=[(0, 1), (0, 1)]), "does not support bounds"),
        ("callback not callable", lambda: _gd(callback=3), "callback must be callable"),
        (
            "batch larger than data",
            lambda: _mb(batch_size=9),
            "batch_size must be between 1 and n = 8",
        ),
        ("batch zero", lambda: _mb(batch_size=0), "batch_size must be finite and > 0"),
        ("batch float", lambda: _mb(batch_size=2.0), "batch_size must be an integer"),
        ("shuffle 'no'", lambda: _mb(shuffle="no"), "shuffle must be True or False"),
        ("bad rng", lambda: _mb(rng="seed"), "rng must be None"),
        ("negative epochs", lambda: _mb(epochs=-1), "epochs must be finite"),
        ("float epochs", lambda: _mb(epochs=2.5), "epochs must be an integer"),
        (
            "zero divergence_factor",
            lambda: _gd(divergence_factor=0.0),
            "divergence_factor must be finite and > 0",
        ),
        (
            "minibatch zero divergence_factor",
            lambda: _mb(divergence_factor=0.0),
            "divergence_factor must be finite and > 0",
        ),
        ("constraints", lambda: _gd(constraints=[{}]), "does not support constraints"),
        ("minibatch bounds", lambda: _mb(bounds=[(0, 1)] * 3), "minibatch_gd does not"),
        ("minibatch constraints", lambda: _mb(constraints=[{}]), "minibatch_gd does"),
        ("minibatch unknown option", lambda: _mb(lr=0.1), "minibatch_gd got unknown"),
        (
            "minibatch nan x0",
            lambda: optimizers.minibatch_gd(
                losses.mse, [np.nan, 0.0, 0.0], (X, Y), losses.mse_grad
            ),
            "x0 contains NaN",
        ),
        (
            "jac=True, triple",
            lambda: optimizers.gradient_descent(
                lambda x: (1.0, 2 * x, 0), [1.0], jac=True
            ),
            "must return a pair",
        ),
        (
            "jac=True, nameless fun",
            lambda: optimizers.gradient_descent(_Nameless(), [1.0], jac=True),
            "with jac=True, fun must return a pair",
        ),
        (
            "jac=True, gradient wrong shape",
            lambda: optimizers.gradient_descent(
                lambda x: (1.0, Z3), [1.0, 2.0], jac=True
            ),
            "(its gradient, with jac=True)",
        ),
        (
            "named jac wrong shape",
            lambda: optimizers.gradient_descent(_f, [1.0, 2.0], jac=_three),
            "jac (_three)",
        ),
        (
            "finite differences, fun returns vector",
            lambda: optimizers.gradient_descent(_vector_after_start, [1.0, 2.0]),
            "_vector_after_start",
        ),
        (
            "schedule returns inf later",
            lambda: _gd(learning_rate=lambda k: 0.1 if k == 0 else float("inf")),
            "learning_rate(1) must be finite and >= 0",
        ),
        (
            "no data",
            lambda: optimizers.minibatch_gd(losses.mse, Z3, (), losses.mse_grad),
            "needs the data",
        ),
        (
            "y column",
            lambda: optimizers.minibatch_gd(
                losses.mse, Z3, (X, Y[:, None]), losses.mse_grad
            ),
            "y.ravel()",
        ),
        (
            "complex data",
            lambda: optimizers.minibatch_gd(
                losses.mse, Z3, (X * 1j, Y), losses.mse_grad
            ),
            "X is complex",
        ),
        (
            "via minimize, bad rate",
            lambda: minimize(
                _f,
                [1.0],
                jac=_g,
                method=optimizers.gradient_descent,
                options={"learning_rate": -1},
            ),
            "learning_rate must be finite",
        ),
        (
            "momentum: beta 1",
            lambda: accelerated.momentum(_f, [1.0], jac=_g, beta=1.0),
            "beta",
        ),
        (
            "adam: fun vector",
            lambda: accelerated.adam(lambda x: x, [1.0, 2.0], jac=_g),
            "needs .mean()",
        ),
        (
            "adam: complex x0",
            lambda: accelerated.adam(_f, [1j], jac=_g),
            "x0 is complex",
        ),
    ],
    "losses": [
        (
            "theta wrong length",
            lambda: losses.mse(np.zeros(5), X, Y),
            "theta must have shape (2,)",
        ),
        ("theta complex", lambda: losses.mse(Z3 + 1j, X, Y), "theta is complex"),
        ("theta nan", lambda: losses.mse([np.nan, 0, 0], X, Y), "theta contains NaN"),
        ("X 1-D", lambda: losses.mse([1.0], X[:, 0], Y), "X.reshape(-1, 1)"),
        ("X complex", lambda: losses.mse_grad(Z3, X + 0j * 1j + 1j, Y), "X is complex"),
        ("y column", lambda: losses.mse(Z3, X, Y[:, None]), "y.ravel()"),
        ("lengths differ", lambda: losses.mse(Z3, X, Y[:-1]), "same number of samples"),
        (
            "empty data",
            lambda: losses.mse(Z3, np.zeros((0, 2)), np.zeros(0)),
            "X is empty",
        ),
        (
            "y with nan",
            lambda: losses.mse(Z3, X, np.where(np.arange(8) == 3, np.nan, Y)),
            "y contains NaN",
        ),
        (
            "strings in X",
            lambda: losses.mse(Z3, [["a", "b"]] * 8, Y),
            "X must hold real numbers",
        ),
        (
            "hessian bias 'no'",
            lambda: losses.mse_hessian(X, bias="no"),
            "bias must be True or False",
        ),
        ("hessian complex", lambda: losses.mse_hessian(X * 1j), "X is complex"),
        (
            "labels not 0/1",
            lambda: losses.cross_entropy(Z3, X, Y),
            "class labels 0 or 1",
        ),
        (
            "negative l2",
            lambda: losses.cross_entropy(Z3, X, (Y > 0) * 1.0, l2=-1),
            "l2 must be finite",
        ),
        ("sigmoid complex", lambda: losses.sigmoid([1j]), "z is complex"),
    ],
    "gradcheck": [
        (
            "h too small for x",
            lambda: gradcheck.numerical_gradient(_f, [1.0, 2.0], h=1e-20),
            "too small for x",
        ),
        (
            "h too small for large x",
            lambda: gradcheck.numerical_gradient(_f, [1e12], h=1e-6),
            "too small for x",
        ),
        (
            "h zero",
            lambda: gradcheck.numerical_gradient(_f, [1.0], h=0.0),
            "h must be finite and > 0",
        ),
        (
            "h nan",
            lambda: gradcheck.numerical_gradient(_f, [1.0], h=np.nan),
            "h must be finite and > 0",
        ),
        (
            "f vector",
            lambda: gradcheck.numerical_gradient(lambda x: x, [1.0, 2.0]),
            "f must return a scalar",
        ),
        (
            "f None",
            lambda: gradcheck.numerical_gradient(lambda x: None, [1.0]),
            "f returned None",
        ),
        (
            "f not callable",
            lambda: gradcheck.numerical_gradient(1.0, [1.0]),
            "f must be callable",
        ),
        ("complex x", lambda: gradcheck.numerical_gradient(_f, [1j]), "x is complex"),
        (
            "relative error of nan",
            lambda: gradcheck.relative_error([np.nan], [1.0]),
            "a contains NaN",
        ),
        (
            "relative error of inf",
            lambda: gradcheck.relative_error([1.0], [np.inf]),
            "b contains NaN",
        ),
        (
            "relative error shapes",
            lambda: gradcheck.relative_error([1.0], [1.0, 2.0]),
            "same shape",
        ),
        (
            "check: grad nan",
            lambda: gradcheck.check_gradient(_f, lambda x: x * np.nan, [1.0]),
            "NaN or inf",
        ),
        (
            "check: grad None",
            lambda: gradcheck.check_gradient(_f, lambda x: None, [1.0]),
            "grad returned None",
        ),
        (
            "check: grad shape",
            lambda: gradcheck.check_gradient(_f, lambda x: Z3, [1.0, 2.0]),
            "shape (2,)",
        ),
        (
            "check: f nan",
            lambda: gradcheck.check_gradient(lambda x: np.nan, _g, [1.0]),
            "f is not finite",
        ),
        (
            "check: grad not callable",
            lambda: gradcheck.check_gradient(_f, 2, [1.0]),
            "grad must be callable",
        ),
    ],
    "data": [
        (
            "nan bias",
            lambda: data.linear_regression(bias=np.nan, rng=0),
            "bias must be finite",
        ),
        (
            "inf bias",
            lambda: data.linear_regression(bias=np.inf, rng=0),
            "bias must be finite",
        ),
        (
            "string bias",
            lambda: data.linear_regression(bias="1", rng=0),
            "bias must be a real number",
        ),
        (
            "nan weights",
            lambda: data.linear_regression(d=2, weights=[1, np.nan], rng=0),
            "weights contain NaN",
        ),
        (
            "complex weights",
            lambda: data.linear_regression(d=1, weights=[1j], rng=0),
            "weights is complex",
        ),
        (
            "weights wrong length",
            lambda: data.linear_regression(d=2, weights=[1.0], rng=0),
            "shape (d,) = (2,)",
        ),
        (
            "negative noise",
            lambda: data.linear_regression(noise=-1, rng=0),
            "noise must be finite",
        ),
        (
            "nan noise",
            lambda: data.linear_regression(noise=np.nan, rng=0),
            "noise must be finite",
        ),
        (
            "n zero",
            lambda: data.linear_regression(n=0, rng=0),
            "n must be finite and > 0",
        ),
        (
            "n float",
            lambda: data.linear_regression(n=10.0, rng=0),
            "n must be an integer",
        ),
        ("bad rng", lambda: data.linear_regression(rng="x"), "rng must be None"),
        ("toy n negative", lambda: data.toy_1d(-3), "n must be finite and > 0"),
        (
            "random labels d 0",
            lambda: data.random_labels(d=0, rng=0),
            "d must be finite and > 0",
        ),
        (
            "add_bias 1-D",
            lambda: data.add_bias(np.zeros(3)),
            "X must have shape (n, d)",
        ),
        (
            "add_bias complex",
            lambda: data.add_bias(np.zeros((2, 1)) * 1j),
            "X is complex",
        ),
    ],
    "schedules": [
        (
            "robbins_monro of a number",
            lambda: schedules.robbins_monro(0.1),
            "schedule must be a callable",
        ),
        (
            "non-integer step",
            lambda: schedules.constant(0.1)(1.5),
            "the step k must be an integer",
        ),
        (
            "string step",
            lambda: schedules.constant(0.1)("3"),
            "the step k must be an integer",
        ),
        (
            "None step",
            lambda: schedules.inverse_time(0.1)(None),
            "the step k must be an integer",
        ),
        (
            "negative step",
            lambda: schedules.cosine(0.1, total_steps=10)(-1),
            "the step k must be an integer",
        ),
        (
            "inf step",
            lambda: schedules.power_decay(0.1)(np.inf),
            "the step k must be an integer",
        ),
        ("zero rate", lambda: schedules.constant(0.0), "rate must be finite and > 0"),
        (
            "decay factor > 1",
            lambda: schedules.step_decay(0.1, factor=2.0),
            "factor must be in (0, 1]",
        ),
        (
            "every float",
            lambda: schedules.step_decay(0.1, every=2.5),
            "must be an integer",
        ),
        (
            "schedule not a number",
            lambda: schedules.as_schedule("fast"),
            "learning_rate must be",
        ),
    ],
    "objectives": [
        ("quadratic complex A", lambda: objectives.quadratic([[1j]]), "A is complex"),
        ("quadratic nan A", lambda: objectives.quadratic([[np.nan]]), "A contains NaN"),
        (
            "quadratic not square",
            lambda: objectives.quadratic(np.ones((2, 3))),
            "square matrix",
        ),
        (
            "quadratic not symmetric",
            lambda: objectives.quadratic([[1.0, 1.0], [0.0, 1.0]]),
            "symmetric",
        ),
        (
            "quadratic indefinite",
            lambda: objectives.quadratic([[1.0, 0.0], [0.0, -1.0]]),
            "positive definite",
        ),
        (
            "quadratic b wrong length",
            lambda: objectives.quadratic(np.eye(2), [1.0]),
            "b must have shape (2,)",
        ),
        (
            "quadratic nan c",
            lambda: objectives.quadratic(np.eye(2), c=np.nan),
            "c must be finite",
        ),
        (
            "quadratic at wrong x",
            lambda: objectives.quadratic(np.eye(2)).fun([1.0]),
            "x must have shape (2,)",
        ),
        (
            "quadratic at complex x",
            lambda: objectives.quadratic(np.eye(1)).grad([1j]),
            "x is complex",
        ),
        ("rosenbrock d 1", lambda: objectives.rosenbrock(1), "needs d >= 2"),
        (
            "rosenbrock nan a",
            lambda: objectives.rosenbrock(a=np.nan),
            "a must be finite",
        ),
        (
            "rosenbrock b 0",
            lambda: objectives.rosenbrock(b=0),
            "b must be finite and > 0",
        ),
        (
            "condition below 1",
            lambda: objectives.ill_conditioned_quadratic(2, 0.5),
            "condition must be >= 1",
        ),
        (
            "saddle a negative",
            lambda: objectives.saddle(a=-1),
            "a must be finite and > 0",
        ),
        (
            "saddle at (3,) point",
            lambda: objectives.saddle().fun([1.0, 2.0, 3.0]),
            "x must have shape (2,)",
        ),
        (
            "saddle at complex point",
            lambda: objectives.saddle().fun([1j, 0]),
            "x is complex",
        ),
        (
            "saddle at stack (n, 3)",
            lambda: objectives.saddle().grad(np.zeros((4, 3))),
            "(n, 2)",
        ),
        (
            "random field bad rng",
            lambda: objectives.random_field(2, rng="x"),
            "rng must be None",
        ),
        (
            "random field at nan",
            lambda: objectives.random_field(2, rng=0).fun([np.nan, 0]),
            "NaN",
        ),
    ],
    "nn": [
        (
            "empty batch",
            lambda: NET.loss(NET.get_theta(), np.zeros((0, 2)), np.zeros(0)),
            "X is empty",
        ),
        (
            "empty batch to forward",
            lambda: NET.forward(np.zeros((0, 2))),
            "empty batch",
        ),
        (
            "nan in layer input",
            lambda: nn.linear_forward([[np.nan, 1.0]], [[1.0], [1.0]], [0.0]),
            "X contains NaN",
        ),
        (
            "complex layer input",
            lambda: nn.linear_forward([[1j, 1.0]], [[1.0], [1.0]], [0.0]),
            "X is complex",
        ),
        ("complex relu", lambda: nn.relu([1j]), "z is complex"),
        ("string relu", lambda: nn.relu("abc"), "must hold real numbers"),
        (
            "relu_backward shapes",
            lambda: nn.relu_backward(np.ones(3), np.ones(2)),
            "shape of z",
        ),
        (
            "linear W wrong rows",
            lambda: nn.linear_forward(np.ones((2, 2)), np.ones((3, 1)), [0.0]),
            "W must have shape",
        ),
        (
            "linear b wrong size",
            lambda: nn.linear_forward(np.ones((2, 2)), np.ones((2, 1)), [0.0, 1.0]),
            "b must have shape",
        ),
        (
            "linear_backward dout shape",
            lambda: nn.linear_backward(
                np.ones((3, 1)), np.ones((2, 2)), np.ones((2, 1))
            ),
            "dout must have shape",
        ),
        (
            "backward of an empty cache",
            lambda: NET.backward({}, [1.0]),
            "cache must be the dict",
        ),
        (
            "backward dout wrong shape",
            lambda: NET.backward(NET.forward(XB)[1], np.ones((4, 1))),
            "dout must have shape (n,)",
        ),
        (
            "set_theta NaN",
            lambda: NET.set_theta(np.full(NET.size, np.nan)),
            "must be finite",
        ),
        (
            "set_theta wrong size",
            lambda: NET.set_theta(np.zeros(3)),
            "theta must be a 1-D array of shape (13,)",
        ),
        (
            "flatten missing key",
            lambda: NET.flatten({"W1": np.zeros((2, 3))}),
            "params must be a dict",
        ),
        (
            "unknown head",
            lambda: nn.TinyNet(2, 3, output="hinge"),
            "output must be one of",
        ),
        (
            "head as list",
            lambda: nn.TinyNet(2, 3, output=["mse"]),
            "output must be one of",
        ),
        ("hidden 0", lambda: nn.TinyNet(2, 0), "hidden must be finite and > 0"),
        ("d_in float", lambda: nn.TinyNet(2.5, 3), "d_in must be an integer"),
        ("mse head empty", lambda: nn.mse_head([], []), "empty batch"),
        ("mse head nan target", lambda: nn.mse_head([1.0], [np.nan]), "y contains NaN"),
        (
            "mse head column y",
            lambda: nn.mse_head(np.ones((2, 1)), np.ones((2, 1))),
            "y.ravel()",
        ),
        (
            "logistic labels 0/1",
            lambda: nn.logistic_head([0.0, 0.0], [0.0, 2.0]),
            "labels 0 or 1",
        ),
        (
            "X with wrong d_in",
            lambda: NET.loss(NET.get_theta(), np.ones((4, 3)), YB),
            "(n, d_in) = (n, 2)",
        ),
    ],
    "rates": [
        ("complex Hessian", lambda: rates.extreme_eigenvalues([[1j]]), "H is complex"),
        (
            "non-square Hessian",
            lambda: rates.extreme_eigenvalues(np.ones((2, 3))),
            "square matrix",
        ),
        (
            "asymmetric Hessian",
            lambda: rates.extreme_eigenvalues([[1.0, 2.0], [0.0, 1.0]]),
            "symmetric",
        ),
        (
            "complex eigenvalues",
            lambda: rates.gd_factor(0.1, [1j]),
            "eigenvalues is complex",
        ),
        ("nan eigenvalues", lambda: rates.gd_factor(0.1, [np.nan]), "finite numbers"),
        (
            "zero step",
            lambda: rates.gd_factor(0.0, [1.0]),
            "step must be finite and > 0",
        ),
        ("rho >= 1", lambda: rates.predicted_steps(1.0, 0.1), "in (0, 1)"),
        ("tol >= 1", lambda: rates.predicted_steps(0.5, 2.0), "in (0, 1)"),
        (
            "steps_to nan start",
            lambda: rates.steps_to([np.nan, 1.0], 0.1),
            "errors[0] must be finite",
        ),
        (
            "steps_to negative errors",
            lambda: rates.steps_to([1.0, -1.0], 0.1),
            "must be >= 0",
        ),
        ("steps_to 2-d", lambda: rates.steps_to(np.ones((2, 2)), 0.1), "1-D array"),
        (
            "per_step_rate zeros",
            lambda: rates.per_step_rate([1.0, 0.0, 0.0]),
            "positive, finite",
        ),
        (
            "per_step_rate float lo",
            lambda: rates.per_step_rate([1.0, 0.5, 0.25], lo=0.5),
            "lo must be an integer",
        ),
        (
            "loglog equal k",
            lambda: rates.loglog_slope([2.0, 2.0], [1.0, 2.0]),
            "two different values",
        ),
        ("loglog nan", lambda: rates.loglog_slope([1.0, 2.0], [np.nan, 2.0]), "finite"),
        ("loglog zero", lambda: rates.loglog_slope([0.0, 2.0], [1.0, 2.0]), "positive"),
        (
            "loglog lengths",
            lambda: rates.loglog_slope([1.0, 2.0, 3.0], [1.0, 2.0]),
            "same length",
        ),
        (
            "random quadratic kappa < 1",
            lambda: rates.random_quadratic(3, 0.5, np.random.default_rng(0)),
            "kappa >= 1",
        ),
        (
            "random quadratic seed int",
            lambda: rates.random_quadratic(3, 10.0, 0),
            "numpy Generator",
        ),
        (
            "lower bound k >= d",
            lambda: rates.nesterov_lower_bound([5], 3),
            "0 <= k < d",
        ),
        (
            "lower bound complex k",
            lambda: rates.nesterov_lower_bound([1j], 3),
            "k is complex",
        ),
    ],
    "accelerated": [
        (
            "momentum_rate complex eig",
            lambda: accelerated.momentum_rate(0.1, 0.5, [1j]),
            "eigenvalues is complex",
        ),
        (
            "momentum_rate beta 1",
            lambda: accelerated.momentum_rate(0.1, 1.0, [1.0]),
            "beta must be in [0, 1)",
        ),
        (
            "momentum_rate nesterov 'no'",
            lambda: accelerated.momentum_rate(0.1, 0.5, [1.0], nesterov="no"),
            "must be True or False",
        ),
        (
            "momentum_rate empty",
            lambda: accelerated.momentum_rate(0.1, 0.5, []),
            "non-empty",
        ),
        (
            "momentum beta string",
            lambda: accelerated.momentum(_f, [1.0], jac=_g, beta="0.9"),
            "beta must be a number",
        ),
        (
            "momentum beta negative",
            lambda: accelerated.momentum(_f, [1.0], jac=_g, beta=-0.1),
            "beta must be in",
        ),
        (
            "adam beta2 1",
            lambda: accelerated.adam(_f, [1.0], jac=_g, beta2=1.0),
            "beta2 must be in",
        ),
        (
            "adam eps 0",
            lambda: accelerated.adam(_f, [1.0], jac=_g, eps=0.0),
            "eps must be finite and > 0",
        ),
        (
            "rmsprop rate 0",
            lambda: accelerated.rmsprop(_f, [1.0], jac=_g, learning_rate=0.0),
            "learning_rate",
        ),
        (
            "adam complex x0",
            lambda: accelerated.adam(_f, [1j], jac=_g),
            "x0 is complex",
        ),
    ],
    "landscape": [
        (
            "classify complex",
            lambda: landscape.classify_critical_point([[1j]]),
            "hessian is complex",
        ),
        ("classify nan", lambda: landscape.classify_critical_point([[np.nan]]), "NaN"),
        (
            "classify not square",
            lambda: landscape.classify_critical_point(np.ones((1, 2))),
            "square matrix",
        ),
        (
            "classify asymmetric",
            lambda: landscape.classify_critical_point([[1.0, 1.0], [0.0, 1.0]]),
            "symmetric",
        ),
        (
            "classify tol 0",
            lambda: landscape.classify_critical_point(np.eye(2), tol=0),
            "tol must be finite and > 0",
        ),
        (
            "noisy_gd complex start",
            lambda: landscape.noisy_gd(_saddle_grad, [1j, 0.0]),
            "x0 is complex",
        ),
        (
            "noisy_gd nan start",
            lambda: landscape.noisy_gd(_saddle_grad, [np.nan, 0.0]),
            "NaN",
        ),
        (
            "noisy_gd negative noise",
            lambda: landscape.noisy_gd(_saddle_grad, [1.0, 0.0], noise=-1.0),
            "noise",
        ),
        (
            "noisy_gd grad wrong shape",
            lambda: landscape.noisy_gd(lambda p: np.zeros(3), [1.0, 0.0]),
            "same shape",
        ),
        (
            "noisy_gd bad rng",
            lambda: landscape.noisy_gd(_saddle_grad, [1.0, 0.0], rng="x"),
            "rng must be None",
        ),
        (
            "reached empty dict",
            lambda: landscape.critical_point_reached([[0.0, 0.0]], {}),
            "critical_points is empty",
        ),
        (
            "reached complex points",
            lambda: landscape.critical_point_reached([[1j, 0.0]], {"s": [np.zeros(2)]}),
            "points is complex",
        ),
        (
            "random_symmetric d 0",
            lambda: landscape.random_symmetric(0),
            "d must be finite and > 0",
        ),
        (
            "effective noise rate 0",
            lambda: landscape.effective_noise(0.1, 0.0, 1.0),
            "learning_rate",
        ),
    ],
    "splits": [
        (
            "NaN labels",
            lambda: splits.stratified_split([0.0, np.nan, 1.0, 1.0], (0.5, 0.5), rng=0),
            "NaN is not a class",
        ),
        (
            "2-d labels",
            lambda: splits.stratified_split(np.zeros((4, 1)), (0.5, 0.5), rng=0),
            "1-D array of class labels",
        ),
        (
            "empty labels",
            lambda: splits.stratified_split([], (0.5, 0.5), rng=0),
            "non-empty",
        ),
        (
            "fractions not summing to 1",
            lambda: splits.stratified_split([0, 1] * 4, (0.5, 0.6), rng=0),
            "sum to 1",
        ),
        (
            "one fraction",
            lambda: splits.stratified_split([0, 1] * 4, (1.0,), rng=0),
            "at least two parts",
        ),
        (
            "complex fractions",
            lambda: splits.stratified_split([0, 1] * 4, (0.5j, 0.5), rng=0),
            "fractions is complex",
        ),
        (
            "too few samples",
            lambda: splits.stratified_split([0, 1], (0.4, 0.3, 0.3), rng=0),
            "too few",
        ),
        (
            "object labels",
            lambda: splits.stratified_split(
                np.array([None, None, 1, 1], dtype=object), (0.5, 0.5), rng=0
            ),
            "class labels",
        ),
        (
            "standardizer complex",
            lambda: splits.Standardizer().fit([[1j]]),
            "X is complex",
        ),
        ("standardizer nan", lambda: splits.Standardizer().fit([[np.nan]]), "NaN"),
        (
            "standardizer 1-d",
            lambda: splits.Standardizer().fit([1.0, 2.0]),
            "shape (n, d)",
        ),
        (
            "transform before fit",
            lambda: splits.Standardizer().transform([[1.0]]),
            "not fitted",
        ),
        (
            "transform wrong columns",
            lambda: splits.Standardizer().fit([[1.0, 2.0]]).transform([[1.0]]),
            "2 columns",
        ),
    ],
    "multiclass": [
        ("softmax 1-d logits", lambda: multiclass.softmax([1.0, 2.0]), "shape (n, K)"),
        (
            "softmax complex",
            lambda: multiclass.softmax([[1j, 0.0]]),
            "logits is complex",
        ),
        ("softmax one class", lambda: multiclass.softmax([[1.0]]), "K >= 2"),
        (
            "labels out of range",
            lambda: multiclass.softmax_cross_entropy(np.zeros((2, 3)), [0, 3]),
            "labels must be in 0..2",
        ),
        (
            "float labels",
            lambda: multiclass.softmax_cross_entropy(np.zeros((2, 3)), [0.5, 1.0]),
            "non-integer values",
        ),
        (
            "one-hot labels given",
            lambda: multiclass.softmax_cross_entropy(
                np.zeros((2, 3)), np.eye(3)[[0, 1]]
            ),
            "looks one-hot",
        ),
        (
            "labels_from_one_hot integer labels",
            lambda: multiclass.labels_from_one_hot([1, 0]),
            "looks like integer labels",
        ),
        ("complex labels", lambda: multiclass.as_labels([1j, 0], 2), "y is complex"),
        (
            "string labels",
            lambda: multiclass.as_labels(["cat", "dog"], 2),
            "integer class labels",
        ),
        (
            "one_hot n_classes 0",
            lambda: multiclass.one_hot([0, 1], 0),
            "n_classes must be an integer >= 2",
        ),
        (
            "accuracy length mismatch",
            lambda: multiclass.accuracy(np.zeros((2, 3)), [0, 1, 2]),
            "one label per sample",
        ),
    ],
    "classifier": [
        (
            "softmax net complex X",
            lambda: SNET.loss(SNET.get_theta(), [[1j, 0.0]], [0]),
            "X is complex",
        ),
        ("softmax net nan X", lambda: SNET.forward([[np.nan, 0.0]]), "NaN"),
        ("softmax net empty X", lambda: SNET.forward(np.zeros((0, 2))), "empty"),
        (
            "softmax net wrong d_in",
            lambda: SNET.forward(np.zeros((2, 3))),
            "(n, d_in) = (n, 2)",
        ),
        (
            "softmax net theta complex",
            lambda: SNET.loss(SNET.get_theta() * 1j, [[1.0, 0.0]], [0]),
            "theta is complex",
        ),
        (
            "softmax net set nan",
            lambda: SNET.set_theta(np.full(SNET.size, np.nan)),
            "finite",
        ),
        (
            "softmax net init",
            lambda: classifier.SoftmaxNet(2, 3, 3, init="xavier_magic"),
            "init",
        ),
        ("softmax net 1 class", lambda: classifier.SoftmaxNet(2, 3, 1), "n_classes"),
        (
            "softmax net l2 negative",
            lambda: SNET.loss(SNET.get_theta(), [[1.0, 0.0]], [0], l2=-1.0),
            "l2 must be finite",
        ),
    ],
    "training": [
        ("early stopping empty", lambda: training.early_stopping([], 3), "non-empty"),
        (
            "early stopping complex",
            lambda: training.early_stopping([1j], 3),
            "val_losses is complex",
        ),
        (
            "early stopping patience 0",
            lambda: training.early_stopping([1.0, 2.0], 0),
            "patience must be finite and > 0",
        ),
        (
            "early stopping all NaN",
            lambda: training.early_stopping([np.nan, np.nan], 1),
            "all NaN",
        ),
        (
            "suggest rate all nan",
            lambda: training.suggest_rate([0.1, 1.0], [np.nan, np.nan]),
            "no finite value",
        ),
        (
            "suggest rate shapes",
            lambda: training.suggest_rate([0.1, 1.0], [1.0]),
            "shape of rates",
        ),
        (
            "train data not a pair",
            lambda: training.train(SNET, SNET.get_theta(), np.ones((4, 2))),
            "must be a pair",
        ),
        (
            "train nan X",
            lambda: training.train(
                SNET, SNET.get_theta(), (np.full((4, 2), np.nan), [0, 1, 2, 0])
            ),
            "finite array",
        ),
        (
            "train batch > n",
            lambda: training.train(
                SNET, SNET.get_theta(), (np.ones((4, 2)), [0, 1, 2, 0]), batch_size=8
            ),
            "batch_size",
        ),
        (
            "train unknown optimizer",
            lambda: training.train(
                SNET,
                SNET.get_theta(),
                (np.ones((4, 2)), [0, 1, 2, 0]),
                optimizer="lbfgs",
            ),
            "optimizer",
        ),
        (
            "warmup steps 0",
            lambda: training.warmup(0.1, 0),
            "steps must be finite and > 0",
        ),
    ],
    "linesearch": [
        (
            "armijo ascent direction",
            lambda: linesearch.armijo_step(
                _f, np.ones(2), 2.0, 2 * np.ones(2), np.ones(2)
            ),
            "descent direction",
        ),
        (
            "armijo complex direction",
            lambda: linesearch.armijo_step(
                _f, np.ones(2), 2.0, 2 * np.ones(2), [1j, 0]
            ),
            "direction is complex",
        ),
        (
            "backtracking complex x0",
            lambda: linesearch.backtracking(_f, [1j], jac=_g),
            "x0 is complex",
        ),
        (
            "backtracking nan x0",
            lambda: linesearch.backtracking(_f, [np.nan], jac=_g),
            "NaN",
        ),
        (
            "backtracking jac wrong shape",
            lambda: linesearch.backtracking(_f, [1.0, 2.0], jac=lambda x: np.ones(3)),
            "shape (2,)",
        ),
        (
            "polyak f_star nan",
            lambda: linesearch.polyak(_f, [1.0], jac=_g, f_star=np.nan),
            "f_star",
        ),
        (
            "polyak f_star bool",
            lambda: linesearch.polyak(_f, [1.0], jac=_g, f_star=True),
            "f_star",
        ),
        (
            "backtracking fun returns None",
            lambda: linesearch.backtracking(lambda x: None, [1.0], jac=_g),
            "returned None",
        ),
        (
            "backtracking c1 1",
            lambda: linesearch.backtracking(_f, [1.0], jac=_g, c1=1.0),
            "c1",
        ),
    ],
    "stochastic": [
        ("ema of NaN", lambda: stochastic.ema([1.0, np.nan]), "NaN"),
        ("ema of complex", lambda: stochastic.ema([1j]), "values is complex"),
        (
            "ema debias 'no'",
            lambda: stochastic.ema([1.0], debias="no"),
            "must be True or False",
        ),
        (
            "ema beta 1",
            lambda: stochastic.ema([1.0], beta=1.0),
            "beta must be a number in [0, 1)",
        ),
        ("ema 2-d", lambda: stochastic.ema(np.ones((2, 2))), "1-D array"),
        (
            "predicted variance replace 'no'",
            lambda: stochastic.predicted_variance(
                np.arange(8.0).reshape(-1, 1), 2, replace="no"
            ),
            "must be True or False",
        ),
        (
            "variance of complex G",
            lambda: stochastic.minibatch_variance(np.ones((4, 1)) * 1j, 2),
            "G is complex",
        ),
        (
            "variance of 1-d G",
            lambda: stochastic.minibatch_variance(np.ones(4), 2),
            "one gradient per row",
        ),
        (
            "variance batch > n",
            lambda: stochastic.minibatch_variance(np.arange(8.0).reshape(-1, 1), 9),
            "batch_size must be between 1 and n",
        ),
        (
            "variance of one example",
            lambda: stochastic.minibatch_variance(np.ones((1, 1)), 1),
            "at least 2 rows",
        ),
        (
            "loglog equal x",
            lambda: stochastic.loglog_slope([3.0, 3.0], [1.0, 2.0]),
            "two different values",
        ),
        (
            "first_below NaN level",
            lambda: stochastic.first_below([1.0, 2.0], np.nan),
            "must be finite",
        ),
        (
            "first_below string level",
            lambda: stochastic.first_below([1.0, 2.0], "1"),
            "must be a real number",
        ),
        (
            "first_below empty",
            lambda: stochastic.first_below([], 1.0),
            "at least one entry",
        ),
    ],
    "benchmark": [
        (
            "select of a string",
            lambda: benchmark.select("runs", method="BFGS"),
            "list of Run rows",
        ),
        (
            "select of dicts",
            lambda: benchmark.select([{"method": "BFGS"}], method="BFGS"),
            "must hold Run rows",
        ),
        ("select of None", lambda: benchmark.select(None), "list of Run rows"),
        (
            "select unknown field",
            lambda: benchmark.select([], colour="red"),
            "unknown Run fields",
        ),
        (
            "summary of numbers",
            lambda: benchmark.summary([1.0, 2.0]),
            "must hold Run rows",
        ),
        ("summary of None", lambda: benchmark.summary(None), "list of Run rows"),
        ("tally of a string", lambda: benchmark.tally("gtol"), "list of strings"),
        ("tally of numbers", lambda: benchmark.tally([1, 2]), "must be strings"),
        ("tally of nothing", lambda: benchmark.tally([]), "at least one label"),
        (
            "to_markdown of a dict",
            lambda: benchmark.to_markdown({"a": 1}),
            "non-empty list of dicts",
        ),
        (
            "to_markdown of numbers",
            lambda: benchmark.to_markdown([1.0]),
            "non-empty list of dicts",
        ),
    ],
    "counting": [
        ("fun not callable", lambda: counting.CountedObjective(3.0), "callable"),
        (
            "jac not callable",
            lambda: counting.CountedObjective(_f, jac=2.0),
            "jac must be a callable or None",
        ),
        (
            "jac complex output",
            lambda: counting.CountedObjective(_f, jac=lambda x: 1j * x).jac(np.ones(2)),
            "is complex",
        ),
        (
            "hessp complex output",
            lambda: counting.CountedObjective(_f, hessp=lambda x, p: 1j * p).hessp(
                np.ones(2), np.ones(2)
            ),
            "is complex",
        ),
        (
            "fun returns None",
            lambda: counting.CountedObjective(lambda x: None).fun(np.ones(2)),
            "returned None",
        ),
        (
            "fun returns vector",
            lambda: counting.CountedObjective(lambda x: x).fun(np.ones(2)),
            "needs .mean()",
        ),
        (
            "hessp not callable",
            lambda: counting.CountedObjective(_f, hessp="2-point"),
            "hessp must be a callable",
        ),
        (
            "hess not callable",
            lambda: counting.CountedObjective(_f, hess=1),
            "hess must be a callable",
        ),
        (
            "fun returns string",
            lambda: counting.CountedObjective(lambda x: "1").fun(np.ones(2)),
            "must return a scalar",
        ),
    ],
}

ODD = [
    ("list x0 and int rate", lambda: _gd(learning_rate=1 / 2).x, [0.0, 0.0]),
    ("0-d array rate", lambda: _gd(learning_rate=np.array(0.5)).x, [0.0, 0.0]),
    (
        "schedule returns 0-d array",
        lambda: _gd(learning_rate=lambda k: np.array(0.5)).x,
        [0.0, 0.0],
    ),
    ("float32 x0", lambda: _gd(learning_rate=0.5).x.dtype == np.float64, True),
    (
        "int x0",
        lambda: optimizers.gradient_descent(_f, [1, 2], jac=_g, learning_rate=0.5).x,
        [0.0, 0.0],
    ),
    ("numpy bool shuffle", lambda: _mb(shuffle=np.bool_(False), epochs=2).status, 0),
    ("numpy int batch", lambda: _mb(batch_size=np.int64(4), epochs=2).status, 0),
    ("0-d array batch", lambda: _mb(batch_size=np.array(4), epochs=2).status, 0),
    (
        "SeedSequence rng",
        lambda: _mb(rng=np.random.SeedSequence(3), epochs=2).status,
        0,
    ),
    (
        "float32 data",
        lambda: losses.mse(Z3, X.astype(np.float32), Y.astype(np.float32)) > 0,
        True,
    ),
    ("lists as data", lambda: losses.mse([2.0], [[1], [2], [3]], [2, 4, 6]), 0.0),
    ("int step in schedule", lambda: schedules.constant(0.1)(np.int64(3)), 0.1),
    ("float step that is whole", lambda: schedules.constant(0.1)(3.0), 0.1),
    ("0-d array step", lambda: schedules.constant(0.1)(np.array(3)), 0.1),
    (
        "int weights",
        lambda: data.linear_regression(n=4, d=2, weights=[1, 2], bias=1, rng=0).theta,
        [1.0, 2.0, 1.0],
    ),
    (
        "0-d array bias",
        lambda: data.linear_regression(n=4, d=1, bias=np.array(2.0), rng=0).theta[-1],
        2.0,
    ),
    (
        "huge values: mse is inf, no warning",
        lambda: losses.mse([1e200], [[1e200]], [0.0]),
        np.inf,
    ),
    (
        "fun returns a 1-element array (as SciPy allows)",
        lambda: (
            optimizers.gradient_descent(
                lambda x: x @ x * np.ones(1), [1.0], jac=_g, learning_rate=0.5
            ).x
        ),
        [0.0],
    ),
    (
        "gradient check with int x",
        lambda: gradcheck.check_gradient(_f, _g, [1, 2]) < 1e-8,
        True,
    ),
    (
        "early stopping: a NaN epoch never improves",
        lambda: training.early_stopping([np.nan, 1.0, 2.0], 1),
        [1, 2],
    ),
    (
        "huge network weights: loss inf, no warning",
        lambda: NET.loss(np.array([1e308, -1e308] * 6 + [1e308]), XB, YB),
        np.inf,
    ),
    (
        "diverged network: a gradient, no warning",
        lambda: np.isnan(
            NET.grad(np.array([1e308, -1e308] * 6 + [1e308]), XB, YB)
        ).any(),
        True,
    ),
    ("int layer inputs", lambda: nn.linear_forward([[1, 2]], [[1], [1]], [0]), [[3.0]]),
    (
        "float32 Hessian",
        lambda: rates.extreme_eigenvalues(np.eye(2, dtype=np.float32)),
        [1.0, 1.0],
    ),
    ("0-d array step", lambda: rates.gd_factor(np.array(0.5), [1.0, 2.0]), 0.5),
    (
        "string class labels",
        lambda: len(splits.stratified_split(["a", "b"] * 4, (0.5, 0.5), rng=0)[0]),
        4,
    ),
    (
        "numpy bool nesterov",
        lambda: accelerated.momentum_rate(0.1, 0.0, [1.0], nesterov=np.bool_(True)),
        0.9,
    ),
    (
        "sigmoid of NaN logits: NaN, no warning",
        lambda: np.isnan(losses.sigmoid([np.nan, 0.0])).tolist(),
        [1.0, 0.0],
    ),
    (
        "counted fun returns a 1-element array",
        lambda: counting.CountedObjective(lambda x: x[:1]).fun(np.ones(2)),
        1.0,
    ),
]

DIVERGES = [
    (
        "nan loss at x0 with zero gradient",
        lambda: optimizers.gradient_descent(
            lambda x: np.nan, [1.0], jac=lambda x: np.zeros(1)
        ),
    ),
    (
        "inf loss at x0",
        lambda: optimizers.gradient_descent(lambda x: np.inf, [1.0], jac=_g),
    ),
    (
        "nan gradient at x0",
        lambda: optimizers.gradient_descent(_f, [1.0], jac=lambda x: x * np.nan),
    ),
    (
        "nan loss at x0, momentum",
        lambda: accelerated.momentum(
            lambda x: np.nan, [1.0], jac=lambda x: np.zeros(1)
        ),
    ),
    (
        "nan loss at x0, adam",
        lambda: accelerated.adam(lambda x: np.nan, [1.0], jac=lambda x: np.zeros(1)),
    ),
    (
        "nan loss at x0, minibatch",
        lambda: optimizers.minibatch_gd(
            lambda t, X, y: np.nan, Z3, (X, Y), losses.mse_grad, batch_size=4
        ),
    ),
    ("rate far too large", lambda: _gd(learning_rate=10.0, maxiter=5000)),
    ("rate far too large, minibatch", lambda: _mb(learning_rate=10.0, epochs=200)),
    (
        "loss that goes to nan after a step",
        lambda: optimizers.gradient_descent(
            lambda x: float(np.log(x[0])), [1.0], jac=lambda x: 1 / x, learning_rate=2.0
        ),
    ),
]

CASES = [(module, *row) for module, rows in BAD.items() for row in rows]


def test_enough_cases_per_module():
    counts = {module: len(rows) for module, rows in BAD.items()}
    assert all(n >= 9 for n in counts.values()), counts
    assert sum(counts.values()) + len(ODD) + len(DIVERGES) >= 150


@pytest.mark.parametrize(
    ("module", "case", "call", "fragment"),
    CASES,
    ids=[f"{m}-{c}" for m, c, *_ in CASES],
)
def test_bad_input_is_a_clear_value_error(module, case, call, fragment):
    with pytest.raises(ValueError) as info:
        call()
    assert fragment in str(info.value), f"{case}: {info.value}"
    # raised by gdutils itself (not by NumPy deep inside)
    tb = info.tb
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert "gdutils" in tb.tb_frame.f_code.co_filename, (
        case,
        tb.tb_frame.f_code.co_filename,
    )


@pytest.mark.parametrize(("case", "call", "expected"), ODD, ids=[c for c, *_ in ODD])
def test_odd_but_valid_input_works(case, call, expected):
    got = call()
    if isinstance(expected, bool):
        assert bool(got) is expected
    else:
        np.testing.assert_allclose(got, expected, atol=1e-8)


@pytest.mark.parametrize(("case", "call"), DIVERGES, ids=[c for c, _ in DIVERGES])
def test_divergence_is_status_2_never_success(case, call):
    res = call()
    assert res.status == 2 and not res.success, (res.status, res.message)
    assert res.message.startswith("Diverged")


# --- the fast paths of _validation: the same answers as the full checks --------------
# Frozen copies of as_real_array and scalar_output as they were before their fast paths
# (for a float64 ndarray, and for a float) were added: on every input, the same result
# (same type, dtype, values, and the very same object where the old code returned its
# input) or the same error.
def _reference_as_real_array(x, name="x"):
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        raise ValueError("ragged") from None
    if np.iscomplexobj(arr):
        raise ValueError("complex")
    if arr.dtype.kind not in "biuf":
        raise ValueError("not real")
    return arr.astype(float, copy=False)


def _reference_scalar_output(value, name="fun"):
    if value is None or isinstance(value, (tuple, list, str, bytes)):
        raise ValueError("not a scalar")
    if np.iscomplexobj(value):
        raise ValueError("complex")
    if (
        np.ndim(value) != 0
        and np.size(value) == 1
        and np.asarray(value).dtype.kind in "biuf"
    ):
        return float(np.asarray(value).item())
    if np.ndim(value) != 0:
        raise ValueError("an array")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError("not a number") from None


class _Sub(np.ndarray):
    pass


_ARRAYS = [
    np.arange(4.0),
    np.arange(6.0).reshape(2, 3),
    np.array(2.5),
    np.array([]),
    np.array([1.0, np.nan, np.inf]),
    np.arange(4.0)[::2],  # a strided view
    np.arange(3.0).astype(">f8"),  # float64, but not in native byte order
    np.arange(3.0).view(_Sub),  # a subclass
    np.ma.masked_array([1.0, 2.0], mask=[False, True]),
    np.arange(3, dtype=np.float32),
    np.arange(3),
    np.array([True, False]),
    [1.0, 2.0],
    3,
    np.array([1 + 2j]),
    np.array(["a"]),
    [[1.0], [1.0, 2.0]],
    None,
]


@pytest.mark.parametrize("x", _ARRAYS, ids=range(len(_ARRAYS)))
def test_as_real_array_fast_path_changes_nothing(x):
    try:
        expected = _reference_as_real_array(x)
    except ValueError:
        with pytest.raises(ValueError):
            v.as_real_array(x)
        return
    got = v.as_real_array(x)
    assert type(got) is type(expected) and got.dtype == expected.dtype
    assert (got is x) == (expected is x)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("x", _ARRAYS[:9], ids=range(9))
def test_as_vector_refuses_and_returns_as_before(x):
    x = np.asarray(x) if not isinstance(x, np.ndarray) else x
    arr = _reference_as_real_array(x)
    ok = arr.ndim == 1 and arr.size > 0 and np.all(np.isfinite(arr))
    if not ok:
        with pytest.raises(ValueError):
            v.as_vector(x)
    else:
        got = v.as_vector(x)
        assert (got is x) == (arr is x) and got.dtype == np.float64
        np.testing.assert_array_equal(got, arr)


_SCALARS = [
    2.5,
    -0.0,
    float("nan"),
    float("inf"),
    np.float64(1.5),
    np.float32(0.25),
    3,
    True,
    np.array(4.0),
    np.array([5.0]),
    np.ones(3),
    None,
    (1.0, 2.0),
    "1",
    1j,
    object(),
]


@pytest.mark.parametrize("value", _SCALARS, ids=range(len(_SCALARS)))
def test_scalar_output_fast_path_changes_nothing(value):
    try:
        expected = _reference_scalar_output(value)
    except ValueError:
        with pytest.raises(ValueError):
            v.scalar_output(value, "fun")
        return
    got = v.scalar_output(value, "fun")
    assert type(got) is float
    assert got == expected or (np.isnan(got) and np.isnan(expected))
    assert np.copysign(1.0, got) == np.copysign(1.0, expected)
