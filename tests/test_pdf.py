"""The PDF edition (``make pdf``): it builds without LaTeX errors and holds the whole
book: every chapter, every figure of the HTML book (animations as grids of their
frames), every exercise's solution in its chapter's "Solutions to the exercises",
resolved references and citations, code wrapped instead of running off the page.

The tests marked ``pdf`` need TeX (``make tex``) and take minutes: ``make test`` leaves
them out (tests/conftest.py) and ``make test-pdf`` runs them, as CI does after
``make test``. The HTML book they compare against is the one in ``_build/html`` when it
is newer than every source (``make test`` has just built it), else they build it.
The unit tests of ``_ext/pdf_edition.py`` at the top run everywhere.
"""

from __future__ import annotations

import doctest
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from book import ROOT, load, notebooks, source, toc_files

sys.path.insert(0, str(ROOT / "_ext"))
import book_exercises  # noqa: E402  (the Sphinx extensions)
import pdf_edition  # noqa: E402

JB = str(Path(sys.executable).with_name("jupyter-book"))
EXECUTE = [sys.executable, str(ROOT / "tools" / "execute.py")]  # as the Makefile does
PDF_NAME = "gradient-descent.pdf"
CHAPTERS = [f for f in toc_files() if f.startswith("chapters/")]


# --- _ext/pdf_edition.py: cheap, in every run -----------------------------------


def test_pdf_edition_examples():
    result = doctest.testmod(pdf_edition)
    assert result.attempted >= 2 and result.failed == 0


def test_pdf_name_comes_from_the_latex_target_and_rejects_others():
    assert pdf_edition.pdf_name([("intro", "x.tex", "T", "A", "c")]) == "x.pdf"
    with pytest.raises(ValueError, match="end in .tex"):
        pdf_edition.pdf_name([("intro", "x.pdf", "T", "A", "c")])
    with pytest.raises(ValueError, match="names no LaTeX target"):
        pdf_edition.pdf_name([])
    with pytest.raises(ValueError, match="not negative"):
        pdf_edition.human_size(-1)


def test_the_book_names_the_pdf_the_tests_look_for():
    import yaml

    latex = yaml.safe_load((ROOT / "_config.yml").read_text())["latex"]
    assert latex["latex_documents"]["targetname"] == PDF_NAME.replace(".pdf", ".tex")
    assert "{pdf-edition}" in (ROOT / "intro.md").read_text()


def test_ci_checks_the_pdf_and_make_builds_it():
    ci = (ROOT / ".ci" / "run").read_text()
    lines = ci.splitlines()
    assert "make test" in lines and "make test-pdf" in lines
    assert lines.index("make test") < lines.index("make test-pdf")
    makefile = (ROOT / "Makefile").read_text()
    for target in ("pdf", "test-pdf", "tex"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "--builder pdflatex -W --keep-going --all" in makefile


# --- the PDF itself: `make test-pdf` ------------------------------------------


def _title(md: str) -> str:
    first = md.strip().splitlines()[0]
    assert first.startswith("# "), first
    return first[2:].replace("`", "").strip()


def _words(text: str) -> str:
    """Text with hyphenation at line ends undone and runs of white space as one."""
    return re.sub(r"\s+", " ", re.sub(r"-\n\s*", "-", text))


def _run(
    cmd: list[str], timeout: int = 1800
) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )
    return proc, time.perf_counter() - start


