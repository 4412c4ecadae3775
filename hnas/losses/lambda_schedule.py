"""Weight of the pairwise rank loss by epoch (DESIGN §4)."""
import math

# Breakpoints of the multistage schedule, as fractions of the run (the original's 70 epochs).
_MULTISTAGE = (5 / 70, 20 / 70, 50 / 70)

LAMBDA_SCHEDULES = ("constant", "warmup", "cosine", "multistage")


def lambda_schedule(kind: str, lambda_max: float, epoch: float, total_epochs: float) -> float:
    """lambda for `epoch` (0-based, may be fractional) of a `total_epochs`-epoch run.

    constant: lambda_max; warmup: min(lambda_max, epoch / 10) (the original final recipe);
    cosine: lambda_max * sin(pi * 0.8 * epoch / E); multistage: 0 until 5/70 of E, linear up
    to lambda_max at 20/70, held until 50/70, linear down to 0 at the end."""
    if total_epochs <= 0:
        raise ValueError(f"lambda_schedule: total_epochs must be positive, got {total_epochs}")
    if epoch < 0:
        raise ValueError(f"lambda_schedule: epoch must be non-negative, got {epoch}")
    if kind == "constant":
        return float(lambda_max)
    if kind == "warmup":
        return float(min(lambda_max, epoch / 10))
    if kind == "cosine":
        return float(lambda_max * math.sin(math.pi * 0.8 * epoch / total_epochs))
    if kind == "multistage":
        return float(lambda_max * _multistage_fraction(epoch / total_epochs))
    raise ValueError(f"unknown lambda schedule {kind!r} (choose from {', '.join(LAMBDA_SCHEDULES)})")


def _multistage_fraction(progress: float) -> float:
    start, full, hold_end = _MULTISTAGE
    if progress <= start:
        return 0.0
    if progress < full:
        return (progress - start) / (full - start)
    if progress <= hold_end:
        return 1.0
    return max(0.0, (1.0 - progress) / (1.0 - hold_end))
