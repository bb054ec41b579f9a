"""Checkers for the chapter "Training in practice, on real data".

Every checker copies its inputs before calling the learner's function and again before
computing the reference (a function that scales in place cannot corrupt the check),
accepts every correct form (a loop or vectorised code, in place or not, a float or a
0-d array), names the known mistakes, and reports relative differences otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..multiclass import one_hot, softmax_cross_entropy
from ..splits import Standardizer
from ..training import early_stopping, suggest_rate
from ._core import Feedback

__all__ = ["check_softmax_ce", "check_choose_rate", "check_early_stopping", "check_standardise"]


def _copy(case: tuple) -> tuple:
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in case)


def _call_all(fn: Callable, cases, what: str):
    """The learner's outputs on copies of every case, or a Feedback if it is a stub or raises."""
    outs = []
    for i, case in enumerate(cases, 1):
        try:
            with np.errstate(all="ignore"):
                got = fn(*_copy(case))
        except NotImplementedError:
            return Feedback("not attempted", f"Replace the `raise NotImplementedError` in {what} with your code, then run this cell again.")
        except Exception as exc:  # the learner's bug, reported rather than raised
            return Feedback("fail", f"{what} raised {type(exc).__name__}: {exc} (case {i}).")
        if got is None or got is Ellipsis:
            return Feedback("not attempted", f"{what} returns nothing yet; fill it in and run this cell again.")
        outs.append(got)
    return outs


def _rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return np.inf
    with np.errstate(all="ignore"):
        d = np.linalg.norm((a - b).ravel()) / max(np.linalg.norm(b.ravel()), 1e-300)
    return float(d) if np.isfinite(d) else np.inf


def _same(a, b, tol: float) -> bool:
    try:
        return _rel(a, b) <= tol
    except (TypeError, ValueError):
        return False


def _pair(got, what: str, names: tuple[str, str]):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return None, Feedback("fail", f"{what} must return the pair ({names[0]}, {names[1]}); got {type(got).__name__}.")
    try:
        return (np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)), None
    except (TypeError, ValueError):
        return None, Feedback("fail", f"{what} must return two numeric arrays ({names[0]}, {names[1]}).")


def _match_mistakes(outputs, cases, mistakes, tol) -> Feedback | None:
    for name, compute, hint in mistakes:
        try:
            with np.errstate(all="ignore"):
                wants = [compute(*_copy(c)) for c in cases]
            if all(all(_same(g, w, tol) for g, w in zip(got, want)) for got, want in zip(outputs, wants)):
                return Feedback("fail", hint, name)
        except Exception:  # a mistake model that does not apply to these cases
            continue
    return None


# --- exercise 1: softmax cross-entropy, value and gradient --------------------------------------

def _ce_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(91)
    cases = []
    for n, K in [(5, 3), (7, 10), (6, 4)]:
        cases.append((rng.standard_normal((n, K)) * 2.0, rng.integers(0, K, n)))
    Z = rng.standard_normal((4, 5)) + np.array([[800.0], [-700.0], [0.0], [750.0]])  # large logits
    cases.append((Z, np.array([0, 4, 2, 1])))
    return cases


def _naive_softmax(Z, axis=1):
    e = np.exp(Z)
    return e / e.sum(axis=axis, keepdims=True)


def _ce_variant(*, axis=1, sign=1.0, onehot=True, probs=True, stable=True):
    def f(Z, y):
        n, K = Z.shape
        if stable:
            S = Z - Z.max(axis=axis, keepdims=True)
            P = np.exp(S) / np.exp(S).sum(axis=axis, keepdims=True)
        else:
            P = _naive_softmax(Z, axis)
        loss = -np.mean(np.log(P[np.arange(n), y]))
        Y = one_hot(y, K) if onehot else 0.0
        A = P if probs else Z
        return loss, sign * (A - Y) / n
    return f


