"""The exercises of "Training in practice, on real data": the mistake zoo of every
exercise (right answers in other valid forms pass, plausible wrong ones fail with their
named mistake), stubs are "not attempted", a forgotten `return` is "no return", and
every worked solution passes.
"""

import numpy as np
import pytest
import zoo
from scipy.special import log_softmax, logsumexp

from gdutils.exercises import ch09
from gdutils.multiclass import softmax_cross_entropy
from gdutils.splits import Standardizer
from gdutils.training import early_stopping, suggest_rate

EXERCISES = [ch09.softmax, ch09.rate, ch09.early, ch09.standardise]
IDS = [ex.name for ex in EXERCISES]


def _stub(*args):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_stub_is_not_attempted_and_none_is_no_return(ex):
    assert ex.check(_stub).status == "not attempted"
    fb = ex.check(lambda *a: None)
    assert fb.status == "fail" and fb.mistake == "no return", str(fb)


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_an_exception_is_reported_not_raised(ex):
    def broken(*args):
        raise ZeroDivisionError("oops")

    fb = ex.check(broken)
    assert (
        fb.status == "fail"
        and "ZeroDivisionError" in fb.message
        and fb.mistake == "raised an exception"
    )
    assert ex.check(3.0).mistake == "not a function"


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_solution_passes_and_hints_render(ex):
    assert ex.run_solution().passed
    assert len(ex.hints) >= 2
    for hint in ex.hints:
        zoo.assert_markdown_safe(hint)


def test_transfer_exercises():
    assert [ex.name for ex in EXERCISES if ex.transfer] == [
        "ch09.rate",
        "ch09.early",
        "ch09.standardise",
    ]


# --- exercise 1: softmax cross-entropy ------------------------------------------------


def _ce_loop(Z, y):
    n, K = Z.shape
    loss, dZ = 0.0, np.zeros_like(Z)
    for i in range(n):
        z = Z[i] - Z[i].max()
        p = np.exp(z) / np.exp(z).sum()
        loss += -np.log(p[y[i]])
        p[y[i]] -= 1.0
        dZ[i] = p / n
    return loss / n, dZ


def _ce_in_place_on_a_copy(Z, y):
    Z = Z.copy()  # the caller's logits stay as they were
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(Z[np.arange(n), y]))
    Z[np.arange(n), y] -= 1.0
    return np.float64(loss), Z / n


def _ce_scipy(Z, y):
    logp = log_softmax(Z, axis=1)
    Y = np.eye(Z.shape[1])[y]
    return -np.mean(logp[np.arange(len(y)), y]), (np.exp(logp) - Y) / len(y)


def _ce_logsumexp(Z, y):
    n = len(y)
    lse = logsumexp(Z, axis=1)
    return [
        float(np.mean(lse - Z[np.arange(n), y])),
        (np.exp(Z - lse[:, None]) - np.eye(Z.shape[1])[y]) / n,
    ]


def _ce_bug(kind):
    def f(Z, y):
        n, K = Z.shape
        Y = np.eye(K)[y]
        if kind == "overflow":
            P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        elif kind == "axis0":
            S = Z - Z.max(axis=0, keepdims=True)
            P = np.exp(S) / np.exp(S).sum(axis=0, keepdims=True)
        elif kind == "in_place":
            Z -= Z.max(axis=1, keepdims=True)  # shifts the caller's logits
            P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        else:
            S = Z - Z.max(axis=1, keepdims=True)
            P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
        loss = -np.sum(Y * np.log(P)) / n
        grad = (P - Y) / n
        if kind == "sum":
            return loss * n, grad * n
        if kind == "grad_sum":
            return loss, P - Y
        if kind == "mean_all":
            return -np.mean(Y * np.log(P)), (P - Y) / (n * K)
        if kind == "sign":
            return loss, (Y - P) / n
        if kind == "no_onehot":
            return loss, P / n
        if kind == "logits":
            return loss, (Z - Y) / n
        if kind == "grad_only":
            return grad
        if kind == "loss_per_sample":
            return -np.log(P[np.arange(n), y]), grad
        return loss, grad

    return f


def _ce_sum_overflow(Z, y):
    n, K = Z.shape
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.sum(np.log(P[np.arange(n), y])), P - np.eye(K)[y]


def test_softmax_zoo():
    zoo.judge(
        ch09.softmax.check,
        right=[
            softmax_cross_entropy,
            _ce_loop,
            _ce_in_place_on_a_copy,
            _ce_scipy,
            _ce_logsumexp,
        ],
        wrong=[
            (_ce_bug("sum"), "sum instead of mean"),
            (_ce_bug("grad_sum"), "gradient without 1/n"),
            (_ce_bug("mean_all"), "averaged over classes too"),
            (_ce_bug("sign"), "wrong sign"),
            (_ce_bug("no_onehot"), "forgot the one-hot"),
            (_ce_bug("logits"), "logits instead of probabilities"),
            (_ce_bug("axis0"), "softmax over the wrong axis"),
            (_ce_bug("overflow"), "overflow"),
            # the mistake is named despite the overflow
            (
                _ce_sum_overflow,
                "sum instead of mean",
            ),
            (_ce_bug("in_place"), "mutates its input"),
            (_ce_bug("grad_only"), "not a pair"),
            (_ce_bug("loss_per_sample"), "loss not a number"),
            (
                lambda Z, y: (
                    softmax_cross_entropy(Z, y)[0] + 0.1,
                    softmax_cross_entropy(Z, y)[1],
                ),
                None,
            ),
            (
                lambda Z, y: (
                    softmax_cross_entropy(Z, y)[0],
                    softmax_cross_entropy(Z, y)[1].T,
                ),
                "shape",
            ),
        ],
    )


