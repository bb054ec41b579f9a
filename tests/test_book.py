"""The whole book: it builds with zero warnings, and every page works in a real headless
Chromium with the network blocked (math rendered, figures with alt text, solutions
collapsed, animations that play, launch links to Binder and Colab, no console errors).

Set GDBOOK_TOC=path/to/toc.yml to build a subset while writing a chapter.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from book import (
    DEFAULT_FONTS,
    ROOT,
    covered_by_default_fonts,
    repo_slug,
    toc_files,
    visible_text,
)

pytestmark = pytest.mark.slow

TOC = os.environ.get("GDBOOK_TOC")
PAGES = [f for f in toc_files() if TOC is None or f in Path(TOC).read_text()]
CHAPTERS = [f for f in PAGES if f.startswith("chapters/")]
# Messages the theme logs on every page, offline or not; anything else fails the test.
HARMLESS_CONSOLE = (
    re.compile(r"^Got invalid theme mode"),  # pydata theme, before it picks light/dark
)


@pytest.fixture(scope="session")
def html_dir(tmp_path_factory) -> Path:
    exe = Path(sys.executable).with_name("jupyter-book")
    out_dir = tmp_path_factory.mktemp("book") if TOC else ROOT
    # --all: re-read every page (their outputs: tools/execute.py, below, has just
    # executed every chapter against the current gdutils)
    cmd = [
        str(exe),
        "build",
        str(ROOT),
        "-W",
        "--keep-going",
        "--all",
        "--path-output",
        str(out_dir),
    ]
    # as `make book`: the chapters run two kernels at a time into the cache first
    pre = [sys.executable, str(ROOT / "tools" / "execute.py")]
    pre += ["--path-output", str(out_dir)]
    if TOC:
        cmd += ["--toc", TOC]
        pre += ["--toc", TOC]
    start = time.perf_counter()
    executed = subprocess.run(
        pre, capture_output=True, text=True, cwd=ROOT, timeout=1800
    )
    assert executed.returncode == 0, executed.stdout[-3000:] + executed.stderr[-3000:]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    warnings = [
        ln
        for ln in log.splitlines()
        if "WARNING" in ln and "Kernel is running over TCP" not in ln
    ]
    assert proc.returncode == 0 and not warnings, (
        "book build failed or warned:\n" + "\n".join(warnings) + log[-4000:]
    )
    # every chapter's outputs came from tools/execute.py's run, none was re-executed
    # inside Sphinx (one at a time): a mismatch with the cache would only be slow, so
    # it is caught here
    built = [p for p in PAGES if (ROOT / f"{p}.ipynb").exists()]
    served = re.findall(r"([\w/.-]+)\.ipynb: Using cached notebook", log)
    assert sorted(Path(p).resolve().relative_to(ROOT).as_posix() for p in served) == (
        sorted(built)
    ), "chapters executed again by the build:\n" + log[-4000:]
    print(
        f"\nbook built in {seconds:.1f} s:\n{executed.stdout.strip().splitlines()[-1]}"
    )
    return out_dir / "_build" / "html"


def test_every_page_is_built(html_dir):
    for f in PAGES:
        assert (html_dir / f"{f}.html").exists(), f
    assert "url=intro.html" in (html_dir / "index.html").read_text()
    assert (html_dir / "_static" / "mathjax" / "tex-chtml.js").exists(), (
        "MathJax must be served locally"
    )
    # _ext/no_thebe.py: no live-code scripts (they redeclared THEBE_JS_URL)
    for f in PAGES:
        html = (html_dir / f"{f}.html").read_text()
        assert "THEBE_JS_URL" not in html and "sphinx-thebe.js" not in html, f


@pytest.mark.parametrize("page", CHAPTERS)
def test_static_html_has_no_dead_widgets_and_stays_light(html_dir, page):
    html = (html_dir / f"{page}.html").read_text()
    assert "application/vnd.jupyter.widget-view+json" not in html
    assert "widget-state" not in html
    assert len(html) < 6_000_000, (
        f"{page}.html is {len(html) / 1e6:.1f} MB: fewer or smaller animation frames"
    )


def _fontconfig_or_skip():
    if not shutil.which("fc-list"):
        if os.environ.get("CI"):
            pytest.fail(
                "fontconfig's fc-list is required in CI (it comes with chromium)"
            )
        pytest.skip("fc-list not installed")
    families = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True
    )
    assert all(f in families.stdout for f in DEFAULT_FONTS), "fonts-dejavu-core missing"


@pytest.mark.parametrize("page", PAGES)
def test_every_character_has_a_glyph_in_debians_default_fonts(html_dir, page):
    """A learner on a Linux machine with only DejaVu sees no empty boxes: every visible
    character of the page (math aside: MathJax brings its own fonts) is in DejaVu."""
    _fontconfig_or_skip()
    text = visible_text((html_dir / f"{page}.html").read_text())
    missing = sorted(
        {c for c in text if ord(c) > 127 and not covered_by_default_fonts(c)}
    )
    assert not missing, f"{page}: no DejaVu glyph for " + ", ".join(
        f"{c} (U+{ord(c):04X})" for c in missing
    )


# --- headless Chromium ----------------------------------------------------------------


@pytest.fixture(scope="session")
def server(html_dir):
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(html_dir)
    )

    class Quiet(handler.func):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(html_dir))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@contextlib.contextmanager
def offline_page(browser, server, page_path, color_scheme="light", width=1280):
    """Open a page with every request outside the local server blocked; on exit, fail on
    any failed request, page error or console error/warning the page produced, and close
    it."""
    page = browser.new_page(
        viewport={"width": width, "height": 900}, color_scheme=color_scheme
    )
    problems = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(server) else route.abort()
        ),
    )
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on(
        "pageerror",
        lambda e: (
            None
            if any(p.search(str(e)) for p in HARMLESS_CONSOLE)
            else problems.append(f"page error: {e}")
        ),
    )
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            and not any(p.search(m.text) for p in HARMLESS_CONSOLE)
            else None
        ),
    )
    try:
        page.goto(f"{server}/{page_path}.html", wait_until="load")
        if page.locator("script[src*='mathjax']").count():
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            )
            page.evaluate("() => MathJax.startup.promise")
        yield page
        assert not problems, problems
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize("page_path", PAGES)
def test_page_works_offline(browser, server, page_path):
    with offline_page(browser, server, page_path) as page:
        # math: every math node typeset by the local MathJax, no raw TeX delimiters left
        # in the text
        n_math = page.locator("main .math").count()
        assert page.locator("main .math mjx-container").count() == n_math
        text = page.locator("main").inner_text()
        assert "\\(" not in text and "\\[" not in text and "$$" not in text
        # images: loaded and described
        for img in page.locator("main img").all():
            assert (img.get_attribute("alt") or "").strip(), (
                f"image without alt text: {img.get_attribute('src')}"
            )
            assert img.evaluate("i => i.complete && i.naturalWidth > 0"), (
                f"image not loaded: {img.get_attribute('src')}"
            )


@pytest.mark.browser
@pytest.mark.parametrize("page_path", CHAPTERS)
def test_chapter_figures_solutions_and_launch_links(browser, server, page_path):
    with offline_page(browser, server, page_path) as page:
        assert page.locator("main mjx-container").count() >= 1
        figures = page.locator("main figure")
        assert figures.count() >= 1
        for fig in figures.all():
            assert fig.locator("figcaption").inner_text().strip(), (
                "figure without caption"
            )
        # exercises with collapsed solutions that open on click
        assert page.locator("main .exercise").count() >= 3
        solutions = page.locator("main .solution.dropdown")
        assert solutions.count() >= 3
        for sol in solutions.all():
            body = sol.locator(":scope > :not(.admonition-title)").first
            assert body.is_hidden(), "solution must be collapsed"
        first = solutions.first
        assert "toggle-hidden" in first.get_attribute("class")
        first.locator("button.toggle-button").click()
        first.locator(":scope > :not(.admonition-title)").first.wait_for(
            state="visible", timeout=3000
        )
        # launch buttons: the right notebook in the right repository
        slug, nb = repo_slug(), f"{page_path}.ipynb"
        hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
        assert f"https://mybinder.org/v2/gh/{slug}/main?urlpath=lab/tree/{nb}" in hrefs
        assert (
            f"https://colab.research.google.com/github/{slug}/blob/main/{nb}" in hrefs
        )


@pytest.mark.browser
@pytest.mark.parametrize("page_path", CHAPTERS)
def test_animations_play(browser, server, page_path):
    with offline_page(browser, server, page_path) as page:
        animations = page.locator("main .animation")
        for anim in animations.all():
            img = anim.locator("img").first
            before = img.get_attribute("src")
            anim.locator("button[title='Play']").click()
            deadline = time.time() + 5
            while img.get_attribute("src") == before and time.time() < deadline:
                page.wait_for_timeout(100)
            assert img.get_attribute("src") != before, (
                "the animation did not advance after Play"
            )
            anim.locator("button[title='Pause']").click()


# axe-core from npm (pinned in the Makefile, installed by `make test` into the venv's
# axe/ folder: .venv/axe, or .venv-3.12/axe under PYTHON=python3.12):
# the standard rule set, WCAG 2.x A and AA plus best practices, experimental rules left
# out.
AXE = Path(sys.prefix) / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_BLOCKING = ("critical", "serious")
# axe-core's rules that read colours (text contrast, links told apart from text only by
# colour): what the dark theme can break
AXE_COLOUR_RULES = {
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}
}


@pytest.mark.browser
@pytest.mark.parametrize("page_path", PAGES)
def test_page_is_accessible(browser, server, page_path):
    """axe-core on the page in light mode, then, after the system switches to dark (the
    theme follows it: "auto"; MathJax typesets the page once), the rules whose verdict
    depends on colours. The dark theme changes only colours, not the document, so
    re-running the others there repeats the light run (and costs seconds a page)."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"axe-core is required in CI (make test installs it): {AXE} missing"
            )
        pytest.skip("axe-core not installed (make axe)")
    blocking = []
    with offline_page(browser, server, page_path, color_scheme="light") as page:
        page.add_script_tag(path=str(AXE))
        for mode in ("light", "dark"):
            page.emulate_media(color_scheme=mode)
            page.wait_for_function(
                f"() => document.documentElement.dataset.theme === '{mode}'",
                timeout=5000,
            )
            options = {} if mode == "light" else AXE_COLOUR_RULES
            violations = page.evaluate(
                """async (options) => (await axe.run(document, options)).violations
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))""",
                options,
            )
            blocking += [
                dict(v, mode=mode) for v in violations if v["impact"] in AXE_BLOCKING
            ]
    assert not blocking, "\n".join(
        f"{v['mode']}: {v['impact']} {v['id']}: {v['help']} at {v['nodes']}"
        for v in blocking
    )