_CE_MISTAKES = [
    ("sum instead of mean", lambda Z, y: tuple(v * len(y) for v in softmax_cross_entropy(Z, y)),
     "Loss and gradient are n times too large: the loss is the *mean* over the batch, so divide by n "
     "(and the gradient is `(P - Y) / n`)."),
    ("gradient without 1/n", lambda Z, y: (softmax_cross_entropy(Z, y)[0], softmax_cross_entropy(Z, y)[1] * len(y)),
     "The loss is right but the gradient is n times too large: the mean brings a factor 1/n, "
     "`dZ = (P - Y) / n`."),
    ("averaged over classes too", lambda Z, y: tuple(v / Z.shape[1] for v in softmax_cross_entropy(Z, y)),
     "Everything is K times too small: the loss averages over the n samples only; the sum over "
     "classes (of `Y * log P`) is a sum, not a mean."),
    ("wrong sign", _ce_variant(sign=-1.0),
     "The gradient has the wrong sign: dL/dz_k = p_k - [k = y], so `dZ = (P - Y) / n`; you returned `(Y - P) / n`."),
    ("forgot the one-hot", _ce_variant(onehot=False),
     "The gradient misses the `- Y` term: the label's own logit gets p_y - 1, the others p_k. "
     "Subtract 1 at `[np.arange(n), y]` (or subtract the one-hot matrix)."),
    ("logits instead of probabilities", _ce_variant(probs=False),
     "The gradient uses the logits Z where it needs the probabilities: `dZ = (softmax(Z) - Y) / n`."),
    ("softmax over the wrong axis", _ce_variant(axis=0),
     "The softmax was taken over the batch (axis 0). Each *row* is a sample: normalise over the "
     "classes, axis=1, with `keepdims=True`."),
]

_OVERFLOW_HINT = ("Correct on moderate logits, but NaN or inf on large ones: `exp(800)` overflows. "
                  "Subtract each row's maximum before exponentiating (`Z - Z.max(axis=1, keepdims=True)`); "
                  "softmax does not change, and exp never sees a positive argument.")


def check_softmax_ce(fn: Callable) -> Feedback:
    """Check ``fn(Z, y)`` -> ``(loss, dZ)``: mean softmax cross-entropy and its gradient.

    >>> check_softmax_ce(softmax_cross_entropy).passed
    True
    >>> check_softmax_ce(lambda Z, y: tuple(v * len(y) for v in softmax_cross_entropy(Z, y))).mistake
    'sum instead of mean'
    """
    what = "`my_softmax_ce`"
    cases = _ce_cases()
    raw = _call_all(fn, cases, what)
    if isinstance(raw, Feedback):
        return raw
    outputs = []
    for got in raw:
        pair, fb = _pair(got, what, ("loss", "dZ"))
        if fb:
            return fb
        outputs.append(pair)
    wants = [softmax_cross_entropy(*_copy(c)) for c in cases]
    ok = [_same(g[0], w[0], 1e-8) and _same(g[1], w[1], 1e-8) for g, w in zip(outputs, wants)]
    if all(ok):
        return Feedback("pass", f"Loss and gradient agree with the reference on all {len(cases)} cases, large logits included.")
    if all(ok[:-1]) and not np.all(np.isfinite(np.concatenate([np.ravel(a) for a in outputs[-1]]))):
        return Feedback("fail", _OVERFLOW_HINT, "overflow")
    named = _match_mistakes(outputs, cases, _CE_MISTAKES, 1e-8)
    if named is None:  # the same mistake on moderate logits, plus an overflow on large ones
        named = _match_mistakes(outputs[:-1], cases[:-1], _CE_MISTAKES, 1e-8)
    if named:
        return named
    i = next(i for i, good in enumerate(ok) if not good)
    (gl, gz), (wl, wz) = outputs[i], wants[i]
    if gz.shape != wz.shape:
        return Feedback("fail", f"Case {i + 1}: dZ must have the shape of Z, {wz.shape}; got {gz.shape}.", "shape")
    return Feedback("fail", f"Case {i + 1} (Z of shape {wz.shape}): relative difference {_rel(gl, wl):.1e} in the loss "
                            f"and {_rel(gz, wz):.1e} in dZ. Derive dL/dz_k for one sample, then average.")


