"""Checkers for chapter 3 (saddle points and non-convex landscapes).

Six exercises: classify a critical point from its Hessian (``classify``), the escape
direction at a saddle (``direction``), a start near a saddle that leads to a chosen
minimum (``start``), the escape time under gradient noise (``escape``), and two transfer
exercises whose answers the chapter does not print: the noise-free escape time from a
saddle in d dimensions with several descending directions (``escape_d``) and the step of
the saddle-free Newton method (``saddle_free``). Every known mistake is named by its
hint.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from ..landscape import classify_critical_point, effective_noise, predicted_escape_time
from ..objectives import multi_well
from ..optimizers import gradient_descent
from ._core import (
    Exercise,
    Feedback,
    Mistake,
    _not_attempted,
    _raised,
    _returned_none,
    check_function,
    check_value,
)

__all__ = [
    "check_classify_hessian",
    "check_escape_direction",
    "EXERCISE_SADDLE",
    "check_start",
    "check_start_towards",
    "ESCAPE_SETTING",
    "check_escape_steps",
    "escape_steps_reference",
    "escape_steps_d",
    "check_escape_steps_d",
    "saddle_free_step",
    "check_saddle_free_step",
    "classify",
    "direction",
    "start",
    "escape",
    "escape_d",
    "saddle_free",
]

_LABELS = ("minimum", "maximum", "saddle", "degenerate")


def _run_all(fn: Callable, cases, what: str):
    """``fn`` on a deep copy of every case: (outputs, None), or (None, Feedback) for a
    stub or a crash."""
    if fn is None or fn is Ellipsis:
        return None, Feedback(
            "not attempted", f"Define {what} and run this cell again."
        )
    if not callable(fn):
        return None, Feedback(
            "fail",
            f"{what} should be a function; got a `{type(fn).__name__}`.",
            "not a function",
        )
    outputs = []
    for i, case in enumerate(cases, 1):
        try:
            got = fn(*copy.deepcopy(tuple(case)))
        except NotImplementedError:
            return None, _not_attempted(what)
        except Exception as exc:  # noqa: BLE001  (the learner's bug, reported rather than raised)
            return None, _raised(exc, what, i)
        if got is None:
            return None, _returned_none(what)
        if got is Ellipsis:
            return None, _not_attempted(what)
        outputs.append(got)
    return outputs, None


def _rotated(eigs, seed):
    d = len(eigs)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    H = Q @ np.diag(eigs) @ Q.T
    return (H + H.T) / 2


# --- exercise 1: classify a critical point from its Hessian ---------------------------

_CASES_CLASSIFY = [
    (np.diag([2.0, 1.0]),),
    (np.array([[1.0, 2.0], [2.0, 1.0]]),),  # positive diagonal, eigenvalues 3 and -1
    (np.diag([-1.0, -3.0]),),  # a maximum with a positive determinant
    (np.diag([1.0, 0.0]),),  # a zero eigenvalue: the test cannot decide
    (np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, -0.4]]),),
    (-np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]]),),
    (np.zeros((2, 2)),),
    (np.diag([-2.0, 0.0]),),
    (np.array([[2.0, -1.0], [-1.0, 2.0]]),),
    (_rotated([3.0, 0.5, -0.2, 1.0], 4),),
    (_rotated([2.0, 0.0, 1.0], 5),),  # a zero eigenvalue that round-off makes ~1e-16
    (_rotated([-1.0, -2.0, -0.5, -3.0], 6),),  # a maximum in 4-D
    (np.diag([5.0, 2.0, -1e-3]),),  # a small but real negative curvature: a saddle
]


def _by_signs(values) -> str:
    """Classify as if ``values`` were the eigenvalues (the "read the diagonal" mistake
    uses it)."""
    return classify_critical_point(np.diag(np.asarray(values, dtype=float)))


def _determinant_test(H) -> str:
    det = np.linalg.det(H)
    return "minimum" if det > 1e-12 else "saddle" if det < -1e-12 else "degenerate"


def _non_strict(H) -> str:
    eig = np.linalg.eigvalsh(H)
    if np.all(eig >= -1e-12):
        return "minimum"
    if np.all(eig <= 1e-12):
        return "maximum"
    return "saddle"


def _exact_zero(H) -> str:
    eig = np.linalg.eigvalsh(H)
    if eig.min() < 0 < eig.max():
        return "saddle"
    if np.any(eig == 0):
        return "degenerate"
    return "minimum" if eig.min() > 0 else "maximum"


def _any_negative_is_saddle(H) -> str:
    label = classify_critical_point(H)
    return "saddle" if label == "maximum" else label


def _loose_tolerance(H) -> str:
    return classify_critical_point(H, tol=1e-2)


_SWAP = {
    "minimum": "maximum",
    "maximum": "minimum",
    "saddle": "saddle",
    "degenerate": "degenerate",
}

_CLASSIFY_MISTAKES = [
    Mistake(
        "diagonal entries",
        lambda H: _by_signs(np.diag(H)),
        "You read the signs of the diagonal entries. They are the curvatures along the"
        " coordinate axes only; a saddle can have a positive diagonal, e.g. `[[1, 2],"
        " [2, 1]]` has eigenvalues 3 and -1. Use the eigenvalues"
        " (`np.linalg.eigvalsh(H)`).",
    ),
    Mistake(
        "determinant test",
        _determinant_test,
        "The determinant test ($\\det H > 0$: minimum, $\\det H < 0$: saddle) is a 2-D"
        " shortcut that also needs the sign of a diagonal entry: a 2-D maximum has"
        " $\\det H > 0$ too, and in 3-D the sign of the determinant says little. Use"
        " all eigenvalues.",
    ),
    Mistake(
        "non-strict inequalities",
        _non_strict,
        "A zero eigenvalue means the second-order test cannot decide: return"
        " `'degenerate'` when an eigenvalue is (numerically) zero and the rest share"
        " one sign. Use strict inequalities with a small tolerance.",
    ),
    Mistake(
        "minimum and maximum swapped",
        lambda H: _SWAP[classify_critical_point(H)],
        "Minimum and maximum are swapped: all eigenvalues positive means the function"
        " curves UP in every direction, a minimum.",
    ),
    Mistake(
        "exact zero test",
        _exact_zero,
        "You compared eigenvalues with exactly 0. Computed eigenvalues carry round-off:"
        " a zero eigenvalue of a rotated matrix comes out as about `1e-16`, of either"
        " sign. Treat $|\\lambda| \\le$ `1e-8 * max(1, max(abs(eig)))` as zero.",
    ),
    Mistake(
        "maximum called a saddle",
        _any_negative_is_saddle,
        "A negative eigenvalue alone does not make a saddle: a saddle needs eigenvalues"
        " of BOTH signs. All negative is a maximum.",
    ),
    Mistake(
        "tolerance too loose",
        _loose_tolerance,
        "Your tolerance for a zero eigenvalue is too loose: a curvature of `-1e-3` is"
        " small but real. Count an eigenvalue as zero only when $|\\lambda| \\le$ `1e-8"
        " * max(1, max(abs(eig)))`.",
    ),
]


def check_classify_hessian(fn: Callable) -> Feedback:
    """Check ``fn(H)`` -> "minimum", "maximum", "saddle" or "degenerate" for a symmetric
    Hessian ``H``.

    >>> check_classify_hessian(classify_critical_point).passed
    True
    >>> check_classify_hessian(lambda H: _by_signs(np.diag(H))).mistake
    'diagonal entries'
    """
    outputs, fb = _run_all(fn, _CASES_CLASSIFY, "`classify_hessian`")
    if fb is not None:
        return fb
    got = [o.strip().lower() if isinstance(o, str) else o for o in outputs]
    bad = [o for o in got if not isinstance(o, str) or o not in _LABELS]
    if bad:
        return Feedback(
            "fail",
            "Return one of "
            + ", ".join(f"`{s!r}`" for s in _LABELS)
            + f"; got `{bad[0]!r}`.",
            "label",
        )
    want = [classify_critical_point(H) for (H,) in _CASES_CLASSIFY]
    if got == want:
        return Feedback(
            "pass",
            f"All {len(want)} Hessians classified correctly, including the degenerate"
            " ones.",
        )
    for m in _CLASSIFY_MISTAKES:
        if got == [m.compute(H) for (H,) in _CASES_CLASSIFY]:
            return Feedback("fail", m.hint, m.name)
    i = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
    H = _CASES_CLASSIFY[i][0]
    return Feedback(
        "fail",
        f"Test case {i + 1}: for `H = {np.round(H, 3).tolist()}` (eigenvalues"
        f" `{np.round(np.linalg.eigvalsh(H), 4).tolist()}`) the answer is"
        f" `{want[i]!r}`, not `{got[i]!r}`.",
    )


# --- exercise 2: the escape direction at a saddle -------------------------------------

_CASES_DIRECTION = [
    (np.diag([2.0, -2.0]),),
    (np.array([[1.0, 2.0], [2.0, 1.0]]),),
    (_rotated([1.5, -0.7], 1),),
    (_rotated([2.0, 1.0, -0.5], 2),),
    (_rotated([-3.0, 0.5, 1.0, 2.0], 3),),
    (_rotated([-0.4, 2.5, -1.2, 0.8], 7),),
]


def _escape_direction(H) -> np.ndarray:
    return np.linalg.eigh(H)[1][:, 0]


def _aligned(v, u, tol=1e-6) -> bool:
    try:
        v = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return False
    return (
        v.shape == u.shape
        and bool(abs(abs(v @ u) - 1) < tol)
        and bool(abs(np.linalg.norm(v) - 1) < tol)
    )


def _unsorted_eig(H):
    vals, vecs = np.linalg.eig(H)
    return np.real(vecs[:, 0])


_DIRECTION_MISTAKES = [
    Mistake(
        "largest eigenvalue",
        lambda H: np.linalg.eigh(H)[1][:, -1],
        "That is the eigenvector of the LARGEST eigenvalue: the direction that curves"
        " up, along which gradient descent slides back into the saddle. Escape happens"
        " along the most negative eigenvalue (`eigh` sorts them in increasing order, so"
        " it is column 0).",
    ),
    Mistake(
        "row instead of column",
        lambda H: np.linalg.eigh(H)[1][0],
        "You took a row of the eigenvector matrix. `np.linalg.eigh` returns"
        " eigenvectors as COLUMNS: the one for eigenvalue `i` is `vecs[:, i]`.",
    ),
    Mistake(
        "unsorted eig",
        _unsorted_eig,
        "`np.linalg.eig` does not sort its eigenvalues, so column 0 is not necessarily"
        " the most negative one. Use `np.linalg.eigh` (sorted, for symmetric matrices)"
        " or pick the `argmin` of the eigenvalues.",
    ),
    Mistake(
        "least negative eigenvalue",
        lambda H: np.linalg.eigh(H)[1][:, int(np.sum(np.linalg.eigvalsh(H) < 0)) - 1],
        "That is the eigenvector of the negative eigenvalue closest to zero: it grows"
        " too, but more slowly. The offset along the MOST negative eigenvalue grows"
        " fastest (`vecs[:, 0]` with `eigh`).",
    ),
]


def check_escape_direction(fn: Callable) -> Feedback:
    """Check ``fn(H)`` -> a unit eigenvector of the most negative eigenvalue of ``H``
    (either sign).

    >>> check_escape_direction(lambda H: -np.linalg.eigh(H)[1][:, 0]).passed
    True
    >>> check_escape_direction(lambda H: np.linalg.eigh(H)[1][:, -1]).mistake
    'largest eigenvalue'
    """
    outputs, fb = _run_all(fn, _CASES_DIRECTION, "`escape_direction`")
    if fb is not None:
        return fb
    try:
        got = [np.asarray(o, dtype=float) for o in outputs]
    except (TypeError, ValueError):
        return Feedback(
            "fail",
            "Return the direction as an array of numbers of shape `(d,)`.",
            "not numbers",
        )
    want = [_escape_direction(H) for (H,) in _CASES_DIRECTION]
    if all(_aligned(g, w) for g, w in zip(got, want, strict=True)):
        return Feedback(
            "pass",
            f"Right direction (up to its sign, which is free) for all {len(want)}"
            " Hessians.",
        )
    for i, (g, w) in enumerate(zip(got, want, strict=True), 1):
        if g.shape != w.shape:
            return Feedback(
                "fail",
                f"Test case {i}: expected shape `{w.shape}`, got `{g.shape}`.",
                "shape",
            )
    if all(np.allclose(g, 0) for g in got):
        return Feedback(
            "fail",
            "A zero vector: at a saddle the gradient is zero, which is exactly why"
            " gradient descent does not move. The escape direction comes from the"
            " Hessian.",
            "zero gradient",
        )
    for m in _DIRECTION_MISTAKES:
        if all(
            _aligned(g, np.asarray(m.compute(H)))
            for g, (H,) in zip(got, _CASES_DIRECTION, strict=True)
        ):
            return Feedback("fail", m.hint, m.name)
    if all(
        np.linalg.norm(g) > 0 and _aligned(g / np.linalg.norm(g), w)
        for g, w in zip(got, want, strict=True)
    ):
        return Feedback(
            "fail",
            "Right direction, but not a unit vector: divide by its norm.",
            "not normalised",
        )
    i = next(
        i for i, (g, w) in enumerate(zip(got, want, strict=True)) if not _aligned(g, w)
    )
    cos = abs(got[i] @ want[i]) / max(np.linalg.norm(got[i]), 1e-300)
    return Feedback(
        "fail",
        f"Test case {i + 1}: your vector makes an angle of "
        f"{np.degrees(np.arccos(min(cos, 1.0))):.1f} degrees with the escape"
        " direction.",
    )


# --- exercise 3: a start near a saddle that leads to a chosen minimum -----------------

#: The saddle of ``multi_well()`` between its two lowest minima, and the radius allowed
#: around it.
EXERCISE_SADDLE = min(
    multi_well().critical_points["saddle"],
    key=lambda p: np.linalg.norm(p - [0.0, -1.0]),
)
_RADIUS = 0.05
_RATE = 0.1


def _reached(x0) -> int | None:
    """Index of the minimum of ``multi_well()`` that gradient descent from ``x0``
    reaches (None: none)."""
    w = multi_well()
    res = gradient_descent(
        w.fun,
        np.asarray(x0, dtype=float),
        jac=w.grad,
        learning_rate=_RATE,
        maxiter=5000,
        gtol=1e-9,
    )
    dist = np.linalg.norm(np.array(w.minimizers) - res.x, axis=1)
    k = int(np.argmin(dist))
    return k if dist[k] < 1e-4 else None


def _start_cases():
    """(saddle, its Hessian, a target minimum, radius) for each saddle and each of its
    two neighbours."""
    w = multi_well()
    cases = []
    for S in w.critical_points["saddle"]:
        u = np.linalg.eigh(w.hess(S))[1][:, 0]
        for side in (1.0, -1.0):
            target = w.minimizers[_reached(S + 0.01 * side * u)]
            cases.append((np.array(S), w.hess(S), np.array(target), _RADIUS))
    return cases


def _towards(S, H, target, radius):
    u = np.linalg.eigh(H)[1][:, 0]
    return S + 0.5 * radius * np.sign(u @ (target - S)) * u


def check_start_towards(fn: Callable) -> Feedback:
    """Check ``fn(S, H, target, radius)`` -> a start within ``radius`` of the saddle
    ``S`` of ``multi_well()``
    from which gradient descent (rate 0.1) reaches the minimum ``target``.

    >>> check_start_towards(_towards).passed
    True
    >>> check_start_towards(lambda S, H, t, r: S).mistake
    'exactly on the saddle'
    """
    cases = _start_cases()
    outputs, fb = _run_all(fn, cases, "`start_towards`")
    if fb is not None:
        return fb
    w = multi_well()
    for i, ((S, H, target, radius), x0) in enumerate(
        zip(cases, outputs, strict=True), 1
    ):
        try:
            x0 = np.asarray(x0, dtype=float)
        except (TypeError, ValueError):
            return Feedback(
                "fail",
                f"Test case {i}: return a point `(x, y)`; got `{x0!r}`.",
                "not numbers",
            )
        if x0.shape != (2,) or not np.all(np.isfinite(x0)):
            return Feedback(
                "fail",
                f"Test case {i}: return a finite point of shape `(2,)`; got shape "
                f"`{x0.shape}`.",
                "shape",
            )
        offset = x0 - S
        dist = float(np.linalg.norm(offset))
        if dist < 1e-12:
            return Feedback(
                "fail",
                "That is the saddle itself: the gradient is zero there, so gradient"
                " descent never moves. Move a little, but in which direction?",
                "exactly on the saddle",
            )
        if dist > radius * (1 + 1e-9):
            if np.linalg.norm(x0) <= radius and _reached(S + x0) is not None:
                return Feedback(
                    "fail",
                    "You returned the offset; return the start itself, `S + offset`.",
                    "offset, not point",
                )
            return Feedback(
                "fail",
                f"Test case {i}: your start is {dist:.3f} away from the saddle; stay"
                " within `radius` of it. The point is to leave the saddle on the right"
                " side, not to start in the basin.",
                "too far",
            )
        reached = _reached(x0)
        if reached is not None and np.allclose(w.minimizers[reached], target):
            continue
        u, v = np.linalg.eigh(H)[
            1
        ].T  # escape (negative curvature) and stable directions
        if abs(offset @ u) < 0.2 * dist:
            return Feedback(
                "fail",
                "You moved mostly along the STABLE direction (the eigenvector of the"
                " positive eigenvalue): gradient descent first slides back to the"
                " saddle, and tiny effects decide where it goes next. Move along the"
                " escape direction instead.",
                "stable direction",
            )
        return Feedback(
            "fail",
            f"Test case {i}: gradient descent went to another minimum. You left the"
            " saddle along the escape direction, but on the wrong side: choose the"
            " sign of the offset so that it points towards `target` (the sign of `u @"
            " (target - S)`).",
            "wrong side",
        )
    return Feedback(
        "pass",
        f"From each of your {len(cases)} starts gradient descent reached the minimum"
        " asked for.",
    )


def check_start(start, *, learning_rate: float = 0.1) -> Feedback:
    """Check one start within 0.05 of ``EXERCISE_SADDLE`` from which gradient descent
    reaches the global minimum.

    >>> check_start(EXERCISE_SADDLE + [0.01, 0.0]).passed
    True
    >>> check_start(EXERCISE_SADDLE).mistake
    'exactly on the saddle'
    """
    if start is None or start is Ellipsis:
        return Feedback(
            "not attempted", "Set `start` to a point `(x, y)` and run this cell again."
        )
    return _check_one_start(start, multi_well(), learning_rate)


def _check_one_start(start, w, learning_rate) -> Feedback:
    try:
        x0 = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        return Feedback(
            "fail", f"`start` must be a point `(x, y)`; got `{start!r}`.", "not numbers"
        )
    if x0.shape != (2,) or not np.all(np.isfinite(x0)):
        return Feedback(
            "fail",
            f"`start` must be a finite point of shape `(2,)`; got shape `{x0.shape}`.",
            "shape",
        )
    dist = float(np.linalg.norm(x0 - EXERCISE_SADDLE))
    if dist < 1e-12:
        return Feedback(
            "fail",
            "That is the saddle itself: the gradient is zero there, so gradient descent"
            " never moves.",
            "exactly on the saddle",
        )
    if dist > _RADIUS:
        return Feedback(
            "fail",
            f"Your start is {dist:.3f} away from the saddle; stay within {_RADIUS}.",
            "too far",
        )
    res = gradient_descent(
        w.fun, x0, jac=w.grad, learning_rate=learning_rate, maxiter=5000, gtol=1e-9
    )
    if np.linalg.norm(w.minimizers[0] - res.x) < 1e-4:
        return Feedback(
            "pass", f"Gradient descent reached the global minimum in {res.nit} steps."
        )
    return Feedback(
        "fail",
        "Gradient descent did not reach the global minimum from there.",
        "wrong side",
    )


# --- exercise 4: predict an escape time under gradient noise --------------------------

#: The setting printed in the chapter's escape-time exercise: rate, gradient noise,
#: negative eigenvalue, radius.
ESCAPE_SETTING = {"learning_rate": 0.1, "noise": 1e-3, "curvature": -2.0, "radius": 0.5}


def escape_steps_reference(learning_rate, noise, curvature, radius) -> float:
    """The linearised escape time log(radius / sigma_eff) / log(1 + rate |curvature|).

    >>> round(escape_steps_reference(0.1, 1e-3, -2.0, 0.5), 2)
    44.46
    """
    sig = effective_noise(noise, learning_rate, curvature)
    return predicted_escape_time(radius, sig, learning_rate, curvature)


_CASES_ESCAPE = [
    (0.1, 1e-3, -2.0, 0.5),
    (0.05, 1e-6, -0.5, 1.0),
    (0.2, 1e-2, -1.0, 0.3),
    (0.01, 1e-4, -3.0, 2.0),
]


def _esc(rate, sigma, lam, r, *, scale=None, denom=None, base=np.log):
    q = 1 + rate * abs(lam)
    sig = (
        rate * sigma / np.sqrt(q * q - 1)
        if scale is None
        else scale(rate, sigma, lam, q)
    )
    return base(r / sig) / (np.log(q) if denom is None else denom(rate, lam, q))


_ESCAPE_MISTAKES = [
    Mistake(
        "small-step approximation",
        lambda e, s, l, r: _esc(e, s, l, r, denom=lambda e, l, q: e * abs(l)),
        "Close: dividing by $\\eta|\\lambda|$ is the small-step approximation. The"
        " linearised model multiplies the offset by $q = 1 + \\eta|\\lambda|$ per step,"
        " so divide by $\\ln q$.",
    ),
    Mistake(
        "raw noise",
        lambda e, s, l, r: _esc(e, s, l, r, scale=lambda e, s, l, q: s),
        "You used the gradient noise $\\sigma$ itself as the starting spread. A step"
        " moves the iterate by $\\eta\\sigma\\xi$, and these kicks build up along the"
        " escape direction to $\\sigma_{\\text{eff}} = \\eta\\sigma/\\sqrt{q^2 - 1}$.",
    ),
    Mistake(
        "one kick only",
        lambda e, s, l, r: _esc(e, s, l, r, scale=lambda e, s, l, q: e * s),
        "$\\eta\\sigma$ is the size of one kick; the kicks of many steps add up (and"
        " grow) before the escape: use $\\sigma_{\\text{eff}} = \\eta\\sigma/\\sqrt{q^2"
        " - 1}$.",
    ),
    Mistake(
        "log10",
        lambda e, s, l, r: _esc(e, s, l, r, base=np.log10),
        "Mixed logarithms: `log10` on top and the natural log below (or the reverse)."
        " Use the same base for both.",
    ),
    Mistake(
        "rate left out",
        lambda e, s, l, r: _esc(e, s, l, r, denom=lambda e, l, q: np.log1p(abs(l))),
        "The growth factor per step is $1 + \\eta|\\lambda|$, not $1 + |\\lambda|$.",
    ),
    Mistake(
        "approximate effective noise",
        lambda e, s, l, r: _esc(
            e, s, l, r, scale=lambda e, s, l, q: s * np.sqrt(e / (2 * abs(l)))
        ),
        "You used the small-step form $\\sigma\\sqrt{\\eta/(2|\\lambda|)}$ of the"
        " effective noise; the exercise asks for the exact $\\eta\\sigma/\\sqrt{q^2 -"
        " 1}$ with $q = 1 + \\eta|\\lambda|$.",
    ),
    Mistake(
        "sigma_eff squared",
        lambda e, s, l, r: _esc(
            e, s, l, r, scale=lambda e, s, l, q: (e * s) ** 2 / (q * q - 1)
        ),
        "You used the variance $\\sigma_{\\text{eff}}^2$ where the standard deviation"
        " belongs: distances compare with $\\sigma_{\\text{eff}} ="
        " \\eta\\sigma/\\sqrt{q^2 - 1}$.",
    ),
    Mistake(
        "radius and noise swapped",
        lambda e, s, l, r: -escape_steps_reference(e, s, l, r),
        "Your answer is negative: the logarithm is upside down. The offset GROWS from "
        "$\\sigma_{\\text{eff}}$ to $r$, so it is $\\ln(r/\\sigma_{\\text{eff}})$.",
    ),
]


def check_escape_steps(fn) -> Feedback:
    """Check ``fn(learning_rate, noise, curvature, radius)`` -> the linearised escape
    time (a real number).

    A number instead of a function is checked against ``ESCAPE_SETTING``.

    >>> check_escape_steps(escape_steps_reference).passed
    True
    >>> check_escape_steps(
    ...     lambda e, s, l, r: np.log(r / s) / np.log1p(e * abs(l))
    ... ).mistake
    'raw noise'
    """
    if not callable(fn) and fn is not None and fn is not Ellipsis:
        s = ESCAPE_SETTING
        case = (s["learning_rate"], s["noise"], s["curvature"], s["radius"])
        mistakes = {m.name: (m.compute(*case), m.hint) for m in _ESCAPE_MISTAKES}
        return check_value(
            fn,
            escape_steps_reference(*case),
            mistakes,
            rtol=1e-6,
            what="`escape_steps`",
        )
    return check_function(
        fn,
        escape_steps_reference,
        _CASES_ESCAPE,
        _ESCAPE_MISTAKES,
        rtol=1e-6,
        atol=0.0,
        what="`escape_steps`",
    )


# --- exercise 5 (transfer): the noise-free escape time in d dimensions ----------------


def escape_steps_d(H, offset, learning_rate, radius) -> float:
    """Linearised steps until the component of ``offset`` along the most negative
    eigenvalue reaches ``radius``.

    >>> round(escape_steps_d(np.diag([1.0, -2.0]), np.array([0.3, 1e-3]), 0.1, 0.5), 3)
    34.086
    """
    lam, V = np.linalg.eigh(np.asarray(H, dtype=float))
    c = abs(V[:, 0] @ np.asarray(offset, dtype=float))
    return float(np.log(radius / c) / np.log1p(learning_rate * abs(lam[0])))


def _cases_escape_d():
    rng = np.random.default_rng(11)
    cases = []
    for eigs, rate in [
        ([2.0, -1.5, 0.7, -0.3], 0.1),
        ([-2.5, 1.0, -0.4], 0.05),
        ([3.0, 1.0, -0.8, 0.5, -0.2], 0.2),
    ]:
        H = _rotated(eigs, int(rng.integers(1000)))
        offset = 1e-4 * rng.standard_normal(len(eigs))
        cases.append((H, offset, rate, 0.5))
    return cases


def _esc_d(
    H, offset, rate, radius, *, which=0, project=True, vec=None, denom=None, base=np.log
):
    lam, V = np.linalg.eigh(H)
    k = which(lam) if callable(which) else which
    v = V[:, k] if vec is None else vec(V, k)
    c = abs(v @ offset) if project else np.linalg.norm(offset)
    q = np.log1p(rate * abs(lam[k])) if denom is None else denom(rate, lam[k])
    return base(radius / c) / q


_ESCAPE_D_MISTAKES = [
    Mistake(
        "no projection",
        lambda H, o, e, r: _esc_d(H, o, e, r, project=False),
        "You started from the length of the whole offset. Only its component along the"
        " escape direction grows by $q$ per step (the components along positive"
        " eigenvalues shrink): start from `abs(u @ offset)` with `u` the eigenvector of"
        " the most negative eigenvalue.",
    ),
    Mistake(
        "least negative eigenvalue",
        lambda H, o, e, r: _esc_d(
            H, o, e, r, which=lambda lam: int(np.sum(lam < 0)) - 1
        ),
        "You used the negative eigenvalue closest to zero. Along it the offset grows"
        " too, but more slowly; the one that reaches $r$ first grows by $1 +"
        " \\eta|\\lambda_{\\min}|$ with $\\lambda_{\\min}$ the MOST negative"
        " eigenvalue.",
    ),
    Mistake(
        "largest eigenvalue",
        lambda H, o, e, r: _esc_d(H, o, e, r, which=-1),
        "You used the largest (positive) eigenvalue: along it gradient descent"
        " contracts the offset, so it never escapes that way. Use the most negative"
        " eigenvalue.",
    ),
    Mistake(
        "small-step approximation",
        lambda H, o, e, r: _esc_d(H, o, e, r, denom=lambda e, l: e * abs(l)),
        "Close: dividing by $\\eta|\\lambda|$ is the small-step approximation of"
        " $\\ln(1 + \\eta|\\lambda|)$.",
    ),
    Mistake(
        "row instead of column",
        lambda H, o, e, r: _esc_d(H, o, e, r, vec=lambda V, k: V[k]),
        "You projected on a ROW of the eigenvector matrix. `np.linalg.eigh` returns"
        " eigenvectors as columns: `vecs[:, 0]`.",
    ),
    Mistake(
        "log10",
        lambda H, o, e, r: _esc_d(H, o, e, r, base=np.log10),
        "Mixed logarithms: `log10` on top and the natural log below. Use the same base"
        " for both.",
    ),
    Mistake(
        "rate left out",
        lambda H, o, e, r: _esc_d(H, o, e, r, denom=lambda e, l: np.log1p(abs(l))),
        "The growth factor per step is $1 + \\eta|\\lambda|$, not $1 + |\\lambda|$.",
    ),
]


def check_escape_steps_d(fn: Callable) -> Feedback:
    """Check ``fn(H, offset, learning_rate, radius)`` -> :func:`escape_steps_d`.

    >>> check_escape_steps_d(escape_steps_d).passed
    True
    """
    fb = check_function(
        fn,
        escape_steps_d,
        _cases_escape_d(),
        _ESCAPE_D_MISTAKES,
        rtol=1e-6,
        atol=0.0,
        what="`escape_steps_d`",
    )
    if fb.mistake == "not finite" or (
        fb.mistake == "raised an exception" and "in log" in fb.message
    ):
        return Feedback(
            "fail",
            f"{fb.message} A logarithm of a negative number? The component `u @ offset`"
            " can be negative (the sign of an eigenvector is arbitrary): what grows to"
            " $r$ is its size, `abs(u @ offset)`.",
            "signed component",
        )
    return fb


# --- exercise 6 (transfer): the saddle-free Newton step -------------------------------


def saddle_free_step(g, H) -> np.ndarray:
    """The step -|H|^{-1} g, with |H| = V |Lambda| V^T: Newton's step with every
    curvature made positive.

    >>> saddle_free_step(np.array([1.0, 1.0]), np.diag([2.0, -4.0]))
    array([-0.5 , -0.25])
    """
    lam, V = np.linalg.eigh(np.asarray(H, dtype=float))
    return -V @ ((V.T @ np.asarray(g, dtype=float)) / np.abs(lam))


def _cases_saddle_free():
    rng = np.random.default_rng(12)
    cases = []
    for eigs in ([2.0, -0.5], [1.5, -3.0, 0.7], [-1.0, 2.0, -0.3, 4.0]):
        H = _rotated(eigs, int(rng.integers(1000)))
        cases.append((rng.standard_normal(len(eigs)), H))
    return cases


def _sf(g, H, *, f=np.abs, sign=-1.0, vec=None):
    lam, V = np.linalg.eigh(H)
    V = V if vec is None else vec(V)
    return sign * V @ ((V.T @ g) / f(lam))


_SADDLE_FREE_MISTAKES = [
    Mistake(
        "plain Newton",
        lambda g, H: -np.linalg.solve(H, g),
        "That is Newton's step $-H^{-1}g$: along a negative eigenvalue it points"
        " uphill, back towards the saddle. Divide each component by $|\\lambda_i|$, not"
        " by $\\lambda_i$.",
    ),
    Mistake(
        "uphill",
        lambda g, H: _sf(g, H, sign=1.0),
        "Right size, wrong sign: the step is $-|H|^{-1}g$. With your sign every step"
        " climbs.",
    ),
    Mistake(
        "gradient step",
        lambda g, H: -g,
        "That is a gradient step with rate 1: the saddle-free step rescales each"
        " eigen-component of the gradient by $1/|\\lambda_i|$.",
    ),
    Mistake(
        "rows instead of columns",
        lambda g, H: _sf(g, H, vec=lambda V: V.T),
        "You used the eigenvectors as rows. `np.linalg.eigh` returns them as COLUMNS of"
        " `vecs`: the components of `g` are `vecs.T @ g`, and the step is put back"
        " together with `vecs @ ...`.",
    ),
    Mistake(
        "squared eigenvalues",
        lambda g, H: _sf(g, H, f=lambda v: v**2),
        "You divided by $\\lambda_i^2$; the saddle-free step divides by $|\\lambda_i|$"
        " (the absolute value, not the square).",
    ),
    Mistake(
        "absolute entries",
        lambda g, H: -np.linalg.solve(np.abs(H), g),
        "`np.abs(H)` takes the absolute value of each ENTRY; the absolute value of a"
        " symmetric matrix is `V @ diag(abs(lam)) @ V.T`, built from its"
        " eigen-decomposition.",
    ),
    Mistake(
        "multiplied by the eigenvalues",
        lambda g, H: _sf(g, H, f=lambda v: 1 / np.abs(v)),
        "You multiplied by $|\\lambda_i|$: the step DIVIDES each component by"
        " $|\\lambda_i|$, as Newton's step divides by $\\lambda_i$.",
    ),
    Mistake(
        "components not put back",
        lambda g, H: -(np.linalg.eigh(H)[1].T @ g) / np.abs(np.linalg.eigvalsh(H)),
        "These are the step's components in the eigenbasis: multiply by `vecs` to put"
        " them back in the original coordinates.",
    ),
]


def check_saddle_free_step(fn: Callable) -> Feedback:
    """Check ``fn(g, H)`` -> the saddle-free Newton step :func:`saddle_free_step`.

    >>> check_saddle_free_step(saddle_free_step).passed
    True
    >>> check_saddle_free_step(lambda g, H: -np.linalg.solve(H, g)).mistake
    'plain Newton'
    """
    return check_function(
        fn,
        saddle_free_step,
        _cases_saddle_free(),
        _SADDLE_FREE_MISTAKES,
        rtol=1e-8,
        atol=1e-12,
        what="`saddle_free_step`",
    )


# --- the exercises --------------------------------------------------------------------


def _context() -> dict:
    """The chapter variables the solutions use, built as the chapter builds them."""
    from .. import landscape, objectives

    return {
        "landscape": landscape,
        "objectives": objectives,
        "wells": multi_well(),
        "S": EXERCISE_SADDLE,
        "eta": 0.1,
        "FACTOR": 1.25,
    }


classify = Exercise(
    "ch03.classify",
    "ch03-ex-classify",
    check_classify_hessian,
    hints=[
        (
            "Compute the eigenvalues with `np.linalg.eigvalsh(H)` (sorted, for"
            " symmetric matrices): their signs decide, not the signs of the entries."
        ),
        (
            "First decide what counts as zero: `zero = 1e-8 * max(1.0,"
            " np.abs(eig).max())`. Eigenvalues of both signs beyond it: a saddle."
            " Otherwise, any eigenvalue within it: degenerate."
        ),
        (
            "`if eig.min() < -zero and eig.max() > zero: return 'saddle'`, then `if"
            " np.any(np.abs(eig) <= zero): return 'degenerate'`, then `'minimum'` if"
            " `eig.min() > 0`, else `'maximum'`."
        ),
    ],
    solution_code="""\
