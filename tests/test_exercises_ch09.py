"""Checkers of the chapter "Training in practice, on real data": right answers pass, stubs are
"not attempted", and every known mistake in the zoo is named."""

import numpy as np
import pytest
from scipy.special import log_softmax, logsumexp

from gdutils.exercises import ch09
from gdutils.multiclass import softmax_cross_entropy
from gdutils.splits import Standardizer
from gdutils.training import early_stopping, suggest_rate


def _stub(*args):
    raise NotImplementedError("your code here")


CHECKERS = [ch09.check_softmax_ce, ch09.check_choose_rate, ch09.check_early_stopping, ch09.check_standardise]


@pytest.mark.parametrize("checker", CHECKERS)
def test_stub_is_not_attempted(checker):
    assert checker(_stub).status == "not attempted"
    assert checker(lambda *a: None).status == "not attempted"


@pytest.mark.parametrize("checker", CHECKERS)
def test_an_exception_is_reported_not_raised(checker):
    def broken(*args):
        raise ZeroDivisionError("oops")

    fb = checker(broken)
    assert fb.status == "fail" and "ZeroDivisionError" in fb.message


# --- exercise 1: softmax cross-entropy ---------------------------------------------------------------

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


def _ce_in_place(Z, y):
    Z -= Z.max(axis=1, keepdims=True)        # modifies the caller's array: the checker copies
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
    return [float(np.mean(lse - Z[np.arange(n), y])), (np.exp(Z - lse[:, None]) - np.eye(Z.shape[1])[y]) / n]


@pytest.mark.parametrize("fn", [softmax_cross_entropy, _ce_loop, _ce_in_place, _ce_scipy, _ce_logsumexp])
def test_softmax_ce_right_answers(fn):
    fb = ch09.check_softmax_ce(fn)
    assert fb.passed, str(fb)


def _ce_bug(kind):
    def f(Z, y):
        n, K = Z.shape
        Y = np.eye(K)[y]
        if kind == "overflow":
            P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        elif kind == "axis0":
            S = Z - Z.max(axis=0, keepdims=True)
            P = np.exp(S) / np.exp(S).sum(axis=0, keepdims=True)
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
        return loss, grad
    return f


@pytest.mark.parametrize("kind, mistake", [
    ("sum", "sum instead of mean"),
    ("grad_sum", "gradient without 1/n"),
    ("mean_all", "averaged over classes too"),
    ("sign", "wrong sign"),
    ("no_onehot", "forgot the one-hot"),
    ("logits", "logits instead of probabilities"),
    ("axis0", "softmax over the wrong axis"),
    ("overflow", "overflow"),
])
def test_softmax_ce_mistakes_are_named(kind, mistake):
    fb = ch09.check_softmax_ce(_ce_bug(kind))
    assert fb.status == "fail" and fb.mistake == mistake, str(fb)


def test_softmax_ce_unknown_mistake_reports_relative_differences():
    fb = ch09.check_softmax_ce(lambda Z, y: (softmax_cross_entropy(Z, y)[0] + 0.1, softmax_cross_entropy(Z, y)[1]))
    assert fb.status == "fail" and fb.mistake is None and "relative difference" in fb.message
    assert ch09.check_softmax_ce(lambda Z, y: softmax_cross_entropy(Z, y)[1]).status == "fail"


# --- exercise 2: choose a rate ------------------------------------------------------------------------

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


@pytest.mark.parametrize("fn", [suggest_rate, _rate_loop, _rate_masked])
def test_choose_rate_right_answers(fn):
    fb = ch09.check_choose_rate(fn)
    assert fb.passed, str(fb)


def _nanmin_index(losses):
    return int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan)))


@pytest.mark.parametrize("fn, mistake", [
    (lambda r, loss: r[_nanmin_index(loss)], "forgot the tenth"),
    (lambda r, loss: r[_nanmin_index(loss)] * 10, "times ten"),
    (lambda r, loss: r[np.argmin(loss)] / 10, "NaN not ignored"),
    (lambda r, loss: np.nanmin(np.where(np.isfinite(loss), loss, np.nan)) / 10, "returned the loss"),
    (lambda r, loss: _nanmin_index(loss) / 10, "returned the index"),
    (lambda r, loss: r[np.nanargmax(np.where(np.isfinite(loss), loss, np.nan))] / 10, "largest loss"),
    (lambda r, loss: r[np.nanargmin(np.diff(np.where(np.isfinite(loss), loss, np.nan)))], "steepest slope"),
    (lambda r, loss: r[0] / 10, "first rate"),
])
def test_choose_rate_mistakes_are_named(fn, mistake):
    fb = ch09.check_choose_rate(fn)
    assert fb.status == "fail" and fb.mistake == mistake, str(fb)


