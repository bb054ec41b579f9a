"""The chapter 2 explorer works without a browser: update() and the controls redraw the
figure."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

import gdutils as gdu  # noqa: E402
from gdutils.widgets.ch02 import SCHEDULES, BatchExplorer, make_schedule  # noqa: E402


def _problem():
    rng = np.random.default_rng(2)
    x = rng.normal(1.0, 0.6, 48)
    return x.reshape(-1, 1), 2 * x - 1 + 0.5 * rng.standard_normal(48)


def _pixels(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.fixture
def explorer():
    X, y = _problem()
    return BatchExplorer(X, y, [-1.0, 2.5], epochs=6, resolution=21)


def test_update_changes_path_loss_titles_and_pixels(explorer):
    ex = explorer
    seen = []
    for settings in [
        dict(learning_rate=0.05, batch_size=1),
        dict(batch_size=8),
        dict(batch_size=None),
        dict(learning_rate=0.01),
        dict(schedule="cosine"),
        dict(schedule="step decay"),
        dict(schedule="1/t"),
    ]:
        res = ex.update(**settings)
        state = (
            ex.path_line.get_xydata().copy(),
            ex.loss_line.get_ydata().copy(),
            ex.ax_path.get_title(),
            ex.ax_loss.get_title(),
            _pixels(ex.fig),
        )
        # every new setting draws something different from all earlier ones
        for old in seen:
            assert not (
                old[0].shape == state[0].shape and np.allclose(old[0], state[0])
            )
            assert not np.array_equal(old[4], state[4])
        seen.append(state)
        assert len(res.trajectory) == ex.path_line.get_xydata().shape[0]
        np.testing.assert_array_equal(ex.loss_line.get_ydata(), res.loss_history)
    assert ex.ax_path.get_title() == "rate 0.01, batch full"
    assert ex.ax_loss.get_title().startswith("1/t: loss")


def test_update_matches_minibatch_gd_and_batch_size_counts(explorer):
    ex = explorer
    n = len(ex.y)
    for b in (1, 8, None):
        res = ex.update(learning_rate=0.05, batch_size=b, schedule="constant")
        ref = gdu.minibatch_gd(
            gdu.mse,
            ex.theta0,
            (ex.X, ex.y),
            gdu.mse_grad,
            batch_size=b,
            learning_rate=0.05,
            epochs=ex.epochs,
            rng=ex.seed,
        )
        np.testing.assert_array_equal(res.trajectory, ref.trajectory)
        assert res.nit == ex.epochs * gdu.stochastic.steps_per_epoch(n, b)


def test_smaller_batches_end_closer_and_decay_beats_constant(explorer):
    ex = explorer
    full = ex.update(learning_rate=0.05, batch_size=None, schedule="constant").fun
    sgd = ex.update(batch_size=1).fun
    assert sgd < full  # same epochs, many more updates
    X, y = _problem()
    for seed in range(3):
        # long enough runs: a constant rate hovers, a decaying one settles
        long = BatchExplorer(X, y, [-1.0, 2.5], epochs=30, resolution=11, seed=seed)
        dist = {
            s: np.linalg.norm(
                long.update(learning_rate=0.1, batch_size=1, schedule=s).x
                - long.minimizer
            )
            for s in SCHEDULES
        }
        for s in ("cosine", "1/t", "step decay"):
            assert dist[s] < dist["constant"] / 2, (seed, dist)


def test_divergence_is_reported(explorer):
    res = explorer.update(learning_rate=3.0, batch_size=1, schedule="constant")
    assert res.status == 2 and explorer.ax_loss.get_title() == "constant: diverged"


def test_controls_drive_update(explorer):
    box = explorer.widget(batch_sizes=(1, 4, 16))
    rate, batch, sched = box.children[:3]
    assert batch.options[-1] == ("full (48)", 48)
    before = explorer.path_line.get_xydata().copy()
    batch.value = 4
    assert (
        explorer.settings["batch_size"] == 4
        and explorer.result.nit == explorer.epochs * 12
    )
    rate.value = 0.02
    assert explorer.settings["learning_rate"] == pytest.approx(0.02)
    sched.value = "cosine"
    assert explorer.ax_loss.get_title().startswith("cosine")
    assert not np.array_equal(before, explorer.path_line.get_xydata())


def test_make_schedule_shapes():
    assert set(SCHEDULES) == {"constant", "step decay", "1/t", "cosine"}
    step = make_schedule("step decay", 0.1, per_epoch=10, epochs=8)
    # halves every quarter of the run (2 epochs)
    assert step(19) == 0.1 and step(20) == 0.05
    assert make_schedule("1/t", 0.1, per_epoch=10, epochs=8)(10) == pytest.approx(0.05)
    cos = make_schedule("cosine", 0.1, per_epoch=10, epochs=8)
    # the last update still has a positive rate
    assert cos(0) == 0.1 and 0 < cos(79) < 1e-4


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: make_schedule("linear", 0.1, 10, 5), "schedule must be one of"),
        (lambda: make_schedule("constant", -0.1, 10, 5), "learning_rate"),
        (
            lambda: BatchExplorer(np.ones((5, 2)), np.ones(5), [0.0, 0.0]),
            r"shape \(n, 1\)",
        ),
        (
            lambda: BatchExplorer(np.ones((5, 1)), np.ones(5), [0.0, 0.0, 0.0]),
            r"theta0 must have shape \(2,\)",
        ),
        (
            lambda: BatchExplorer(np.ones((5, 1)), np.ones((5, 1)), [0.0, 0.0]),
            r"y must have shape",
        ),
    ],
)
def test_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_generator_seed_gives_the_same_run_every_time():
    X, y = _problem()
    ex = BatchExplorer(
        X, y, [-1.0, 2.5], epochs=3, resolution=11, seed=gdu.book_rng("widget-test")
    )
    first = ex.update(learning_rate=0.05, batch_size=4).trajectory
    again = ex.update(learning_rate=0.05, batch_size=4).trajectory
    ref = gdu.minibatch_gd(
        gdu.mse,
        ex.theta0,
        (X, y),
        gdu.mse_grad,
        batch_size=4,
        learning_rate=0.05,
        epochs=3,
        rng=gdu.book_rng("widget-test"),
    )
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, ref.trajectory)
    with pytest.raises(ValueError, match="rng must be"):
        BatchExplorer(X, y, [-1.0, 2.5], epochs=3, resolution=11, seed=1.5)
