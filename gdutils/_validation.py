"""Input checks shared by every module: one place, one wording for the errors."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_real_array",
    "as_data",
    "require_finite_block",
    "as_vector",
    "as_positive",
    "as_finite",
    "as_bool",
    "as_rng",
    "as_step",
    "callable_name",
    "scalar_output",
    "gradient_output",
]


def as_real_array(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a float64 array, refusing what would be silently wrong.

    Complex input is refused (casting to float would drop the imaginary part), as are
    strings, ``None``, ragged lists and other objects that are not real numbers.
    Booleans, integers, float32 and 0-d arrays are valid and converted to float64.

    >>> as_real_array([1, 2]).dtype
    dtype('float64')
    >>> as_real_array([1 + 2j])
    Traceback (most recent call last):
    ...
    ValueError: x is complex (dtype complex128); expected real numbers. Pass x.real if
    the imaginary part is meant to be dropped.
    """
    if type(x) is np.ndarray and x.dtype == np.float64:  # nothing to convert
        return x
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(
            f"{name} must be an array of real numbers with a regular shape; "
            f"could not read it ({exc})."
        ) from None
    if np.iscomplexobj(arr):
        raise ValueError(
            f"{name} is complex (dtype {arr.dtype}); expected real numbers. "
            f"Pass {name}.real if the imaginary part is meant to be dropped."
        )
    if arr.dtype.kind not in "biuf":
        shown = repr(x) if len(repr(x)) <= 60 else repr(x)[:57] + "..."
        raise ValueError(
            f"{name} must hold real numbers; got {shown} (dtype {arr.dtype})."
        )
    return arr.astype(float, copy=False)