@pytest.fixture(scope="session")
def pdf_build() -> dict:
    for tool in ("xelatex", "latexmk", "pdftotext", "pdfimages", "pdfinfo"):
        assert shutil.which(tool), f"{tool} not found: run `make tex` (Debian's TeX)"
    # as `make pdf`: the chapters (solutions at the end) run into the cache first
    executed, pre_seconds = _run([*EXECUTE, "--builder", "latex"])
    assert executed.returncode == 0, executed.stdout[-3000:] + executed.stderr[-3000:]
    proc, seconds = _run(
        [JB, "build", str(ROOT), "--builder", "pdflatex", "-W", "--keep-going", "--all"]
    )
    seconds += pre_seconds
    log = proc.stdout + proc.stderr
    warnings = [
        ln
        for ln in log.splitlines()
        if "WARNING" in ln and "Kernel is running over TCP" not in ln
    ]
    assert proc.returncode == 0 and not warnings, (
        "PDF build failed or warned:\n" + "\n".join(warnings) + log[-4000:]
    )
    latex = ROOT / "_build" / "latex"
    pdf = latex / PDF_NAME
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    print(
        f"\nPDF built in {seconds:.0f} s: {pages} pages, "
        f"{pdf.stat().st_size / 2**20:.1f} MB"
    )
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return {
        "pdf": pdf,
        "pages": pages,
        "text": text,
        "tex": (latex / PDF_NAME.replace(".pdf", ".tex")).read_text(),
        "texlog": (latex / PDF_NAME.replace(".pdf", ".log")).read_text(
            errors="replace"
        ),
    }


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The HTML book of these sources: ``_build/html`` if it is newer than every
    source, else a fresh build (with the PDF already there, so it links it)."""
    html = ROOT / "_build" / "html"
    sources = [ROOT / f"{f}.ipynb" for f in CHAPTERS] + [ROOT / "_config.yml"]
    sources += list((ROOT / "gdutils").rglob("*.py")) + list(
        (ROOT / "_ext").glob("*.py")
    )
    sources += [ROOT / "intro.md", ROOT / "references.bib"]
    pages = [html / f"{f}.html" for f in toc_files()]
    newest = max(p.stat().st_mtime for p in sources)
    if not all(p.exists() and p.stat().st_mtime > newest for p in pages):
        executed, pre_seconds = _run(EXECUTE)
        assert executed.returncode == 0, (
            executed.stdout[-3000:] + executed.stderr[-3000:]
        )
        proc, seconds = _run([JB, "build", str(ROOT), "-W", "--keep-going", "--all"])
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
        seconds += pre_seconds
        print(f"\nHTML book built in {seconds:.0f} s (for the figure count)")
    return html


pdf = pytest.mark.pdf


@pdf
def test_latex_log_has_no_errors_and_no_missing_glyphs(pdf_build):
    log = pdf_build["texlog"]
    errors = [ln for ln in log.splitlines() if ln.startswith("!")]
    assert not errors, errors[:10]
    # xelatex only logs a glyph its font lacks (✏ in bold, say): the page shows nothing
    missing = sorted(set(re.findall(r"Missing character: There is no (.*)", log)))
    assert not missing, missing
    assert "There were undefined references" not in log
    assert not re.search(r"(Reference|Citation) .* undefined", log)


@pdf
def test_page_count_is_plausible(pdf_build):
    # every chapter runs to a few dozen pages; a lost chapter or a runaway table shows
    assert 10 * len(CHAPTERS) <= pdf_build["pages"] <= 50 * len(CHAPTERS), pdf_build[
        "pages"
    ]


@pdf
def test_every_chapter_title_is_in_the_pdf(pdf_build):
    text = _words(pdf_build["text"])
    titles = [_title((ROOT / "intro.md").read_text())]
    titles += [_title(source(load(ROOT / f"{f}.ipynb")["cells"][0])) for f in CHAPTERS]
    titles += [_title((ROOT / "references.md").read_text())]
    missing = [t for t in titles if t not in text]
    assert not missing, missing


@pdf
def test_references_and_citations_are_resolved(pdf_build):
    text = pdf_build["text"]
    assert "??" not in text, [m.group() for m in re.finditer(r".{40}\?\?.{20}", text)]
    # a citation the bibliography could not resolve prints its key in brackets
    assert not re.search(r"\[[a-z][\w-]*\d{4}[a-z]?\]", text)


@pdf
def test_every_html_figure_is_in_the_pdf(pdf_build, html_dir):
    """Each image of a page's article in the HTML book (figures, and one frame per
    animation) is one image in the PDF (figures, and a grid per animation)."""
    in_html = 0
    for f in toc_files():
        page = (html_dir / f"{f}.html").read_text()
        article = re.search(r'<article class="bd-article".*?</article>', page, re.S)
        in_html += article.group().count("<img")
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf_build["pdf"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    in_pdf = sum(1 for row in listing if row.split()[2] == "image")
    assert in_html > 0 and in_pdf == in_html, (in_pdf, in_html)


@pdf
def test_animations_are_grids_of_their_frames_and_explorers_absent(pdf_build):
    tex, text = pdf_build["tex"], pdf_build["text"]
    calls = sum(
        source(c).count("gdu.animate(")
        for nb in notebooks()
        for c in load(nb)["cells"]
        if c["cell_type"] == "code"
    )
    # an animation the LaTeX builder could not show prints its text/plain repr
    assert calls >= 1 and "IPython.core.display" not in text
    for widget in ("VBox(", "interactive(", "Layout(", "FloatSlider("):
        assert widget not in text, widget
    assert "application/vnd.jupyter.widget" not in tex


@pdf
def test_solutions_are_at_the_end_of_each_chapter(pdf_build):
    """Each chapter with exercises ends with one "Solutions to the exercises" section
    that holds a solution for each of them, in their order, and nothing before it
    does."""
    exercises = {
        f: [
            c["metadata"]["gdbook"]["exercise"]
            for c in load(ROOT / f"{f}.ipynb")["cells"]
            if c.get("metadata", {}).get("gdbook", {}).get("role") == "statement"
        ]
        for f in CHAPTERS
    }
    assert sum(map(len, exercises.values())) > 0
    chapters = re.split(r"\\chapter\{", pdf_build["tex"])[1 : len(CHAPTERS) + 1]
    heading = "\\section{" + book_exercises.SOLUTIONS_HEADING.lstrip("# ") + "}"
    statement = r"\\begin\{sphinxadmonition\}\{note\}\{Exercise (\d+) "
    solution = r"\\begin\{sphinxadmonition\}\{note\}\{Solution to Exercise (\d+) "
    for f, tex in zip(CHAPTERS, chapters, strict=True):
        before, *after = tex.split(heading)
        numbers = re.findall(statement, before)
        assert len(numbers) == len(exercises[f]), f
        if not numbers:
            assert not after and not re.search(solution, tex), f
            continue
        assert len(after) == 1 and not re.search(solution, before), f
        assert re.findall(solution, after[0]) == numbers, f  # one each, in order


@pdf
def test_code_is_wrapped_not_clipped(pdf_build):
    # a code line too long for the page is broken with a continuation mark; one that
    # could not be broken would run into the margin: an overfull box in a mono font
    overfull = re.findall(r"Overfull \\hbox.*\n(.*)", pdf_build["texlog"])
    assert not [ln for ln in overfull if "Mono" in ln], overfull


@pdf
def test_landing_page_links_the_pdf_only_when_there_is_one(pdf_build, tmp_path):
    toc = tmp_path / "toc.yml"
    # the landing page and the references: seconds, no notebook to execute (the
    # landing page's table of contents needs a page below it)
    toc.write_text("format: jb-book\nroot: intro\nchapters:\n  - file: references\n")
    built = {}
    for case in ("with", "without"):
        out = tmp_path / case
        if case == "with":
            (out / "_build" / "latex").mkdir(parents=True)
            shutil.copy2(pdf_build["pdf"], out / "_build" / "latex" / PDF_NAME)
        cmd = [JB, "build", str(ROOT), "-W", "--keep-going", "--all", "--toc", str(toc)]
        proc, _ = _run(cmd + ["--path-output", str(out)], timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        built[case] = out / "_build" / "html"
    intro = (built["with"] / "intro.html").read_text()
    assert f'href="{PDF_NAME}"' in intro
    copied = built["with"] / PDF_NAME
    assert copied.read_bytes() == pdf_build["pdf"].read_bytes()
    # without a PDF: no link at all, so no dead one (the theme's ".pdf" button is
    # the browser's print dialog, not a link)
    hrefs = re.findall(r'href="([^"]*)"', (built["without"] / "intro.html").read_text())
    assert hrefs and not [h for h in hrefs if h.split("#")[0].endswith(".pdf")]
    assert not (built["without"] / PDF_NAME).exists()
