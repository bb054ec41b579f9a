"""The machinery behind every exercise: checkers that never misjudge, hints, solutions.

A learner meets an exercise as an :class:`Exercise` object of the chapter's module::

    from gdutils.exercises import ch01
    ch01.loop.check(grad_1d)   # ✔ correct, ✘ not yet (naming a known mistake), ✎ not
    attempted ch01.loop.hint()           # the next hint, one at a time
    ch01.loop.solution()       # the worked solution, on request

A checker runs the learner's function on a few cases and compares it with a reference.
It is built so that it cannot be fooled:

* every case's inputs are deep-copied for the learner's call and again for the
  reference, so the reference is computed on pristine inputs whatever the learner's code
  mutates;
* an answer that changes its inputs is told so (the ``reg = theta; reg[-1] = 0``
  aliasing bug) unless the exercise allows in-place updates;
* numbers are compared with a stated tolerance and a wrong one is reported with its
  relative difference, never as two rounded vectors that look equal;
* when an answer is wrong, each *known mistake* (a function computing what a particular
  bug would give) is tried, and one is named only if it reproduces the answer on every
  case;
* an untouched stub (``raise NotImplementedError``) is "not attempted"; a function that
  returns ``None`` is asked whether it forgot ``return``; a stub whose cell just failed
  with a ``SyntaxError`` is told the cell did not run; a function that raises has its
  exception shown.

Feedback is Markdown: formulas in it are code spans or ``$math$``, never bare ``*``.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Feedback",
    "Mistake",
    "Exercise",
    "check_function",
    "check_value",
    "check_raises",
    "registry",
]

_ICONS = {
    "pass": "✔ Correct.",
    "fail": "✘ Not yet.",
    "not attempted": "✎ Not attempted yet.",
}


@dataclass(frozen=True)
class Feedback:
    """Result of a check: ``status`` is "pass", "fail" or "not attempted".

    ``mistake`` names the known bug that was recognised (or is None).

    >>> Feedback("pass", "All 3 cases agree.").passed
    True
    >>> print(Feedback("fail", "Check the sign.", "sign"))
    ✘ Not yet. Check the sign.
    """

    status: str
    message: str
    mistake: str | None = None

    def __post_init__(self):
        if self.status not in _ICONS:
            raise ValueError(
                f"status must be one of {sorted(_ICONS)}; got {self.status!r}."
            )

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __str__(self) -> str:
        return f"{_ICONS[self.status]} {self.message}"

    def _repr_markdown_(self) -> str:
        return f"**{_ICONS[self.status]}** {self.message}"

    def __repr__(self) -> str:
        return f"Feedback(status={self.status!r}, mistake={self.mistake!r})"

    def with_suffix(self, text: str) -> Feedback:
        return Feedback(self.status, f"{self.message} {text}".strip(), self.mistake)


@dataclass(frozen=True)
class Mistake:
    """A known bug: ``compute(*case)`` gives what the buggy code would return; ``hint``
    explains it.

    >>> Mistake("sign", lambda x: -x, "Check the sign.").compute(2.0)
    -2.0
    """

    name: str
    compute: Callable
    hint: str


# --- what the learner handed in -------------------------------------------------------


def _not_attempted(what: str) -> Feedback:
    """The stub is untouched, unless the cell run just before this one failed to
    compile."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        last = getattr(shell, "last_execution_result", None) if shell else None
        err = getattr(last, "error_before_exec", None)
    except Exception:  # noqa: BLE001  (no IPython: a script or a test)
        err = None
    if isinstance(err, SyntaxError):
        where = f" (line {err.lineno})" if err.lineno else ""
        return Feedback(
            "fail",
            "The cell you ran just before this one did not run: `SyntaxError:"
            f" {err.msg}`{where}. Until it runs, {what} is still the untouched stub:"
            " fix the error, run that cell again, then this one.",
            "syntax error",
        )
    return Feedback(
        "not attempted",
        f"Replace the `raise NotImplementedError` in {what} with your code, then run"
        " this cell again.",
    )


def _raised(exc: BaseException, what: str, case: int) -> Feedback:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Feedback(
        "fail", f"{what} raised `{text}` on test case {case}.", "raised an exception"
    )


def _returned_none(what: str) -> Feedback:
    return Feedback(
        "fail",
        f"{what} returns nothing (`None`): did you forget `return`?",
        "no return",
    )


def _as_numbers(value) -> np.ndarray | None:
    """``value`` as a float array, or None if it is not numbers (strings, ragged
    lists...)."""
    if isinstance(value, (str, bytes)):
        return None
    try:
        arr = np.asarray(value)
        if arr.dtype == object or not (
            np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
        ):
            return None
        if np.iscomplexobj(arr):
            return None
        return arr.astype(float)
    except (TypeError, ValueError):
        return None