# --- exercise 2: choose a learning rate from a range test --------------------------------------------

def _range_curves() -> list[tuple[np.ndarray, np.ndarray]]:
    """Range-test curves of other models: a noisy dip, a late dip, a NaN tail, an inf tail."""
    rng = np.random.default_rng(92)
    cases = []
    for lo, hi, m, centre, tail in [(1e-5, 1.0, 60, -2.5, None), (1e-4, 10.0, 80, 0.3, np.nan),
                                    (1e-3, 100.0, 50, 1.2, np.inf), (1e-6, 1e-1, 70, -3.1, np.nan)]:
        r = lo * (hi / lo) ** (np.arange(m) / (m - 1))
        u = np.log10(r) - centre
        loss = 2.3 - 1.8 / (1 + np.exp(-3 * (u + 1.5))) + np.where(u > 0, 4 * u**2, 0.0)
        loss = loss + 0.02 * rng.standard_normal(m)
        if tail is not None:
            loss[-5:] = tail
        cases.append((r, loss))
    return cases


def _nan_argmin(r, loss):
    return r[int(np.argmin(loss))] / 10  # np.argmin returns the first NaN's index


def _steepest(r, loss):
    finite = np.where(np.isfinite(loss), loss, np.nan)
    return r[int(np.nanargmin(np.diff(finite)))]


def _at_min(r, loss):
    return r[int(np.nanargmin(np.where(np.isfinite(loss), loss, np.nan)))]


_RATE_MISTAKES = [
    ("forgot the tenth", lambda r, loss: _at_min(r, loss),
     "That is the rate at the minimum itself, where the loss is about to blow up; the rule takes one tenth of it."),
    ("times ten", lambda r, loss: 10 * _at_min(r, loss), "Divide the rate at the minimum by 10, not multiply."),
    ("NaN not ignored", _nan_argmin,
     "`np.argmin` returns the position of the first NaN when there is one: the diverged tail wins. "
     "Ignore non-finite losses (`np.nanargmin`, or mask them with `np.isfinite`)."),
    ("returned the loss", lambda r, loss: np.nanmin(np.where(np.isfinite(loss), loss, np.nan)) / 10,
     "You returned a loss, not a learning rate: find *where* the loss is lowest, then read the rate there."),
    ("returned the index", lambda r, loss: int(np.nanargmin(np.where(np.isfinite(loss), loss, np.nan))) / 10,
     "You divided the *index* of the minimum by 10: look the rate up first, `rates[i] / 10`."),
    ("largest loss", lambda r, loss: r[int(np.nanargmax(np.where(np.isfinite(loss), loss, np.nan)))] / 10,
     "That is the rate where the loss is *largest*: use the minimum."),
    ("steepest slope", _steepest,
     "That is the steepest-descent point of the curve, another rule of thumb; this exercise asks for one "
     "tenth of the rate at the minimum, which is easier to read and harder to fool with noise."),
    ("first rate", lambda r, loss: r[0] / 10, "You returned the first rate of the sweep: look for the minimum of the loss."),
]