def as_data(X, y, *, check_x_finite: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` as a finite float array of shape (n, d) and ``y`` of shape (n,).

    Raises ``ValueError`` for the classic mistakes instead of letting NumPy
    broadcast them silently: ``y`` of shape (n, 1), lengths that differ, an empty
    data set, NaN or inf. ``check_x_finite=False`` skips the scan of ``X`` for NaN
    and inf: only for a caller that scans it itself (block by block, while the block
    is in cache: see :func:`require_finite_block`), and still checks ``y``.

    >>> X, y = as_data([[1.0], [2.0]], [2.0, 4.0])
    >>> X.shape, y.shape
    ((2, 1), (2,))
    """
    X = as_real_array(X, "X")
    y = as_real_array(y, "y")
    if X.ndim == 1:
        raise ValueError(
            f"X must have shape (n, d); got a 1-D array of shape {X.shape}. "
            "For a single feature use X.reshape(-1, 1)."
        )
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got shape {X.shape}.")
    n = X.shape[0]
    if n == 0:
        raise ValueError("X is empty: need at least one sample (n >= 1).")
    if y.ndim == 2 and y.shape[1] == 1:
        raise ValueError(
            f"y must have shape (n,) = ({n},); got {y.shape}. A column vector would "
            f"broadcast against the predictions to shape ({n}, {n}). Use y.ravel()."
        )
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n,) = ({n},); got {y.shape}.")
    if y.shape[0] != n:
        raise ValueError(
            f"X and y must have the same number of samples: X has {n} rows, y has"
            f" {y.shape[0]}."
        )
    if check_x_finite:
        require_finite_block(X)
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or inf; expected finite values.")
    return X, y


def require_finite_block(X: np.ndarray) -> None:
    """Raise the ``ValueError`` of :func:`as_data` if ``X`` holds NaN or inf.

    >>> require_finite_block(np.array([[1.0, np.inf]]))
    Traceback (most recent call last):
    ...
    ValueError: X contains NaN or inf; expected finite values.
    """
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or inf; expected finite values.")


def as_vector(x, name: str = "x", size: int | None = None) -> np.ndarray:
    """Return ``x`` as a finite 1-D float array (of length ``size`` if given).

    >>> as_vector([1, 2], size=2)
    array([1., 2.])
    """
    x = as_real_array(x, name)
    if x.ndim != 1:
        expected = f"({size},)" if size is not None else "(d,)"
        raise ValueError(
            f"{name} must be a 1-D array of shape {expected}; got shape {x.shape}."
        )
    if x.size == 0:
        raise ValueError(f"{name} is empty; expected at least one entry.")
    if size is not None and x.shape[0] != size:
        raise ValueError(f"{name} must have shape ({size},); got {x.shape}.")
    if not np.isfinite(x).all():  # x is an ndarray: the method is the cheaper call
        raise ValueError(f"{name} contains NaN or inf; expected finite values.")
    return x


def as_positive(
    value: float, name: str, *, integer: bool = False, allow_zero: bool = False
) -> float:
    """Check that ``value`` is a (finite) positive number and return it.

    >>> as_positive(0.1, "learning_rate")
    0.1
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()  # a 0-d array is a number
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {what}; got {value!r}.")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}; got {value!r}.")
    return value


def as_finite(value, name: str) -> float:
    """Check that ``value`` is one finite real number (any sign) and return it as a
    float.

    >>> as_finite(-2, "bias")
    -2.0
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number; got {value!r}.")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    return float(value)


def as_bool(value, name: str) -> bool:
    """Check that ``value`` is ``True`` or ``False`` (a truthy string such as 'no' is
    refused).

    >>> as_bool(False, "shuffle")
    False
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def as_rng(rng) -> np.random.Generator:
    """Turn ``None``, an int seed, a SeedSequence or a Generator into a
    ``numpy.random.Generator``.

    >>> bool(as_rng(0).integers(10) == as_rng(0).integers(10))
    True
    """
    if isinstance(rng, np.random.RandomState):
        raise ValueError(
            "rng must be a seed or numpy.random.Generator (default_rng), not"
            " RandomState."
        )
    if isinstance(rng, (bool, np.bool_, float, str, bytes)):
        raise ValueError(
            "rng must be None, an integer seed >= 0, a SeedSequence or a "
            f"numpy.random.Generator; got {rng!r}."
        )
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError):
        raise ValueError(
            "rng must be None, an integer seed >= 0, a SeedSequence or a "
            f"numpy.random.Generator; got {rng!r}."
        ) from None


def as_step(h, x: np.ndarray, name: str = "h") -> float:
    """Check a finite-difference step ``h`` against the floating-point spacing of ``x``.

    A step so small that ``x + h == x`` for some entry would give a difference of zero
    (a gradient of zeros, silently wrong): that is a ``ValueError`` that says so.

    >>> as_step(1e-6, np.array([1.0, 2.0]))
    1e-06
    >>> as_step(1e-20, np.array([1.0]))
    Traceback (most recent call last):
    ...
    ValueError: h = 1e-20 is too small for x: x + h == x in floating point for entries
    of size 1 (their spacing is 2.2e-16). A step near 1e-6 * max(1, |x|) = 1e-06
    balances truncation and round-off.
    """
    h = as_positive(h, name)
    stuck = (x + h == x) | (x - h == x)
    if np.any(stuck):
        big = float(np.max(np.abs(x[stuck])))
        spacing = float(np.spacing(big))
        raise ValueError(
            f"{name} = {h:g} is too small for x: x + {name} == x in floating point for"
            f" entries of size {big:g} (their spacing is {spacing:.2g}). A step near"
            f" 1e-6 * max(1, |x|) = {1e-6 * max(1.0, big):.0e} balances truncation and"
            " round-off."
        )
    return float(h)


def callable_name(fn, default: str) -> str:
    """``fn``'s name for messages; ``default`` for a lambda or a nameless callable.

    >>> callable_name(len, "f"), callable_name(lambda x: x, "f")
    ('len', 'f')
    """
    name = getattr(fn, "__name__", None)
    return default if not name or name == "<lambda>" else name


def scalar_output(value, name: str, what: str = "the loss") -> float:
    """The value ``fn`` returned, as one real float; a clear error for anything else.

    >>> scalar_output(np.float32(2.5), "fun")
    2.5
    >>> scalar_output(np.ones(3), "fun")
    Traceback (most recent call last):
    ...
    ValueError: fun must return a scalar (one number: the loss); got an array of shape
    (3,). A per-sample vector of losses needs .mean().
    """
    if type(value) is float:  # the common case: nothing to check or convert
        return value
    if value is None:
        raise ValueError(
            f"{name} returned None; it must return a scalar (one number: {what}). "
            "Did it forget `return`?"
        )
    if isinstance(value, (tuple, list)):
        raise ValueError(
            f"{name} must return a scalar (one number: {what}); got a"
            f" {type(value).__name__} of length {len(value)}. If it returns (value,"
            " gradient), pass jac=True."
        )
    if isinstance(value, (str, bytes)):
        raise ValueError(
            f"{name} must return a scalar (one number: {what}); got the string"
            f" {value!r}."
        )
    if np.iscomplexobj(value):
        raise ValueError(
            f"{name} returned a complex number {value!r}; expected a real number"
            f" ({what})."
        )
    if (
        np.ndim(value) != 0
        and np.size(value) == 1
        and np.asarray(value).dtype.kind in "biuf"
    ):
        # an array holding one number, as SciPy accepts
        return float(np.asarray(value).item())
    if np.ndim(value) != 0:
        shape = np.shape(value)
        tail = (
            " A per-sample vector of losses needs .mean()."
            if len(shape) == 1 and shape[0] > 1
            else ""
        )
        raise ValueError(
            f"{name} must return a scalar (one number: {what}); got an array of shape "
            f"{shape}.{tail}"
        )
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must return a scalar (one number: {what}); got {value!r}."
        ) from None


def gradient_output(value, name: str, shape: tuple) -> np.ndarray:
    """The gradient ``fn`` returned, as a real float array of ``shape``; a clear error
    otherwise.

    >>> gradient_output([1, 2], "jac", (2,))
    array([1., 2.])
    """
    if value is None:
        raise ValueError(
            f"{name} returned None; it must return the gradient, an array of "
            f"shape {shape}. Did it forget `return`?"
        )
    g = as_real_array(value, f"the gradient returned by {name}")
    if g.shape != tuple(shape):
        raise ValueError(
            f"{name} must return shape {tuple(shape)} (same as x: it is the "
            f"gradient); got {g.shape}."
        )
    return g
