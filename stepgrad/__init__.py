"""The ``stepgrad`` command: worked examples, training, drawings and derivation checks."""
