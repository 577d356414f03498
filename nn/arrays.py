"""numpy arrays in and out: arrays of labelled Values, and their data or grad as float arrays.

numpy is imported when one of these functions is first called, not with ``autodiff``: it
takes most of the time of ``import autodiff`` and the engine does not need it.
"""

from collections.abc import Sequence
from typing import Any

from autodiff import Value

__all__ = ["as_values", "data_of", "grad_of"]


def as_values(array: object, label: "str | None" = None, as_list: bool = False) -> Any:
    """A Value for every number of ``array``, in an object ndarray of the same shape (typed Any:
    numpy is imported only when this is called, and nested lists have no precise type).

    With ``label="W"`` the Values are labelled by their index: ``W[0,1]`` (``W`` alone for a
    0-d array). ``as_list=True`` returns nested lists instead. numpy arithmetic on the object
    array works elementwise: ``W @ x`` builds a graph of Values.

    >>> W = as_values([[1.0, 2.0], [3.0, 4.0]], label="W")
    >>> W[0, 1]
    Value(label='W[0,1]', data=2.0, grad=0.0, op='leaf')
    """
    import numpy as np
    if label is not None and not isinstance(label, str):
        raise TypeError(f"as_values: label must be a str or None, got {type(label).__name__}")
    try:
        numbers = np.asarray(array)
    except ValueError as error:
        raise ValueError(f"as_values: not a rectangular array of numbers ({error})") from None
    if numbers.dtype.kind not in "biuf":
        raise TypeError(f"as_values: expected an array of real numbers, got dtype {numbers.dtype}"
                        f" from {type(array).__name__}")
    values = np.empty(numbers.shape, dtype=object)
    for index in np.ndindex(numbers.shape):
        name = None if label is None else label + (f"[{','.join(map(str, index))}]" if index else "")
        values[index] = Value(numbers[index], label=name)
    return values.tolist() if as_list else values


def data_of(values: "Sequence | Any") -> Any:
    """The ``data`` of an array (object ndarray, nested lists or tuples) of Values, as floats."""
    return _read(values, "data", "data_of")


def grad_of(values: "Sequence | Any") -> Any:
    """The ``grad`` of an array (object ndarray, nested lists or tuples) of Values, as floats."""
    return _read(values, "grad", "grad_of")


def _read(values, field, where):
    import numpy as np
    nodes = np.array(values, dtype=object)
    result = np.empty(nodes.shape, dtype=float)
    for index in np.ndindex(nodes.shape):
        node = nodes[index]
        if type(node) is not Value:
            what = ("a list (are the nested lists ragged?)" if isinstance(node, list)
                    else f"{type(node).__name__} {node!r:.40}")
            raise TypeError(f"{where}: element {list(index)} is {what}, not a Value")
        result[index] = getattr(node, field)
    return result
