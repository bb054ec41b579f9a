"""Exercises where learners do them: a real JupyterLab, driven by headless Chromium.

For each row of ``CASES`` the test opens the notebook in JupyterLab (the server started
here, the kernel importing this checkout's ``gdutils``) and checks what a learner sees:
the statement rendered as Markdown (no raw MyST), no solution in sight, a wrong answer
judged ✘ with its named hint, the right one ✔, hints and the solution on request, and
"Run All" leaving the learner's answer in place. Cells are found by their ``gdbook``
metadata (see ``_ext/book_exercises.py``), never by position.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

WRONG_LOOP = (
    "def grad_1d(w, x, y):\n"
    "    total = 0.0\n"
    "    for xi, yi in zip(x, y):\n"
    "        total = 2 * xi * (w * xi - yi)\n"
    "    return total / len(x)\n"
)

# (notebook relative to ROOT, exercise label, a wrong answer, a fragment of its named
# hint)
CASES = [
    (
        "tests/fixtures/exercise-demo.ipynb",
        "demo-ex-loop",
        WRONG_LOOP,
        "Only the last sample counts",
    ),
    (
        "chapters/01-mse-gradient.ipynb",
        "ch01-ex-loop",
        WRONG_LOOP,
        "Only the last sample counts",
    ),
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of the repository; yields (base URL, token)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is required in CI (make test installs Debian's chromium)"
            )
        pytest.skip("chromium not installed (apt-get install chromium)")
    root = tmp_path_factory.mktemp("lab")
    for sub in ("chapters", "tests/fixtures"):
        shutil.copytree(ROOT / sub, root / sub)
    port, token = _free_port(), uuid.uuid4().hex
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(FIXTURES), env.get("PYTHONPATH", "")]
    )
    env["JUPYTER_CONFIG_DIR"] = str(root / ".jupyter")  # no user settings
    log = open(root / "lab.log", "w")  # noqa: SIM115  (closed below)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--ServerApp.port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--allow-root",
            "--LabApp.extension_manager=readonly",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail(
                    "JupyterLab did not start:\n"
                    + (root / "lab.log").read_text()[-3000:]
                )
            time.sleep(0.5)
    yield base, token
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


# JavaScript run in the page: JupyterLab's own API (exposed with expose_app_in_browser).
_JS_CELLS = """(label) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  return nb.widgets.map((c, i) => {
    const g = c.model.getMetadata('gdbook') || {};
    return {i, label: g.exercise || null, role: g.role || null, type: c.model.type};
  });
}"""

_JS_SHOW = """async (index) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  nb.activeCellIndex = index;
  await nb.scrollToItem(index, 'start');
}"""

_JS_RENDERED = """(index) => {
  const node = window.jupyterapp.shell.currentWidget.content.widgets[index].node;
  const md = node.querySelector('.jp-RenderedMarkdown');
  const h = md.querySelector('h1,h2,h3,h4,h5,h6');
  return {heading: h ? h.innerText.trim() : '',
          code: md.querySelectorAll('code').length, text: md.innerText};
}"""

_JS_SOURCES = """() => window.jupyterapp.shell.currentWidget.content.widgets.map(
  c => c.model.sharedModel.getSource())"""

_JS_SET_AND_RUN = """async ([index, src]) => {
  const app = window.jupyterapp, panel = app.shell.currentWidget, nb = panel.content;
  if (src !== null) nb.widgets[index].model.sharedModel.setSource(src);
  nb.activeCellIndex = index;
  nb.deselectAll();
  await app.commands.execute('notebook:run-cell');
}"""

_JS_OUTPUT = """(index) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const area = nb.widgets[index].node.querySelector('.jp-OutputArea');
  return area ? area.innerText : '';
}"""

_JS_IDLE = """() => {
  const s = window.jupyterapp.shell.currentWidget.sessionContext;
  return !!(s.session && s.session.kernel && s.session.kernel.status === 'idle'
            && !s.pendingInput && s.kernelDisplayStatus === 'idle');
}"""


def _wait_output(page, index: int, needle: str, timeout_ms: int = 90_000) -> str:
    page.wait_for_function(
        f"([i, n]) => ({_JS_OUTPUT})(i).includes(n)",
        arg=[index, needle],
        timeout=timeout_ms,
    )
    return page.evaluate(_JS_OUTPUT, index)


def _run(page, index: int, src: str | None = None) -> None:
    page.evaluate(_JS_SET_AND_RUN, [index, src])


@pytest.mark.parametrize(
    ("notebook", "label", "wrong", "hint"), CASES, ids=[Path(c[0]).stem for c in CASES]
)
def test_exercise_in_jupyterlab(lab, browser, tmp_path, notebook, label, wrong, hint):
    sys.path.insert(0, str(FIXTURES))
    import demo  # noqa: F401  (registers the fixture's exercise)

    from gdutils.exercises import registry

    ex = registry()[label]
    solution_marker = max(ex.solution_code.strip().splitlines(), key=len).strip()

    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(
        f"{base}/lab/tree/{notebook}?token={token}&reset", wait_until="domcontentloaded"
    )
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.content"
        " && window.jupyterapp.shell.currentWidget.content.widgets.length > 0",
        timeout=120_000,
    )
    page.wait_for_function(_JS_IDLE, timeout=120_000)

    cells = page.evaluate(_JS_CELLS, label)
    mine = {c["role"]: c["i"] for c in cells if c["label"] == label}
    statement, stub, check = mine["statement"], mine["stub"], mine["check"]

    # 1. the statement is rendered Markdown: a heading, code and math, no raw MyST.
    # JupyterLab renders only the cells in view (windowed notebook), so scroll the
    # statement into view.
    page.evaluate(_JS_SHOW, statement)
    page.wait_for_function(
        """(i) => { const c = window.jupyterapp.shell.currentWidget.content.widgets[i];
                    const h = c.node.querySelector(
                        '.jp-RenderedMarkdown :is(h1,h2,h3,h4,h5,h6)');
                    return !!h && h.innerText.trim().length > 0; }""",
        arg=statement,
        timeout=30_000,
    )
    shown = page.evaluate(_JS_RENDERED, statement)
    assert shown["heading"].startswith("Exercise:"), shown
    assert shown["code"] >= 1, shown
    for raw in ("{exercise}", ":label:", "{solution-start}", "{solution-end}", "```"):
        assert raw not in shown["text"], f"raw MyST {raw!r} visible in JupyterLab"

    # 2. no solution in sight: not in any cell of the notebook the learner opened
    sources = page.evaluate(_JS_SOURCES)
    assert not any(solution_marker in src for src in sources), (
        "the solution is in a cell"
    )
    assert not any("{solution-start}" in src for src in sources)

    # 0. run the cells above the exercise (imports), then an untouched stub: not
    # attempted
    for c in cells:
        if c["i"] < statement and c["type"] == "code":
            _run(page, c["i"])
    _run(page, stub)
    _run(page, check)
    _wait_output(page, check, "✎")

    # 3. a known wrong answer: ✘ with its named hint
    _run(page, stub, wrong)
    _run(page, check)
    out = _wait_output(page, check, "✘")
    assert hint in out, f"expected the hint {hint!r}, got {out!r}"

    # 4. the right answer: ✔
    _run(page, stub, ex.solution_code)
    _run(page, check)
    _wait_output(page, check, "✔")
    page.screenshot(
        path=str(tmp_path / f"{Path(notebook).stem}-correct.png"), full_page=True
    )

    # 5. hints one at a time, the solution only when asked
    scratch = (
        next(c["i"] for c in cells if c["role"] == "scratch")
        if any(c["role"] == "scratch" for c in cells)
        else None
    )
    if scratch is None:  # a chapter: add a cell at the end
        page.evaluate(
            """() => { const nb = window.jupyterapp.shell.currentWidget.content;
            nb.activeCellIndex = nb.widgets.length - 1;
            return window.jupyterapp.commands.execute(
                'notebook:insert-cell-below'); }"""
        )
        scratch = page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.content.widgets.length - 1"
        )
    _run(page, scratch, f"{ex.name}.hint()")
    _wait_output(page, scratch, "💡 Hint 1 of")
    _run(page, scratch, f"{ex.name}.solution()")
    _wait_output(page, scratch, solution_marker)

    # 6. Run All keeps the learner's answer: nothing overwrites it
    _run(page, scratch, "")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(500)
    page.wait_for_function(_JS_IDLE, timeout=180_000)
    assert "✔" in _wait_output(page, check, "✔")
    assert not errors, f"page errors: {errors}"
    page.close()
