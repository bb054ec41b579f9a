"""How fast is gdutils' optimizer compared with plain NumPy and scikit-learn?

Run ``make bench`` (or ``python benchmarks/bench.py``); ``--quick`` runs tiny sizes
(the test suite uses it to check that the tables come out, never the numbers).

Prints five tables, measured in one run on this machine:

1. the cost of one epoch of ``minibatch_gd`` (``losses.mse``, ``losses.mse_grad``) in
   full-gradient passes of plain NumPy, for b in {1, 32, 256, 4096}, with the default
   random reshuffling (a new permutation every epoch) and with ``shuffle="once"``;
   an epoch's cost is the difference between a 3-epoch and a 1-epoch run, halved, so
   the per-run setup (validation, final gradient) is not counted. For b = 1 the
   table also gives the microseconds per update and the Python overhead per update
   (that time minus the arithmetic, measured as one fused NumPy gradient per row);
2. ``mse_grad`` (validation included) against the plain NumPy gradient;
3. the time to reach the noise floor (training MSE within 1 % of the least-squares
   MSE) with ``minibatch_gd`` at b = 256 and with scikit-learn's ``SGDRegressor``,
   each with the best of a few learning rates and the fewest epochs that reach it;
4. the peak memory (tracemalloc) of a run for each ``keep`` option.

Every time is the best of ``--repeat`` runs: a shared machine only adds time.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np

from gdutils import losses, minibatch_gd


def best_time(fn, repeat: int) -> float:
    """The fastest of ``repeat`` calls of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_gradient(theta, X, y):
    """The MSE gradient as one writes it in NumPy, without a design-matrix copy."""
    d = X.shape[1]
    r = X @ theta[:d] + theta[d] - y
    return np.append(X.T @ r, r.sum()) * (2 / len(y))