def check_choose_rate(fn: Callable) -> Feedback:
    """Check ``fn(rates, losses)`` -> one tenth of the rate where the (finite) loss is lowest.

    >>> check_choose_rate(suggest_rate).passed
    True
    >>> check_choose_rate(lambda r, loss: r[np.argmin(loss)] / 10).mistake
    'NaN not ignored'
    """
    what = "`choose_rate`"
    cases = _range_curves()
    raw = _call_all(fn, cases, what)
    if isinstance(raw, Feedback):
        return raw
    outputs = []
    for got in raw:
        a = np.asarray(got, dtype=float) if np.size(got) == 1 else None
        if a is None:
            return Feedback("fail", f"{what} must return one number, the learning rate; got an array of shape {np.shape(got)}.")
        outputs.append(float(a.ravel()[0]))
    wants = [suggest_rate(*_copy(c)) for c in cases]
    ok = [_same(g, w, 1e-9) for g, w in zip(outputs, wants)]
    if all(ok):
        return Feedback("pass", f"Your rule picks the same rate as the reference on all {len(cases)} range tests.")
    for name, compute, hint in _RATE_MISTAKES:
        try:
            with np.errstate(all="ignore"):
                if all(_same(g, compute(*_copy(c)), 1e-9) for g, c in zip(outputs, cases)):
                    return Feedback("fail", hint, name)
        except Exception:
            continue
    i = next(i for i, good in enumerate(ok) if not good)
    return Feedback("fail", f"Range test {i + 1}: you chose {outputs[i]:.3g}, the rule gives {wants[i]:.3g} "
                            f"(relative difference {_rel(outputs[i], wants[i]):.2g}).")


# --- exercise 3: early stopping with patience --------------------------------------------------------

_ES_CASES = [
    (np.array([2.0, 1.5, 1.2, 1.3, 1.25, 1.4, 1.1, 1.5, 1.6, 1.7]), 3),  # a dip after two bad epochs
    (np.array([2.0, 1.5, 1.2, 1.3, 1.25, 1.4, 1.1, 1.5, 1.6, 1.7]), 2),
    (np.array([1.0, 0.9, 1.0, 1.0, 0.9, 1.0, 1.0, 1.0, 0.7]), 3),       # a tie is not an improvement
    (np.array([3.0, 2.0, 1.5, 1.2, 1.0, 0.9]), 2),                       # never stops: last epoch
    (np.array([1.0, 1.1, 1.2, 1.3, 1.4, 0.5]), 4),                       # worse from the start
    (np.array([1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.6, 0.65, 0.66, 0.67, 0.68]), 3),
    (np.array([1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.6, 0.65, 0.66, 0.67, 0.68]), 1),
]


def _es_variant(*, cmp="lt", offset=0, reset=True):
    def f(v, patience):
        best, bad = 0, 0
        for k in range(1, len(v)):
            better = v[k] < v[best] if cmp == "lt" else v[k] <= v[best]
            if better:
                best = k
                bad = 0 if reset else bad
            else:
                bad += 1
            if (k - best if reset else bad) >= patience + offset:
                return best, k
        return best, len(v) - 1
    return f


_ES_MISTAKES = [
    ("patience ignored", lambda v, p: early_stopping(v, 1),
     "You stop at the first epoch that does not improve: patience means waiting `patience` epochs "
     "in a row without a new best before stopping."),
    ("off by one (waits one epoch too many)", _es_variant(offset=1),
     "Off by one: you stop one epoch late. With patience p, stop at the first epoch k with "
     "`k - best >= p` (p epochs in a row without improvement)."),
    ("off by one (stops one epoch early)", _es_variant(offset=-1),
     "Off by one: you stop one epoch early. With patience p, stop at the first epoch k with `k - best >= p`."),
    ("ties count as improvement", _es_variant(cmp="le"),
     "An epoch that only *equals* the best is not an improvement: use a strict `<`."),
    ("counter not reset", _es_variant(reset=False),
     "Your counter of bad epochs is never reset when a new best arrives: patience counts bad epochs "
     "*in a row*, since the last improvement."),
    ("best from the whole curve", lambda v, p: (int(np.argmin(v)), early_stopping(v, p)[1]),
     "The best epoch must be the best *before stopping*: epochs after the stop were never trained, "
     "so `np.argmin` over the whole curve peeks into the future."),
    ("best and stop swapped", lambda v, p: early_stopping(v, p)[::-1],
     "You returned (stop, best): the function returns `(best, stop)`."),
]


