"""The exercise machinery: checkers that cannot be fooled, the learner's API, the book
transform."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from gdutils.exercises import (
    Exercise,
    Mistake,
    check_function,
    check_raises,
    check_value,
)
from gdutils.exercises._core import Feedback

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
import book_exercises  # noqa: E402  (the Sphinx extension)


def _ridge_grad(theta, X, y, lam=0.1):
    A = np.column_stack([X, np.ones(len(y))])
    reg = theta.copy()
    reg[-1] = 0.0
    return 2 / len(y) * A.T @ (A @ theta - y) + 2 * lam * reg


def _cases():
    rng = np.random.default_rng(0)
    return [
        (rng.standard_normal(3), rng.standard_normal((6, 2)), rng.standard_normal(6))
        for _ in range(3)
    ]


def test_reference_is_computed_on_pristine_inputs_despite_aliasing():
    def aliasing(theta, X, y, lam=0.1):  # the classic bug: reg is theta itself
        A = np.column_stack([X, np.ones(len(y))])
        g = 2 / len(y) * A.T @ (A @ theta - y)
        reg = theta
        reg[-1] = 0.0
        return g + 2 * lam * reg

    fb = check_function(aliasing, _ridge_grad, _cases())
    assert fb.status == "fail" and fb.mistake == "mutates its input"
    assert "theta.copy()" in fb.message


def test_in_place_answers_pass_when_allowed():
    def step(theta, g, lr):
        theta -= lr * g  # updates in place, returns the same array
        return theta

    ref = lambda theta, g, lr: theta - lr * g  # noqa: E731
    cases = [
        (np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1),
        (np.ones(3), np.arange(3.0), 0.5),
    ]
    assert check_function(step, ref, cases, allow_mutation=True).passed
    assert check_function(
        lambda t, g, lr: t - lr * g, ref, cases, allow_mutation=True
    ).passed


def test_no_return_is_not_not_attempted():
    fb = check_function(lambda x: None, lambda x: x, [(1.0,)])
    assert fb.status == "fail" and "forget `return`" in fb.message


def test_stub_is_not_attempted_and_raising_answers_are_shown():
    def stub(x):
        raise NotImplementedError

    assert check_function(stub, lambda x: x, [(1.0,)]).status == "not attempted"
    fb = check_function(lambda x: 1 / 0, lambda x: x, [(1.0,)])
    assert fb.status == "fail" and "ZeroDivisionError" in fb.message


def test_syntax_error_in_the_previous_cell_is_reported(monkeypatch):
    import IPython

    class _Result:
        error_before_exec = SyntaxError("invalid syntax", ("<cell>", 3, 1, "def f(:"))

    class _Shell:
        last_execution_result = _Result()

    monkeypatch.setattr(IPython, "get_ipython", lambda: _Shell())

    def stub(x):
        raise NotImplementedError

    fb = check_function(stub, lambda x: x, [(1.0,)], what="`f`")
    assert (
        fb.status == "fail" and fb.mistake == "syntax error" and "line 3" in fb.message
    )


def test_difference_is_reported_relative_not_as_rounded_vectors():
    want = np.array([0.0762490, 0.0762490])
    fb = check_function(lambda: want * (1 + 3e-6), lambda: want, [()])
    assert fb.status == "fail"
    assert "3.0e-06" in fb.message and "0.076249" not in fb.message


def test_mistake_named_only_when_it_matches_every_case():
    cases = [(1.0,), (2.0,)]
    m = Mistake("plus one", lambda x: x + 1, "added one")  # gives 2, 3
    # 2, 2
    assert check_function(lambda x: 2.0, lambda x: 2 * x, cases, [m]).mistake is None
    assert (
        check_function(lambda x: x + 1, lambda x: 2 * x, cases, [m]).mistake
        == "plus one"
    )


@pytest.mark.parametrize(
    "answer", [128, 128.0, np.int64(128), np.float64(128.0), np.array(128)]
)
def test_integer_answers_accept_every_integral_form(answer):
    assert check_value(answer, 128, integer=True).passed


@pytest.mark.parametrize("answer", [127.5, True, "128", [128, 1], float("nan")])
def test_non_numbers_and_non_counts_are_refused(answer):
    fb = check_value(answer, 128, integer=True)
    assert fb.status == "fail"


def test_closest_mistake_wins_and_a_mistake_equal_to_the_answer_never_fires():
    fb = check_value(1.0, 1.0, {"same": (1.0, "never shown")})
    assert fb.passed
    fb = check_value(
        2.001, 1.0, {"two": (2.0, "doubled"), "a bit more": (2.02, "x")}, rtol=0.02
    )
    assert fb.mistake == "two"


def test_value_feedback_says_direction_and_tolerance():
    fb = check_value(1.5, 1.0)
    assert "too large" in fb.message and "rtol" in fb.message


def test_check_raises_wants_a_message():
    def silent(y):
        raise ValueError()

    def good(y):
        raise ValueError("y must have shape (n,), got (n, 1)")

    def quiet(y):
        return y

    assert check_raises(silent, ([1],)).mistake == "no message"
    assert check_raises(good, ([1],), words=["shape"]).passed
    assert (
        check_raises(good, ([1],), words=["float"]).mistake
        == "message misses the point"
    )
    assert check_raises(quiet, ([1],)).mistake == "no exception"
    assert check_raises(lambda y: y[5], ([1],)).mistake == "wrong exception"


def _demo_exercise(**kw):
    return Exercise(
        "demo.double",
        "demo-ex-double",
        lambda f: check_function(
            f,
            lambda x: 2 * x,
            [(1.0,), (-3.0,)],
            [Mistake("half", lambda x: x / 2, "You halved it.")],
            what="`double`",
        ),
        hints=["It is linear.", "Multiply by two: `2 * x`."],
        solution_code="def double(x):\n    return 2 * x\n",
        check_args="double",
        **kw,
    )


def test_learner_api_hints_are_progressive_and_solution_is_shown_not_run():
    ex = _demo_exercise()
    fb = ex.check(lambda x: x / 2)
    assert fb.mistake == "half" and "`demo.double.hint()`" in fb.message
    assert str(ex.hint()).startswith("💡 Hint 1 of 2")
    assert str(ex.hint()).startswith("💡 Hint 2 of 2")
    assert "last hint" in str(ex.hint())
    assert "solution()" in ex.check(lambda x: x / 2).message
    shown = ex.solution()
    assert "```python" in shown._repr_markdown_() and "return 2 * x" in str(shown)
    assert ex.run_solution().passed


def test_exercise_needs_a_hint_and_never_crashes_on_an_answer():
    with pytest.raises(ValueError, match="hint"):
        Exercise("demo.x", "demo-ex-x", lambda f: Feedback("pass", ""), hints=[])
    ex = Exercise("demo.y", "demo-ex-y", lambda f: f(), hints=["h"])
    fb = ex.check(lambda: 1 / 0)
    assert fb.status == "fail" and fb.mistake == "uncheckable"


def test_transform_turns_plain_markdown_into_directives_and_inserts_solutions(
    monkeypatch,
):
    ex = _demo_exercise()
    monkeypatch.setattr("gdutils.exercises.registry", lambda: {ex.label: ex})
    cells = [
        {
            "cell_type": "markdown",
            "id": "a",
            "source": "#### Exercise: Double it\n\nWrite `double`.",
            "metadata": {"gdbook": {"exercise": ex.label, "role": "statement"}},
        },
        {
            "cell_type": "code",
            "id": "b",
            "source": "def double(x):\n    raise NotImplementedError",
            "metadata": {"gdbook": {"exercise": ex.label, "role": "stub"}},
            "outputs": [],
        },
        {
            "cell_type": "code",
            "id": "c",
            "source": "demo.double.check(double)",
            "metadata": {"gdbook": {"exercise": ex.label, "role": "check"}},
            "outputs": [],
        },
    ]
    book = book_exercises.transform({"cells": cells})
    src = ["".join(c["source"]) for c in book["cells"]]
    assert src[0].startswith("```{exercise} Double it\n:label: demo-ex-double")
    assert "{solution-start} demo-ex-double" in src[3] and ":class: dropdown" in src[3]
    assert src[4].startswith("def double(x):") and "{solution-end}" in src[5]
    assert src[6].startswith("assert demo.double.check(double).passed")
    assert book["cells"][6]["metadata"]["tags"] == ["remove-cell"]
    assert len({c["id"] for c in book["cells"]}) == len(book["cells"])
    student = book_exercises.transform({"cells": cells}, student=True)
    assert len(student["cells"]) == 3 and "solution" not in "".join(
        "".join(c["source"]) for c in student["cells"]
    )


def test_transform_for_print_moves_the_solutions_after_the_last_cell(monkeypatch):
    # the PDF edition: every solution (and its removed assert) after the chapter's
    # last cell, under a heading, in the exercises' order
    exs = [_demo_exercise(), _demo_exercise()]
    exs[1].label, exs[1].name = "demo-ex-twice", "demo.twice"
    monkeypatch.setattr("gdutils.exercises.registry", lambda: {e.label: e for e in exs})

    def exercise(ex):
        meta = {"exercise": ex.label}
        return [
            {
                "cell_type": "markdown",
                "source": f"#### Exercise: {ex.label}\n\nWrite it.",
                "metadata": {"gdbook": {**meta, "role": "statement"}},
            },
            {
                "cell_type": "code",
                "source": f"{ex.name}.check(double)",
                "metadata": {"gdbook": {**meta, "role": "check"}},
                "outputs": [],
            },
        ]

    last = {"cell_type": "markdown", "source": "## Summary", "metadata": {}}
    cells = exercise(exs[0]) + exercise(exs[1]) + [last]
    book = book_exercises.transform({"cells": cells}, solutions_at_end=True)
    src = ["".join(c["source"]) for c in book["cells"]]
    assert src[:5] == [src[0], src[1], src[2], src[3], "## Summary"]
    assert "{exercise}" in src[0] and "{exercise}" in src[2]
    assert src[5].startswith(book_exercises.SOLUTIONS_HEADING + "\n")
    assert "{solution-start} demo-ex-double" in src[6] and "{solution-end}" in src[8]
    assert src[9].startswith("assert demo.double.check(")
    assert "{solution-start} demo-ex-twice" in src[10]
    assert src[13].startswith("assert demo.twice.check(") and len(src) == 14
    assert len({c["id"] for c in book["cells"]}) == len(book["cells"])
    student = book_exercises.transform(
        {"cells": cells}, student=True, solutions_at_end=True
    )
    assert len(student["cells"]) == len(cells)  # no solutions, and no empty heading


def test_transform_refuses_unknown_labels_and_bad_statements(monkeypatch):
    monkeypatch.setattr("gdutils.exercises.registry", lambda: {})
    cell = {
        "cell_type": "markdown",
        "source": "#### Exercise: X",
        "metadata": {"gdbook": {"exercise": "nope", "role": "statement"}},
    }
    with pytest.raises(ValueError, match="does not define"):
        book_exercises.transform({"cells": [cell]})
    with pytest.raises(ValueError, match="must start with"):
        book_exercises.statement_to_directive("Exercise X", "x")


def test_zoo_flags_formulas_that_markdown_would_eat():
    import zoo

    assert zoo.markdown_problems("use `(1 - beta1**t)`") == []
    assert zoo.markdown_problems("the factor $2/n$ and $x_i$") == []
    assert zoo.markdown_problems("(1 - beta1**t)")  # bold eats the **
    assert zoo.markdown_problems("2 * x * (w*x - y)")  # italics eat the *


def test_every_hint_and_mistake_of_the_book_renders_intact():
    import zoo

    from gdutils.exercises import registry

    for ex in registry().values():
        for h in ex.hints:
            zoo.assert_markdown_safe(h)
        module = ex.checker.__module__
        import importlib

        for value in vars(importlib.import_module(module)).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            for m in items:
                if isinstance(m, Mistake):
                    zoo.assert_markdown_safe(m.hint)


def test_verdicts_and_feedback_render_with_debians_default_fonts():
    """The verdict glyphs, hints and feedback show in JupyterLab on a machine with only
    DejaVu (emoji such as U+2705 and U+274C would be empty boxes there)."""
    import shutil

    from book import covered_by_default_fonts

    from gdutils.exercises import registry
    from gdutils.exercises._core import _ICONS

    if not shutil.which("fc-list"):
        pytest.skip("fc-list not installed")
    texts = list(_ICONS.values())
    for ex in registry().values():
        texts += ex.hints
    chars = {c for t in texts for c in t if ord(c) > 127}
    missing = sorted(c for c in chars if not covered_by_default_fonts(c))
    assert not missing, [f"{c} U+{ord(c):04X}" for c in missing]
    assert {t.split()[0] for t in _ICONS.values()} == {"✔", "✘", "✎"}
