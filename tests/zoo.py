"""The mistake zoo: judge plausible answers, right and wrong, and check what the learner
reads.

Every chapter's exercise tests call :func:`judge` with at least two right answers (other
valid forms: in place, vectorised vs loop, another formula) and at least six wrong ones
(the chapter's known bugs and the natural slips), each wrong one with the name of the
mistake the checker must recognise (or None where no name is expected). 0 false passes
and 0 false fails is the bar. Every message a learner would read is also checked to
render as Markdown without losing its formulas (no bare ``*`` or ``_`` turning into
emphasis).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark")


def markdown_problems(text: str) -> list[str]:
    """What would break if ``text`` were rendered as Markdown (empty list: nothing)."""
    problems = []
    html = _MD.render(text)
    if re.search(r"<(em|strong)>", html):
        problems.append(
            f"renders emphasis (a bare * or _ in a formula?): {html.strip()}"
        )
    outside = re.sub(r"`[^`]*`|\$[^$]*\$", "", text)
    for char in "*_^\\":
        if char in outside:
            problems.append(
                f"{char!r} outside a code span or $math$: write the formula as `code`"
            )
    return problems


def assert_markdown_safe(text: str) -> None:
    problems = markdown_problems(text)
    assert not problems, f"feedback {text!r}: " + "; ".join(problems)


def judge(
    check: Callable,
    *,
    right: Sequence = (),
    wrong: Sequence[tuple] = (),
    min_right: int = 2,
    min_wrong: int = 6,
) -> None:
    """Every right answer passes, every wrong one fails (naming its mistake when given).

    ``check(answer)`` returns a Feedback; ``wrong`` holds ``(answer, mistake_name)``
    pairs.
    """
    assert len(right) >= min_right, f"the zoo needs >= {min_right} right answers"
    assert len(wrong) >= min_wrong, f"the zoo needs >= {min_wrong} wrong answers"
    false_fails, false_passes, misnamed = [], [], []
    for i, answer in enumerate(right):
        fb = check(answer)
        assert_markdown_safe(fb.message)
        if not fb.passed:
            false_fails.append(f"right answer {i}: {fb}")
    for i, (answer, name) in enumerate(wrong):
        fb = check(answer)
        assert_markdown_safe(fb.message)
        if fb.passed or fb.status != "fail":
            false_passes.append(f"wrong answer {i} ({name}): {fb}")
        elif name is not None and fb.mistake != name:
            misnamed.append(
                f"wrong answer {i}: expected mistake {name!r}, got {fb.mistake!r}: {fb}"
            )
    assert not (false_fails or false_passes or misnamed), "\n".join(
        false_fails + false_passes + misnamed
    )


def _stub(*args):
    raise NotImplementedError("your code here")


def assert_exercise_basics(ex, *, no_return: bool = False) -> None:
    """What every exercise must do: its worked solution passes, the untouched stub is
    "not attempted" (with the "Replace ..." prompt), it has at least two hints and each
    renders as Markdown. ``no_return``: also check that a function returning None is
    named so.
    """
    assert ex.run_solution().passed
    fb = ex.check(_stub)
    assert fb.status == "not attempted" and fb.message.startswith("Replace")
    if no_return:
        assert ex.check(lambda *a: None).mistake == "no return"
    assert len(ex.hints) >= 2
    for text in ex.hints:
        assert_markdown_safe(text)
