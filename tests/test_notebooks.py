"""Notebook hygiene: what every chapter must be before it is committed (no kernel
needed)."""

from __future__ import annotations

import ast
import re

import pytest
from book import REPO_URL, ROOT, load, notebooks, source, toc_files

NOTEBOOKS = notebooks()
IDS = [p.stem for p in NOTEBOOKS]


def test_toc_and_chapters_agree():
    listed = set(toc_files())
    for nb in NOTEBOOKS:
        assert f"chapters/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"
    for f in listed:
        assert any((ROOT / f"{f}{ext}").exists() for ext in (".md", ".ipynb")), (
            f"_toc.yml lists missing {f}"
        )
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    nb = load(path)
    dirty = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs; strip them (the build executes the"
        " notebook)"
    )
    assert "widgets" not in nb["metadata"], (
        f"{path.name}: saved widget state in the metadata; strip it"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_kernel_and_template(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown" and source(cells[0]).startswith("# ")
    assert re.search(r"you will learn", source(cells[0]), re.I), (
        "the first cell should say what the reader will learn"
    )
    code = "\n".join(source(c) for c in cells if c["cell_type"] == "code")
    assert "import gdutils as gdu" in code
    assert re.search(r"gdu\.book_rngs?\(", code), (
        "draw randomness from the book seed: gdu.book_rng(name), gdu.book_rngs(k, name)"
    )
    literal = re.findall(r"default_rng\(\s*\d+\s*\)|\b(?:rng|seed)\s*=\s*\d+\b", code)
    assert not literal, (
        f"literal seeds {literal}: spawn every generator from the book seed"
    )
    assert "np.random.seed" not in code and "np.random.rand" not in code, (
        "use a Generator, not the legacy global state"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_colab_cell_installs_from_this_repository(path):
    first_code = next(c for c in load(path)["cells"] if c["cell_type"] == "code")
    src = source(first_code)
    assert '"google.colab" in sys.modules' in src, (
        "the first code cell must be the guarded Colab install"
    )
    urls = re.findall(r"git\+(\S+?)@", src)
    assert urls == [REPO_URL], (
        f"Colab installs from {urls}, but _config.yml says the repository is {REPO_URL}"
    )
    assert "remove-cell" in first_code["metadata"].get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_figure_has_alt_text_and_caption(path):
    for i, c in enumerate(load(path)["cells"]):
        if c["cell_type"] == "code" and "plt.show()" in source(c):
            meta = c["metadata"].get("mystnb", {})
            assert meta.get("image", {}).get("alt"), (
                f"{path.name} cell {i}: figure without alt text"
            )
            assert meta.get("figure", {}).get("caption"), (
                f"{path.name} cell {i}: figure without caption"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_animation_is_described(path):
    for i, c in enumerate(load(path)["cells"]):
        src = source(c)
        if c["cell_type"] == "code" and "gdu.animate(" in src:
            call = src[src.index("gdu.animate(") :]
            assert "alt=" in call, (
                f"{path.name} cell {i}: pass alt= to gdu.animate (it becomes the"
                " frame's alt text)"
            )


def _exercise_cells(cells):
    """(index, label, role) of every cell that belongs to an exercise."""
    out = []
    for i, c in enumerate(cells):
        meta = c["metadata"].get("gdbook", {})
        if meta.get("exercise"):
            out.append((i, meta["exercise"], meta.get("role")))
    return out


def _new_format(path) -> bool:
    return any(c["metadata"].get("gdbook") for c in load(path)["cells"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_chapter_uses_the_plain_markdown_exercise_format(path):
    """The MyST ``{exercise}`` fences of the first edition show raw in JupyterLab and
    Colab."""
    assert _new_format(path), (
        f"{path.name}: exercises must be plain-Markdown cells with metadata.gdbook"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_are_plain_markdown_checked_hinted_and_solved_in_gdutils(path):
    """The format of _ext/exercises.py: readable in JupyterLab and Colab, nothing to
    overwrite."""
    from gdutils.exercises import registry

    exercises = registry()
    cells = load(path)["cells"]
    for i, c in enumerate(cells):
        if c["cell_type"] == "markdown":
            assert not re.search(
                r"\{(exercise|solution-start|solution-end|solution)\}", source(c)
            ), (
                f"{path.name} cell {i}: MyST exercise/solution fences show raw in"
                " JupyterLab and Colab; write the statement as plain Markdown (see"
                " _ext/exercises.py)"
            )
    found = _exercise_cells(cells)
    labels = [label for _, label, role in found if role == "statement"]
    assert len(labels) >= 4, (
        f"{path.name}: at least four exercises, found {len(labels)}"
    )
    assert len(set(labels)) == len(labels), (
        f"{path.name}: an exercise label is used twice"
    )
    prefix = path.stem[:2]
    for label in labels:
        assert label.startswith(f"ch{prefix}-ex-"), (
            f"{label}: labels are ch{prefix}-ex-<name>"
        )
        assert label in exercises, (
            f"{path.name}: gdutils defines no Exercise labelled {label}"
        )
        ex = exercises[label]
        roles = [(i, role) for i, lab, role in found if lab == label]
        assert [r for _, r in roles] == ["statement", "stub", "check"], (
            f"{label}: expected the cells statement, stub, check in that order; got"
            f" {roles}"
        )
        (s, _), (stub, _), (chk, _) = roles
        assert stub == s + 1 and chk == stub + 1, (
            f"{label}: statement, stub and check must be adjacent"
        )
        assert re.match(r"#{1,6}\s*Exercise:\s*\S", source(cells[s])), (
            f"{label}: the statement starts with '#### Exercise: <title>'"
        )
        assert cells[stub]["cell_type"] == "code" and "NotImplementedError" in source(
            cells[stub]
        )
        assert source(cells[chk]).strip() == f"{ex.name}.check({ex.check_args})", (
            f"{label}: the check cell must be exactly "
            f"`{ex.name}.check({ex.check_args})`"
        )
        assert ex.solution_code.strip() and len(ex.hints) >= 2, (
            f"{label}: a worked solution and at least two progressive hints"
        )
    transfer = [label for label in labels if exercises[label].transfer]
    assert len(transfer) >= 2, (
        f"{path.name}: at least two transfer exercises, found {transfer}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_explorers_have_no_dead_output(path):
    for i, c in enumerate(load(path)["cells"]):
        if c["cell_type"] == "code" and re.search(
            r"\.widget\s*$|display\(.*widget|ipywidgets", source(c), re.M
        ):
            tags = c["metadata"].get("tags", [])
            assert "remove-output" in tags or "remove-cell" in tags, (
                f"{path.name} cell {i}: a widget would be dead in the HTML; tag it"
                " remove-output"
            )


# Decimal results typed into prose drift from the code: compute them and say them
# instead.
_TYPED = re.compile(r"(?<![\w.$\\{^_-])\d+\.\d{2,}(?![\w}])")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_results_typed_into_prose(path):
    hits = []
    for i, c in enumerate(load(path)["cells"]):
        if c["cell_type"] == "markdown":
            text = re.sub(
                r"\$\$.*?\$\$|\$[^$]*\$|```.*?```|`[^`]*`", "", source(c), flags=re.S
            )
            hits += [f"cell {i}: {m.group(0)}" for m in _TYPED.finditer(text)]
    assert not hits, (
        f"{path.name}: decimal numbers in prose; compute and say them: {hits}"
    )


# --- teaching cells and check cells ---------------------------------------------------

_FIGURE = re.compile(r"\b(plt|fig|axes|ax\d*)\.|\b(animate|subplots|figure)\(|\bplt\b")
_LINE_LIMIT = 88


def _in_scope(cell: dict) -> bool:
    """Code cells a reader reads: exercise cells and removed cells are exempt."""
    return (
        cell["cell_type"] == "code"
        and "gdbook" not in cell["metadata"]
        and "remove-cell" not in cell["metadata"].get("tags", [])
    )


def _is_check(stmt: ast.stmt) -> bool:
    """A top-level assert, ``gdu.say(...)`` or ``np.testing.assert_*(...)``."""
    if isinstance(stmt, ast.Assert):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        name = ast.unparse(stmt.value.func)
        return name in ("gdu.say", "say") or name.startswith("np.testing.assert_")
    return False


def check_cell_problems(cell: dict) -> list[str]:
    """What is wrong with a code cell that checks or says: it must be collapsed
    (``hide-input`` and ``jupyter.source_hidden``) and draw no figure."""
    if not _in_scope(cell):
        return []
    src = source(cell)
    body = ast.parse(src).body
    if not any(_is_check(s) for s in body):
        return []
    problems = []
    if "hide-input" not in cell["metadata"].get("tags", []):
        problems.append("not tagged hide-input")
    if cell["metadata"].get("jupyter", {}).get("source_hidden") is not True:
        problems.append("jupyter.source_hidden is not true")
    if _FIGURE.search(src):
        problems.append("makes a figure (the figure belongs to the teaching cell)")
    return problems


def long_lines(cell: dict) -> list[str]:
    return [line for line in source(cell).splitlines() if len(line) > _LINE_LIMIT]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_checks_and_sentences_sit_in_collapsed_cells_apart_from_teaching(path):
    bad = []
    for i, c in enumerate(load(path)["cells"]):
        bad += [f"cell {i} ({c.get('id')}): {p}" for p in check_cell_problems(c)]
    assert not bad, (
        f"{path.name}: a cell with a top-level assert or gdu.say must be a check cell"
        " of its own, tagged hide-input with metadata.jupyter.source_hidden = true,"
        f" and draw nothing: {bad}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_code_line_scrolls_sideways(path):
    bad = []
    for i, c in enumerate(load(path)["cells"]):
        if c["cell_type"] == "code":
            bad += [f"cell {i}: {line!r}" for line in long_lines(c)]
    assert not bad, (
        f"{path.name}: {len(bad)} code lines over {_LINE_LIMIT} characters: {bad[:5]}"
    )


def _cell(src: str, **metadata) -> dict:
    return {"cell_type": "code", "metadata": metadata, "source": src, "outputs": []}


def test_the_cell_rules_catch_what_they_forbid():
    hidden = {"tags": ["hide-input"], "jupyter": {"source_hidden": True}}
    assert check_cell_problems(_cell("x = 1\nassert x == 1")) == [
        "not tagged hide-input",
        "jupyter.source_hidden is not true",
    ]
    assert check_cell_problems(_cell('gdu.say(f"{x}")', tags=["hide-input"])) == [
        "jupyter.source_hidden is not true"
    ]
    assert check_cell_problems(_cell("np.testing.assert_allclose(a, b)"))
    assert not check_cell_problems(_cell("np.testing.assert_allclose(a, b)", **hidden))
    assert check_cell_problems(_cell("assert x\nplt.plot(x)", **hidden)) == [
        "makes a figure (the figure belongs to the teaching cell)"
    ]
    for figure in ("ax.plot(x)", "fig.savefig(p)", "gdu.animate(f)", "subplots(2)"):
        assert check_cell_problems(_cell(f"assert x\n{figure}", **hidden)), figure
    assert not check_cell_problems(_cell("assert x == 1", **hidden))
    assert not check_cell_problems(_cell("assert x", tags=["remove-cell"]))
    assert not check_cell_problems(_cell("assert x", gdbook={"exercise": "e"}))
    # nested checks are not top level: the teaching cell collects, the check asserts
    assert not check_cell_problems(_cell("ok = [f(v) for v in vs]"))
    assert long_lines(_cell("x = 1\n" + "y" * 89)) == ["y" * 89]
    assert not long_lines(_cell("y" * 88))
