"""Plot helpers: they draw what they are given, return the axes, and animations are
self-contained."""

import re

import matplotlib.pyplot as plt
import numpy as np

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
