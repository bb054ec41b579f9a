"""The book's one seed knob: every random draw in a chapter is spawned from it.

The book seed is :data:`BOOK_SEED` unless the environment variable ``GDBOOK_SEED`` holds
another non-negative integer (``GDBOOK_SEED=7 jupyter lab`` reruns every chapter on
other draws; the test suite sweeps several seeds). Chapters never write
``default_rng(7)``: they ask for a *named stream* of the book seed,

>>> import gdutils as gdu
>>> rng = gdu.book_rng("noise-floor")          # one section's generator
>>> runs = gdu.book_rngs(8, "noise-floor-runs")  # eight independent seeded runs

A name gives a stream of its own, so adding draws in one section never changes the draws
of another, and the same name always gives the same numbers for the same book seed:

>>> a = gdu.book_rng("x").standard_normal(3)
>>> b = gdu.book_rng("x").standard_normal(3)
>>> bool((a == b).all()), bool((a == gdu.book_rng("y").standard_normal(3)).any())
(True, False)
"""

from __future__ import annotations

import os
import zlib

import numpy as np

__all__ = ["BOOK_SEED", "ENV_VAR", "book_seed", "book_rng", "book_rngs"]

BOOK_SEED: int = 2026
"""The seed the published book is built with."""

ENV_VAR: str = "GDBOOK_SEED"


def book_seed() -> int:
    """The book seed: ``GDBOOK_SEED`` when set (a non-negative integer), else
    :data:`BOOK_SEED`.

    >>> import os
    >>> book_seed() == int(os.environ.get("GDBOOK_SEED") or BOOK_SEED)
    True
    """
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return BOOK_SEED
    try:
        seed = int(raw)
    except ValueError:
        raise ValueError(
            f"{ENV_VAR} must be a non-negative integer, got {raw!r}"
        ) from None
    if seed < 0:
        raise ValueError(f"{ENV_VAR} must be a non-negative integer, got {seed}")
    return seed


def _sequence(name: str) -> np.random.SeedSequence:
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"name must be a non-empty string naming the stream, got {name!r}"
        )
    # crc32 is stable across runs and platforms (Python's hash() of a str is not).
    return np.random.SeedSequence(book_seed(), spawn_key=(zlib.crc32(name.encode()),))


def book_rng(name: str) -> np.random.Generator:
    """A generator for the stream ``name`` of the book seed.

    >>> r = book_rng("demo")
    >>> type(r).__name__
    'Generator'
    """
    return np.random.default_rng(_sequence(name))


def book_rngs(n: int, name: str) -> list[np.random.Generator]:
    """``n`` independent generators spawned from the stream ``name`` (for claims over
    runs).

    >>> [type(r).__name__ for r in book_rngs(2, "demo")]
    ['Generator', 'Generator']
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return [np.random.default_rng(s) for s in _sequence(name).spawn(int(n))]