def test_softmax_unknown_mistake_reports_relative_differences():
    fb = ch09.softmax.check(
        lambda Z, y: (
            softmax_cross_entropy(Z, y)[0] + 0.1,
            softmax_cross_entropy(Z, y)[1],
        )
    )
    assert (
        fb.mistake is None
        and "relative difference" in fb.message
        and "tolerance" in fb.message
    )


# --- exercise 2: choose a rate --------------------------------------------------------


def _rate_loop(rates, losses):
    best_i = None
    for i, v in enumerate(losses):
        if np.isfinite(v) and (best_i is None or v < losses[best_i]):
            best_i = i
    return rates[best_i] / 10


def _rate_masked(rates, losses):
    losses = np.asarray(losses, dtype=float)
    ok = np.isfinite(losses)
    return np.array(rates[ok][np.argmin(losses[ok])] / 10)  # a 0-d array is fine


def _rate_inf_copy(rates, losses):
    # a new array: the caller's stays
    clean = np.where(np.isfinite(losses), losses, np.inf)
    return float(rates[np.argmin(clean)] * 0.1)


def _rate_in_place(rates, losses):
    losses[~np.isfinite(losses)] = np.inf  # overwrites the caller's curve
    return rates[np.argmin(losses)] / 10


def _nanmin_index(losses):
    return int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan)))


def test_rate_zoo():
    zoo.judge(
        ch09.rate.check,
        right=[suggest_rate, _rate_loop, _rate_masked, _rate_inf_copy],
        wrong=[
            (lambda r, loss: r[_nanmin_index(loss)], "forgot the tenth"),
            (lambda r, loss: r[_nanmin_index(loss)] * 10, "times ten"),
            (lambda r, loss: r[np.argmin(loss)] / 10, "NaN not ignored"),
            (
                lambda r, loss: (
                    np.nanmin(np.where(np.isfinite(loss), loss, np.nan)) / 10
                ),
                "returned the loss",
            ),
            (lambda r, loss: _nanmin_index(loss) / 10, "returned the index"),
            (
                lambda r, loss: (
                    r[np.nanargmax(np.where(np.isfinite(loss), loss, np.nan))] / 10
                ),
                "largest loss",
            ),
            (
                lambda r, loss: r[
                    np.nanargmin(np.diff(np.where(np.isfinite(loss), loss, np.nan)))
                ],
                "steepest slope",
            ),
            (lambda r, loss: r[0] / 10, "first rate"),
            (lambda r, loss: r[np.isfinite(loss)][-1] / 10, "last finite rate"),
            (_rate_in_place, "mutates its input"),
            (lambda r, loss: r / 10, "not a number"),
            (lambda r, loss: 1.234, None),
            # off by one in the index
            (
                lambda r, loss: r[_nanmin_index(loss) + 1] / 10,
                None,
            ),
        ],
    )


# --- exercise 3: early stopping -------------------------------------------------------


def _es_counter(v, patience):
    best, wait = 0, 0
    for k in range(1, len(v)):
        if v[k] < v[best]:
            best, wait = k, 0
        else:
            wait += 1
            if wait == patience:
                return best, k
    return best, len(v) - 1


def _es_vectorised(v, patience):
    v = np.asarray(v)
    running = np.minimum.accumulate(v)
    improved = np.r_[True, v[1:] < running[:-1]]
    last_best = np.maximum.accumulate(np.where(improved, np.arange(len(v)), 0))
    stop = np.flatnonzero(np.arange(len(v)) - last_best >= patience)
    k = int(stop[0]) if stop.size else len(v) - 1
    return np.array([last_best[k], k])


def _es_floats(v, patience):
    best, stop = early_stopping(v, patience)
    return [float(best), np.float64(stop)]  # whole numbers as floats are fine


def _es_bug(kind):
    def f(v, patience):
        best, wait = 0, 0
        for k in range(1, len(v)):
            better = v[k] <= v[best] if kind == "ties" else v[k] < v[best]
            if better:
                best = k
                wait = wait if kind == "no_reset" else 0
            else:
                wait += 1
            limit = {"late": patience + 1, "early": patience - 1, "ignored": 1}.get(
                kind, patience
            )
            if wait >= limit and kind != "never":
                if kind == "swap":
                    return k, best
                if kind == "peek":
                    return int(np.argmin(v)), k
                return best, k
        if kind in ("peek", "never"):
            return int(np.argmin(v)), len(v) - 1
        return (len(v) - 1, best) if kind == "swap" else (best, len(v) - 1)

    return f


