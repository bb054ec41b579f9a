"""Exercises: plain Markdown in the notebook, sphinx-exercise in the book.

In a chapter notebook an exercise is three cells, readable in JupyterLab and Colab alike
(no MyST directives, no solution in plain sight, nothing that "Run All" could use to
overwrite the learner's answer)::

    markdown  {"gdbook": {"exercise": "ch01-ex-loop", "role": "statement"}}
              #### Exercise: The gradient with a loop
              Write `grad_1d(w, x, y)` ...
    code      {"gdbook": {"exercise": "ch01-ex-loop", "role": "stub"}}
              def grad_1d(w, x, y):
                  raise NotImplementedError("your code here")
    code      {"gdbook": {"exercise": "ch01-ex-loop", "role": "check"}}
              ch01.loop.check(grad_1d)

When the book is built, this extension rewrites the notebook as Sphinx reads it: the
statement becomes an ``{exercise}`` directive with its label, and after the check cell
come the worked solution of :class:`gdutils.exercises.Exercise` (in a collapsed
``{solution-start}`` dropdown, executed with the chapter) and a removed cell asserting
that the checker passes on it. With ``GDBOOK_STUDENT=1`` (``make book-student``) no
solution is inserted: the instructor's edition without answers. In the PDF edition
(the LaTeX builder: print has no collapsed dropdowns) the solutions go after the last
cell instead, under a heading of their own, "Solutions to the exercises".
"""

from __future__ import annotations

import copy
import json
import os
import re

HEADING = re.compile(r"^#{1,6}\s*Exercise:\s*(?P<title>.+?)\s*$")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _fence(body: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=2)
    return "`" * max(3, longest + 1)


def statement_to_directive(source: str, label: str) -> str:
    """``#### Exercise: Title`` + body -> the ``{exercise}`` directive sphinx-exercise
    reads.

    >>> print(statement_to_directive("#### Exercise: Double it\\nWrite `f`.", "x-ex-f"))
    ```{exercise} Double it
    :label: x-ex-f
    <BLANKLINE>
    Write `f`.
    ```
    """
    first, _, body = source.strip("\n").partition("\n")
    m = HEADING.match(first)
    if not m:
        raise ValueError(
            f"exercise {label}: the statement must start with "
            f"'#### Exercise: <title>', found {first!r}"
        )
    body = body.strip("\n")
    fence = _fence(body)
    return f"{fence}{{exercise}} {m['title']}\n:label: {label}\n\n{body}\n{fence}"


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str, tags=()) -> dict:
    return {
        "cell_type": "code",
        "metadata": {"tags": list(tags)} if tags else {},
        "source": text,
        "outputs": [],
        "execution_count": None,
    }


SOLUTIONS_HEADING = "## Solutions to the exercises"


def transform(
    nb: dict, *, student: bool = False, solutions_at_end: bool = False
) -> dict:
    """The notebook as the book builds it (see the module docstring)."""
    from gdutils.exercises import registry

    exercises = registry()
    cells, solutions = [], []
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("gdbook", {})
        label, role = meta.get("exercise"), meta.get("role")
        if label and label not in exercises:
            raise ValueError(
                f"notebook cell names exercise {label!r}, which gdutils does not define"
            )
        if role == "statement":
            cell = copy.deepcopy(cell)
            cell["source"] = statement_to_directive(_source(cell), label)
        cells.append(cell)
        if role == "check" and not student:
            ex = exercises[label]
            fence = _fence(ex.solution_code)
            (solutions if solutions_at_end else cells).extend(
                [
                    _md(
                        f"{fence}{{solution-start}} {label}\n:class: dropdown\n{fence}"
                    ),
                    _code(ex.solution_code.strip("\n")),
                    _md(f"{fence}{{solution-end}}\n{fence}"),
                    _code(
                        f"assert {ex.name}.check({ex.check_args}).passed, "
                        f"'the solution of {label} must pass its checker'",
                        tags=["remove-cell"],
                    ),
                ]
            )
    if solutions:
        cells.append(
            _md(
                f"{SOLUTIONS_HEADING}\n\nThe worked solutions of this chapter's "
                "exercises, in their order. Try each exercise before you read its "
                "solution."
            )
        )
        cells += solutions
    for i, cell in enumerate(cells):  # unique ids for the cells added here
        cell["id"] = cell.get("id") or f"gdbook-{i:03d}"
    out = dict(nb)
    out["cells"] = cells
    return out


def student_edition() -> bool:
    return os.environ.get("GDBOOK_STUDENT", "") == "1"


def _on_source_read(app, docname: str, source: list[str]) -> None:
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    nb = json.loads(source[0])
    source[0] = json.dumps(
        transform(
            nb,
            student=student_edition(),
            solutions_at_end=app.builder.name == "latex",
        )
    )


def setup(app):
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
