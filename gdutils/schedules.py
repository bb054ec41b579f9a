"""Learning-rate schedules: pure functions from the update index k = 0, 1, 2, ... to a rate.

Each schedule is a small frozen object (no state changes when it is called), so the
same schedule gives the same rate for the same step, in any order, in any run.

>>> s = step_decay(0.5, factor=0.5, every=10)
>>> s(0), s(9), s(10), s(25)
(0.5, 0.5, 0.25, 0.125)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._validation import as_positive

__all__ = ["constant", "step_decay", "inverse_time", "cosine", "as_schedule"]


def _check_step(k) -> int:
    if isinstance(k, bool) or not float(k).is_integer() or k < 0:
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
    """rate * factor ** (k // every): multiply the rate by ``factor`` every ``every`` steps.

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
            raise ValueError(f"factor must be in (0, 1] for a decay; got {self.factor!r}.")
        as_positive(self.every, "every (the period in steps)", integer=True)

    def __call__(self, k: int) -> float:
        return float(self.rate * self.factor ** (_check_step(k) // self.every))


@dataclass(frozen=True)
class inverse_time:
    """rate / (1 + decay * k): the 1/t schedule. Its sum diverges, its squares' sum converges.

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
class cosine:
    """Cosine annealing from ``rate`` at k = 0 to ``final`` at k = ``total_steps`` (and after).

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
            raise ValueError(f"final must not exceed rate; got final={self.final!r} > rate={self.rate!r}.")

    def __call__(self, k: int) -> float:
        t = min(_check_step(k), self.total_steps) / self.total_steps
        return float(self.final + (self.rate - self.final) * 0.5 * (1.0 + math.cos(math.pi * t)))


def as_schedule(learning_rate):
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
