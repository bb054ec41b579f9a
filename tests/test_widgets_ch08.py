"""The convergence-rate explorer works without a browser: update() redraws and reports
predicted and measured rates."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from gdutils.widgets.ch08 import rate_explorer  # noqa: E402


def test_update_reports_the_closed_form_rate_and_measures_it():
    ex = rate_explorer(steps=40)
    ax_path, ax_err = ex.figure.axes
    for kappa, step in [(10.0, 1.0), (10.0, 20 / 11), (50.0, 0.5), (5.0, 1.9)]:
        res = ex.update(kappa, step)
        eta = step / kappa
        closed = max(abs(1 - eta), abs(1 - eta * kappa))  # mu = 1, L = kappa
        assert res.rho == pytest.approx(closed, rel=1e-12)
        assert res.measured == pytest.approx(closed, rel=1e-3)
        assert (
            ax_err.get_title()
            == f"predicted rate {res.rho:.3f}, measured {res.measured:.3f}"
        )
        assert ax_path.get_title() == f"κ = {kappa:g}, η = {step:.2f}/L"
    bad = ex.update(10.0, 2.1)
    assert bad.rho == pytest.approx(1.1) and ax_err.get_title().startswith("diverges")
    before = ax_path.lines[0].get_xydata().copy()
    kappa, step = ex.widget.children[0].children
    step.value = 0.5
    assert not np.array_equal(before, ax_path.lines[0].get_xydata())
    kappa.value = 100.0
    assert ax_path.get_title() == "κ = 100, η = 0.50/L"
