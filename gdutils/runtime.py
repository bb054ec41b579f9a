"""The versions of the numerical stack the book was built and checked with.

Every claim in the book is asserted under :data:`BUILT_WITH` (the exact pins of
``requirements.txt``; a test keeps the two equal). In another runtime (Colab, a course's
own environment) the claims are meant to survive minor version changes, but when an
assert fails there the first question is which versions ran it. So ``import gdutils``
prints one line to stderr when NumPy, SciPy or Matplotlib differ from
:data:`BUILT_WITH`:

>>> drift_message({"numpy": "2.0.2", "scipy": "1.17.1", "matplotlib": "3.11.2"})
... # doctest: +ELLIPSIS
'gdutils ...: the book was checked with NumPy 2.4.6, SciPy 1.17.1, Matplotlib 3.11.2;
this runtime has NumPy 2.0.2. ...'
>>> drift_message(BUILT_WITH) is None
True
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import TextIO

__all__ = ["BUILT_WITH", "installed_versions", "drift", "drift_message", "warn_drift"]

BUILT_WITH: dict[str, str] = {
    "numpy": "2.4.6",
    "scipy": "1.17.1",
    "matplotlib": "3.11.2",
}
"""Package → the exact version the published book was built and tested with."""

_DISPLAY = {"numpy": "NumPy", "scipy": "SciPy", "matplotlib": "Matplotlib"}


def installed_versions() -> dict[str, str]:
    """The versions of NumPy, SciPy and Matplotlib this Python imports.

    >>> import numpy
    >>> installed_versions()["numpy"] == numpy.__version__
    True
    """
    return {name: str(importlib.import_module(name).__version__) for name in BUILT_WITH}


def _as_versions(installed) -> dict[str, str]:
    if installed is None:
        return installed_versions()
    if not isinstance(installed, Mapping):
        raise TypeError(
            "installed must be a mapping such as {'numpy': '2.4.6', ...}; "
            f"got {type(installed).__name__}."
        )
    unknown = sorted(set(installed) - set(BUILT_WITH))
    if unknown:
        raise ValueError(
            f"installed has unknown packages {unknown}; expected keys among "
            f"{sorted(BUILT_WITH)}."
        )
    bad = {k: v for k, v in installed.items() if not isinstance(v, str) or not v}
    if bad:
        raise ValueError(
            f"installed versions must be non-empty strings such as '2.4.6'; got {bad}."
        )
    return dict(installed)


def drift(installed: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """Packages whose version differs from :data:`BUILT_WITH`: name → (built, here).

    ``installed`` defaults to :func:`installed_versions`; a package missing from it is
    not compared.

    >>> drift({"numpy": "2.0.2", "scipy": "1.17.1"})
    {'numpy': ('2.4.6', '2.0.2')}
    >>> drift({"numpy": "2.4.6"})
    {}
    """
    here = _as_versions(installed)
    return {
        name: (built, here[name])
        for name, built in BUILT_WITH.items()
        if name in here and here[name] != built
    }


def drift_message(installed: Mapping[str, str] | None = None) -> str | None:
    """One readable line naming the versions that differ, or ``None`` when none does.

    >>> drift_message({"scipy": "1.14.1"})  # doctest: +ELLIPSIS
    '... this runtime has SciPy 1.14.1. ...'
    """
    changed = drift(installed)
    if not changed:
        return None
    from . import __version__

    built = ", ".join(f"{_DISPLAY[n]} {v}" for n, v in BUILT_WITH.items())
    here = ", ".join(f"{_DISPLAY[n]} {v}" for n, (_, v) in changed.items())
    return (
        f"gdutils {__version__}: the book was checked with {built}; this runtime has "
        f"{here}. Results may differ slightly; if an assert fails, this may be why "
        "(please report it)."
    )


def warn_drift(
    installed: Mapping[str, str] | None = None, file: TextIO | None = None
) -> str | None:
    """Print :func:`drift_message` (one line, to stderr by default) and return it.

    ``import gdutils`` calls this once.

    >>> import io
    >>> out = io.StringIO()
    >>> line = warn_drift({"matplotlib": "3.9.0"}, file=out)
    >>> out.getvalue() == line + "\\n", out.getvalue().count("\\n")
    (True, 1)
    >>> warn_drift(BUILT_WITH, file=out) is None
    True
    """
    line = drift_message(installed)
    if line is not None:
        print(line, file=sys.stderr if file is None else file)
    return line