PHONE = 390  # CSS pixels: the width of a common phone held upright


@pytest.mark.browser
@pytest.mark.parametrize("page_path", PAGES)
def test_page_reads_on_a_phone(browser, server, page_path):
    """At 390 px the page does not scroll sideways (wide tables and code scroll inside
    their own box) and every control of every animation is on screen."""
    with offline_page(browser, server, page_path, width=PHONE) as page:
        page.wait_for_timeout(200)  # the theme's narrow-screen layout settles
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 1, (
            f"the page scrolls sideways by {overflow} px at {PHONE} px"
        )
        for control in page.locator(
            "main .animation button, main .animation input, main .animation img"
        ).all():
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE + 1, (
                f"animation control out of reach at {PHONE} px: "
                f"{control.evaluate('e => e.outerHTML.slice(0, 80)')} at {box}"
            )


def _luminance(png: bytes) -> np.ndarray:
    import matplotlib.image

    rgb = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


@pytest.mark.browser
@pytest.mark.parametrize("page_path", CHAPTERS)
def test_figures_stay_legible_in_dark_mode(browser, server, page_path):
    """A screenshot of every figure and animation frame, taken in the theme's dark mode:
    the figure keeps its own light, opaque background (a transparent one would show the
    dark page through) and its dark ink, so axes, labels and lines stay readable."""
    with offline_page(browser, server, page_path, color_scheme="dark") as page:
        page.wait_for_function(
            "() => document.documentElement.dataset.theme === 'dark'", timeout=5000
        )
        images = page.locator("main .cell_output img").all()
        assert images, "no figures found"
        for img in images:
            img.scroll_into_view_if_needed()
            lum = _luminance(img.screenshot())
            # the theme frames images with 8 px of padding and dims them (brightness
            # 0.8, contrast 1.2: white becomes 0.86); look just inside the frame
            pad = 12
            inner = lum[pad:-pad, pad:-pad]
            border = np.concatenate([inner[:3].ravel(), inner[-3:].ravel()])
            src = (img.get_attribute("src") or "")[:60]
            assert np.median(border) > 0.8, (
                f"figure background is dark in dark mode: {src}"
            )
            assert np.mean(lum < 0.5) > 0.002, f"no dark ink in the figure: {src}"
