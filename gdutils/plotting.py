"""The book's plotting style and the three figures it draws again and again.

Every helper takes ``ax=None`` (a new figure is made when it is None) and returns the
axes, so figures compose. Backgrounds are opaque so figures read in dark mode too.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._validation import as_real_array

if TYPE_CHECKING:
    from IPython.display import HTML

__all__ = ["COLORS", "use_style", "contour_path", "loss_curves", "animate"]

#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
COLORS = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
]

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 96,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "animation.embed_limit": 8.0,  # MB; animations are kept far below this
}


def use_style() -> None:
    """Apply the house style to matplotlib (idempotent).

    >>> use_style(); plt.rcParams["figure.facecolor"]
    'white'
    """
    plt.rcParams.update(_STYLE)


def _grid_values(f: Callable, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return np.array([[f(np.array([x, y])) for x in xs] for y in ys], dtype=float)


def contour_path(
    f: Callable,
    paths: np.ndarray | Mapping[str, np.ndarray] | None = None,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    ax: Axes | None = None,
    levels: int | np.ndarray = 20,
    resolution: int = 81,
    log_levels: bool = False,
    values: np.ndarray | None = None,
    mark: Mapping[str, tuple[float, float]] | None = None,
) -> Axes:
    """Contours of a 2-D function with optimisation paths drawn over them.

    ``paths`` is one (k, 2) array or a mapping label -> array. ``f`` takes a vector of
    length 2; pass precomputed ``values`` (resolution x resolution, rows = y) to skip
    evaluating it. ``mark`` adds labelled points (for example the minimum).

    >>> ax = contour_path(lambda p: p @ p, np.array([[1.0, 1.0], [0.5, 0.5]]),
    ...                   xlim=(-2, 2), ylim=(-2, 2), resolution=11)
    >>> len(ax.lines)
    1
    """
    if ax is None:
        _, ax = plt.subplots()
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    Z = _grid_values(f, xs, ys) if values is None else np.asarray(values)
    if log_levels:
        count = levels if np.isscalar(levels) else len(levels)
        lo = np.min(Z[Z > 0]) if np.any(Z > 0) else 0.0
        levels = np.geomspace(lo, np.max(Z), count) if 0 < lo < np.max(Z) else count
    ax.contour(xs, ys, Z, levels=levels, linewidths=0.8, cmap="Greys_r", alpha=0.8)
    if paths is not None:
        items = paths.items() if isinstance(paths, Mapping) else [(None, paths)]
        for label, path in items:
            path = np.asarray(path)
            ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=1.2, label=label)
        if isinstance(paths, Mapping):
            ax.legend(loc="best")
    for label, (px, py) in (mark or {}).items():
        ax.plot(px, py, "k*", ms=12)
        ax.annotate(label, (px, py), xytext=(5, 5), textcoords="offset points")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return ax


def loss_curves(
    curves: Mapping[str, np.ndarray] | np.ndarray,
    *,
    ax: Axes | None = None,
    x: Mapping[str, np.ndarray] | None = None,
    logy: bool = True,
    xlabel: str = "iteration",
    ylabel: str = "loss",
    floor: float | None = None,
    floor_label: str = "floor",
) -> Axes:
    """Loss against iterations (or any x given per curve), log scale by default.

    ``floor`` draws a dashed horizontal line (a noise floor or the optimum), labelled
    ``floor_label``.

    >>> ax = loss_curves({"GD": np.array([1.0, 0.5, 0.25])})
    >>> ax.get_yscale()
    'log'
    """
    if ax is None:
        _, ax = plt.subplots()
    items = curves.items() if isinstance(curves, Mapping) else [(None, curves)]
    for label, c in items:
        c = as_real_array(c, f"curve {label!r}" if label is not None else "curves")
        if c.ndim != 1:
            raise ValueError(
                f"each curve must be a 1-D array of losses; got shape {c.shape}."
            )
        xs = (
            np.arange(len(c)) if x is None else as_real_array(x[label], f"x[{label!r}]")
        )
        ax.plot(xs, c, label=label)
    if floor is not None:
        ax.axhline(floor, ls="--", c="k", lw=1, label=floor_label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if isinstance(curves, Mapping) or floor is not None:
        ax.legend(loc="best")
    return ax


def animate(
    fig: Figure,
    update: Callable[[int], object],
    frames: int,
    *,
    alt: str = "Animation with play controls",
    interval: int = 200,
    panels: int = 6,
) -> "HTML":
    """An HTML animation with play/step controls that works in the static book.

    ``update(i)`` redraws frame ``i`` on ``fig``. The figure is closed so that it is
    not shown a second time as a still image. Keep ``frames`` small (tens) and the
    figure small: each frame is embedded as a PNG. ``alt`` describes the animation for
    readers who cannot see it (it becomes the frame image's alt text); the chapters
    always pass one (a test checks). For print (the PDF edition), the object also
    carries a still, ``image/png``: ``panels`` of the frames in a labelled grid.

    >>> fig, ax = plt.subplots(figsize=(2, 2))
    >>> line, = ax.plot([], [])
    >>> html = animate(
    ...     fig, lambda i: line.set_data([0, i], [0, i]), frames=2, alt="A growing line"
    ... )
    >>> "<script" in html.data, "https://" in html.data  # self-contained: works offline
    (True, False)
    """
    if isinstance(panels, bool) or not isinstance(panels, int) or panels < 1:
        raise ValueError(f"panels must be a positive integer, got {panels!r}")
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    anim = FuncAnimation(fig, update, frames=frames, interval=interval, blit=False)
    canvas = fig.canvas
    draw_idle = canvas.draw_idle
    # each frame's savefig draws it: skip the 2nd draw
    canvas.draw_idle = lambda *args, **kwargs: None
    # fig.tight_layout() leaves a placeholder layout engine, which does nothing but
    # makes savefig draw every frame twice (a layout pass first): the same pixels
    engine = fig.get_layout_engine()
    if isinstance(engine, PlaceHolderLayoutEngine):
        fig.set_layout_engine(None)
    try:
        html = _offline_controls(anim.to_jshtml(default_mode="once"))
    finally:
        canvas.draw_idle = draw_idle
        if isinstance(engine, PlaceHolderLayoutEngine):
            fig.set_layout_engine(engine)
    html = re.sub(
        r'<img id="(_anim_img\w+)"',
        lambda m: f'<img id="{m.group(1)}" alt="{escape(alt, quote=True)}"',
        html,
        count=1,
    )
    # the frame slider needs an accessible name (axe-core: "Form elements must have
    # labels")
    html = re.sub(
        r'<input id="(_anim_slider\w+)" type="range"',
        lambda m: (
            f'<input id="{m.group(1)}" type="range" aria-label="Frame of the animation"'
        ),
        html,
        count=1,
    )
    plt.close(fig)
    out = HTML(html)
    # the static twin for print: myst-nb's LaTeX builder (the PDF edition) ranks
    # image/png above text/html, the HTML book and JupyterLab the other way round
    still = _frame_grid(
        [base64.b64decode(b) for b in re.findall(_FRAME, html)], panels=panels
    )
    out._repr_png_ = lambda: still
    return out


_FRAME = r'frames\[\d+\] = "data:image/png;base64,([^"]+)"'


def _frame_grid(frames: Sequence[bytes], panels: int = 6) -> bytes:
    """A still of an animation, for print: up to ``panels`` of its frames (evenly
    spaced, the first and the last included) in rows of three (two when the frames
    are wide), each labelled with its frame number, as one PNG.

    >>> fig = Figure(figsize=(1, 1)); buf = io.BytesIO(); fig.savefig(buf, format="png")
    >>> grid = _frame_grid([buf.getvalue()] * 9, panels=6)
    >>> grid.startswith(b"\\x89PNG")
    True
    """
    n = len(frames)
    if n == 0:
        raise ValueError("an animation needs at least one frame, got none")
    picks = sorted({int(i) for i in np.linspace(0, n - 1, min(panels, n)).round()})
    images = [mpl.image.imread(io.BytesIO(frames[i]), format="png") for i in picks]
    h, w = images[0].shape[:2]
    cols = min(2 if w > 1.8 * h else 3, len(picks))  # wide frames: two to a row
    rows = -(-len(picks) // cols)
    label = 26  # pixels above each panel for its label
    dpi = 96
    width, height = cols * w, rows * (h + label)
    grid = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    for k, (i, img) in enumerate(zip(picks, images, strict=True)):
        r, c = divmod(k, cols)
        bottom = height - (r + 1) * (h + label)  # pixels from the bottom edge
        grid.figimage(img, xo=c * w, yo=bottom, origin="upper")  # pixel for pixel
        grid.text(
            (c + 0.5) * w / width,
            (bottom + h + label / 2) / height,
            f"frame {i + 1} of {n}",
            ha="center",
            va="center",
            fontsize=11,
        )
    buf = io.BytesIO()
    grid.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _icon(paths: str, label: str) -> str:
    """An inline SVG button icon: drawn by every browser, whatever fonts it has.

    (Unicode media glyphs such as U+23EE show as empty boxes with only DejaVu fonts.)
    """
    return (
        '<svg viewBox="0 0 16 16" width="14" height="14" fill="currentColor"'
        f' role="img" aria-label="{label}"'
        f' focusable="false"><title>{label}</title>{paths}</svg>'
    )


_LEFT, _RIGHT = '<path d="M12 2 4 8l8 6z"/>', '<path d="M4 2l8 6-8 6z"/>'
_GLYPHS = {
    "minus": _icon('<rect x="2" y="7" width="12" height="2"/>', "slower"),
    "plus": _icon(
        '<rect x="2" y="7" width="12" height="2"/><rect x="7" y="2" width="2"'
        ' height="12"/>',
        "faster",
    ),
    "fast-backward": _icon(
        '<rect x="1" y="2" width="2" height="12"/><path d="M9 2 3 8l6 6z"/>'
        '<path d="M15 2 9 8l6 6z"/>',
        "first frame",
    ),
    "step-backward": _icon(
        '<rect x="2" y="2" width="2" height="12"/><path d="M13 2 5 8l8 6z"/>',
        "previous frame",
    ),
    "play fa-flip-horizontal": _icon(_LEFT, "play backwards"),
    "pause": _icon(
        '<rect x="3" y="2" width="3.5" height="12"/><rect x="9.5" y="2" width="3.5"'
        ' height="12"/>',
        "pause",
    ),
    "play": _icon(_RIGHT, "play"),
    "step-forward": _icon(
        '<path d="M3 2l8 6-8 6z"/><rect x="12" y="2" width="2" height="12"/>',
        "next frame",
    ),
    "fast-forward": _icon(
        '<path d="M1 2l6 6-6 6z"/><path d="M7 2l6 6-6 6z"/>'
        '<rect x="13" y="2" width="2" height="12"/>',
        "last frame",
    ),
}


def _offline_controls(html: str) -> str:
    """Make matplotlib's animation controls self-contained.

    ``to_jshtml`` links Font Awesome from a CDN for its button icons; offline (or on a
    locked-down network) the buttons are blank and the page logs a failed request.
    Replace the icons with inline SVG (labelled for screen readers) and drop the
    external stylesheet.
    """
    html = re.sub(
        r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html
    )
    return re.sub(
        r'<i class="fa fa-([^"]+)"></i>',
        lambda m: _GLYPHS.get(m.group(1), m.group(1)),
        html,
    )
