"""Losses built from Value ops."""

__all__ = ["squared_error"]


def squared_error(outputs, targets):
    """The lecture's E = ½ Σ_d Σ_k (t_kd − o_kd)².

    ``outputs`` and ``targets`` are one example's lists, or lists of such lists (one per example).
    """
    if outputs and isinstance(outputs[0], (list, tuple)):
        if len(outputs) != len(targets):
            raise ValueError(f"{len(outputs)} outputs for {len(targets)} targets")
        return sum((squared_error(o, t) for o, t in zip(outputs, targets)), 0.0) if outputs else 0.0
    if len(outputs) != len(targets):
        raise ValueError(f"{len(outputs)} outputs for {len(targets)} targets")
    return 0.5 * sum((t - o) ** 2 for o, t in zip(outputs, targets))
