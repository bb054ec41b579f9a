"""The book seed: one knob (GDBOOK_SEED), named independent streams, clear errors."""

import numpy as np
import pytest

import gdutils as gdu
from gdutils.seeding import BOOK_SEED, ENV_VAR


def test_default_seed_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert gdu.book_seed() == BOOK_SEED
    monkeypatch.setenv(ENV_VAR, "  ")
    assert gdu.book_seed() == BOOK_SEED


def test_env_var_changes_every_stream(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "7")
    assert gdu.book_seed() == 7
    a = gdu.book_rng("s").standard_normal(5)
    monkeypatch.setenv(ENV_VAR, "8")
    b = gdu.book_rng("s").standard_normal(5)
    assert not np.allclose(a, b)
    monkeypatch.setenv(ENV_VAR, "7")
    np.testing.assert_array_equal(gdu.book_rng("s").standard_normal(5), a)


def test_names_give_independent_reproducible_streams(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    a, b = (
        gdu.book_rng("a").standard_normal(1000),
        gdu.book_rng("b").standard_normal(1000),
    )
    # 1000 draws: |r| < 0.15 with prob. > 1 - 1e-5
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.15
    np.testing.assert_array_equal(a, gdu.book_rng("a").standard_normal(1000))
    # the stream is the book seed's, not numpy's default_rng(BOOK_SEED)
    assert not np.allclose(a[:5], np.random.default_rng(BOOK_SEED).standard_normal(5))


def test_book_rngs_are_distinct_and_reproducible(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    first = [r.integers(2**62) for r in gdu.book_rngs(6, "runs")]
    again = [r.integers(2**62) for r in gdu.book_rngs(6, "runs")]
    assert first == again and len(set(first)) == 6
    # spawned children differ from the parent stream of the same name
    assert gdu.book_rng("runs").integers(2**62) not in first


@pytest.mark.parametrize("raw", ["seven", "-1", "1.5", "0x10"])
def test_bad_env_var_is_a_clear_error(monkeypatch, raw):
    monkeypatch.setenv(ENV_VAR, raw)
    with pytest.raises(ValueError, match="GDBOOK_SEED must be a non-negative integer"):
        gdu.book_seed()


@pytest.mark.parametrize("name", ["", None, 3])
def test_bad_stream_name(name):
    with pytest.raises(ValueError, match="non-empty string"):
        gdu.book_rng(name)


@pytest.mark.parametrize("n", [0, -2, 1.5, True, "3"])
def test_bad_run_count(n):
    with pytest.raises(ValueError, match="positive integer"):
        gdu.book_rngs(n, "x")
