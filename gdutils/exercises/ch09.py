"""Exercises of the chapter "Training in practice, on real data".

Four exercises, each an :class:`~gdutils.exercises.Exercise`
(``ch09.softmax.check(...)``, ``.hint()``, ``.solution()``): softmax cross-entropy
forward and backward, reading a learning-rate range test, early stopping with patience,
and repairing a standardiser that divides by a zero standard deviation. The last three
are transfer exercises: their answer is not printed in the chapter.

Every checker deep-copies each case for the learner's call and again for the reference
(a function that scales in place cannot corrupt the check), reports an answer that
changes its inputs (``Z -= Z.max(...)`` on the caller's logits), accepts every correct
form (a loop or vectorised code, a float or a 0-d array), names the known mistakes, and
reports relative differences, with the tolerance, otherwise.
"""

from __future__ import annotations

import copy
import functools
import warnings
from collections.abc import Callable

import numpy as np

from ..multiclass import one_hot, softmax_cross_entropy
from ..splits import Standardizer
from ..training import early_stopping, suggest_rate
from ._core import Exercise, Feedback, _not_attempted, _raised, _returned_none
from ._core import _same as _unchanged

__all__ = [
    "softmax",
    "rate",
    "early",
    "standardise",
    "check_softmax_ce",
    "check_choose_rate",
    "check_early_stopping",
    "check_standardise",
]


