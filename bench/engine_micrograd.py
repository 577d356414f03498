"""micrograd 0.1.0's adapter: its ``Value``, whose parents are the set ``_prev``."""

from micrograd.engine import Value

from .value_engine import ValueEngine

__all__ = ["ENGINE"]

ENGINE = ValueEngine("micrograd", Value, parents=lambda node: node._prev)
