"""Plot helpers: they draw what they are given, return the axes, and animations are
self-contained."""

import base64
import io
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter

import gdutils as gdu


def test_contour_path_draws_each_path_and_marks():
    paths = {
        "a": np.array([[1.0, 1.0], [0.5, 0.2]]),
        "b": np.array([[-1.0, 1.0], [0.0, 0.0]]),
    }
    ax = gdu.contour_path(
        lambda p: p @ p,
        paths,
        xlim=(-2, 2),
        ylim=(-2, 2),
        resolution=15,
        mark={"min": (0.0, 0.0)},
        log_levels=True,
    )
    assert [line.get_label() for line in ax.lines[:2]] == ["a", "b"]
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), paths["a"])
    assert ax.get_xlim() == (-2, 2)
    plt.close("all")


def test_loss_curves_and_floor():
    ax = gdu.loss_curves(
        {"GD": [1.0, 0.1], "SGD": [1.0, 0.3, 0.2]}, floor=0.01, logy=False
    )
    assert len(ax.lines) == 3 and ax.get_yscale() == "linear"
    assert ax.lines[-1].get_label() == "floor" and ax.lines[-1].get_ydata()[0] == 0.01
    ax = gdu.loss_curves({"GD": [1.0, 0.1]}, floor=0.05, floor_label="best MSE (lstsq)")
    assert ax.lines[-1].get_label() == "best MSE (lstsq)"
    plt.close("all")


def test_style_is_opaque_for_dark_mode():
    gdu.use_style()
    assert (
        plt.rcParams["figure.facecolor"] == "white"
        and plt.rcParams["savefig.facecolor"] == "white"
    )


def test_animation_has_controls_and_no_external_resources():
    fig, ax = plt.subplots(figsize=(2, 2))
    (line,) = ax.plot([], [])
    html = gdu.animate(
        fig, lambda i: line.set_data([0, i], [0, i]), frames=3, alt='A "line" grows'
    ).data
    assert 'alt="A &quot;line&quot; grows"' in html
    assert html.count("data:image/png;base64") == 3
    for control in ("anim_step_forward", "play_animation", "pause_animation"):
        assert control in html
    assert "http://" not in html and "https://" not in html and "fa fa-" not in html
    # the buttons are inline SVG with labels, not media glyphs that DejaVu-only systems
    # show as empty boxes (U+23EE and friends)
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)
    assert len(buttons) >= 7 and all(
        "<svg" in b and "aria-label=" in b for b in buttons
    ), buttons
    assert all(ord(ch) < 128 for b in buttons for ch in b)
    sliders = re.findall(r'<input[^>]*type="range"[^>]*>', html)
    assert len(sliders) == 1 and 'aria-label="Frame of the animation"' in sliders[0]
    assert not plt.get_fignums()  # closed: not shown twice


def test_animation_draws_each_frame_once_and_keeps_every_frame():
    fig, ax = plt.subplots(figsize=(2, 2))
    (line,) = ax.plot([], [])
    ax.set(xlim=(0, 5), ylim=(0, 5))
    draws = []
    draw = fig.draw
    fig.draw = lambda renderer: (draws.append(1), draw(renderer))[1]
    html = gdu.animate(
        fig, lambda i: line.set_data([0, i], [0, i]), frames=5, alt="a line"
    ).data
    assert len(draws) == 5  # one savefig per frame; no second draw_idle redraw
    frames = re.findall(r'frames\[\d+\] = "(data:image/png;base64,[^"]+)"', html)
    assert len(frames) == 5 and len(set(frames)) == 5


def _png_pixels(png: bytes) -> np.ndarray:
    return plt.imread(io.BytesIO(png), format="png")