def _quiet(fn: Callable, args: tuple):
    """``fn(*args)`` with NumPy's floating-point and runtime warnings silenced (an
    overflow is judged, not shown)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def _call_all(fn: Callable, cases, what: str, example: str):
    """The learner's outputs on copies of every case, or the Feedback that ends the
    check.

    ``example`` is the in-place slip this exercise invites, quoted when an input
    changes.
    """
    if fn is None or fn is Ellipsis:
        return Feedback("not attempted", f"Define {what} and run this cell again.")
    if not callable(fn):
        return Feedback(
            "fail",
            f"{what} should be a function; got a `{type(fn).__name__}`.",
            "not a function",
        )
    outs = []
    for i, case in enumerate(cases, 1):
        args = copy.deepcopy(tuple(case))
        try:
            got = _quiet(fn, args)
        except NotImplementedError:
            return _not_attempted(what)
        except Exception as exc:  # noqa: BLE001  (the learner's bug, reported rather than raised)
            return _raised(exc, what, i)
        if got is None:
            return _returned_none(what)
        if got is Ellipsis:
            return _not_attempted(what)
        changed = [
            k
            for k, (a, b) in enumerate(zip(args, case, strict=True))
            if not _unchanged(a, b)
        ]
        if changed:
            return Feedback(
                "fail",
                f"{what} changed its input number {changed[0] + 1} (test case {i}):"
                f" {example} updates the caller's array in place, and the caller still"
                " needs it. Compute into a new array (or start from a `.copy()`).",
                "mutates its input",
            )
        outs.append(got)
    return outs


def _rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return np.inf
    with np.errstate(all="ignore"):
        d = np.linalg.norm((a - b).ravel()) / max(np.linalg.norm(b.ravel()), 1e-300)
    return float(d) if np.isfinite(d) else np.inf


def _close(a, b, tol: float) -> bool:
    try:
        return _rel(a, b) <= tol
    except (TypeError, ValueError):
        return False


def _pair(got, what: str, names: tuple[str, str]):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return None, Feedback(
            "fail",
            f"{what} must return the pair `({names[0]}, {names[1]})`; got a "
            f"`{type(got).__name__}`.",
            "not a pair",
        )
    try:
        return (np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)), None
    except (TypeError, ValueError):
        return None, Feedback(
            "fail",
            f"{what} must return two numeric arrays `({names[0]}, {names[1]})`.",
            "not numbers",
        )


def _match_mistakes(outputs, cases, mistakes, tol) -> Feedback | None:
    """The first mistake that reproduces the learner's output on every case (each output
    a tuple)."""
    for name, compute, hint in mistakes:
        try:
            wants = [_quiet(compute, copy.deepcopy(tuple(c))) for c in cases]
            if all(
                all(_close(g, w, tol) for g, w in zip(got, want, strict=True))
                for got, want in zip(outputs, wants, strict=True)
            ):
                return Feedback("fail", hint, name)
        # noqa: BLE001  (a mistake model that does not apply to these cases)
        except Exception:
            continue
    return None


# --- exercise 1: softmax cross-entropy, value and gradient ----------------------------

_CE_TOL = 1e-8


def _ce_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(91)
    cases = []
    for n, K in [(5, 3), (7, 10), (6, 4)]:
        cases.append((rng.standard_normal((n, K)) * 2.0, rng.integers(0, K, n)))
    # large logits
    Z = rng.standard_normal((4, 5)) + np.array([[800.0], [-700.0], [0.0], [750.0]])
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
    (
        "sum instead of mean",
        lambda Z, y: tuple(v * len(y) for v in softmax_cross_entropy(Z, y)),
        (
            "Loss and gradient are n times too large: the loss is the mean over the"
            " batch, so divide by n (and the gradient is `(P - Y) / n`)."
        ),
    ),
    (
        "gradient without 1/n",
        lambda Z, y: (
            softmax_cross_entropy(Z, y)[0],
            softmax_cross_entropy(Z, y)[1] * len(y),
        ),
        (
            "The loss is right but the gradient is n times too large: the mean brings a"
            " factor 1/n, `dZ = (P - Y) / n`."
        ),
    ),
    (
        "averaged over classes too",
        lambda Z, y: tuple(v / Z.shape[1] for v in softmax_cross_entropy(Z, y)),
        (
            "Everything is K times too small: the loss averages over the n samples"
            " only; the sum over classes (of `Y * log(P)`) is a sum, not a mean."
        ),
    ),
    (
        "wrong sign",
        _ce_variant(sign=-1.0),
        (
            "The gradient has the wrong sign: $\\partial \\ell / \\partial z_k = p_k -"
            " [k = y]$, so `dZ = (P - Y) / n`; you returned `(Y - P) / n`."
        ),
    ),
    (
        "forgot the one-hot",
        _ce_variant(onehot=False),
        (
            "The gradient misses the `- Y` term: the label's own logit gets $p_y - 1$,"
            " the others $p_k$. Subtract 1 at `[np.arange(n), y]` (or subtract the"
            " one-hot matrix)."
        ),
    ),
    (
        "logits instead of probabilities",
        _ce_variant(probs=False),
        (
            "The gradient uses the logits Z where it needs the probabilities: `dZ ="
            " (softmax(Z) - Y) / n`."
        ),
    ),
    (
        "softmax over the wrong axis",
        _ce_variant(axis=0),
        (
            "The softmax was taken over the batch (axis 0). Each row is a sample:"
            " normalise over the classes, `axis=1`, with `keepdims=True`."
        ),
    ),
]

_OVERFLOW_HINT = (
    "Correct on moderate logits, but NaN or inf on large ones: `np.exp(800)` overflows."
    " Subtract each row's maximum before exponentiating (`Z - Z.max(axis=1,"
    " keepdims=True)`); softmax does not change, and `exp` never sees a positive"
    " argument."
)


def check_softmax_ce(fn: Callable) -> Feedback:
    """Check ``fn(Z, y)`` -> ``(loss, dZ)``: mean softmax cross-entropy and its
    gradient.

    >>> check_softmax_ce(softmax_cross_entropy).passed
    True
    >>> check_softmax_ce(
    ...     lambda Z, y: tuple(v * len(y) for v in softmax_cross_entropy(Z, y))
    ... ).mistake
    'sum instead of mean'
    """
    what = "`my_softmax_ce`"
    cases = _ce_cases()
    raw = _call_all(
        fn, cases, what, "`Z -= Z.max(axis=1, keepdims=True)` (or `np.exp(Z, out=Z)`)"
    )
    if isinstance(raw, Feedback):
        return raw
    outputs = []
    for got in raw:
        pair, fb = _pair(got, what, ("loss", "dZ"))
        if fb:
            return fb
        outputs.append(pair)
    wants = [softmax_cross_entropy(*copy.deepcopy(c)) for c in cases]
    ok = [
        _close(g[0], w[0], _CE_TOL) and _close(g[1], w[1], _CE_TOL)
        for g, w in zip(outputs, wants, strict=True)
    ]
    if all(ok):
        return Feedback(
            "pass",
            f"Loss and gradient agree with the reference on all {len(cases)} cases,"
            f" large logits included (relative tolerance {_CE_TOL:g}).",
        )
    if all(ok[:-1]) and not np.all(
        np.isfinite(np.concatenate([np.ravel(a) for a in outputs[-1]]))
    ):
        return Feedback("fail", _OVERFLOW_HINT, "overflow")
    named = _match_mistakes(outputs, cases, _CE_MISTAKES, _CE_TOL)
    if named is None:
        # the same mistake on moderate logits, plus an overflow on large ones
        named = _match_mistakes(outputs[:-1], cases[:-1], _CE_MISTAKES, _CE_TOL)
    if named:
        return named
    i = next(i for i, good in enumerate(ok) if not good)
    (gl, gz), (wl, wz) = outputs[i], wants[i]
    if gl.shape != ():
        return Feedback(
            "fail",
            f"Case {i + 1}: the loss must be one number (the mean over the batch); got"
            f" an array of shape {gl.shape}.",
            "loss not a number",
        )
    if gz.shape != wz.shape:
        return Feedback(
            "fail",
            f"Case {i + 1}: dZ must have the shape of Z, {wz.shape}; got {gz.shape}.",
            "shape",
        )
    return Feedback(
        "fail",
        f"Case {i + 1} (Z of shape {wz.shape}): relative difference {_rel(gl, wl):.1e}"
        f" in the loss and {_rel(gz, wz):.1e} in dZ (tolerance {_CE_TOL:g}). Derive"
        " $\\partial \\ell / \\partial z_k$ for one sample, then average.",
    )


softmax = Exercise(
    "ch09.softmax",
    "ch09-ex-softmax",
    check_softmax_ce,
    hints=[
        (
            "Compute the probabilities `P` first (a softmax over each row), then the"
            " loss is the mean of `-log(P[i, y[i]])` over the rows."
        ),
        (
            "Per sample, $\\partial \\ell / \\partial z_k = p_k - [k = y]$. Over a"
            " batch of n samples the mean divides everything by n: `dZ = (P - Y) / n`,"
            " with `Y` the one-hot matrix of the labels."
        ),
        (
            "Against overflow, subtract each row's maximum first: `S = Z -"
            " Z.max(axis=1, keepdims=True)`, `P = np.exp(S) / np.exp(S).sum(axis=1,"
            " keepdims=True)`. Then `dZ = P.copy()`, `dZ[np.arange(n), y] -= 1`, and"
            " return `(loss, dZ / n)`."
        ),
    ],
    solution_code="""\
