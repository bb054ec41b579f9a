"""The chapter 3 explorer works without a browser: update() redraws the figure and says
where the run ended."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from gdutils import landscape, objectives  # noqa: E402
from gdutils.widgets.ch03 import describe_end, draw_run, saddle_explorer  # noqa: E402


def _path(ax):
    # the path (the last line is its start marker)
    return ax.lines[-2].get_xydata().copy()


def test_update_redraws_path_loss_and_verdict():
    ex = saddle_explorer(steps=120)
    ax_path, ax_loss = ex.figure.axes
    w = objectives.multi_well()
    saddle = w.critical_points["saddle"][0]

    # default start: the first saddle, snapped exactly onto it
    stuck = ex.update(noise=0.0)
    np.testing.assert_allclose(stuck.trajectory, np.tile(saddle, (121, 1)), atol=1e-9)
    assert ax_loss.get_title().startswith("stuck at a saddle")
    assert ax_path.get_title().startswith("start on a critical point")
    before = _path(ax_path)

    # every slider step away from the saddle moves the start: no dead zone around it
    x_s, y_s = (
        ex.widget.children[0].children[0].value,
        ex.widget.children[0].children[1].value,
    )
    for dx, dy in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        moved = ex.update(x0=x_s + dx, y0=y_s + dy, noise=0.0)
        np.testing.assert_allclose(moved.trajectory[0], [x_s + dx, y_s + dy])
        assert not ax_path.get_title().startswith("start on a critical point")
        assert not np.array_equal(_path(ax_path), before)
    ex.update(x0=x_s, y0=y_s)

    noisy = ex.update(noise=0.05)
    after = _path(ax_path)
    assert not np.array_equal(before, after)
    assert ax_loss.get_title() == noisy.verdict and noisy.verdict.startswith("reached")
    assert noisy.losses[-1] < stuck.losses[-1] - 0.2  # escaping lowered the loss
    np.testing.assert_allclose(ax_loss.lines[0].get_ydata(), noisy.losses)

    glob = ex.update(x0=2.0, y0=-2.0, noise=0.0, learning_rate=0.1)
    assert glob.verdict.startswith("reached the global minimum")
    np.testing.assert_allclose(glob.trajectory[-1], w.minimizers[0], atol=1e-3)
    assert ax_path.get_title() == "rate 0.1, noise 0"

    # large step: another minimum
    overshoot = ex.update(x0=2.0, y0=-2.0, noise=0.0, learning_rate=0.5)
    assert overshoot.verdict.startswith("reached a local minimum")
    assert ex.update(x0=2.4, y0=2.4, learning_rate=0.6).verdict.startswith("diverged")


def test_sliders_drive_the_same_update():
    ex = saddle_explorer(steps=60)
    ax_path, ax_loss = ex.figure.axes
    row1, row2, _ = ex.widget.children
    x0, y0 = row1.children
    noise, rate = row2.children
    before = _path(ax_path)
    x0.value, y0.value = 1.5, -1.5
    assert not np.array_equal(before, _path(ax_path))
    np.testing.assert_allclose(_path(ax_path)[0], [1.5, -1.5])
    rate.value = 0.3
    assert ax_path.get_title() == "rate 0.3, noise 0"
    noise.value = 0.1
    assert ax_path.get_title() == "rate 0.3, noise 0.1"


def test_noise_free_run_is_gradient_descent():
    w = objectives.multi_well()
    fig, axes = plt.subplots(1, 2)
    run = draw_run(axes, w, [1.2, 1.9], learning_rate=0.2, steps=30)
    np.testing.assert_array_equal(
        run.trajectory,
        landscape.noisy_gd(w.grad, [1.2, 1.9], learning_rate=0.2, steps=30),
    )
    plt.close(fig)


def test_describe_end_and_bad_input():
    w = objectives.multi_well()
    assert describe_end(w, w.critical_points["maximum"][0]).startswith(
        "stuck at a maximum"
    )
    assert describe_end(w, [0.0, 2.0]) == "not settled at any critical point"
    assert describe_end(w, [0.0, 0.0], diverged=True).startswith("diverged")
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        draw_run(axes, w, [1.0, 2.0, 3.0])
    plt.close(fig)
    with pytest.raises(ValueError, match="2-D objectives"):
        saddle_explorer(objectives.rosenbrock(3))