def _close(a, b, rtol: float, atol: float) -> bool:
    x, y = _as_numbers(a), _as_numbers(b)
    if x is None or y is None:
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol))


def _relative_difference(got: np.ndarray, want: np.ndarray) -> float:
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    diff = float(np.max(np.abs(got - want))) if want.size else 0.0
    return diff / scale if scale > 0 else diff


def _same(a, b) -> bool:
    """Deep equality of two inputs (arrays compared exactly, NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        except TypeError:
            return np.array_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:  # noqa: BLE001  (objects without a usable ==: assume unchanged)
        return True


def _matches_everywhere(mistake: Mistake, cases, outputs, rtol, atol) -> bool:
    """True if the mistake reproduces the learner's output on every case (one case can
    coincide)."""
    try:
        return all(
            _close(got, mistake.compute(*copy.deepcopy(case)), rtol, atol)
            for case, got in zip(cases, outputs, strict=True)
        )
    # noqa: BLE001  (a mistake model that does not apply to these cases)
    except Exception:
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
    allow_mutation: bool = False,
) -> Feedback:
    """Compare ``candidate(*case)`` with ``reference(*case)`` on every case.

    Each call gets its own deep copy of the case, so neither the learner's function nor
    the reference can change what the other sees. A known mistake is named only if it
    reproduces the learner's output on *every* case. ``allow_mutation`` accepts answers
    that update their inputs in place (a step function returning ``theta`` changed in
    place); otherwise changing an input is reported as the aliasing bug it usually is.

    >>> ref = lambda x: 2 * x
    >>> check_function(lambda x: 2 * x, ref, [(1.0,), (3.0,)]).status
    'pass'
    >>> fb = check_function(lambda x: -2 * x, ref, [(1.0,), (2.0,)],
    ...                     [Mistake("sign", lambda x: -2 * x, "Check the sign.")])
    >>> fb.status, fb.mistake
    ('fail', 'sign')
    >>> check_function(lambda x: None, ref, [(1.0,)]).mistake
    'no return'
    """
    if candidate is None or candidate is Ellipsis:
        return Feedback("not attempted", f"Define {what} and run this cell again.")
    if not callable(candidate):
        return Feedback(
            "fail",
            f"{what} should be a function; got a `{type(candidate).__name__}`.",
            "not a function",
        )
    outputs = []
    for i, case in enumerate(cases, 1):
        args = copy.deepcopy(tuple(case))
        try:
            got = candidate(*args)
        except NotImplementedError:
            return _not_attempted(what)
        except Exception as exc:  # noqa: BLE001  (the learner's bug, reported rather than raised)
            return _raised(exc, what, i)
        if got is None:
            return _returned_none(what)
        if got is Ellipsis:
            return _not_attempted(what)
        if not allow_mutation:
            changed = [
                k
                for k, (a, b) in enumerate(zip(args, case, strict=True))
                if not _same(a, b)
            ]
            if changed:
                return Feedback(
                    "fail",
                    f"{what} changed its input number {changed[0] + 1} (test case {i})."
                    " A function that computes a result must leave its inputs alone:"
                    " `reg = theta` is not a copy, so `reg[-1] = 0` also zeroes"
                    " `theta[-1]`; use `theta.copy()` (or build a new array).",
                    "mutates its input",
                )
        outputs.append(got)
    wants = [reference(*copy.deepcopy(tuple(case))) for case in cases]
    if all(
        _close(got, want, rtol, atol) for got, want in zip(outputs, wants, strict=True)
    ):
        return Feedback(
            "pass",
            f"All {len(cases)} test cases agree with the reference "
            f"(tolerance: rtol={rtol:g}, atol={atol:g}).",
        )
    for m in mistakes:
        if _matches_everywhere(m, cases, outputs, rtol, atol):
            return Feedback("fail", m.hint, m.name)
    i, got, want = next(
        (i, g, w)
        for i, (g, w) in enumerate(zip(outputs, wants, strict=True), 1)
        if not _close(g, w, rtol, atol)
    )
    g, w = _as_numbers(got), _as_numbers(want)
    if g is None:
        return Feedback(
            "fail",
            f"Test case {i}: {what} should return numbers; got a "
            f"`{type(got).__name__}`.",
            "not numbers",
        )
    if g.shape != w.shape:
        return Feedback(
            "fail",
            f"Test case {i}: expected a result of shape {w.shape}, got "
            f"shape {g.shape}.",
            "shape",
        )
    if not np.all(np.isfinite(g)):
        return Feedback(
            "fail", f"Test case {i}: the result contains NaN or inf.", "not finite"
        )
    rel = _relative_difference(g, w)
    return Feedback(
        "fail",
        f"Test case {i}: the values differ from the reference by up to "
        f"{rel:.1e} relative to its size (tolerance: rtol={rtol:g}, "
        f"atol={atol:g}).",
    )


def _as_number(
    answer, what: str, integer: bool
) -> tuple[float | None, Feedback | None]:
    if isinstance(answer, (bool, np.bool_)):
        return None, Feedback(
            "fail", f"{what} should be a number; got `{answer}`.", "not a number"
        )
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.reshape(()).item()
    if not isinstance(answer, numbers.Real):
        return None, Feedback(
            "fail",
            f"{what} should be a number; got a `{type(answer).__name__}`.",
            "not a number",
        )
    a = float(answer)
    if not math.isfinite(a):
        return None, Feedback(
            "fail", f"{what} is `{a}`: not a finite number.", "not finite"
        )
    if integer and a != round(a):
        return None, Feedback(
            "fail",
            f"{what} = {a:g} should be a whole number (a count).",
            "not a whole number",
        )
    return a, None


def check_value(
    answer,
    expected: float,
    mistakes: Mapping[str, tuple[float, str]] | None = None,
    *,
    rtol: float = 1e-3,
    atol: float = 0.0,
    integer: bool = False,
    what: str = "your answer",
) -> Feedback:
    """Check a number; ``mistakes`` maps a name to (the value that mistake gives, hint).

    ``integer=True`` is for counts: ``128`` and ``128.0`` are both accepted, ``127.5``
    is not a count. The closest match wins when a wrong answer is near several mistakes.

    >>> check_value(1.0, 1.0).status
    'pass'
    >>> check_value(0.5, 1.0, {"half": (0.5, "You halved it.")}).mistake
    'half'
    >>> check_value(128, 128.0, integer=True).passed
    True
    """
    if answer is None or answer is Ellipsis:
        return Feedback("not attempted", f"Set {what} and run this cell again.")
    a, problem = _as_number(answer, what, integer)
    if problem is not None:
        return problem
    if math.isclose(a, expected, rel_tol=rtol, abs_tol=atol):
        return Feedback(
            "pass", f"{what} = {a:.6g} is right (tolerance: rtol={rtol:g})."
        )
    near = [
        (abs(a - value) / max(abs(value), 1e-300), name, hint)
        for name, (value, hint) in (mistakes or {}).items()
        if math.isclose(a, value, rel_tol=rtol, abs_tol=atol)
        and not math.isclose(value, expected, rel_tol=rtol, abs_tol=atol)
    ]
    if near:
        _, name, hint = min(near)
        return Feedback("fail", hint, name)
    rel = abs(a - expected) / abs(expected) if expected else abs(a)
    side = "too large" if a > expected else "too small"
    return Feedback(
        "fail",
        f"{what} = {a:.6g} is not right yet: it is {side} by {rel:.1e} "
        f"relative to the expected value (tolerance: rtol={rtol:g}).",
    )


def check_raises(
    candidate: Callable,
    args: tuple,
    exception: type[BaseException] = ValueError,
    *,
    words: Sequence[str] = (),
    what: str = "your function",
) -> Feedback:
    """Check that ``candidate(*args)`` raises ``exception`` with a message that says
    something.

    ``words`` (case-insensitive) must appear in the message, e.g. the expected shape.

    >>> def f(y):
    ...     raise ValueError("y must have shape (n,)")
    >>> check_raises(f, ([1],), words=["shape"]).passed
    True
    >>> def g(y):
    ...     raise ValueError()
    >>> check_raises(g, ([1],)).mistake
    'no message'
    """
    if candidate is None or candidate is Ellipsis:
        return Feedback("not attempted", f"Define {what} and run this cell again.")
    try:
        candidate(*copy.deepcopy(tuple(args)))
    except NotImplementedError:
        return _not_attempted(what)
    except exception as exc:
        msg = str(exc).strip()
        if not msg:
            return Feedback(
                "fail",
                f"{what} raises `{exception.__name__}` but with no message: "
                "say what was expected and what was given.",
                "no message",
            )
        missing = [w for w in words if w.lower() not in msg.lower()]
        if missing:
            return Feedback(
                "fail",
                f"The message `{msg}` should mention "
                + ", ".join(f"`{w}`" for w in missing)
                + ".",
                "message misses the point",
            )
        return Feedback("pass", f"{what} raises `{exception.__name__}: {msg}`.")
    except Exception as exc:  # noqa: BLE001
        return Feedback(
            "fail",
            f"{what} raised `{type(exc).__name__}: {exc}`; expected a "
            f"`{exception.__name__}`.",
            "wrong exception",
        )
    return Feedback(
        "fail",
        f"{what} returned normally; it should raise `{exception.__name__}` "
        "for this input.",
        "no exception",
    )


# --- the learner's API ----------------------------------------------------------------

_REGISTRY: dict[str, Exercise] = {}


class _Markdown:
    """Text that renders as Markdown in Jupyter and prints as itself elsewhere."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.text