def classify_hessian(H):
    eig = np.linalg.eigvalsh(H)
    zero = 1e-8 * max(1.0, np.abs(eig).max())
    if eig.min() < -zero and eig.max() > zero:
        return "saddle"
    if np.any(np.abs(eig) <= zero):
        return "degenerate"
    return "minimum" if eig.min() > 0 else "maximum"
""",
    check_args="classify_hessian",
)

direction = Exercise(
    "ch03.direction",
    "ch03-ex-direction",
    check_escape_direction,
    hints=[
        (
            "Linearised at the saddle, gradient descent multiplies the offset's"
            " component along eigenvector i by $1 - \\eta\\lambda_i$: the most negative"
            " eigenvalue gives the largest factor."
        ),
        (
            "`np.linalg.eigh(H)` returns `(eigenvalues, eigenvectors)`, the eigenvalues"
            " in increasing order and the eigenvectors as the COLUMNS of the second"
            " array, already of unit length."
        ),
        "`eigenvalues, vecs = np.linalg.eigh(H)` and `return vecs[:, 0]`.",
    ],
    solution_code="""\
def escape_direction(H):
    # sorted increasing; eigenvectors are the COLUMNS
    eigenvalues, eigenvectors = np.linalg.eigh(
        H
    )
    return eigenvectors[:, 0]


