"""Training-free priors that score an architecture from its code alone.

`PRIORS` maps a name to a factory; `make_prior(name, **options)` returns a callable
`score(arch_or_code) -> float` (larger means "expected to be more accurate").  The rank
loss, the prior scorer CLI and the benchmarks all go through this registry, so adding a
prior is one entry here.
"""
from __future__ import annotations

from typing import Callable

from hnas.flops import count_flops_params
from hnas.search_space import as_arch
from hnas.zenscore import zenscore_prior

COUNT_OPTIONS = ("input_size", "num_classes", "width_mult", "small_input", "activation")


def _count_prior(index: int, name: str):
    """Factory for an analytic count (0: FLOPs, 1: params) of the stand-alone network."""

    def factory(**options) -> Callable:
        unknown = set(options) - set(COUNT_OPTIONS)
        if unknown:
            raise ValueError(f"prior {name!r} got unknown option(s) {sorted(unknown)} "
                             f"(known: {', '.join(COUNT_OPTIONS)})")

        def score(arch, key=None) -> float:
            return float(count_flops_params(as_arch(arch, key), **options)[index])

        score.__name__ = f"{name}_prior"
        return score

    return factory


PRIORS: dict[str, Callable[..., Callable]] = {
    "flops": _count_prior(0, "flops"),
    "params": _count_prior(1, "params"),
    "zenscore": zenscore_prior,
}


def make_prior(name: str, **options) -> Callable:
    """A scoring function for the prior `name`; options go to its factory."""
    if name not in PRIORS:
        raise ValueError(f"unknown prior {name!r} (choose from {', '.join(sorted(PRIORS))})")
    return PRIORS[name](**options)
