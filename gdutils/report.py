"""Sentences computed by code: how the book quotes a number in its prose."""

from __future__ import annotations

__all__ = ["say"]


def say(text: str) -> None:
    """Show ``text`` as Markdown in a notebook (plain print elsewhere).

    The book never types a result into its prose; a cell computes it, asserts it
    and then says it, so the sentence and the number cannot drift apart.

    >>> say("The minimum is at w = 2.")
    The minimum is at w = 2.
    """
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython is always there in the book's env
        print(text)
        return
    if get_ipython() is None:
        print(text)
    else:
        display(Markdown(text))
