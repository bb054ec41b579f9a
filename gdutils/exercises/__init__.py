"""Exercise checkers, one module per chapter: ``from gdutils.exercises import ch01``."""

from ._core import Feedback, Mistake, check_function, check_value

__all__ = ["Feedback", "Mistake", "check_function", "check_value"]
