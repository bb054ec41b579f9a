"""The machinery behind every exercise checker.

A checker runs the learner's function on a few cases, compares it with a reference
and, when the answer is wrong, tries each *known mistake* (a function that computes
what a particular bug would give). If one matches, the feedback names the bug.
An untouched stub (one that raises ``NotImplementedError`` or returns ``None``/``...``)
gets "not attempted yet" instead of a failure, so a notebook with open exercises still
runs from top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "check_function", "check_value", "Mistake"]

_ICONS = {"pass": "✅ Correct.", "fail": "❌ Not yet.", "not attempted": "✏️ Not attempted yet."}


@dataclass(frozen=True)
class Feedback:
    """Result of a check: ``status`` is "pass", "fail" or "not attempted".

    ``mistake`` names the known bug that was recognised (or is None).

    >>> Feedback("pass", "All 3 cases agree.").passed
    True
    """

    status: str
    message: str
    mistake: str | None = None

    def __post_init__(self):
        if self.status not in _ICONS:
            raise ValueError(f"status must be one of {sorted(_ICONS)}; got {self.status!r}.")

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __str__(self) -> str:
        return f"{_ICONS[self.status]} {self.message}"

    def _repr_markdown_(self) -> str:
        return f"**{_ICONS[self.status]}** {self.message}"

    def __repr__(self) -> str:
        return f"Feedback(status={self.status!r}, mistake={self.mistake!r})"


@dataclass(frozen=True)
class Mistake:
    """A known bug: ``compute(*case)`` gives what the buggy code would return; ``hint`` explains it.

    >>> Mistake("sign", lambda x: -x, "Check the sign.").compute(2.0)
    -2.0
    """

    name: str
    compute: Callable
    hint: str


def _not_attempted(result) -> bool:
    return result is None or result is Ellipsis


def _close(a, b, rtol: float, atol: float) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _matches_everywhere(mistake: Mistake, cases, outputs, rtol, atol) -> bool:
    """True if the mistake reproduces the learner's output on every case (one case can coincide)."""
    try:
        return all(_close(got, mistake.compute(*case), rtol, atol) for case, got in zip(cases, outputs))
    except Exception:  # a mistake model that does not apply to these cases
        return False


def check_function(
    candidate: Callable,
    reference: Callable,
    cases: Sequence[tuple],
    mistakes: Sequence[Mistake] = (),
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    what: str = "your function",
) -> Feedback:
    """Compare ``candidate(*case)`` with ``reference(*case)`` on every case.

    A known mistake is named only if it reproduces the learner's output on *every*
    case, so that a coincidence on one case cannot mislabel the bug.

    >>> ref = lambda x: 2 * x
    >>> check_function(lambda x: 2 * x, ref, [(1.0,), (3.0,)]).status
    'pass'
    >>> fb = check_function(lambda x: -2 * x, ref, [(1.0,), (2.0,)],
    ...                     [Mistake("sign", lambda x: -2 * x, "Check the sign.")])
    >>> fb.status, fb.mistake
    ('fail', 'sign')
    """
    outputs = []
    for i, case in enumerate(cases, 1):
        try:
            got = candidate(*case)
        except NotImplementedError:
            return Feedback("not attempted", f"Replace the `raise NotImplementedError` in {what} with your code, then run this cell again.")
        except Exception as exc:  # the learner's bug, reported rather than raised
            return Feedback("fail", f"{what} raised {type(exc).__name__}: {exc} (case {i}).")
        if _not_attempted(got):
            return Feedback("not attempted", f"{what} returns nothing yet; fill it in and run this cell again.")
        outputs.append(got)
    wants = [reference(*case) for case in cases]
    if all(_close(got, want, rtol, atol) for got, want in zip(outputs, wants)):
        return Feedback("pass", f"All {len(cases)} test cases agree with the reference.")
    for m in mistakes:
        if _matches_everywhere(m, cases, outputs, rtol, atol):
            return Feedback("fail", m.hint, m.name)
    i, got, want = next((i, g, w) for i, (g, w) in enumerate(zip(outputs, wants), 1) if not _close(g, w, rtol, atol))
    if np.shape(got) != np.shape(want):
        return Feedback("fail", f"Case {i}: expected a result of shape {np.shape(want)}, got shape {np.shape(got)}.", "shape")
    if not np.all(np.isfinite(np.asarray(got, dtype=float))):
        return Feedback("fail", f"Case {i}: the result contains NaN or inf.")
    return Feedback("fail", f"Case {i}: the values differ from the reference (expected {np.round(want, 6)}, "
                            f"got {np.round(np.asarray(got, dtype=float), 6)}).")


def check_value(
    answer,
    expected: float,
    mistakes: Mapping[str, tuple[float, str]] | None = None,
    *,
    rtol: float = 1e-3,
    what: str = "your answer",
) -> Feedback:
    """Check a number; ``mistakes`` maps a name to (the value that mistake gives, hint).

    >>> check_value(1.0, 1.0).status
    'pass'
    >>> check_value(0.5, 1.0, {"half": (0.5, "You halved it.")}).mistake
    'half'
    """
    if _not_attempted(answer):
        return Feedback("not attempted", f"Set {what} and run this cell again.")
    try:
        a = float(answer)
    except (TypeError, ValueError):
        return Feedback("fail", f"{what} must be a number; got {answer!r}.")
    if np.isclose(a, expected, rtol=rtol, atol=0.0):
        return Feedback("pass", f"{what} = {a:.6g} is right.")
    for name, (value, hint) in (mistakes or {}).items():
        if np.isclose(a, value, rtol=rtol, atol=0.0):
            return Feedback("fail", hint, name)
    return Feedback("fail", f"{what} = {a:.6g} is not right yet.")
