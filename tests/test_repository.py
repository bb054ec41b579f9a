"""The repository keeps its promises: two README commands, exact pins, CI runs the
README's test command."""

from __future__ import annotations

import re

from book import ROOT

README = (ROOT / "README.md").read_text()


def commands_in_readme() -> list[str]:
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", README, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_has_exactly_two_commands_that_the_makefile_defines():
    assert commands_in_readme() == ["make book", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^book:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "jupyter-book build . -W --keep-going --all" in makefile


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def test_every_requirement_is_pinned_exactly():
    for name in ("requirements.txt", "binder/requirements.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-c"):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line), (
                    f"{name}: not pinned exactly: {line}"
                )
    reqs = (ROOT / "requirements.txt").read_text()
    version = re.search(r"^jupyter-book==(\d+)\.", reqs, re.M).group(1)
    assert version == "1", "Jupyter Book 2 does not read _config.yml/_toc.yml"
    for needed in (
        "numpy",
        "scipy",
        "matplotlib",
        "ipywidgets",
        "nbval",
        "sphinx-exercise",
        "playwright",
    ):
        assert re.search(rf"^{needed}==", reqs, re.M), needed


def test_constraints_agree_with_direct_pins():
    pins = dict(
        re.findall(
            r"^([A-Za-z0-9_.\-]+)==(\S+)", (ROOT / "constraints.txt").read_text(), re.M
        )
    )
    pins = {k.lower().replace("_", "-"): v for k, v in pins.items()}
    for name, version in re.findall(
        r"^([A-Za-z0-9_.\-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M
    ):
        assert pins.get(name.lower().replace("_", "-")) == version, (
            f"{name}: requirements {version}, constraints {pins.get(name.lower())}"
        )


def test_build_outputs_are_ignored_and_licences_exist():
    ignored = (ROOT / ".gitignore").read_text().split()
    for pattern in ("_build/", ".venv/", "*.egg-info/"):
        assert pattern in ignored
    licence = (ROOT / "LICENSE.md").read_text()
    assert "MIT License" in licence and "CC BY 4.0" in licence
