"""Interactive explorers (ipywidgets), one module per chapter; ipywidgets is imported
only here.

Each explorer has a static twin in its chapter (an animation) for readers of the HTML.
"""

from __future__ import annotations

__all__ = ["show_figure"]


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