def test_animation_after_tight_layout_draws_each_frame_once_with_the_same_pixels():
    # fig.tight_layout() leaves a placeholder layout engine, with which every savefig
    # first lays the figure out (a second full draw); animate takes it off while it
    # saves the frames: the pixels are those a plain savefig of each frame gives
    def figure():
        fig, ax = plt.subplots(figsize=(2.5, 2))
        (line,) = ax.plot([], [], "o-")
        ax.set(xlim=(0, 5), ylim=(0, 25), xlabel="step", title="a title")
        fig.tight_layout()
        return fig, lambda i: line.set_data(np.arange(i + 1), np.arange(i + 1) ** 2)

    fig, update = figure()
    engine = fig.get_layout_engine()
    assert type(engine).__name__ == "PlaceHolderLayoutEngine"
    draws = []
    draw = fig.draw
    fig.draw = lambda renderer: (draws.append(1), draw(renderer))[1]
    html = gdu.animate(fig, update, frames=4, alt="a parabola").data
    assert len(draws) == 4  # was 8: a layout pass before each frame
    assert fig.get_layout_engine() is engine  # put back
    frames = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', html)
    reference, update = figure()
    assert type(reference.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"
    for i, frame in enumerate(frames):
        update(i)
        buf = io.BytesIO()
        reference.savefig(buf, format="png", dpi=reference.dpi)
        np.testing.assert_array_equal(
            _png_pixels(base64.b64decode(frame)), _png_pixels(buf.getvalue())
        )
    plt.close(reference)


# --- colour vision -------------------------------------------------------------------
# Machado, Oliveira and Fernandes (2009), severity 1: linear-RGB simulations of the
# three dichromacies.
_CVD = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def _lab(hex_colour: str, simulate) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour as seen through a linear-RGB simulation."""
    c = np.array(matplotlib.colors.to_rgb(hex_colour))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    linear = np.clip(np.asarray(simulate) @ linear, 0, 1)
    xyz = (
        np.array(
            [
                [0.4124, 0.3576, 0.1805],
                [0.2126, 0.7152, 0.0722],
                [0.0193, 0.1192, 0.9505],
            ]
        )
        @ linear
    )
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _closest_pair(colours, simulate) -> float:
    labs = [_lab(c, simulate) for c in colours]
    return min(
        float(np.linalg.norm(a - b)) for i, a in enumerate(labs) for b in labs[i + 1 :]
    )


@pytest.mark.parametrize("vision", ["normal", *_CVD])
def test_house_colours_stay_apart_for_colour_blind_readers(vision):
    """Every pair of the house colours differs by ΔE*ab >= 15 under normal vision and
    under each simulated dichromacy (a just-noticeable difference is about 2.3); the
    default tab10 cycle fails this (for deuteranopes its orange and olive, and its green
    and red, come within 7.5)."""
    simulate = np.eye(3) if vision == "normal" else _CVD[vision]
    assert _closest_pair(gdu.plotting.COLORS, simulate) >= 15
    if vision == "deuteranopia":
        tab10 = matplotlib.colormaps["tab10"].colors
        assert (
            _closest_pair([matplotlib.colors.to_hex(c) for c in tab10], simulate) < 15
        )


def test_style_cycles_the_house_colours_on_opaque_white():
    gdu.use_style()
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.lower() for c in cycle] == [c.lower() for c in gdu.plotting.COLORS]
    for key in ("figure.facecolor", "axes.facecolor", "savefig.facecolor"):
        assert matplotlib.colors.to_rgba(matplotlib.rcParams[key]) == (1, 1, 1, 1)
    assert not matplotlib.rcParams["savefig.transparent"]


def _frames(html):
    return [
        plt.imread(io.BytesIO(base64.b64decode(b)))
        for b in re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', html)
    ]


def test_animation_carries_a_still_of_labelled_frames_for_print():
    # the PDF edition (LaTeX builder) shows image/png where the HTML book plays the
    # animation: the still holds the same frames, pixel for pixel, in a grid
    fig, ax = plt.subplots(figsize=(2, 2))
    (line,) = ax.plot([], [])
    ax.set(xlim=(0, 7), ylim=(0, 7))
    anim = gdu.animate(
        fig, lambda i: line.set_data([0, i], [0, i]), frames=7, alt="a line", panels=4
    )
    bundle, _ = DisplayFormatter().format(anim)
    assert {"text/html", "image/png"} <= set(bundle)
    frames = _frames(bundle["text/html"])
    still = plt.imread(io.BytesIO(bundle["image/png"]))
    h, w = frames[0].shape[:2]
    label = (still.shape[0] - 2 * h) // 2  # 4 panels: 3 columns, 2 rows
    assert still.shape[1] == 3 * w and label > 0
    picks = [0, 2, 4, 6]  # evenly spaced, first and last included
    for k, i in enumerate(picks):
        r, c = divmod(k, 3)
        top = r * (h + label) + label
        panel = still[top : top + h, c * w : (c + 1) * w, :3]
        np.testing.assert_array_equal(panel, frames[i][..., :3])
    # the fifth and sixth cells of the grid are blank paper
    assert (still[h + 2 * label :, w:, :3] == 1).all()
    # the labels hold ink: "frame 1 of 7" ... above each panel
    assert (still[:label, :w, :3] < 1).any()


def test_animation_still_has_every_frame_when_there_are_few():
    fig, ax = plt.subplots(figsize=(1, 1))
    (line,) = ax.plot([], [])
    anim = gdu.animate(fig, lambda i: line.set_data([0, i], [0, i]), frames=2, alt="x")
    still = plt.imread(io.BytesIO(anim._repr_png_()))
    w = _frames(anim.data)[0].shape[1]
    assert still.shape[1] == 2 * w  # 2 frames < 6 panels: both, in one row


@pytest.mark.parametrize("panels", [0, -1, 2.5, True, "6"])
def test_animation_rejects_bad_panel_counts(panels):
    fig, _ = plt.subplots(figsize=(1, 1))
    with pytest.raises(ValueError, match="panels must be a positive integer"):
        gdu.animate(fig, lambda i: None, frames=2, alt="x", panels=panels)
    plt.close(fig)
