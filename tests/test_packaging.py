"""gdutils as a package an instructor can pin, on every supported Python: one version,
a wheel and an sdist that install into a clean venv, the Colab cell pinned to the
release, and one line of warning when the numerical stack differs from the book's."""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import types
import zipfile
from pathlib import Path

import pytest
import yaml
from book import REPO_URL, ROOT, load, notebooks, source
from packaging.requirements import Requirement

import gdutils
from gdutils import runtime

sys.path.insert(0, str(ROOT / "tools"))
import nb  # noqa: E402  (tools/nb.py, the authoring helper that writes the Colab cell)

VERSION = gdutils.__version__
MAKEFILE = (ROOT / "Makefile").read_text()
SUPPORTED = re.search(r"^SUPPORTED := (.+)$", MAKEFILE, re.M).group(1).split()


def pins(path: Path) -> dict[str, str]:
    return {
        name.lower(): version
        for name, version in re.findall(
            r"^([A-Za-z0-9_.\-]+)==(\S+)", path.read_text(), re.M
        )
    }


# --- one version --------------------------------------------------------------------


def test_the_version_is_written_once_and_everything_follows_it():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    init = (ROOT / "gdutils" / "__init__.py").read_text()
    assert len(re.findall(r"^__version__ = ", init, re.M)) == 1
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"], "read it from gdutils.__version__"
    assert pyproject["project"]["dynamic"] == ["version"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]
    assert dynamic == {"version": {"attr": "gdutils.__version__"}}
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert str(cff["version"]) == VERSION, "CITATION.cff: version"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    released = re.findall(
        r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M
    )
    assert released and released[0][0] == VERSION, (
        f"CHANGELOG.md: the latest release heading must be ## [{VERSION}] - date"
    )
    assert str(cff["date-released"]) == released[0][1], (
        "CITATION.cff date-released and the CHANGELOG release date differ"
    )
    assert nb.VERSION == VERSION
    readme = (ROOT / "README.md").read_text()
    assert re.findall(r"^gdutils @ git\+(\S+)$", readme, re.M) == [
        f"{REPO_URL}@v{VERSION}"
    ], "README: the pin an instructor copies must be this release"


def test_citation_file_cites_the_package_and_the_book():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software" and "gdutils" in cff["title"]
    assert cff["license"] == "MIT" and cff["repository-code"] == REPO_URL
    assert all(a.get("name") or a.get("family-names") for a in cff["authors"])
    book = cff["preferred-citation"]
    assert book["type"] == "book" and book["license"] == "CC-BY-4.0"
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert book["title"] == config["title"]


# --- the supported Pythons ----------------------------------------------------------