u = escape_direction(wells.hess(S))
cosines = []
for gen in gdu.book_rngs(20, "escape-direction"):
    run = landscape.noisy_gd(
        wells.grad, S, learning_rate=eta, noise=1e-6, steps=300, rng=gen
    )
    # first step 0.05 away from the saddle
    k = np.argmax(
        np.linalg.norm(run - S, axis=1) > 0.05
    )
    step = run[k] - S
    cosines.append(abs(step @ u) / np.linalg.norm(step))
worst = np.degrees(np.arccos(min(cosines)))
assert worst < 5
print(
    "All 20 noisy runs left the saddle along the predicted direction: the angle"
    f" between the escape displacement and +-u is at most {worst:.2f} degrees."
)
""",
    check_args="escape_direction",
    context=_context,
)

start = Exercise(
    "ch03.start",
    "ch03-ex-start",
    check_start_towards,
    hints=[
        (
            "Started exactly on the saddle, gradient descent does not move; started a"
            " little off it, the offset's component along the escape direction grows"
            " and decides where the run goes."
        ),
        (
            "Use the escape direction `u` of your previous exercise (the eigenvector of"
            " the most negative eigenvalue of `H`). Its sign is arbitrary: pick the one"
            " that points towards `target`, the sign of `u @ (target - S)`."
        ),
        (
            "`u = np.linalg.eigh(H)[1][:, 0]`, `side = np.sign(u @ (target - S))`,"
            " `return S + 0.5 * radius * side * u`."
        ),
    ],
    solution_code="""\
