"""Trace once, replay on numpy arrays: the engine's only numpy user."""

from .tape import Tape, TraceError, trace

__all__ = ["trace", "Tape", "TraceError"]