def my_softmax_ce(Z, y):
    # Per image, d loss / d z_k = p_k - [k = y]; the mean over the batch divides by n.
    # Subtracting each row's maximum changes no probability and keeps exp from
    # overflowing; working with log-probabilities also avoids the log of a tiny
    # probability.
    n = len(y)
    S = Z - Z.max(axis=1, keepdims=True)
    log_p = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
    dZ = np.exp(log_p)  # the probabilities P, a new array
    dZ[np.arange(n), y] -= 1.0  # P - Y
    return -log_p[np.arange(n), y].mean(), dZ / n
""",
    check_args="my_softmax_ce",
    transfer=False,  # the chapter prints softmax_ce
)


# --- exercise 2: choose a learning rate from a range test -----------------------------

_RATE_TOL = 1e-9


def _range_curves() -> list[tuple[np.ndarray, np.ndarray]]:
    """Range-test curves of other models: a noisy dip, a late dip, a NaN tail, an inf
    tail."""
    rng = np.random.default_rng(92)
    cases = []
    for lo, hi, m, centre, tail in [
        (1e-5, 1.0, 60, -2.5, None),
        (1e-4, 10.0, 80, 0.3, np.nan),
        (1e-3, 100.0, 50, 1.2, np.inf),
        (1e-6, 1e-1, 70, -3.1, np.nan),
    ]:
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
    (
        "forgot the tenth",
        lambda r, loss: _at_min(r, loss),
        (
            "That is the rate at the minimum itself, where the loss is about to blow"
            " up; the rule takes one tenth of it."
        ),
    ),
    (
        "times ten",
        lambda r, loss: 10 * _at_min(r, loss),
        "Divide the rate at the minimum by 10, not multiply.",
    ),
    (
        "NaN not ignored",
        _nan_argmin,
        (
            "`np.argmin` returns the position of the first NaN when there is one: the"
            " diverged tail wins. Ignore non-finite losses (`np.nanargmin`, or mask"
            " them with `np.isfinite`)."
        ),
    ),
    (
        "returned the loss",
        lambda r, loss: np.nanmin(np.where(np.isfinite(loss), loss, np.nan)) / 10,
        (
            "You returned a loss, not a learning rate: find where the loss is lowest,"
            " then read the rate there."
        ),
    ),
    (
        "returned the index",
        lambda r, loss: (
            int(np.nanargmin(np.where(np.isfinite(loss), loss, np.nan))) / 10
        ),
        (
            "You divided the index of the minimum by 10: look the rate up first,"
            " `rates[i] / 10`."
        ),
    ),
    (
        "largest loss",
        lambda r, loss: (
            r[int(np.nanargmax(np.where(np.isfinite(loss), loss, np.nan)))] / 10
        ),
        "That is the rate where the loss is largest: use the minimum.",
    ),
    (
        "steepest slope",
        _steepest,
        (
            "That is the steepest-descent point of the curve, another rule of thumb;"
            " this exercise asks for one tenth of the rate at the minimum, which is"
            " easier to read and harder to fool with noise."
        ),
    ),
    (
        "first rate",
        lambda r, loss: r[0] / 10,
        "You returned the first rate of the sweep: look for the minimum of the loss.",
    ),
    (
        "last finite rate",
        lambda r, loss: r[np.flatnonzero(np.isfinite(loss))[-1]] / 10,
        (
            "That is a tenth of the last rate with a finite loss, where the run was"
            " already diverging: use the rate where the loss is lowest."
        ),
    ),
]


def check_choose_rate(fn: Callable) -> Feedback:
    """Check ``fn(rates, losses)`` -> one tenth of the rate where the (finite) loss is
    lowest.

    >>> check_choose_rate(suggest_rate).passed
    True
    >>> check_choose_rate(lambda r, loss: r[np.argmin(loss)] / 10).mistake
    'NaN not ignored'
    """
    what = "`choose_rate`"
    cases = _range_curves()
    raw = _call_all(fn, cases, what, "`losses[~np.isfinite(losses)] = np.inf`")
    if isinstance(raw, Feedback):
        return raw
    outputs = []
    for got in raw:
        if isinstance(got, (bool, np.bool_)) or np.size(got) != 1:
            return Feedback(
                "fail",
                f"{what} must return one number, the learning rate; got "
                f"`{type(got).__name__}` of shape {np.shape(got)}.",
                "not a number",
            )
        try:
            outputs.append(float(np.asarray(got, dtype=float).ravel()[0]))
        except (TypeError, ValueError):
            return Feedback(
                "fail",
                f"{what} must return one number, the learning rate; got a "
                f"`{type(got).__name__}`.",
                "not a number",
            )
    wants = [suggest_rate(*copy.deepcopy(c)) for c in cases]
    ok = [_close(g, w, _RATE_TOL) for g, w in zip(outputs, wants, strict=True)]
    if all(ok):
        return Feedback(
            "pass",
            f"Your rule picks the same rate as the reference on all {len(cases)} range"
            f" tests (relative tolerance {_RATE_TOL:g}).",
        )
    named = _match_mistakes(
        [(g,) for g in outputs],
        cases,
        [(n, _one_tuple(c), h) for n, c, h in _RATE_MISTAKES],
        _RATE_TOL,
    )
    if named:
        return named
    i = next(i for i, good in enumerate(ok) if not good)
    return Feedback(
        "fail",
        f"Range test {i + 1}: you chose {outputs[i]:.3g}, the rule gives {wants[i]:.3g}"
        f" (relative difference {_rel(outputs[i], wants[i]):.2g}; tolerance"
        f" {_RATE_TOL:g}).",
    )


@functools.lru_cache(maxsize=1)
def _chapter_data() -> dict:
    """The chapter's digits split and standardised, exactly as its cells build them."""
    from sklearn.datasets import load_digits

    import gdutils as gdu

    from ..splits import stratified_split

    digits = load_digits()
    X_all, y_all = digits.data, digits.target
    idx_train, idx_val, idx_test = stratified_split(
        y_all, (0.6, 0.2, 0.2), rng=gdu.book_rng("ch09-split")
    )
    X_train_raw, y_train = X_all[idx_train], y_all[idx_train]
    X_val_raw, y_val = X_all[idx_val], y_all[idx_val]
    scaler = Standardizer().fit(X_train_raw)
    return {
        "X_train_raw": X_train_raw,
        "y_train": y_train,
        "X_val_raw": X_val_raw,
        "y_val": y_val,
        "X_train": scaler.transform(X_train_raw),
        "X_val": scaler.transform(X_val_raw),
    }