def check_early_stopping(fn: Callable) -> Feedback:
    """Check ``fn(val_losses, patience)`` -> ``(best, stop)`` (see :func:`gdutils.training.early_stopping`).

    >>> check_early_stopping(early_stopping).passed
    True
    >>> check_early_stopping(lambda v, p: early_stopping(v, 1)).mistake
    'patience ignored'
    """
    what = "`my_early_stopping`"
    raw = _call_all(fn, _ES_CASES, what)
    if isinstance(raw, Feedback):
        return raw
    outputs = []
    for got in raw:
        if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != 2:
            return Feedback("fail", f"{what} must return the pair (best, stop) of epoch indices; got {got!r}.")
        try:
            outputs.append((int(got[0]), int(got[1])))
        except (TypeError, ValueError):
            return Feedback("fail", f"{what} must return two integers (best, stop); got {got!r}.")
    wants = [early_stopping(*_copy(c)) for c in _ES_CASES]
    if outputs == wants:
        return Feedback("pass", f"Best and stopping epochs agree on all {len(wants)} validation curves.")
    for name, compute, hint in _ES_MISTAKES:
        if all(tuple(int(a) for a in compute(*_copy(c))) == g for c, g in zip(_ES_CASES, outputs)):
            return Feedback("fail", hint, name)
    i = next(i for i, (g, w) in enumerate(zip(outputs, wants)) if g != w)
    v, p = _ES_CASES[i]
    return Feedback("fail", f"Curve {np.round(v, 2).tolist()} with patience {p}: expected (best, stop) = {wants[i]}, "
                            f"got {outputs[i]}.")


# --- exercise 4: standardise, fitted on the training set only ------------------------------------------