def test_choose_rate_wrong_type_and_unknown():
    assert "one number" in ch09.check_choose_rate(lambda r, loss: r).message
    fb = ch09.check_choose_rate(lambda r, loss: 1.234)
    assert fb.mistake is None and "relative difference" in fb.message


# --- exercise 3: early stopping -------------------------------------------------------------------------

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


@pytest.mark.parametrize("fn", [early_stopping, _es_counter, _es_vectorised])
def test_early_stopping_right_answers(fn):
    fb = ch09.check_early_stopping(fn)
    assert fb.passed, str(fb)


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
            limit = {"late": patience + 1, "early": patience - 1, "ignored": 1}.get(kind, patience)
            if wait >= limit:
                if kind == "swap":
                    return k, best
                if kind == "peek":
                    return int(np.argmin(v)), k
                return best, k
        if kind == "peek":
            return int(np.argmin(v)), len(v) - 1
        return (len(v) - 1, best) if kind == "swap" else (best, len(v) - 1)
    return f


@pytest.mark.parametrize("kind, mistake", [
    ("ignored", "patience ignored"),
    ("late", "off by one (waits one epoch too many)"),
    ("early", "off by one (stops one epoch early)"),
    ("ties", "ties count as improvement"),
    ("no_reset", "counter not reset"),
    ("peek", "best from the whole curve"),
    ("swap", "best and stop swapped"),
])
def test_early_stopping_mistakes_are_named(kind, mistake):
    fb = ch09.check_early_stopping(_es_bug(kind))
    assert fb.status == "fail" and fb.mistake == mistake, str(fb)


def test_early_stopping_wrong_return():
    assert "pair" in ch09.check_early_stopping(lambda v, p: 3).message


# --- exercise 4: standardise -------------------------------------------------------------------------------

def _std_ref(a, b):
    s = Standardizer().fit(a)
    return s.transform(a), s.transform(b)


def _std_ddof1(a, b):
    mu, sd = a.mean(axis=0), a.std(axis=0, ddof=1)
    sd[sd == 0] = 1.0
    return (a - mu) / sd, (b - mu) / sd


def _std_in_place(a, b):
    mu, sd = a.mean(axis=0), a.std(axis=0)
    sd = np.where(sd == 0, 1.0, sd)
    a -= mu
    a /= sd
    b -= mu
    b /= sd
    return a, b


@pytest.mark.parametrize("fn", [_std_ref, _std_ddof1, _std_in_place])
def test_standardise_right_answers(fn):
    fb = ch09.check_standardise(fn)
    assert fb.passed, str(fb)


def _guarded(sd):
    return np.where(sd == 0, 1.0, sd)


@pytest.mark.parametrize("fn, mistake", [
    (lambda a, b: ((a - a.mean(0)) / a.std(0), (b - a.mean(0)) / a.std(0)), "std zero not handled"),
    (lambda a, b: _std_ref(np.vstack([a, b]), b)[1:] and
     ((a - np.vstack([a, b]).mean(0)) / _guarded(np.vstack([a, b]).std(0)),
      (b - np.vstack([a, b]).mean(0)) / _guarded(np.vstack([a, b]).std(0))), "fitted on all the data"),
    (lambda a, b: (_std_ref(a, a)[0], _std_ref(b, b)[0]), "other set scaled by its own statistics"),
    (lambda a, b: (a / _guarded(a.std(0)), b / _guarded(a.std(0))), "forgot to centre"),
    (lambda a, b: (a - a.mean(0), b - a.mean(0)), "forgot to scale"),
    (lambda a, b: ((a - a.mean(0)) / _guarded(a.var(0)), (b - a.mean(0)) / _guarded(a.var(0))), "divided by the variance"),
    (lambda a, b: ((a - a.mean(1, keepdims=True)) / a.std(1, keepdims=True),
                   (b - b.mean(1, keepdims=True)) / b.std(1, keepdims=True)), "statistics per sample"),
    (lambda a, b: ((a - a.mean(0)) / (a.std(0) + 1e-8), (b - a.mean(0)) / (a.std(0) + 1e-8)), "epsilon instead of 1"),
    (lambda a, b: ((a - a.min(0)) / _guarded(a.max(0) - a.min(0)), (b - a.min(0)) / _guarded(a.max(0) - a.min(0))),
     "min-max scaling"),
])
def test_standardise_mistakes_are_named(fn, mistake):
    fb = ch09.check_standardise(fn)
    assert fb.status == "fail" and fb.mistake == mistake, str(fb)


def test_standardise_unknown_mistake_and_wrong_return():
    fb = ch09.check_standardise(lambda a, b: (_std_ref(a, b)[0] * 2, _std_ref(a, b)[1]))
    assert fb.mistake is None and "relative difference" in fb.message
    assert "pair" in ch09.check_standardise(lambda a, b: a).message
