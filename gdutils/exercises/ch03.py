"""Checkers for chapter 3 (saddle points and non-convex landscapes)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..landscape import classify_critical_point, effective_noise, predicted_escape_time
from ..objectives import multi_well
from ..optimizers import gradient_descent
from ._core import Feedback, check_value

__all__ = [
    "check_classify_hessian",
    "check_escape_direction",
    "EXERCISE_SADDLE",
    "check_start",
    "ESCAPE_SETTING",
    "check_escape_steps",
]

_LABELS = ("minimum", "maximum", "saddle", "degenerate")


def _stub_feedback(fn: Callable, cases, what: str):
    """Run ``fn`` on every case; return (outputs, None) or (None, Feedback) for a stub or a crash."""
    outputs = []
    for i, case in enumerate(cases, 1):
        try:
            got = fn(*case)
        except NotImplementedError:
            return None, Feedback("not attempted", f"Replace the `raise NotImplementedError` in {what} with your code, then run this cell again.")
        except Exception as exc:  # the learner's bug, reported rather than raised
            return None, Feedback("fail", f"{what} raised {type(exc).__name__}: {exc} (case {i}).")
        if got is None:
            return None, Feedback("fail", f"{what} returns nothing (`None`): did you forget `return`?", "no return")
        if got is Ellipsis:
            return None, Feedback("not attempted", f"{what} returns nothing yet; fill it in and run this cell again.")
        outputs.append(got)
    return outputs, None


# --- exercise 1: classify a critical point from its Hessian ----------------------------------

def _rotated(eigs, seed):
    d = len(eigs)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    H = Q @ np.diag(eigs) @ Q.T
    return (H + H.T) / 2


_CASES_CLASSIFY = [
    (np.diag([2.0, 1.0]),),
    (np.array([[1.0, 2.0], [2.0, 1.0]]),),               # positive diagonal, eigenvalues 3 and -1
    (np.diag([-1.0, -3.0]),),                            # a maximum with a positive determinant
    (np.diag([1.0, 0.0]),),                              # a zero eigenvalue: the test cannot decide
    (np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, -0.4]]),),
    (-np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]]),),
    (np.zeros((2, 2)),),
    (np.diag([-2.0, 0.0]),),
    (np.array([[2.0, -1.0], [-1.0, 2.0]]),),
    (_rotated([3.0, 0.5, -0.2, 1.0], 4),),
]


def _by_signs(values) -> str:
    """Classify as if ``values`` were the eigenvalues (the "read the diagonal" mistake uses it)."""
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


_SWAP = {"minimum": "maximum", "maximum": "minimum", "saddle": "saddle", "degenerate": "degenerate"}

_CLASSIFY_MISTAKES = [
    ("diagonal entries", lambda H: _by_signs(np.diag(H)),
     "You read the signs of the diagonal entries. They are the curvatures along the coordinate axes only; "
     "a saddle can have a positive diagonal, e.g. [[1, 2], [2, 1]] has eigenvalues 3 and -1. Use the eigenvalues "
     "(`np.linalg.eigvalsh(H)`)."),
    ("determinant test", _determinant_test,
     "The determinant test (det > 0: minimum, det < 0: saddle) is a 2-D shortcut that also needs the sign of a "
     "diagonal entry: a 2-D maximum has det > 0 too, and in 3-D the sign of det says little. Use all eigenvalues."),
    ("non-strict inequalities", _non_strict,
     "A zero eigenvalue means the second-order test cannot decide: return 'degenerate' when an eigenvalue is "
     "(numerically) zero and the rest share one sign. Use strict inequalities with a small tolerance."),
    ("minimum and maximum swapped", lambda H: _SWAP[classify_critical_point(H)],
     "Minimum and maximum are swapped: all eigenvalues positive means the function curves *up* in every "
     "direction, a minimum."),
]


def check_classify_hessian(fn: Callable) -> Feedback:
    """Check ``fn(H)`` -> "minimum", "maximum", "saddle" or "degenerate" for a symmetric Hessian ``H``.

    >>> from gdutils.landscape import classify_critical_point
    >>> check_classify_hessian(classify_critical_point).passed
    True
    >>> check_classify_hessian(lambda H: _by_signs(np.diag(H))).mistake
    'diagonal entries'
    """
    outputs, fb = _stub_feedback(fn, _CASES_CLASSIFY, "`classify_hessian`")
    if fb is not None:
        return fb
    got = [str(o).strip().lower() if isinstance(o, str) else o for o in outputs]
    bad = [o for o in got if o not in _LABELS]
    if bad:
        return Feedback("fail", f"Return one of {', '.join(repr(s) for s in _LABELS)}; got {bad[0]!r}.", "label")
    want = [classify_critical_point(H) for (H,) in _CASES_CLASSIFY]
    if got == want:
        return Feedback("pass", f"All {len(want)} Hessians classified correctly, including the degenerate ones.")
    for name, model, hint in _CLASSIFY_MISTAKES:
        if got == [model(H) for (H,) in _CASES_CLASSIFY]:
            return Feedback("fail", hint, name)
    i = next(i for i, (g, w) in enumerate(zip(got, want)) if g != w)
    H = _CASES_CLASSIFY[i][0]
    return Feedback("fail", f"Case {i + 1}: for H = {np.round(H, 3).tolist()} (eigenvalues "
                            f"{np.round(np.linalg.eigvalsh(H), 3).tolist()}) the answer is {want[i]!r}, not {got[i]!r}.")


# --- exercise 2: the escape direction at a saddle --------------------------------------------

_CASES_DIRECTION = [
    (np.diag([2.0, -2.0]),),
    (np.array([[1.0, 2.0], [2.0, 1.0]]),),
    (_rotated([1.5, -0.7], 1),),
    (_rotated([2.0, 1.0, -0.5], 2),),
    (_rotated([-3.0, 0.5, 1.0, 2.0], 3),),
]


def _escape_direction(H) -> np.ndarray:
    return np.linalg.eigh(H)[1][:, 0]


def _aligned(v, u, tol=1e-6) -> bool:
    v = np.asarray(v, dtype=float)
    return v.shape == u.shape and bool(abs(abs(v @ u) - 1) < tol) and bool(abs(np.linalg.norm(v) - 1) < tol)


_DIRECTION_MISTAKES = [
    ("largest eigenvalue", lambda H: np.linalg.eigh(H)[1][:, -1],
     "That is the eigenvector of the *largest* eigenvalue: the direction that curves up, along which gradient "
     "descent slides back into the saddle. Escape happens along the most negative eigenvalue (`eigh` sorts "
     "them in increasing order, so it is column 0)."),
    ("row instead of column", lambda H: np.linalg.eigh(H)[1][0],
     "You took a row of the eigenvector matrix. `np.linalg.eigh` returns eigenvectors as *columns*: "
     "the one for eigenvalue i is `vecs[:, i]`."),
    ("unsorted eig", lambda H: np.real(np.linalg.eig(H)[1][:, 0]),
     "`np.linalg.eig` does not sort its eigenvalues, so column 0 is not necessarily the most negative one. "
     "Use `np.linalg.eigh` (sorted, for symmetric matrices) or pick `argmin` of the eigenvalues."),
]


def check_escape_direction(fn: Callable) -> Feedback:
    """Check ``fn(H)`` -> a unit eigenvector of the most negative eigenvalue of ``H`` (either sign).

    >>> check_escape_direction(lambda H: -np.linalg.eigh(H)[1][:, 0]).passed
    True
    >>> check_escape_direction(lambda H: np.linalg.eigh(H)[1][:, -1]).mistake
    'largest eigenvalue'
    """
    outputs, fb = _stub_feedback(fn, _CASES_DIRECTION, "`escape_direction`")
    if fb is not None:
        return fb
    try:
        got = [np.asarray(o, dtype=float) for o in outputs]
    except (TypeError, ValueError):
        return Feedback("fail", "Return the direction as an array of shape (d,).")
    want = [_escape_direction(H) for (H,) in _CASES_DIRECTION]
    if all(_aligned(g, w) for g, w in zip(got, want)):
        return Feedback("pass", f"Right direction (up to its sign, which is free) for all {len(want)} Hessians.")
    if all(g.shape == w.shape and np.allclose(g, 0) for g, w in zip(got, want)):
        return Feedback("fail", "A zero vector: at a saddle the gradient is zero, which is exactly why gradient "
                                "descent does not move. The escape direction comes from the Hessian.", "zero gradient")
    for name, model, hint in _DIRECTION_MISTAKES:
        if all(_aligned(g, np.asarray(model(H))) for g, (H,) in zip(got, _CASES_DIRECTION)):
            return Feedback("fail", hint, name)
    if all(g.shape == w.shape and np.linalg.norm(g) > 0 and _aligned(g / np.linalg.norm(g), w)
           for g, w in zip(got, want)):
        return Feedback("fail", "Right direction, but not a unit vector: divide by its norm.", "not normalised")
    i = next(i for i, (g, w) in enumerate(zip(got, want)) if not _aligned(g, w))
    if got[i].shape != want[i].shape:
        return Feedback("fail", f"Case {i + 1}: expected shape {want[i].shape}, got {got[i].shape}.", "shape")
    return Feedback("fail", f"Case {i + 1}: expected ±{np.round(want[i], 4).tolist()}, got "
                            f"{np.round(got[i], 4).tolist()}.")


# --- exercise 3: a start near a saddle that reaches the global minimum -----------------------

#: The saddle of ``multi_well()`` between its two lowest minima, and the radius allowed around it.
EXERCISE_SADDLE = min(multi_well().critical_points["saddle"], key=lambda p: np.linalg.norm(p - [0.0, -1.0]))
_RADIUS = 0.05


def check_start(start, *, learning_rate: float = 0.1) -> Feedback:
    """Check a start within 0.05 of ``EXERCISE_SADDLE`` from which gradient descent on ``multi_well()`` reaches its global minimum.

    >>> check_start(EXERCISE_SADDLE + [0.01, 0.0]).passed
    True
    >>> check_start(EXERCISE_SADDLE).mistake
    'exactly on the saddle'
    """
    if start is None or start is Ellipsis:
        return Feedback("not attempted", "Set `start` to a point (x, y) and run this cell again.")
    try:
        x0 = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        return Feedback("fail", f"`start` must be a point (x, y); got {start!r}.")
    if x0.shape != (2,) or not np.all(np.isfinite(x0)):
        return Feedback("fail", f"`start` must be a finite point of shape (2,); got shape {x0.shape}.", "shape")
    w = multi_well()
    offset = x0 - EXERCISE_SADDLE
    dist = float(np.linalg.norm(offset))
    if dist > _RADIUS:
        return Feedback("fail", f"Your start is {dist:.3f} away from the saddle; stay within {_RADIUS} of it. "
                                "The point is to leave the saddle on the right side, not to start in the basin.",
                        "too far")
    if dist < 1e-12:
        return Feedback("fail", "That is the saddle itself: the gradient is zero there, so gradient descent "
                                "never moves. Move a little, but in which direction?", "exactly on the saddle")
    res = gradient_descent(w.fun, x0, jac=w.grad, learning_rate=learning_rate, maxiter=5000, gtol=1e-9)
    reached = int(np.argmin(np.linalg.norm(np.array(w.minimizers) - res.x, axis=1)))
    at_min = np.linalg.norm(w.minimizers[reached] - res.x) < 1e-4
    if at_min and reached == 0:
        return Feedback("pass", f"Gradient descent went from {np.round(x0, 4).tolist()} to the global minimum "
                                f"{np.round(res.x, 3).tolist()} (f = {res.fun:.3f}) in {res.nit} steps.")
    u, v = np.linalg.eigh(w.hess(EXERCISE_SADDLE))[1].T  # escape (negative curvature) and stable directions
    if abs(offset @ u) < 0.2 * dist:
        return Feedback("fail", "You moved mostly along the *stable* direction (the eigenvector of the positive "
                                "eigenvalue): gradient descent first slides back to the saddle, and tiny effects "
                                "decide where it goes next. Move along the escape direction instead.",
                        "stable direction")
    where = f"a local minimum at {np.round(w.minimizers[reached], 3).tolist()}" if at_min else \
        f"{np.round(res.x, 3).tolist()}, not a minimum"
    return Feedback("fail", f"Gradient descent ended at {where}. You left the saddle along the escape direction, "
                            "but on the wrong side: flip the sign of your offset.", "wrong side")


# --- exercise 4: predict an escape time ------------------------------------------------------

#: The setting of the escape-time exercise: rate, gradient noise, negative eigenvalue, radius.
ESCAPE_SETTING = {"learning_rate": 0.1, "noise": 1e-3, "curvature": -2.0, "radius": 0.5}


def check_escape_steps(answer) -> Feedback:
    """Check the linearised escape time for ``ESCAPE_SETTING``: log(radius / sigma_eff) / log(1 + rate |lambda|).

    >>> s = ESCAPE_SETTING
    >>> sig = effective_noise(s["noise"], s["learning_rate"], s["curvature"])
    >>> check_escape_steps(np.log(s["radius"] / sig) / np.log1p(0.2)).passed
    True
    >>> check_escape_steps(np.log(s["radius"] / sig) / 0.2).mistake
    'small-step approximation'
    """
    s = ESCAPE_SETTING
    eta, sigma, lam, r = s["learning_rate"], s["noise"], s["curvature"], s["radius"]
    sig = effective_noise(sigma, eta, lam)
    expected = predicted_escape_time(r, sig, eta, lam)
    q = np.log1p(eta * abs(lam))
    mistakes = {
        "small-step approximation": (np.log(r / sig) / (eta * abs(lam)),
                                     "Close: dividing by rate * |lambda| is the small-step approximation. The "
                                     "linearised model multiplies the offset by q = 1 + rate * |lambda| per step, "
                                     "so divide by log(q)."),
        "raw noise": (np.log(r / sigma) / q,
                      "You used the gradient noise sigma itself as the starting spread. A step moves the iterate "
                      "by rate * sigma * xi, and these kicks build up along the escape direction to sigma_eff = "
                      "rate * sigma / sqrt(q^2 - 1)."),
        "one kick only": (np.log(r / (eta * sigma)) / q,
                          "rate * sigma is the size of one kick; the kicks of many steps add up (and grow) before "
                          "the escape: use sigma_eff = rate * sigma / sqrt(q^2 - 1)."),
        "log10": (np.log10(r / sig) / q,
                  "Mixed logarithms: log10 on top and the natural log below (or the reverse). Use the same base "
                  "for both."),
        "rate left out": (np.log(r / sig) / np.log1p(abs(lam)),
                          "The growth factor per step is 1 + rate * |lambda|, not 1 + |lambda|."),
    }
    return check_value(answer, expected, mistakes, rtol=5e-3, what="`escape_steps`")