def make_data(n: int, d: int, seed: int = 0):
    """Gaussian features, random weights, unit noise: the noise floor is about 1."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.5 + rng.standard_normal(n)
    return X, y


def run(X, y, b, epochs, shuffle=True, keep="none", lr=0.01):
    return minibatch_gd(
        losses.mse,
        np.zeros(X.shape[1] + 1),
        (X, y),
        losses.mse_grad,
        batch_size=b,
        learning_rate=lr,
        epochs=epochs,
        rng=0,
        shuffle=shuffle,
        keep=keep,
    )


def epoch_ratio(X, y, b, shuffle, repeat) -> tuple[float, float, float]:
    """(epoch seconds, pass seconds, their ratio): the median over ``repeat`` rounds of
    the marginal cost of an epoch, (3-epoch run - 1-epoch run) / 2, divided by the
    plain NumPy gradient pass timed in the same round (a shared machine's load changes
    from second to second; a ratio of neighbours is steadier than two bests)."""
    lr = 0.001 if b == 1 else 0.01
    theta = np.zeros(X.shape[1] + 1)
    rounds = []
    for _ in range(repeat):
        pass_s = best_time(lambda: plain_gradient(theta, X, y), 3)
        three = best_time(lambda: run(X, y, b, 3, shuffle, lr=lr), 2)
        one = best_time(lambda: run(X, y, b, 1, shuffle, lr=lr), 2)
        pass_s = min(pass_s, best_time(lambda: plain_gradient(theta, X, y), 3))
        epoch_s = max(three - one, 0.0) / 2
        rounds.append((epoch_s / pass_s, epoch_s, pass_s))
    ratio, epoch_s, pass_s = sorted(rounds)[len(rounds) // 2]
    return epoch_s, pass_s, ratio


def table(title: str, header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [f"\n## {title}\n", line + " |"]
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        cells = zip(row, widths, strict=True)
        out.append("| " + " | ".join(str(c).ljust(w) for c, w in cells) + " |")
    return "\n".join(out)


def epoch_table(n, d, repeat, n_sgd) -> str:
    X, y = make_data(n, d)
    rows = []
    for b in (1, 32, 256, 4096):
        Xb, yb = (X[:n_sgd], y[:n_sgd]) if b == 1 else (X, y)  # b = 1 on a subset
        b = min(b, len(yb))
        for shuffle in (True, "once"):
            epoch_s, pass_s, ratio = epoch_ratio(Xb, yb, b, shuffle, repeat)
            per_update = epoch_s / -(-len(yb) // b) * 1e6
            rows.append(
                [
                    str(b),
                    "reshuffle" if shuffle is True else "once",
                    f"{len(yb):,}",
                    f"{epoch_s * 1e3:.1f}",
                    f"{pass_s * 1e3:.2f}",
                    f"{ratio:.2f}",
                    f"{per_update:.2f}",
                    f"{pass_s / len(yb) * 1e6:.3f}",
                ]
            )
    return table(
        f"1. One epoch of minibatch_gd in full-gradient passes of NumPy (d = {d})",
        [
            "b",
            "shuffle",
            "n",
            "epoch ms",
            "pass ms",
            "epoch / pass",
            "us / update",
            "pass us / sample",
        ],
        rows,
    )


def floor_of_a_reshuffle(n, d, repeat, b=256) -> str:
    """What an epoch with a fresh random order costs before any arithmetic, in passes:
    drawing the permutation (``Generator.permutation``, as ``minibatch_gd`` draws it),
    and gathering the epoch's batches of rows of X and y in that order into a reused
    buffer (``np.take``, what the fast path does), against the same gather in storage
    order and the plain pass. Each ratio is the median over ``repeat`` rounds of
    neighbouring measurements."""
    X, y = make_data(n, d)
    theta = np.zeros(d + 1)
    gen = np.random.default_rng(0)
    order = gen.permutation(n)
    Xf, yf = np.empty((b, d)), np.empty(b)

    def gather(idx_all):
        for start in range(0, n - b + 1, b):
            idx = idx_all[start : start + b]
            np.take(X, idx, axis=0, out=Xf, mode="clip")
            np.take(y, idx, out=yf, mode="clip")

    parts = {
        "draw the permutation of n": lambda: gen.permutation(n),
        f"gather the batches (b = {b}) in that order": lambda: gather(order),
        f"gather the batches (b = {b}) in storage order": lambda: gather(np.arange(n)),
    }
    rounds = {name: [] for name in parts}
    for _ in range(repeat):
        for name, fn in parts.items():
            pass_s = best_time(lambda: plain_gradient(theta, X, y), 3)
            rounds[name].append((best_time(fn, 3) / pass_s, pass_s))
    rows = []
    for name, values in rounds.items():
        ratio, pass_s = sorted(values)[len(values) // 2]
        rows.append([name, f"{ratio * pass_s * 1e3:.2f}", f"{ratio:.2f}"])
    return table(
        "1b. The floor of a reshuffled epoch before any arithmetic,"
        f" n = {n:,}, d = {d}",
        ["step", "ms", "/ full pass"],
        rows,
    )


def grad_table(n, d, repeat) -> str:
    X, y = make_data(n, d)
    theta = np.random.default_rng(1).standard_normal(d + 1)
    np.testing.assert_allclose(
        losses.mse_grad(theta, X, y), plain_gradient(theta, X, y), rtol=1e-9
    )
    reps = max(repeat, 5)
    ours = best_time(lambda: losses.mse_grad(theta, X, y), reps)
    plain = best_time(lambda: plain_gradient(theta, X, y), reps)
    A = np.column_stack([X, np.ones(n)])
    design = best_time(lambda: 2 / n * A.T @ (A @ theta - y), reps)
    rows = [
        [
            "gdu.mse_grad (validates X, y, theta)",
            f"{ours * 1e3:.1f}",
            f"{ours / plain:.2f}",
        ],
        ["plain NumPy, X @ w + b", f"{plain * 1e3:.1f}", "1.00"],
        [
            "plain NumPy, design matrix [X, 1] built once",
            f"{design * 1e3:.1f}",
            f"{design / plain:.2f}",
        ],
    ]
    return table(
        f"2. Full-data MSE gradient, n = {n:,}, d = {d}",
        ["gradient", "ms", "/ plain"],
        rows,
    )


def floor_table(n, d, repeat) -> str:
    from sklearn.linear_model import SGDRegressor

    X, y = make_data(n, d, seed=2)
    A = np.column_stack([X, np.ones(n)])
    exact, *_ = np.linalg.lstsq(A, y, rcond=None)
    floor = losses.mse(exact, X, y)
    target = 1.01 * floor

    def ours(lr, epochs):
        return run(X, y, min(256, n), epochs, lr=lr).fun

    def sk(params, epochs):
        model = SGDRegressor(
            penalty=None, tol=None, max_iter=epochs, random_state=0, **params
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        return losses.mse(np.append(model.coef_, model.intercept_), X, y)

    def fastest(fn, settings, max_epochs=30):
        best = None
        for setting in settings:
            for epochs in range(1, max_epochs + 1):
                if fn(setting, epochs) <= target:
                    sec = best_time(lambda s=setting, e=epochs: fn(s, e), repeat)
                    if best is None or sec < best[0]:
                        best = (sec, setting, epochs)
                    break
        return best

    mine = fastest(ours, [0.02, 0.05, 0.1, 0.2])
    theirs = fastest(
        sk,
        [
            {},  # scikit-learn's default: invscaling, eta0 = 0.01
            {"learning_rate": "constant", "eta0": 0.001},
            {"learning_rate": "constant", "eta0": 0.003},
            {"learning_rate": "constant", "eta0": 0.01},
        ],
    )
    rows = []
    for name, found in (
        ("gdu.minibatch_gd, b = 256", mine),
        ("sklearn SGDRegressor (b = 1, compiled)", theirs),
    ):
        if found is None:
            rows.append([name, "not reached in 30 epochs", "", "", ""])
        else:
            sec, setting, epochs = found
            rows.append(
                [name, str(setting or "default"), str(epochs), f"{sec * 1e3:.1f}", ""]
            )
    if mine and theirs:
        rows[0][4] = f"{mine[0] / theirs[0]:.2f}"
        rows[1][4] = "1.00"
    return table(
        f"3. Time to the noise floor (MSE within 1 % of least squares {floor:.4f}),"
        f" n = {n:,}, d = {d}",
        ["method", "learning rate", "epochs", "ms", "/ sklearn"],
        rows,
    )


def memory_table(n, d, n_sgd) -> str:
    X, y = make_data(n, d)
    rows = []
    for b, m in ((256, n), (1, n_sgd)):
        for keep in ("all", "epoch", "none"):
            tracemalloc.start()
            res = run(
                X[:m], y[:m], min(b, m), 2, keep=keep, lr=0.001 if b == 1 else 0.01
            )
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rows.append(
                [
                    str(b),
                    f"{m:,}",
                    keep,
                    str(res.trajectory.shape),
                    f"{peak / 2**20:.1f}",
                    f"{X[:m].nbytes / 2**20:.1f}",
                ]
            )
    return table(
        "4. Peak memory of a 2-epoch run (tracemalloc; X itself not counted)",
        ["b", "n", "keep", "trajectory", "peak MiB", "X MiB"],
        rows,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=20)
    parser.add_argument("--n-floor", type=int, default=200_000)
    parser.add_argument("--n-sgd", type=int, default=50_000, help="rows for b = 1")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (tests)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.n_floor, args.n_sgd, args.repeat, args.d = 5000, 2000, 500, 1, 5
    import os

    import sklearn

    import gdutils

    print(
        f"# gdutils benchmark: numpy {np.__version__}, scikit-learn"
        f" {sklearn.__version__}, gdutils from {gdutils.__file__}; load average"
        f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(epoch_table(args.n, args.d, args.repeat, args.n_sgd))
    print(floor_of_a_reshuffle(args.n, args.d, args.repeat))
    print(grad_table(args.n, args.d, args.repeat))
    print(floor_table(args.n_floor, args.d, args.repeat))
    print(memory_table(args.n, args.d, args.n_sgd))


if __name__ == "__main__":
    main()
