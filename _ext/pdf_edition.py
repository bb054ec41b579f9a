"""The landing page's link to the PDF edition, only when there is a PDF to link to.

``make pdf`` builds the PDF edition into ``_build/latex/`` (Sphinx's LaTeX builder,
named by ``latex_documents`` in ``_config.yml``). An HTML build that finds it there
copies it next to the pages (``_build/html/gradient-descent.pdf``) and the
``{pdf-edition}`` directive on the landing page links it; without a PDF (``make book``
alone) the directive writes nothing, so the HTML never holds a dead link. Publish with
``make pdf book``: the PDF first, then the HTML that links it. In the PDF itself the
directive writes nothing either (the reader holds the PDF).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


def pdf_name(latex_documents) -> str:
    """The PDF's file name: the LaTeX target's, with ``.pdf`` for ``.tex``.

    >>> pdf_name([("intro", "gradient-descent.tex", "Title", "Authors", "jupyterBook")])
    'gradient-descent.pdf'
    """
    if not latex_documents:
        raise ValueError("latex_documents is empty: the book names no LaTeX target")
    target = latex_documents[0][1]
    if not target.endswith(".tex"):
        raise ValueError(f"the LaTeX target must end in .tex, found {target!r}")
    return target[: -len(".tex")] + ".pdf"


def built_pdf(app) -> Path | None:
    """The PDF ``make pdf`` left in ``_build/latex`` (next to this HTML build's
    output folder), or None."""
    if app.builder.format != "html":
        return None
    pdf = Path(app.outdir).parent / "latex" / pdf_name(app.config.latex_documents)
    return pdf if pdf.is_file() else None


def human_size(n: int) -> str:
    """A file size for readers.

    >>> human_size(4_063_821), human_size(900_000)
    ('3.9 MB', '879 kB')
    """
    if n < 0:
        raise ValueError(f"a size is not negative, got {n}")
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 2**10:.0f} kB"


class PdfEdition(SphinxDirective):
    """``{pdf-edition}``: a paragraph that links the PDF edition, when it exists."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        pdf = built_pdf(self.env.app)
        if pdf is None:
            if self.env.app.builder.format == "html":
                logger.info("pdf_edition: no PDF in _build/latex (make pdf): no link")
            return []
        self.env.note_dependency(str(pdf))
        depth = self.env.docname.count("/")
        para = nodes.paragraph()
        para += nodes.strong(text="Read it offline or on paper: ")
        para += nodes.Text("the whole book as one PDF, ")
        para += nodes.reference(
            "",
            f"{pdf.name} ({human_size(pdf.stat().st_size)})",
            refuri="../" * depth + pdf.name,
        )
        para += nodes.Text(
            ", built from the same sources as these pages; animations appear there"
            " as grids of their frames and the worked solutions at the end of each"
            " chapter."
        )
        return [para]


def _copy_pdf(app, exception) -> None:
    pdf = built_pdf(app) if exception is None else None
    if pdf is not None:
        shutil.copy2(pdf, Path(app.outdir) / pdf.name)


def setup(app):
    app.add_directive("pdf-edition", PdfEdition)
    app.connect("build-finished", _copy_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
