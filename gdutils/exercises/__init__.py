"""Exercises, one module per chapter: ``from gdutils.exercises import ch01``.

Each exercise is an :class:`Exercise` attribute of its chapter's module, with
``check(answer)``, ``hint()`` and ``solution()``; :func:`registry` lists them all.
"""

from ._core import (
    Exercise,
    Feedback,
    Mistake,
    check_function,
    check_raises,
    check_value,
    registry,
)

__all__ = [
    "Exercise",
    "Feedback",
    "Mistake",
    "check_function",
    "check_raises",
    "check_value",
    "registry",
]
