"""Exceptions raised by the grouping engine (kept apart so callers can import them cheaply)."""


class GroupingError(Exception):
    """Base class for every error the grouping engine raises on purpose."""


class Infeasible(GroupingError):
    """No grouping satisfies the hard constraints.

    The message says which necessary condition failed (or that construction
    failed after the stated effort), so an admin can fix the input.
    """


class InputError(GroupingError, ValueError):
    """Malformed input: a bad file, an unknown column, an out-of-range index."""
