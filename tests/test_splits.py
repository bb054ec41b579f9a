"""gdutils.splits: the stratified split against scikit-learn's stratification, the
standardiser against StandardScaler."""

import numpy as np
import pytest
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from gdutils.splits import Standardizer, stratified_split


def _labels(seed=0):
    rng = np.random.default_rng(seed)
    return rng.permutation(np.repeat(np.arange(5), [40, 31, 17, 60, 9]))


@pytest.mark.parametrize(
    "fractions", [(0.6, 0.2, 0.2), (0.5, 0.5), (0.7, 0.1, 0.1, 0.1)]
)
def test_partition_and_stratification(fractions):
    y = _labels()
    parts = stratified_split(y, fractions, rng=1)
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(y)))
    counts = np.bincount(y)
    for k, (p, f) in enumerate(zip(parts, fractions, strict=True)):
        dev = np.abs(np.bincount(y[p], minlength=5) - f * counts)
        assert dev.max() <= (len(fractions) - 1) * 0.5 if k == 0 else dev.max() <= 0.5


def test_as_stratified_as_scikit_learn():
    y = _labels(3)
    idx = np.arange(len(y))
    _, te_sk = train_test_split(idx, test_size=0.25, stratify=y, random_state=0)
    _, te = stratified_split(y, (0.75, 0.25), rng=0)
    counts = np.bincount(y)
    ours = np.abs(np.bincount(y[te], minlength=5) - 0.25 * counts).max()
    theirs = np.abs(np.bincount(y[te_sk], minlength=5) - 0.25 * counts).max()
    assert ours <= 0.5 and ours <= theirs + 0.5
    assert abs(len(te) - len(te_sk)) <= 2


def test_seeded_and_random():
    y = _labels()
    a = stratified_split(y, rng=np.random.default_rng(7))
    b = stratified_split(y, rng=np.random.default_rng(7))
    c = stratified_split(y, rng=np.random.default_rng(8))
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize(
    "y, fractions, match",
    [
        (np.zeros((4, 2)), (0.5, 0.5), "1-D"),
        (np.arange(4), (0.5,), "at least two parts"),
        (np.arange(4), (0.6, 0.6), "sum to 1"),
        (np.arange(4), (1.2, -0.2), "positive"),
        (np.array([0, 0, 1, 1]), (0.25, 0.25, 0.25, 0.25), "empty"),
    ],
)
def test_bad_split_arguments(y, fractions, match):
    with pytest.raises(ValueError, match=match):
        stratified_split(y, fractions, rng=0)


def test_standardizer_matches_standard_scaler():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4)) * [1e-2, 1.0, 1e3, 5.0] + [3.0, -1.0, 50.0, 7.0]
    X[:, 3] = 7.0  # a constant column
    X_other = rng.standard_normal((10, 4))
    ours, sk = Standardizer().fit(X), StandardScaler().fit(X)
    np.testing.assert_allclose(ours.mean_, sk.mean_)
    np.testing.assert_allclose(ours.scale_, sk.scale_)
    np.testing.assert_allclose(
        ours.transform(X_other), sk.transform(X_other), atol=1e-12
    )
    np.testing.assert_allclose(
        Standardizer().fit_transform(X), sk.transform(X), atol=1e-12
    )


def test_standardizer_errors():
    with pytest.raises(ValueError, match="not fitted"):
        Standardizer().transform(np.ones((2, 2)))
    s = Standardizer().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="2 columns"):
        s.transform(np.ones((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        Standardizer().fit([[np.nan, 1.0]])
    with pytest.raises(ValueError, match=r"shape \(n, d\)"):
        Standardizer().fit(np.ones(3))
