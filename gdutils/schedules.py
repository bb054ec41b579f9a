"""Learning-rate schedules: pure functions from the update index k = 0, 1, 2, ... to a
rate.

Each schedule is a small frozen object (no state changes when it is called), so the
same schedule gives the same rate for the same step, in any order, in any run.

>>> s = step_decay(0.5, factor=0.5, every=10)
>>> s(0), s(9), s(10), s(25)
(0.5, 0.5, 0.25, 0.125)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validation import as_positive

__all__ = [
    "constant",
    "step_decay",
    "inverse_time",
    "power_decay",
    "cosine",
    "as_schedule",
    "partial_sums",
    "RobbinsMonro",
    "robbins_monro",
]


def _check_step(k) -> int:
    if isinstance(k, np.ndarray) and k.ndim == 0:
        k = k.item()
    if (
        isinstance(k, (bool, np.bool_))
        or not isinstance(k, numbers.Real)
        or not math.isfinite(k)
        or not float(k).is_integer()
        or k < 0
    ):
        raise ValueError(f"the step k must be an integer >= 0; got {k!r}.")
    return int(k)


@dataclass(frozen=True)
class constant:
    """The same rate at every step.

    >>> constant(0.1)(1000)
    0.1
    """

    rate: float

    def __post_init__(self):
        as_positive(self.rate, "rate")

    def __call__(self, k: int) -> float:
        _check_step(k)
        return float(self.rate)


@dataclass(frozen=True)
class step_decay:
    """rate * factor ** (k // every): multiply the rate by ``factor`` every ``every``
    steps.

    >>> step_decay(1.0, factor=0.1, every=2)(4)
    0.010000000000000002
    """

    rate: float
    factor: float = 0.5
    every: int = 10

    def __post_init__(self):
        as_positive(self.rate, "rate")
        as_positive(self.factor, "factor")
        if self.factor > 1:
            raise ValueError(
                f"factor must be in (0, 1] for a decay; got {self.factor!r}."
            )
        as_positive(self.every, "every (the period in steps)", integer=True)

    def __call__(self, k: int) -> float:
        return float(self.rate * self.factor ** (_check_step(k) // self.every))


@dataclass(frozen=True)
class inverse_time:
    """rate / (1 + decay * k): the 1/t schedule. Its sum diverges, its squares' sum
    converges.

    >>> inverse_time(1.0, decay=1.0)(3)
    0.25
    """

    rate: float
    decay: float = 1.0

    def __post_init__(self):
        as_positive(self.rate, "rate")
        as_positive(self.decay, "decay", allow_zero=True)

    def __call__(self, k: int) -> float:
        return float(self.rate / (1.0 + self.decay * _check_step(k)))


@dataclass(frozen=True)
class power_decay:
    """rate / (1 + decay * k) ** power: a polynomial decay (``power=1`` is the 1/t
    schedule).

    It satisfies the Robbins–Monro conditions exactly when 1/2 < power <= 1.

    >>> power_decay(1.0, power=0.5, decay=1.0)(3)
    0.5
    """

    rate: float
    power: float = 1.0
    decay: float = 1.0

    def __post_init__(self):
        as_positive(self.rate, "rate")
        as_positive(self.power, "power (the exponent of the decay)")
        as_positive(self.decay, "decay", allow_zero=True)

    def __call__(self, k: int) -> float:
        return float(self.rate / (1.0 + self.decay * _check_step(k)) ** self.power)


@dataclass(frozen=True)
class cosine:
    """Cosine annealing from ``rate`` at k = 0 to ``final`` at k = ``total_steps`` (and
    after).

    >>> cosine(1.0, total_steps=10)(5)
    0.5
    """

    rate: float
    total_steps: int
    final: float = 0.0

    def __post_init__(self):
        as_positive(self.rate, "rate")
        as_positive(self.total_steps, "total_steps", integer=True)
        as_positive(self.final, "final", allow_zero=True)
        if self.final > self.rate:
            raise ValueError(
                f"final must not exceed rate; got final={self.final!r} >"
                f" rate={self.rate!r}."
            )

    def __call__(self, k: int) -> float:
        t = min(_check_step(k), self.total_steps) / self.total_steps
        return float(
            self.final + (self.rate - self.final) * 0.5 * (1.0 + math.cos(math.pi * t))
        )


def as_schedule(
    learning_rate: float | Callable[[int], float],
) -> Callable[[int], float]:
    """A schedule from a positive number (constant rate) or a callable step -> rate.

    >>> as_schedule(0.1)(7)
    0.1
    """
    if callable(learning_rate):
        first = learning_rate(0)
        as_positive(first, "learning_rate(0)")
        return learning_rate
    as_positive(learning_rate, "learning_rate")
    return constant(learning_rate)


def partial_sums(
    schedule: Callable[[int], float], steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Running sums of the rates and of their squares over steps k = 0 .. steps - 1.

    The Robbins–Monro conditions ask the first to grow without bound and the second to
    stay bounded.

    >>> s1, s2 = partial_sums(constant(0.5), 4)
    >>> s1, s2
    (array([0.5, 1. , 1.5, 2. ]), array([0.25, 0.5 , 0.75, 1.  ]))
    """
    as_positive(steps, "steps", integer=True)
    rates = np.array([schedule(k) for k in range(steps)], dtype=float)
    if rates.shape != (steps,) or not np.all(np.isfinite(rates)) or np.any(rates < 0):
        raise ValueError(
            "schedule(k) must return a finite number >= 0 for every step k."
        )
    return np.cumsum(rates), np.cumsum(rates**2)


class RobbinsMonro(NamedTuple):
    """Verdict of :func:`robbins_monro`: the tail exponent p (rate ~ k^-p) and the two
    conditions.

    >>> RobbinsMonro(1.0, True, True).satisfied
    True
    """

    exponent: float
    sum_diverges: bool
    squares_converge: bool

    @property
    def satisfied(self) -> bool:
        return self.sum_diverges and self.squares_converge


def robbins_monro(
    schedule: Callable[[int], float], *, tol: float = 0.01
) -> RobbinsMonro:
    """Check the Robbins–Monro conditions sum(rate) = inf and sum(rate^2) < inf
    numerically.

    The schedule's tail is taken to be a power law rate(k) ~ c k^-p; p is estimated
    from the rates at k = 10^9 and 10^12 (a rate that has reached 0 decays faster than
    any power: p = inf). Then sum(rate) diverges iff p <= 1 and sum(rate^2) converges
    iff p > 1/2; ``tol`` absorbs rounding in the estimate of p. Tails that are not power
    laws (k^-1 / log k, say) are outside what this test can decide.

    >>> robbins_monro(inverse_time(0.1, decay=0.01)).satisfied
    True
    >>> robbins_monro(constant(0.1))            # the squares add up without bound
    RobbinsMonro(exponent=0.0, sum_diverges=True, squares_converge=False)
    >>> # geometric: a finite total
    >>> robbins_monro(step_decay(0.5, 0.5, 10)).sum_diverges
    False
    """
    if not callable(schedule):
        raise ValueError(
            "schedule must be a callable k -> rate (e.g. gdu.inverse_time(0.1)); got"
            f" {schedule!r}."
        )
    as_positive(tol, "tol")
    ks = (10**9, 10**12)
    rates = []
    for k in ks:
        r = schedule(k)
        if isinstance(r, bool) or not isinstance(
            r, (int, float, np.floating, np.integer)
        ):
            raise ValueError(f"schedule(k) must return a number; got {r!r} at k = {k}.")
        r = float(r)
        if not math.isfinite(r) or r < 0:
            raise ValueError(
                f"schedule(k) must return a finite rate >= 0; got {r!r} at k = {k}."
            )
        rates.append(r)
    if rates[1] == 0.0:
        p = math.inf
    elif rates[0] == 0.0:
        raise ValueError(
            "schedule(k) is 0 at k = 10^9 but positive later; expected a decaying rate."
        )
    else:
        p = -math.log(rates[1] / rates[0]) / math.log(ks[1] / ks[0])
        p = round(p, 6) + 0.0  # 0.999999999 -> 1.0, -0.0 -> 0.0
    return RobbinsMonro(p, p <= 1 + tol, 2 * p > 1 + tol)