def _standardise_context() -> dict:
    return {k: v.copy() for k, v in _chapter_data().items()}


def _range_context() -> dict:
    """The chapter's range test (``rates``, ``range_losses``) and its suggestion
    ``rate_rt``."""
    import gdutils as gdu

    from ..classifier import SoftmaxNet
    from ..training import lr_range_test

    data = _chapter_data()
    X_train, y_train = data["X_train"], data["y_train"]
    net = SoftmaxNet(
        X_train.shape[1], 32, 10, rng=gdu.book_rng("ch09-init"), output_scale=0.1
    )
    rates, range_losses = lr_range_test(
        net,
        net.get_theta(),
        (X_train, y_train),
        lr_min=1e-4,
        lr_max=10.0,
        steps=100,
        batch_size=64,
        rng=gdu.book_rng("ch09-range"),
    )
    return {
        "rates": rates,
        "range_losses": range_losses,
        "rate_rt": suggest_rate(rates, range_losses),
    }


rate = Exercise(
    "ch09.rate",
    "ch09-ex-rate",
    check_choose_rate,
    hints=[
        (
            "Two steps: find the position `i` of the lowest loss, then return `rates[i]"
            " / 10`."
        ),
        (
            "`np.argmin` stops at the first NaN (it counts as the smallest), and an"
            " `inf` tail must not count either: look only at the positions where"
            " `np.isfinite(losses)` is true."
        ),
        (
            "`finite = np.isfinite(losses)`, then `i ="
            " np.flatnonzero(finite)[np.argmin(losses[finite])]` and `return rates[i] /"
            " 10`."
        ),
    ],
    solution_code="""\
def choose_rate(rates, losses):
    # np.argmin returns the position of the first NaN when there is one, so keep only
    # the finite losses, and map the position back to the full array of rates.
    losses = np.asarray(losses, dtype=float)
    finite = np.isfinite(losses)
    i = np.flatnonzero(finite)[np.argmin(losses[finite])]
    return rates[i] / 10


assert choose_rate(rates, range_losses) == rate_rt  # the chapter's range test
""",
    check_args="choose_rate",
    context=_range_context,
    transfer=True,
)


