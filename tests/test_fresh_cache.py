"""_ext/fresh_cache.py: the build never serves cached outputs of other sources."""

import sys
from types import SimpleNamespace

import pytest
from book import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import fresh_cache  # noqa: E402


@pytest.fixture
def tree(tmp_path):
    for rel, text in {
        "chapters/01.ipynb": "{}",
        "gdutils/losses.py": "x = 1\n",
        "gdutils/data/set.csv": "1,2\n",
        "_ext/ext.py": "",
        "requirements.txt": "numpy==2.0\n",
        "README.md": "not an input\n",
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_the_digest_follows_every_input_and_nothing_else(tree, monkeypatch):
    monkeypatch.delenv("GDBOOK_SEED", raising=False)
    monkeypatch.delenv("GDBOOK_STUDENT", raising=False)
    base = fresh_cache.sources_digest("html", tree)
    assert fresh_cache.sources_digest("html", tree) == base
    # not inputs: another file, byte code, a checkpoint
    (tree / "README.md").write_text("edited\n")
    (tree / "gdutils" / "__pycache__").mkdir()
    (tree / "gdutils" / "__pycache__" / "losses.cpython-311.pyc").write_bytes(b"\0")
    (tree / "chapters" / ".ipynb_checkpoints").mkdir()
    (tree / "chapters" / ".ipynb_checkpoints" / "01-checkpoint.ipynb").write_text("")
    assert fresh_cache.sources_digest("html", tree) == base
    assert fresh_cache.sources_digest("latex", tree) != base
    for var in ("GDBOOK_SEED", "GDBOOK_STUDENT"):
        monkeypatch.setenv(var, "1")
        assert fresh_cache.sources_digest("html", tree) != base, var
        monkeypatch.delenv(var)
    for rel in (
        "chapters/01.ipynb",
        "gdutils/losses.py",
        "gdutils/data/set.csv",
        "_ext/ext.py",
        "requirements.txt",
    ):
        old = (tree / rel).read_text()
        (tree / rel).write_text(old + " ")
        assert fresh_cache.sources_digest("html", tree) != base, rel
        (tree / rel).write_text(old)
    (tree / "gdutils" / "new.py").write_text("")
    assert fresh_cache.sources_digest("html", tree) != base, "a new file"


def _app(out, builder="html"):
    return SimpleNamespace(
        outdir=str(out / "_build" / builder), builder=SimpleNamespace(name=builder)
    )


def test_a_build_empties_a_stale_cache_and_stamps_a_good_one(tmp_path):
    app = _app(tmp_path)
    cache = fresh_cache.cache_dir(app.outdir)
    assert cache == tmp_path / "_build" / ".jupyter_cache"
    (cache / "executed").mkdir(parents=True)  # a cache with no stamp
    fresh_cache._on_builder_inited(app)
    assert not cache.exists()
    # the build fills it (myst-nb) and ends well: stamped for these sources
    (cache / "executed").mkdir(parents=True)
    fresh_cache._on_build_finished(app, None)
    assert fresh_cache.is_fresh(cache, fresh_cache.sources_digest("html"))
    fresh_cache._on_builder_inited(app)  # the next build keeps it
    assert (cache / "executed").exists()
    latex = _app(tmp_path, "latex")  # same cache, other builder: emptied
    fresh_cache._on_builder_inited(latex)
    assert not cache.exists()
    # a failed build stamps nothing
    (cache / "executed").mkdir(parents=True)
    fresh_cache._on_build_finished(latex, RuntimeError("failed"))
    assert not (cache / fresh_cache.STAMP).exists()