def _std_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Data sets unlike the digits: features on very different scales, and a column constant on train."""
    rng = np.random.default_rng(94)
    cases = []
    for n, m, d in [(30, 12, 5), (50, 20, 8), (25, 9, 3)]:
        scales = 10.0 ** rng.uniform(-2, 3, d)
        Xtr = rng.standard_normal((n, d)) * scales + rng.uniform(-50, 50, d)
        Xo = rng.standard_normal((m, d)) * scales * 1.5 + rng.uniform(-50, 50, d)
        Xtr[:, 1] = 7.0       # constant on the training set ...
        Xo[:3, 1] = [6.0, 8.0, 9.5]  # ... but not on the other set
        cases.append((Xtr, Xo))
    return cases


def _ref_standardise(ddof: int):
    def f(Xtr, Xo):
        mu = Xtr.mean(axis=0)
        sd = Xtr.std(axis=0, ddof=ddof)
        sd = np.where(sd > 10 * np.finfo(float).eps * np.maximum(np.abs(mu), 1.0), sd, 1.0)
        return (Xtr - mu) / sd, (Xo - mu) / sd
    return f


def _std_mistake(*, fit="train", centre=True, scale="std", axis=0, guard="one"):
    def f(Xtr, Xo):
        if fit == "all":
            F = np.vstack([Xtr, Xo])
        else:
            F = Xtr
        stats = lambda A: (A.mean(axis=axis, keepdims=True), A.std(axis=axis, keepdims=True))  # noqa: E731
        mu, sd = stats(F)
        mu_o, sd_o = stats(Xo) if fit == "own" else (mu, sd)
        if axis == 1:
            mu_o, sd_o = stats(Xo)
        if scale == "var":
            sd, sd_o = sd**2, sd_o**2
        if guard == "one":
            sd, sd_o = np.where(sd > 0, sd, 1.0), np.where(sd_o > 0, sd_o, 1.0)
        elif guard == "eps":
            sd, sd_o = sd + 1e-8, sd_o + 1e-8
        if not centre:
            mu, mu_o = 0.0, 0.0
        return (Xtr - mu) / sd, (Xo - mu_o) / sd_o
    return f


def _minmax(Xtr, Xo):
    lo, hi = Xtr.min(axis=0), Xtr.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return (Xtr - lo) / span, (Xo - lo) / span


_STD_MISTAKES = [
    ("fitted on all the data", _std_mistake(fit="all"),
     "The mean and std come from the training *and* the other set together: the held-out data leaks into "
     "training. Fit on `X_train` only, then apply those numbers to both."),
    ("other set scaled by its own statistics", _std_mistake(fit="own"),
     "The other set was scaled with its own mean and std. A model trained on one scaling sees another at "
     "test time; use the *training* mean and std for both sets."),
    ("forgot to centre", _std_mistake(centre=False), "Subtract the training mean before dividing by the std."),
    ("forgot to scale", lambda Xtr, Xo: (Xtr - Xtr.mean(axis=0), Xo - Xtr.mean(axis=0)),
     "The features are centred but not divided by the training std: their scales still differ by orders of magnitude."),
    ("divided by the variance", _std_mistake(scale="var"), "Divide by the standard deviation, not the variance."),
    ("statistics per sample", _std_mistake(axis=1),
     "You normalised each *row* (a sample, axis=1). Standardise each *feature*: statistics over the samples, axis=0."),
    ("epsilon instead of 1", _std_mistake(guard="eps"),
     "Adding a tiny epsilon to the std avoids 0/0 on the training set, but a column that is constant on train "
     "and not elsewhere explodes on the other set (divided by 1e-8). Divide constant columns by 1."),
    ("min-max scaling", _minmax,
     "That is min-max scaling to [0, 1]. This exercise asks for standardisation: subtract the mean, divide by the std."),
]

_NAN_HINT = ("NaN or inf appears: a feature that is constant on the training set has std 0, and (x - mean) / 0 "
             "is 0/0 = NaN on the training set (the loss is NaN from the first step: the run cannot learn). Divide "
             "such columns by 1 instead, as scikit-learn's StandardScaler does.")


def check_standardise(fn: Callable) -> Feedback:
    """Check ``fn(X_train, X_other)`` -> ``(Z_train, Z_other)``, standardised with the training statistics.

    Both the population std (ddof = 0, NumPy's default) and the sample std (ddof = 1) pass;
    columns constant on the training set must be divided by 1.

    >>> check_standardise(lambda a, b: (Standardizer().fit(a).transform(a), Standardizer().fit(a).transform(b))).passed
    True
    >>> check_standardise(lambda a, b: ((a - a.mean(0)) / a.std(0), (b - a.mean(0)) / a.std(0))).mistake
    'std zero not handled'
    """
    what = "`standardise`"
    cases = _std_cases()
    raw = _call_all(fn, cases, what)
    if isinstance(raw, Feedback):
        return raw
    outputs = []
    for got in raw:
        pair, fb = _pair(got, what, ("Z_train", "Z_other"))
        if fb:
            return fb
        outputs.append(pair)
    for ddof in (0, 1):
        ref = _ref_standardise(ddof)
        if all(_same(g[0], w[0], 1e-9) and _same(g[1], w[1], 1e-9)
               for g, w in zip(outputs, (ref(*_copy(c)) for c in cases))):
            return Feedback("pass", f"Both sets are scaled with the training statistics on all {len(cases)} data sets "
                                    f"(std with ddof={ddof}), constant columns included.")
    if any(not np.all(np.isfinite(a)) for pair in outputs for a in pair):
        return Feedback("fail", _NAN_HINT, "std zero not handled")
    named = _match_mistakes(outputs, cases, _STD_MISTAKES, 1e-9)
    if named:
        return named
    want = _ref_standardise(0)(*_copy(cases[0]))
    g = outputs[0]
    if g[0].shape != want[0].shape or g[1].shape != want[1].shape:
        return Feedback("fail", f"Case 1: expected shapes {want[0].shape} and {want[1].shape}; got {g[0].shape} and {g[1].shape}.", "shape")
    return Feedback("fail", f"Case 1: relative difference {_rel(g[0], want[0]):.1e} on the training set and "
                            f"{_rel(g[1], want[1]):.1e} on the other set.")