def _es_previous(v, patience):
    best, wait = 0, 0
    for k in range(1, len(v)):
        if v[k] < v[k - 1]:
            best, wait = k, 0
        else:
            wait += 1
            if wait >= patience:
                return best, k
    return best, len(v) - 1


def test_early_zoo():
    zoo.judge(
        ch09.early.check,
        right=[early_stopping, _es_counter, _es_vectorised, _es_floats],
        wrong=[
            (_es_bug("ignored"), "patience ignored"),
            (_es_bug("late"), "off by one (waits one epoch too many)"),
            (_es_bug("early"), "off by one (stops one epoch early)"),
            (_es_bug("ties"), "ties count as improvement"),
            (_es_bug("no_reset"), "counter not reset"),
            (_es_bug("peek"), "best from the whole curve"),
            (_es_bug("swap"), "best and stop swapped"),
            (_es_bug("never"), "never stops"),
            (_es_previous, "compared with the previous epoch"),
            (lambda v, p: early_stopping(v, p)[1], "not a pair"),
            (
                lambda v, p: (early_stopping(v, p)[0] + 0.5, early_stopping(v, p)[1]),
                "not whole numbers",
            ),
            (lambda v, p: (early_stopping(v, p)[0], early_stopping(v, p)[1] + 1), None),
        ],
    )


# --- exercise 4: standardise ----------------------------------------------------------


def _std_ref(a, b):
    s = Standardizer().fit(a)
    return s.transform(a), s.transform(b)


def _std_ddof1(a, b):
    mu, sd = a.mean(axis=0), a.std(axis=0, ddof=1)
    sd[sd == 0] = 1.0
    return (a - mu) / sd, (b - mu) / sd


def _std_in_place_on_copies(a, b):
    a, b = a.copy(), b.copy()
    mu, sd = a.mean(axis=0), a.std(axis=0)
    sd = np.where(sd == 0, 1.0, sd)
    a -= mu
    a /= sd
    b -= mu
    b /= sd
    return a, b


def _std_in_place(a, b):
    mu, sd = a.mean(axis=0), a.std(axis=0)
    sd = np.where(sd == 0, 1.0, sd)
    a -= mu  # changes the caller's raw data
    a /= sd
    return a, (b - mu) / sd


def _guarded(sd):
    return np.where(sd == 0, 1.0, sd)


def _fit_all(a, b):
    F = np.vstack([a, b])
    return (a - F.mean(0)) / _guarded(F.std(0)), (b - F.mean(0)) / _guarded(F.std(0))


def test_standardise_zoo():
    zoo.judge(
        ch09.standardise.check,
        right=[
            _std_ref,
            _std_ddof1,
            _std_in_place_on_copies,
            lambda a, b: tuple(
                (Z - a.mean(0)) / np.where(a.std(0) > 0, a.std(0), 1) for Z in (a, b)
            ),
        ],
        wrong=[
            (
                lambda a, b: ((a - a.mean(0)) / a.std(0), (b - a.mean(0)) / a.std(0)),
                "std zero not handled",
            ),
            (_fit_all, "fitted on all the data"),
            (
                lambda a, b: (_std_ref(a, a)[0], _std_ref(b, b)[0]),
                "other set scaled by its own statistics",
            ),
            (
                lambda a, b: (a / _guarded(a.std(0)), b / _guarded(a.std(0))),
                "forgot to centre",
            ),
            (lambda a, b: (a - a.mean(0), b - a.mean(0)), "forgot to scale"),
            (
                lambda a, b: (
                    (a - a.mean(0)) / _guarded(a.var(0)),
                    (b - a.mean(0)) / _guarded(a.var(0)),
                ),
                "divided by the variance",
            ),
            (
                lambda a, b: (
                    (a - a.mean(1, keepdims=True)) / a.std(1, keepdims=True),
                    (b - b.mean(1, keepdims=True)) / b.std(1, keepdims=True),
                ),
                "statistics per sample",
            ),
            (
                lambda a, b: (
                    (a - a.mean(0)) / (a.std(0) + 1e-8),
                    (b - a.mean(0)) / (a.std(0) + 1e-8),
                ),
                "epsilon instead of 1",
            ),
            (
                lambda a, b: (
                    (a - a.min(0)) / _guarded(a.max(0) - a.min(0)),
                    (b - a.min(0)) / _guarded(a.max(0) - a.min(0)),
                ),
                "min-max scaling",
            ),
            (_std_in_place, "mutates its input"),
            (lambda a, b: _std_ref(a, b)[0], "not a pair"),
            (lambda a, b: (_std_ref(a, b)[0] * 2, _std_ref(a, b)[1]), None),
            (lambda a, b: (_std_ref(a, b)[0], _std_ref(a, b)[1][:, :-1]), "shape"),
        ],
    )
