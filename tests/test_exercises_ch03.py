"""Chapter 3 checkers: the right answer passes, each known mistake is named, a stub is 'not attempted'."""

import numpy as np
import pytest

from gdutils import landscape as ls
from gdutils import objectives as ob
from gdutils.exercises import ch03


def _stub(*args):
    raise NotImplementedError("your code here")


# --- classify a critical point ----------------------------------------------------------------

def classify_ok(H):
    eig = np.linalg.eigvalsh(H)
    tol = 1e-9 * max(1.0, np.abs(eig).max())
    if eig.min() > tol:
        return "minimum"
    if eig.max() < -tol:
        return "maximum"
    if eig.min() < -tol and eig.max() > tol:
        return "saddle"
    return "degenerate"


def test_classify_passes_and_not_attempted():
    assert ch03.check_classify_hessian(classify_ok).passed
    assert ch03.check_classify_hessian(lambda H: classify_ok(H).upper()).passed  # case does not matter
    assert ch03.check_classify_hessian(_stub).status == "not attempted"
    assert ch03.check_classify_hessian(lambda H: None).mistake == "no return"


def _diag_signs(H):
    return classify_ok(np.diag(np.diag(H)))


def _det(H):
    det = np.linalg.det(H)
    return "minimum" if det > 0 else "saddle" if det < 0 else "degenerate"


def _non_strict(H):
    eig = np.linalg.eigvalsh(H)
    return "minimum" if np.all(eig >= 0) else "maximum" if np.all(eig <= 0) else "saddle"


def _swapped(H):
    return {"minimum": "maximum", "maximum": "minimum"}.get(classify_ok(H), classify_ok(H))


@pytest.mark.parametrize("fn, name", [
    (_diag_signs, "diagonal entries"),
    (_det, "determinant test"),
    (_non_strict, "non-strict inequalities"),
    (_swapped, "minimum and maximum swapped"),
])
def test_classify_names_each_known_mistake(fn, name):
    fb = ch03.check_classify_hessian(fn)
    assert fb.status == "fail" and fb.mistake == name and fb.message


def test_classify_other_failures():
    fb = ch03.check_classify_hessian(lambda H: "min")
    assert fb.status == "fail" and fb.mistake == "label" and "'minimum'" in fb.message
    fb = ch03.check_classify_hessian(lambda H: "saddle")
    assert fb.status == "fail" and fb.mistake is None and "Case 1" in fb.message
    fb = ch03.check_classify_hessian(lambda H: 1 / 0)
    assert fb.status == "fail" and "ZeroDivisionError" in fb.message


# --- the escape direction ---------------------------------------------------------------------

def direction_ok(H):
    vals, vecs = np.linalg.eig(H)
    v = np.real(vecs[:, np.argmin(np.real(vals))])
    return v / np.linalg.norm(v)


def test_direction_passes_either_sign_and_not_attempted():
    assert ch03.check_escape_direction(direction_ok).passed
    assert ch03.check_escape_direction(lambda H: -direction_ok(H)).passed
    assert ch03.check_escape_direction(_stub).status == "not attempted"


@pytest.mark.parametrize("fn, name", [
    (lambda H: np.linalg.eigh(H)[1][:, -1], "largest eigenvalue"),
    (lambda H: np.linalg.eigh(H)[1][0], "row instead of column"),
    (lambda H: np.linalg.eig(H)[1][:, 0], "unsorted eig"),
    (lambda H: 2.5 * direction_ok(H), "not normalised"),
    (lambda H: np.zeros(len(H)), "zero gradient"),
    (lambda H: direction_ok(H)[:1], "shape"),
])
def test_direction_names_each_known_mistake(fn, name):
    fb = ch03.check_escape_direction(fn)
    assert fb.status == "fail" and fb.mistake == name


def test_direction_is_the_one_noisy_gd_escapes_along():
    # Independent reference: from a saddle of the multi-well, noisy escapes leave along +-direction.
    w = ob.multi_well()
    S = ch03.EXERCISE_SADDLE
    u = direction_ok(w.hess(S))
    for seed in range(5):
        traj = ls.noisy_gd(w.grad, S, learning_rate=0.1, noise=1e-6, steps=200, rng=seed)
        k = np.argmax(np.linalg.norm(traj - S, axis=1) > 0.02)
        step = traj[k] - S
        assert abs(step @ u) / np.linalg.norm(step) > 0.99


# --- a start that reaches the global minimum ---------------------------------------------------

def test_start_checker():
    w = ob.multi_well()
    S = ch03.EXERCISE_SADDLE
    u = direction_ok(w.hess(S))
    toward = u if u @ (w.minimizers[0] - S) > 0 else -u
    stable = np.linalg.eigh(w.hess(S))[1][:, 1]
    assert np.max(np.abs(w.grad(S))) < 1e-12 and ls.classify_critical_point(w.hess(S)) == "saddle"
    assert ch03.check_start(S + 0.03 * toward).passed
    assert ch03.check_start(None).status == "not attempted"
    assert ch03.check_start(S - 0.03 * toward).mistake == "wrong side"
    assert ch03.check_start(S).mistake == "exactly on the saddle"
    assert ch03.check_start(S + 0.2 * toward).mistake == "too far"
    assert ch03.check_start([1.0, 2.0, 3.0]).mistake == "shape"
    fb = ch03.check_start(S + 0.03 * stable)
    assert fb.passed or fb.mistake == "stable direction"
    assert ch03.check_start("here").status == "fail"


# --- predict an escape time ---------------------------------------------------------------------

def test_escape_steps_checker():
    s = ch03.ESCAPE_SETTING
    eta, sigma, lam, r = s["learning_rate"], s["noise"], s["curvature"], s["radius"]
    q = 1 + eta * abs(lam)
    sig = eta * sigma / np.sqrt(q**2 - 1)
    right = np.log(r / sig) / np.log(q)
    assert ch03.check_escape_steps(right).passed
    assert ch03.check_escape_steps(None).status == "not attempted"
    assert ch03.check_escape_steps(np.log(r / sig) / (eta * abs(lam))).mistake == "small-step approximation"
    assert ch03.check_escape_steps(np.log(r / sigma) / np.log(q)).mistake == "raw noise"
    assert ch03.check_escape_steps(np.log(r / (eta * sigma)) / np.log(q)).mistake == "one kick only"
    assert ch03.check_escape_steps(np.log10(r / sig) / np.log(q)).mistake == "log10"
    assert ch03.check_escape_steps(np.log(r / sig) / np.log(1 + abs(lam))).mistake == "rate left out"
    assert ch03.check_escape_steps(3.0).status == "fail"
    # and the prediction is what noisy gradient descent does, within the chapter's factor
    saddle = ob.saddle(1.0, -lam / 2)
    t = ls.escape_times(saddle.grad, [0.0, 0.0], learning_rate=eta, noise=sigma, radius=r, n_runs=300, rng=0)
    assert 1 / 1.25 < t.mean() / right < 1.25