def start_towards(S, H, target, radius):
    u = np.linalg.eigh(H)[1][:, 0]  # the escape direction
    side = np.sign(u @ (target - S))  # its sign is free: point it towards the target
    return S + 0.5 * radius * side * u


x0 = start_towards(S, wells.hess(S), wells.minimizers[0], 0.05)
run = gdu.gradient_descent(
    wells.fun, x0, jac=wells.grad, learning_rate=eta, maxiter=5000, gtol=1e-9
)
print(
    f"from {np.round(x0, 4)} (0.025 from the saddle) gradient descent reached"
    f" {np.round(run.x, 3)}, the global minimum, in {run.nit} steps"
)
assert np.linalg.norm(run.x - wells.minimizers[0]) < 1e-4
""",
    check_args="start_towards",
    context=_context,
)

escape = Exercise(
    "ch03.escape",
    "ch03-ex-escape-time",
    check_escape_steps,
    hints=[
        (
            "Linearised along the escape direction, each step multiplies the offset by"
            " $q = 1 + \\eta|\\lambda|$, and the noise acts like a random starting"
            " offset of size $\\sigma_{\\text{eff}}$."
        ),
        (
            "$\\sigma_{\\text{eff}} = \\eta\\sigma/\\sqrt{q^2 - 1}$, and the offset"
            " reaches $r$ when $q^T \\sigma_{\\text{eff}} = r$: solve for T with"
            " logarithms."
        ),
        (
            "`q = 1 + learning_rate * abs(curvature)`, `sigma_eff = learning_rate *"
            " noise / np.sqrt(q**2 - 1)`, `return np.log(radius / sigma_eff) /"
            " np.log(q)`."
        ),
    ],
    solution_code="""\
