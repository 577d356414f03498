"""Argument types of the ``stepgrad`` command: each checks one argument and says what was wrong."""

import argparse
import unicodedata

__all__ = ["positive_int", "positive_float", "parse_assignments"]


def positive_int(text):
    """argparse type: an integer ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def positive_float(text):
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not 0.0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def parse_assignments(items):
    """``["w=0.5", "x=1"]`` → ``{"w": 0.5, "x": 1.0}``; a ValueError names the bad item."""
    values = {}
    for item in items:
        name, sep, number = item.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())
        if not sep or not name:
            raise ValueError(f"--set: expected NAME=NUMBER, got {item!r}")
        if not name.isidentifier():
            raise ValueError(f"--set {item!r}: {name!r} is not a valid name")
        try:
            x = float(number)
        except ValueError:
            raise ValueError(f"--set {item!r}: {number.strip()!r} is not a number") from None
        if x != x or x in (float("inf"), float("-inf")):
            raise ValueError(f"--set {item!r}: the value must be finite")
        if name in values:
            raise ValueError(f"--set: {name} is given twice")
        values[name] = x
    return values
