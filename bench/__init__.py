"""The benchmark: stepgrad against micrograd and plain floats (run ``python bench/run.py``)."""