def escape_steps(learning_rate, noise, curvature, radius):
    q = 1 + learning_rate * abs(curvature)  # growth per step along the escape direction
    # the spread the noisy kicks build up
    sigma_eff = (
        learning_rate * noise / np.sqrt(q**2 - 1)
    )
    return np.log(radius / sigma_eff) / np.log(q)


s = ch03.ESCAPE_SETTING
predicted = escape_steps(s["learning_rate"], s["noise"], s["curvature"], s["radius"])
obj = objectives.saddle(1.0, abs(s["curvature"]) / 2)
t = landscape.escape_times(
    obj.grad,
    [0.0, 0.0],
    learning_rate=s["learning_rate"],
    noise=s["noise"],
    radius=s["radius"],
    n_runs=300,
    rng=gdu.book_rng("escape-exercise"),
)
assert 1 / FACTOR < t.mean() / predicted < FACTOR
print(f"Predicted {predicted:.1f} steps; measured mean over 300 runs {t.mean():.1f}.")
""",
    check_args="escape_steps",
    context=_context,
)

escape_d = Exercise(
    "ch03.escape_d",
    "ch03-ex-escape-d",
    check_escape_steps_d,
    hints=[
        (
            "In the eigenbasis of `H` the linearised steps act on each component"
            " separately: component i is multiplied by $1 - \\eta\\lambda_i$ per step."
            " Which component grows fastest?"
        ),
        (
            "The one along the most negative eigenvalue $\\lambda_{\\min}$ grows by $q"
            " = 1 + \\eta|\\lambda_{\\min}|$ per step, from its starting size `abs(u @"
            " offset)`, with `u` its unit eigenvector. Solve $q^T c = r$ for T."
        ),
        (
            "`lam, vecs = np.linalg.eigh(H)`, `c = abs(vecs[:, 0] @ offset)`, "
            "`return np.log(radius / c) / np.log(1 + learning_rate * abs(lam[0]))`."
        ),
    ],
    solution_code="""\
