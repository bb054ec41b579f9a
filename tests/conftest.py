"""Shared test setup: a non-interactive matplotlib backend and the repository root."""

import os
import shutil
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # nbrun: the watched notebook runner


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for every browser test of the session.

    Playwright's sync API refuses to start while another sync instance is running in the
    same thread, so the browser tests share this one (two fixtures each starting
    ``sync_playwright`` failed the second with "Sync API inside the asyncio loop")."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is required in CI (make test installs Debian's chromium)"
            )
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


def pytest_collection_modifyitems(config, items):
    """The PDF edition's tests (TeX, minutes) run only when asked for by a marker
    expression that names them: ``make test-pdf`` runs ``pytest -m pdf``."""
    if "pdf" in (config.getoption("markexpr") or ""):
        return
    skipped = [item for item in items if item.get_closest_marker("pdf")]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if not item.get_closest_marker("pdf")]
