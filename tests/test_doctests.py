"""Every example in every gdutils docstring runs and prints what it says."""

import doctest
import importlib
import pkgutil

import matplotlib.pyplot as plt
import pytest

import gdutils

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(gdutils.__path__, prefix="gdutils.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    plt.close("all")
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_every_public_function_has_an_example():
    missing = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if (
                callable(obj)
                and getattr(obj, "__module__", None) == name
                and ">>>" not in (obj.__doc__ or "")
            ):
                missing.append(f"{name}.{attr}")
    assert not missing, f"public functions without a docstring example: {missing}"