def escape_steps_d(H, offset, learning_rate, radius):
    lam, vecs = np.linalg.eigh(H)
    # the offset's size along the fastest-growing direction
    c = abs(
        vecs[:, 0] @ offset
    )
    return np.log(radius / c) / np.log(1 + learning_rate * abs(lam[0]))


# Measured on the quadratic f(x) = x^T H x / 2 in 6 dimensions with two descending
# directions:
gen = gdu.book_rng("ch03-ex-escape-d")
Q, _ = np.linalg.qr(gen.standard_normal((6, 6)))
H6 = Q @ np.diag([-0.9, -0.3, 0.5, 1.0, 2.0, 4.0]) @ Q.T
offset = 1e-6 * gen.standard_normal(6)
x, k = offset.copy(), 0
while abs(Q[:, 0] @ x) < 0.5:  # steps until that component has length 0.5
    x = x - 0.1 * H6 @ x
    k += 1
T = escape_steps_d(H6, offset, 0.1, 0.5)
print(
    f"predicted {T:.2f} steps, measured {k} (the first whole step past the prediction)"
)
assert -1e-9 <= k - T < 1 + 1e-9
""",
    check_args="escape_steps_d",
    transfer=True,
)

saddle_free = Exercise(
    "ch03.saddle_free",
    "ch03-ex-saddle-free",
    check_saddle_free_step,
    hints=[
        (
            "In the eigenbasis of `H`, Newton's step has components $-g_i/\\lambda_i$,"
            " with $g_i$ the gradient's component along eigenvector i. The saddle-free"
            " step uses $-g_i/|\\lambda_i|$ instead."
        ),
        (
            "Get `lam, vecs = np.linalg.eigh(H)`; the gradient's components are `vecs.T"
            " @ g`; divide them by `np.abs(lam)`, change the sign, and put them back"
            " with `vecs @ ...`."
        ),
        "`return -vecs @ ((vecs.T @ g) / np.abs(lam))`.",
    ],
    solution_code="""\