@dataclass
class Exercise:
    """One exercise: ``check(...)`` judges an answer, ``hint()`` and ``solution()``
    help.

    ``name`` is how the notebook reaches it (``"ch01.loop"``); ``label`` is the book's
    label (``"ch01-ex-loop"``); ``checker`` returns a :class:`Feedback`; ``hints`` are
    revealed one per call; ``solution_code`` is the code of a worked answer, which the
    book build runs (and checks with ``check(<check_args>)``) inside a collapsed
    solution. ``context`` returns the chapter variables the solution and ``check_args``
    need, for tests that run the solution outside the notebook. ``transfer`` marks an
    exercise whose answer is not printed in the chapter.

    >>> ex = Exercise("demo.double", "demo-ex-double", lambda f: check_function(
    ...     f, lambda x: 2 * x, [(1.0,), (2.0,)]), hints=["Multiply by two."],
    ...     solution_code="def double(x):\\n    return 2 * x", check_args="double")
    >>> print(ex.check(lambda x: 2 * x))
    ✔ Correct. All 2 test cases agree with the reference (tolerance: rtol=1e-06,
    atol=1e-09).
    >>> print(ex.hint())
    💡 Hint 1 of 1: Multiply by two.
    >>> ex.run_solution().passed
    True
    """

    name: str
    label: str
    checker: Callable[..., Feedback]
    hints: Sequence[str] = ()
    solution_code: str = ""
    check_args: str = ""
    context: Callable[[], dict] | None = None
    transfer: bool = False
    _hints_shown: int = field(default=0, repr=False)

    def __post_init__(self):
        if not self.hints:
            raise ValueError(f"exercise {self.name} needs at least one hint")
        _REGISTRY[self.label] = self

    def check(self, *args, **kwargs) -> Feedback:
        """Judge an answer; on "not yet", say where the hints and the solution are."""
        try:
            fb = self.checker(*args, **kwargs)
        # noqa: BLE001  (a checker must never crash on an answer)
        except Exception as exc:
            fb = Feedback(
                "fail",
                f"Your answer could not be checked: `{type(exc).__name__}: {exc}`.",
                "uncheckable",
            )
        if fb.status == "fail":
            left = len(self.hints) - self._hints_shown
            more = (
                f"`{self.name}.hint()` shows a hint"
                if left > 0
                else (f"`{self.name}.solution()` shows a worked solution")
            )
            fb = fb.with_suffix(f"(Stuck? {more}.)")
        return fb

    def hint(self) -> _Markdown:
        """The next hint (they get more specific); after the last one, the way to the
        solution."""
        n = len(self.hints)
        if self._hints_shown >= n:
            return _Markdown(
                f"💡 That was the last hint (hint {n}: {self.hints[-1]}) "
                f"`{self.name}.solution()` shows a worked solution."
            )
        self._hints_shown += 1
        return _Markdown(
            f"💡 Hint {self._hints_shown} of {n}: {self.hints[self._hints_shown - 1]}"
        )

    def solution(self) -> _Markdown:
        """A worked solution, as code to read (it is not run: your own answer stays)."""
        return _Markdown(
            f"A worked solution for `{self.name}`:\n\n```python\n"
            f"{self.solution_code.strip()}\n```"
        )

    def run_solution(self, namespace: dict | None = None) -> Feedback:
        """Run the solution in a fresh namespace (with ``context()``) and check it."""
        import gdutils as gdu

        ns = {"np": np, "gdu": gdu}
        module = _module_of(self)
        if module is not None:
            ns[self.name.split(".")[0]] = module
        ns.update(self.context() if self.context else {})
        ns.update(namespace or {})
        # noqa: S102
        exec(compile(self.solution_code, f"<solution {self.label}>", "exec"), ns)
        # noqa: S307
        return eval(f"__ex.check({self.check_args})", {**ns, "__ex": self})

    def __repr__(self) -> str:
        return (
            f"Exercise {self.label}: check with `{self.name}.check(...)`, "
            f"`{self.name}.hint()`, `{self.name}.solution()`"
        )


def _module_of(exercise: Exercise):
    """The chapter module an exercise belongs to (None for one defined elsewhere)."""
    import importlib

    try:
        return importlib.import_module(
            f"gdutils.exercises.{exercise.name.split('.')[0]}"
        )
    except ModuleNotFoundError:
        return None


def registry() -> dict[str, Exercise]:
    """Every exercise of the book by label (imports every chapter's checker module).

    >>> all(
    ...     label.split("-")[0] == ex.name.split(".")[0]
    ...     for label, ex in registry().items()
    ... )
    True
    """
    import importlib
    import pkgutil

    from .. import exercises

    for mod in pkgutil.iter_modules(exercises.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{exercises.__name__}.{mod.name}")
    return dict(_REGISTRY)
