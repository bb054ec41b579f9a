"""Interactive explorers (ipywidgets), one module per chapter; ipywidgets is imported
only here.

Each explorer has a static twin in its chapter (an animation) for readers of the HTML.
"""

from __future__ import annotations

__all__ = ["lay_out_once", "show_figure"]


def lay_out_once(fig) -> None:
    """Run ``fig.tight_layout()`` on the explorer's first draw only.

    Laying out measures every tick label of every axis and was about nine tenths of a
    redraw; the sliders change data, not the axes' labels, and the inline backend's
    tight bounding box keeps whatever grows on the canvas, so one layout serves every
    redraw.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> lay_out_once(fig); lay_out_once(fig); fig._gdu_laid_out
    True
    """
    if not getattr(fig, "_gdu_laid_out", False):
        fig.tight_layout()
        fig._gdu_laid_out = True


def show_figure(out, fig) -> bool:
    """Show ``fig`` in the ``ipywidgets.Output`` ``out``, replacing what it showed
    before.

    The figure is formatted by the kernel's display formatter (the PNG the inline
    backend would show) and set as the widget's ``outputs`` in one state update. It is
    *not* captured with ``with out: display(fig)``: a capture makes a frontend that
    mirrors Output widgets (nbclient, which executes the book headlessly) send a
    ``comm_msg`` on the shell channel for every captured output, racing the
    ``execute_reply`` of the cell on the same socket; on a busy machine that race left
    executions idle for minutes. A state update is one message from the kernel and none
    back.

    Outside a kernel (a script, a test) there is nothing to show it in: returns False
    and does nothing, so explorers can be driven headlessly.

    >>> show_figure(None, None)  # no kernel here
    False
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return False
    data, metadata = shell.display_formatter.format(fig)
    out.outputs = ({"output_type": "display_data", "data": data, "metadata": metadata},)
    return True