def saddle_free_step(g, H):
    lam, vecs = np.linalg.eigh(H)
    # Newton's step with every curvature made positive
    return -vecs @ (
        (vecs.T @ g) / np.abs(lam)
    )


# From 1,000 random starts near the saddles of the multi-well landscape: the directional
# derivative g . step is -g^T |H|^-1 g < 0 for the saddle-free step (a theorem), while
# Newton's step is uphill (g . step > 0) wherever the gradient leans towards the
# negative curvature.
gen = gdu.book_rng("ch03-ex-saddle-free")
saddles_all = np.array(wells.critical_points["saddle"])
pts = saddles_all[gen.integers(0, 4, 1000)] + 0.1 * gen.standard_normal((1000, 2))
slope_sf = np.array(
    [wells.grad(p) @ saddle_free_step(wells.grad(p), wells.hess(p)) for p in pts]
)
slope_newton = np.array(
    [wells.grad(p) @ -np.linalg.solve(wells.hess(p), wells.grad(p)) for p in pts]
)
assert np.all(slope_sf < 0)
print(
    f"saddle-free step downhill from {np.mean(slope_sf < 0):.0%} of the starts; "
    f"Newton's step uphill from {np.mean(slope_newton > 0):.0%}"
)
""",
    check_args="saddle_free_step",
    context=_context,
    transfer=True,
)
