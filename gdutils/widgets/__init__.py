"""Interactive explorers (ipywidgets), one module per chapter; ipywidgets is imported only here.

Each explorer has a static twin in its chapter (an animation) for readers of the HTML.
"""

from __future__ import annotations

__all__ = ["show_figure"]


def show_figure(out, fig) -> bool:
    """Show ``fig`` in the ``ipywidgets.Output`` ``out``, replacing what it showed before.

    Outside a kernel (a script, a test) there is nothing to show it in: returns False and
    does nothing, so explorers can be driven headlessly.

    >>> show_figure(None, None)  # no kernel here
    False
    """
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is None:
        return False
    with out:
        out.clear_output(wait=True)
        display(fig)
    return True