def python_info(python: str) -> tuple[str, str, str] | None:
    """(version, interpreter, venv) that ``PYTHON=<python> make`` would use."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "python-info", f"PYTHON={python}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split()
    return tuple(out) if len(out) == 3 else None


def test_supported_pythons_are_those_of_the_metadata():
    assert SUPPORTED == ["3.11", "3.12", "3.13"]
    pyproject = (ROOT / "pyproject.toml").read_text()
    listed = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject)
    assert listed == SUPPORTED
    assert re.search(rf'^requires-python = ">={SUPPORTED[0]}"$', pyproject, re.M)
    others = re.search(r"^OTHER_PYTHONS := (.+)$", MAKEFILE, re.M).group(1).split()
    assert others == SUPPORTED[1:], "make test-pythons must cover every other Python"


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
@pytest.mark.parametrize("version", SUPPORTED)
def test_make_finds_each_python_and_gives_it_a_venv(version):
    info = python_info(f"python{version}")
    if info is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have Python {version} (PYTHON=python{version})")
        pytest.skip(f"python{version} not installed here")
    found, exe, venv = info
    assert found == version
    out = subprocess.run(
        [exe, "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
    ).stdout
    assert out.strip() == str(tuple(int(p) for p in version.split(".")))
    assert venv == (".venv" if version == "3.11" else f".venv-{version}")


def test_ci_runs_the_other_pythons_after_the_full_suite():
    ci = (ROOT / ".ci" / "run").read_text()
    lines = [ln.strip() for ln in ci.splitlines()]
    assert "make test" in lines and "make test-pythons" in lines
    assert lines.index("make test") < lines.index("make test-pythons")
    units = re.search(r"^test-units:.*\n\t(.+)$", MAKEFILE, re.M).group(1)
    assert "tests chapters" in units and "not browser" in units, (
        "on the other Pythons CI runs the unit tests and every chapter (nbval)"
    )


def test_the_pins_are_the_same_for_every_python():
    """One constraints file for all three: no marker-specific pins, no sdist-only pins
    (wheels exist for 3.11-3.13: checked when the pins were chosen, and the CI runs)."""
    for name in ("requirements.txt", "constraints.txt"):
        text = (ROOT / name).read_text()
        assert ";" not in "".join(ln.split("#")[0] for ln in text.splitlines()), (
            f"{name}: environment markers would make the pins differ per Python"
        )


# --- the drift warning --------------------------------------------------------------


def test_built_with_are_the_pins_of_the_book():
    full, binder = (
        pins(ROOT / "requirements.txt"),
        pins(ROOT / "binder/requirements.txt"),
    )
    for name, version in runtime.BUILT_WITH.items():
        assert full[name] == version, f"requirements.txt pins {name}=={full[name]}"
        assert binder[name] == version, f"binder pins {name}=={binder[name]}"
    assert set(runtime.BUILT_WITH) == {"numpy", "scipy", "matplotlib"}


def test_no_drift_in_the_pinned_environment():
    assert runtime.installed_versions() == runtime.BUILT_WITH
    assert runtime.drift() == {} and runtime.drift_message() is None


def test_drift_message_names_each_changed_package_on_one_line():
    here = {"numpy": "2.0.2", "scipy": "1.14.1", "matplotlib": "3.11.2"}
    assert runtime.drift(here) == {
        "numpy": ("2.4.6", "2.0.2"),
        "scipy": ("1.17.1", "1.14.1"),
    }
    line = runtime.drift_message(here)
    assert "\n" not in line and len(line) < 300
    assert line.startswith(f"gdutils {VERSION}: ")
    assert "NumPy 2.4.6, SciPy 1.17.1, Matplotlib 3.11.2" in line
    assert "this runtime has NumPy 2.0.2, SciPy 1.14.1." in line
    assert "Matplotlib 3.11.2." not in line  # unchanged: not listed as drift


@pytest.mark.parametrize(
    "bad, match",
    [
        (["numpy", "2.0"], "mapping"),
        ({"torch": "2.0"}, "unknown packages"),
        ({"numpy": 2.0}, "non-empty strings"),
        ({"numpy": ""}, "non-empty strings"),
    ],
)
def test_drift_refuses_what_is_not_a_version_table(bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        runtime.drift(bad)


def run_python(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_import_warns_in_one_line_only_when_versions_differ():
    quiet = run_python("import gdutils")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    drifted = run_python(
        "import numpy, scipy; numpy.__version__ = '1.26.4'; "
        "scipy.__version__ = '1.11.0'; import gdutils"
    )
    assert drifted.returncode == 0, drifted.stderr
    lines = drifted.stderr.splitlines()
    assert len(lines) == 1, drifted.stderr
    assert "this runtime has NumPy 1.26.4, SciPy 1.11.0." in lines[0]


# --- the Colab cell -----------------------------------------------------------------


def test_every_chapter_has_the_colab_cell_of_tools_nb():
    for path in notebooks():
        first = next(c for c in load(path)["cells"] if c["cell_type"] == "code")
        assert source(first) == nb.COLAB_SOURCE, (
            f"{path.name}: the Colab cell differs from tools/nb.py; run "
            "`python tools/nb.py sync-colab`"
        )
    assert nb.sync_colab_cells(notebooks()) == [], "sync-colab would change a chapter"


def run_colab_cell(in_colab: bool) -> list:
    calls = []
    fake_subprocess = types.SimpleNamespace(
        run=lambda *args, **kwargs: calls.append((args, kwargs))
    )
    saved = {k: sys.modules.get(k) for k in ("google.colab", "subprocess")}
    try:
        if in_colab:
            sys.modules["google.colab"] = types.ModuleType("google.colab")
        else:
            sys.modules.pop("google.colab", None)
        sys.modules["subprocess"] = fake_subprocess
        exec(compile(nb.COLAB_SOURCE, "<colab cell>", "exec"), {})
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return calls


def test_colab_cell_installs_the_tagged_release_only_in_colab():
    assert run_colab_cell(in_colab=False) == []
    [(args, kwargs)] = run_colab_cell(in_colab=True)
    assert kwargs == {"check": True}
    cmd = args[0]
    assert cmd[:5] == [sys.executable, "-m", "pip", "install", "-q"] and len(cmd) == 6
    req = Requirement(cmd[5])
    assert req.name == "gdutils" and req.extras == {"learner"}
    assert req.url == f"git+{REPO_URL}@v{VERSION}", (
        "Colab must install the release tag of gdutils.__version__, not a moving branch"
    )


# --- wheel and sdist ----------------------------------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """``python -m build`` on a copy of the package's sources: the sdist, then the wheel
    built from the unpacked sdist (so the sdist is complete). No isolation: the pinned
    setuptools of requirements.txt, no download."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "MANIFEST.in", "README.md", "LICENSE.md",
                 "CHANGELOG.md", "CITATION.cff"):  # fmt: skip
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "gdutils", src / "gdutils", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = src / "dist"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_wheel_and_sdist_hold_the_package_and_require_only_the_numerical_stack(dist):
    [wheel] = dist.glob(f"gdutils-{VERSION}-py3-none-any.whl")
    [sdist] = dist.glob(f"gdutils-{VERSION}.tar.gz")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = email.message_from_bytes(z.read(f"gdutils-{VERSION}.dist-info/METADATA"))
    assert {n.split("/")[0] for n in names} == {
        "gdutils",
        f"gdutils-{VERSION}.dist-info",
    }
    here = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "gdutils").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert here <= set(names), f"missing from the wheel: {sorted(here - set(names))}"
    requires = [Requirement(r) for r in meta.get_all("Requires-Dist")]
    assert sorted(r.name for r in requires if r.marker is None) == [
        "matplotlib",
        "numpy",
        "scipy",
    ]
    learner = sorted(r.name for r in requires if r.marker is not None)
    assert learner == ["autograd", "ipywidgets", "scikit-learn"]
    assert meta["Version"] == VERSION and meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "MIT"
    with tarfile.open(sdist) as t:
        members = {m.split("/", 1)[1] for m in t.getnames() if "/" in m}
    for needed in ("pyproject.toml", "README.md", "LICENSE.md", "CHANGELOG.md",
                   "CITATION.cff", "gdutils/__init__.py"):  # fmt: skip
        assert needed in members, f"sdist lacks {needed}"
    assert not any(m.startswith(("tests/", "chapters/")) for m in members)


def test_wheel_installs_into_a_clean_venv_and_imports(dist, tmp_path):
    [wheel] = dist.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    install = subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--only-binary",
            ":all:",
            "-c",
            str(ROOT / "constraints.txt"),
            str(wheel),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check = subprocess.run(
        [
            str(py),
            "-c",
            "import importlib.util as u, numpy as np, gdutils as gdu; "
            "X, y, _ = gdu.data.linear_regression(rng=0); "
            "r = gdu.gradient_descent(gdu.mse, np.zeros(X.shape[1] + 1), (X, y), "
            "gdu.mse_grad, learning_rate=0.2); "
            "print(gdu.__version__, gdu.__file__, r.success, "
            "[m for m in ('ipywidgets', 'autograd', 'sklearn', 'pytest') "
            "if u.find_spec(m)])",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr[-3000:]
    assert check.stderr == "", f"drift or other noise on import: {check.stderr}"
    version, where, success, extras = check.stdout.split(maxsplit=3)
    assert version == VERSION and success == "True"
    assert Path(where).is_relative_to(venv), (
        f"imported {where}, not the installed wheel"
    )
    assert extras.strip() == "[]", f"installed beyond numpy/scipy/matplotlib: {extras}"
