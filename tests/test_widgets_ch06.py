"""The chapter 6 explorer works without a browser: update() redraws the figure and
reports rates."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from gdutils.accelerated import momentum_rate  # noqa: E402
from gdutils.widgets.ch06 import measured_rate, momentum_explorer  # noqa: E402


def test_update_redraws_and_reports_theory_and_measurement():
    ex = momentum_explorer(25.0, steps=60)
    ax_path, ax_err = ex.figure.axes
    before = ax_path.lines[0].get_xydata().copy()
    gd = ex.update(1.0, 0.0)
    assert not np.array_equal(before, ax_path.lines[0].get_xydata())
    assert gd.rho == pytest.approx(1 - 1 / 25) and gd.measured == pytest.approx(
        gd.rho, rel=1e-3
    )
    assert ax_err.get_title() == f"theory rate {gd.rho:.3f}, measured {gd.measured:.3f}"
    path_gd = ax_path.lines[0].get_xydata().copy()
    hb = ex.update(1.0, 0.5)
    assert not np.array_equal(path_gd, ax_path.lines[0].get_xydata())
    assert hb.rho == pytest.approx(momentum_rate(1 / 25, 0.5, [1.0, 25.0]))
    # momentum is faster
    assert hb.measured == pytest.approx(hb.rho, rel=0.01) and hb.rho < gd.rho
    assert ax_path.get_title() == "heavy ball: η = 1.00/L, β = 0.50"
    nag = ex.update(1.0, 0.5, True)
    assert ax_path.get_title().startswith("Nesterov") and nag.measured == pytest.approx(
        nag.rho, rel=0.01
    )
    # past the heavy-ball limit rate * L < 2 (1 + beta) the run diverges and the title
    # says so
    bad = ex.update(3.2, 0.5)
    assert bad.status == 2 and ax_err.get_title().startswith("diverges")
    assert ex.update(2.9, 0.5).status == 1  # just inside the limit 3.0: still stable
    # the sliders drive the same update
    rate, beta, nesterov = ex.widget.children[0].children
    rate.value = 2.9
    beta.value = 0.9
    assert ax_path.get_title() == "heavy ball: η = 2.90/L, β = 0.90"
    assert not ax_err.get_title().startswith("diverges")  # 2.9 < 2 (1 + 0.9)
    nesterov.value = True
    assert ax_path.get_title().startswith("Nesterov") and ax_err.get_title().startswith(
        "diverges"
    )


def test_measured_rate_bad_input_and_edge_cases():
    with pytest.raises(ValueError, match="at least 3 entries"):
        measured_rate([1.0, 0.5])
    assert measured_rate([1.0, np.inf, np.nan]) == np.inf
    assert measured_rate([1.0, 0.0, 0.0]) == 0.0
