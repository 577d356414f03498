"""The ``stepgrad`` command: worked examples, training, drawings and derivation checks."""

__version__ = "0.1.0"
