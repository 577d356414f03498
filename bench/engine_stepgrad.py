"""stepgrad's adapter: its ``Value``, whose parents are a tuple."""

from autodiff import Value

from .value_engine import ValueEngine

__all__ = ["ENGINE"]

ENGINE = ValueEngine("stepgrad", Value, parents=lambda node: node.parents)