# --- exercise 3: early stopping with patience -----------------------------------------

_ES_CASES = [
    # a dip after two bad epochs
    (
        np.array([2.0, 1.5, 1.2, 1.3, 1.25, 1.4, 1.1, 1.5, 1.6, 1.7]),
        3,
    ),
    (np.array([2.0, 1.5, 1.2, 1.3, 1.25, 1.4, 1.1, 1.5, 1.6, 1.7]), 2),
    # a tie is not an improvement
    (
        np.array([1.0, 0.9, 1.0, 1.0, 0.9, 1.0, 1.0, 1.0, 0.7]),
        3,
    ),
    (np.array([3.0, 2.0, 1.5, 1.2, 1.0, 0.9]), 2),  # never stops: last epoch
    (np.array([1.0, 1.1, 1.2, 1.3, 1.4, 0.5]), 4),  # worse from the start
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


def _es_never_stops(v, patience):
    return int(np.argmin(v)), len(v) - 1


def _es_running_min(v, patience):
    """Compares with the previous epoch instead of the best so far."""
    best, bad = 0, 0
    for k in range(1, len(v)):
        if v[k] < v[k - 1]:
            best, bad = k, 0
        else:
            bad += 1
            if bad >= patience:
                return best, k
    return best, len(v) - 1


_ES_MISTAKES = [
    (
        "patience ignored",
        lambda v, p: early_stopping(v, 1),
        (
            "You stop at the first epoch that does not improve: patience means waiting"
            " `patience` epochs in a row without a new best before stopping."
        ),
    ),
    (
        "off by one (waits one epoch too many)",
        _es_variant(offset=1),
        (
            "Off by one: you stop one epoch late. With patience p, stop at the first"
            " epoch k with `k - best >= p` (p epochs in a row without improvement)."
        ),
    ),
    (
        "off by one (stops one epoch early)",
        _es_variant(offset=-1),
        (
            "Off by one: you stop one epoch early. With patience p, stop at the first"
            " epoch k with `k - best >= p`."
        ),
    ),
    (
        "ties count as improvement",
        _es_variant(cmp="le"),
        "An epoch that only equals the best is not an improvement: use a strict `<`.",
    ),
    (
        "counter not reset",
        _es_variant(reset=False),
        (
            "Your counter of bad epochs is never reset when a new best arrives:"
            " patience counts bad epochs in a row, since the last improvement."
        ),
    ),
    (
        "best from the whole curve",
        lambda v, p: (int(np.argmin(v)), early_stopping(v, p)[1]),
        (
            "The best epoch must be the best before stopping: epochs after the stop"
            " were never trained, so `np.argmin` over the whole curve peeks into the"
            " future."
        ),
    ),
    (
        "best and stop swapped",
        lambda v, p: early_stopping(v, p)[::-1],
        "You returned `(stop, best)`: the function returns `(best, stop)`.",
    ),
    (
        "never stops",
        _es_never_stops,
        (
            "You always run to the last epoch: stop at the first epoch k where `k -"
            " best >= patience`."
        ),
    ),
    (
        "compared with the previous epoch",
        _es_running_min,
        (
            "An epoch improves when it beats the best loss so far, not just the"
            " previous epoch: compare `val_losses[k] < val_losses[best]`."
        ),
    ),
]


def _as_epoch(x) -> int | None:
    """``x`` as an epoch index (an int, or a float or 0-d array holding a whole number),
    else None."""
    if isinstance(x, (bool, np.bool_)):
        return None
    try:
        f = float(np.asarray(x).reshape(()))
    except (TypeError, ValueError):
        return None
    return int(f) if np.isfinite(f) and f == round(f) else None


def check_early_stopping(fn: Callable) -> Feedback:
    """Check ``fn(val_losses, patience)`` -> ``(best, stop)`` (see
    :func:`gdutils.training.early_stopping`).

    >>> check_early_stopping(early_stopping).passed
    True
    >>> check_early_stopping(lambda v, p: early_stopping(v, 1)).mistake
    'patience ignored'
    """
    what = "`my_early_stopping`"
    raw = _call_all(fn, _ES_CASES, what, "`val_losses[k] = ...`")
    if isinstance(raw, Feedback):
        return raw
    outputs = []
    for got in raw:
        if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != 2:
            return Feedback(
                "fail",
                f"{what} must return the pair `(best, stop)` of epoch indices; got "
                f"`{got!r}`.",
                "not a pair",
            )
        pair = (_as_epoch(got[0]), _as_epoch(got[1]))
        if None in pair:
            return Feedback(
                "fail",
                f"{what} must return two whole numbers `(best, stop)`, epoch indices;"
                f" got `{got!r}`.",
                "not whole numbers",
            )
        outputs.append(pair)
    wants = [early_stopping(*copy.deepcopy(c)) for c in _ES_CASES]
    if outputs == wants:
        return Feedback(
            "pass",
            f"Best and stopping epochs agree on all {len(wants)} validation curves.",
        )
    for name, compute, hint in _ES_MISTAKES:
        if all(
            tuple(int(a) for a in compute(*copy.deepcopy(c))) == g
            for c, g in zip(_ES_CASES, outputs, strict=True)
        ):
            return Feedback("fail", hint, name)
    i = next(i for i, (g, w) in enumerate(zip(outputs, wants, strict=True)) if g != w)
    v, p = _ES_CASES[i]
    return Feedback(
        "fail",
        f"Curve `{np.round(v, 2).tolist()}` with patience {p}: expected `(best, stop) ="
        f" {wants[i]}`, got `{outputs[i]}`.",
    )


early = Exercise(
    "ch09.early",
    "ch09-ex-early",
    check_early_stopping,
    hints=[
        (
            "Walk through the epochs once, keeping the index `best` of the lowest loss"
            " so far; the number of epochs since the last improvement is then `k -"
            " best`."
        ),
        (
            "An epoch improves only if `val_losses[k] < val_losses[best]` (strictly: a"
            " tie is not an improvement). Otherwise, stop as soon as `k - best >="
            " patience`."
        ),
        (
            "`best = 0`; for `k` in `range(1, len(val_losses))`: if it improves, `best"
            " = k`; elif `k - best >= patience`: `return best, k`. After the loop,"
            " `return best, len(val_losses) - 1`."
        ),
    ],
    solution_code="""\
def my_early_stopping(val_losses, patience):
    # Keep the index of the best epoch so far; the epochs since it are k - best.
    # A tie is not an improvement, and epochs after the stop never influence best.
    best = 0
    for k in range(1, len(val_losses)):
        if val_losses[k] < val_losses[best]:
            best = k
        elif k - best >= patience:
            return best, k
    return best, len(val_losses) - 1


# the tie at epoch 3 does not count
assert my_early_stopping([3.0, 2.0, 2.5, 2.0, 2.6, 1.0], 3) == (
    1,
    4,
)
""",
    check_args="my_early_stopping",
    transfer=True,
)


# --- exercise 4: standardise, fitted on the training set only -------------------------

_STD_TOL = 1e-9


def _std_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Data sets unlike the digits: features on very different scales, and a column
    constant on train."""
    rng = np.random.default_rng(94)
    cases = []
    for n, m, d in [(30, 12, 5), (50, 20, 8), (25, 9, 3)]:
        scales = 10.0 ** rng.uniform(-2, 3, d)
        Xtr = rng.standard_normal((n, d)) * scales + rng.uniform(-50, 50, d)
        Xo = rng.standard_normal((m, d)) * scales * 1.5 + rng.uniform(-50, 50, d)
        Xtr[:, 1] = 7.0  # constant on the training set ...
        Xo[:3, 1] = [6.0, 8.0, 9.5]  # ... but not on the other set
        cases.append((Xtr, Xo))
    return cases


def _ref_standardise(ddof: int):
    def f(Xtr, Xo):
        mu = Xtr.mean(axis=0)
        sd = Xtr.std(axis=0, ddof=ddof)
        sd = np.where(
            sd > 10 * np.finfo(float).eps * np.maximum(np.abs(mu), 1.0), sd, 1.0
        )
        return (Xtr - mu) / sd, (Xo - mu) / sd

    return f


def _one_tuple(c):
    """Wrap a function so that it returns its value as a 1-tuple."""
    return lambda *a: (c(*a),)


def _std_mistake(*, fit="train", centre=True, scale="std", axis=0, guard="one"):
    def f(Xtr, Xo):
        if fit == "all":
            F = np.vstack([Xtr, Xo])
        else:
            F = Xtr

        def stats(A):
            return A.mean(axis=axis, keepdims=True), A.std(axis=axis, keepdims=True)

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
    (
        "fitted on all the data",
        _std_mistake(fit="all"),
        (
            "The mean and std come from the training and the other set together: the"
            " held-out data leaks into training. Fit on `X_train` only, then apply"
            " those numbers to both."
        ),
    ),
    (
        "other set scaled by its own statistics",
        _std_mistake(fit="own"),
        (
            "The other set was scaled with its own mean and std. A model trained on one"
            " scaling sees another at test time; use the training mean and std for both"
            " sets."
        ),
    ),
    (
        "forgot to centre",
        _std_mistake(centre=False),
        "Subtract the training mean before dividing by the std.",
    ),
    (
        "forgot to scale",
        lambda Xtr, Xo: (Xtr - Xtr.mean(axis=0), Xo - Xtr.mean(axis=0)),
        (
            "The features are centred but not divided by the training std: their scales"
            " still differ by orders of magnitude."
        ),
    ),
    (
        "divided by the variance",
        _std_mistake(scale="var"),
        "Divide by the standard deviation, not the variance.",
    ),
    (
        "statistics per sample",
        _std_mistake(axis=1),
        (
            "You normalised each row (a sample, `axis=1`). Standardise each feature:"
            " statistics over the samples, `axis=0`."
        ),
    ),
    (
        "epsilon instead of 1",
        _std_mistake(guard="eps"),
        (
            "Adding a tiny epsilon to the std avoids 0/0 on the training set, but a"
            " column that is constant on train and not elsewhere explodes on the other"
            " set (divided by `1e-8`). Divide constant columns by 1."
        ),
    ),
    (
        "min-max scaling",
        _minmax,
        (
            "That is min-max scaling to [0, 1]. This exercise asks for standardisation:"
            " subtract the mean, divide by the std."
        ),
    ),
]

_NAN_HINT = (
    "NaN or inf appears: a feature that is constant on the training set has std 0, and"
    " `(x - mean) / 0` is `0/0 = nan` on the training set (the loss is NaN from the"
    " first step: the run cannot learn). Divide such columns by 1 instead, as"
    " scikit-learn's `StandardScaler` does."
)


def check_standardise(fn: Callable) -> Feedback:
    """Check ``fn(X_train, X_other)`` -> ``(Z_train, Z_other)``, standardised with the
    training statistics.

    Both the population std (ddof = 0, NumPy's default) and the sample std (ddof = 1)
    pass; columns constant on the training set must be divided by 1.

    >>> check_standardise(
    ...     lambda a, b: (
    ...         Standardizer().fit(a).transform(a),
    ...         Standardizer().fit(a).transform(b),
    ...     )
    ... ).passed
    True
    >>> check_standardise(
    ...     lambda a, b: ((a - a.mean(0)) / a.std(0), (b - a.mean(0)) / a.std(0))
    ... ).mistake
    'std zero not handled'
    """
    what = "`standardise`"
    cases = _std_cases()
    raw = _call_all(fn, cases, what, "`X_train -= mu`")
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
        if all(
            _close(g[0], w[0], _STD_TOL) and _close(g[1], w[1], _STD_TOL)
            for g, w in zip(
                outputs, (ref(*copy.deepcopy(c)) for c in cases), strict=True
            )
        ):
            return Feedback(
                "pass",
                f"Both sets are scaled with the training statistics on all {len(cases)}"
                f" data sets (std with `ddof={ddof}`), constant columns included"
                f" (relative tolerance {_STD_TOL:g}).",
            )
    if any(not np.all(np.isfinite(a)) for pair in outputs for a in pair):
        return Feedback("fail", _NAN_HINT, "std zero not handled")
    named = _match_mistakes(outputs, cases, _STD_MISTAKES, _STD_TOL)
    if named:
        return named
    want = _ref_standardise(0)(*copy.deepcopy(cases[0]))
    g = outputs[0]
    if g[0].shape != want[0].shape or g[1].shape != want[1].shape:
        return Feedback(
            "fail",
            f"Case 1: expected shapes {want[0].shape} and {want[1].shape}; got"
            f" {g[0].shape} and {g[1].shape}.",
            "shape",
        )
    return Feedback(
        "fail",
        f"Case 1: relative difference {_rel(g[0], want[0]):.1e} on the training set and"
        f" {_rel(g[1], want[1]):.1e} on the other set (tolerance {_STD_TOL:g}).",
    )


standardise = Exercise(
    "ch09.standardise",
    "ch09-ex-standardise",
    check_standardise,
    hints=[
        (
            "Run `standardise_buggy` on a small array with one constant column and look"
            " at that column: what is its standard deviation, and what is `0/0`?"
        ),
        (
            "Compute `mu` and `sd` on `X_train` only (over the samples, `axis=0`) and"
            " use those same two vectors for both sets; where `sd == 0`, divide by 1"
            " instead."
        ),
        (
            "`sd = np.where(sd > 0, sd, 1.0)`, then `return (X_train - mu) / sd,"
            " (X_other - mu) / sd`."
        ),
    ],
    solution_code="""\
def standardise(X_train, X_other):
    # Pixels blank in every training image have std 0, and 0/0 is NaN: divide them by 1
    # (as scikit-learn's StandardScaler does). A tiny epsilon instead would hide the NaN
    # on the training set but blow up any image with ink there.
    mu, sd = X_train.mean(axis=0), X_train.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return (X_train - mu) / sd, (X_other - mu) / sd


Z_train, Z_val = standardise(X_train_raw, X_val_raw)
# what Standardizer gave
assert np.allclose(Z_train, X_train) and np.allclose(
    Z_val, X_val
)
""",
    check_args="standardise",
    context=_standardise_context,
    transfer=True,
)
