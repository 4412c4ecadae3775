"""Multi-rank helpers: who we are, the DataParallel wrapper subnets need, and the few
collectives the trainer runs itself (a failure flag, BN running statistics).

Every helper is a no-op in a single-rank run, so the trainer has one code path.
"""
from __future__ import annotations

from dataclasses import dataclass

import paddle
import paddle.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int
    size: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def current_world() -> World:
    """Rank and world size from the launcher's environment (1 rank without a launcher)."""
    env = dist.ParallelEnv()
    return World(rank=env.rank, size=max(1, env.world_size))


def ensure_parallel_env(world: World) -> None:
    """Initialise the process group once (gloo on CPU, NCCL on GPU) in a multi-rank run."""
    if world.size > 1 and not dist.is_initialized():
        dist.init_parallel_env()


def wrap_data_parallel(network: paddle.nn.Layer, world: World):
    """`paddle.DataParallel` that tolerates parameters a subnet does not use.

    hapi's own wrapper uses `find_unused_parameters=False`, which fails as soon as a subnet
    skips a block.  With True the reducer walks each step's backward graph and still
    averages every gradient that exists, including ones accumulated earlier in the step.
    """
    if world.size <= 1:
        return None
    return paddle.DataParallel(network, find_unused_parameters=True)


def any_rank_true(flag: bool, world: World) -> bool:
    """True when `flag` is set on at least one rank (a single all-reduce of one int)."""
    if world.size <= 1:
        return bool(flag)
    value = paddle.to_tensor([1 if flag else 0], dtype="int32")
    dist.all_reduce(value, op=dist.ReduceOp.SUM)
    return value.item() > 0


def average_bn_statistics(network: paddle.nn.Layer, world: World) -> None:
    """Average BN running mean/variance over ranks, in place.

    DataParallel averages gradients only; each rank's running statistics drift apart
    (CPU has no SyncBatchNorm), so they are averaged before anything is saved.
    """
    if world.size <= 1:
        return
    with paddle.no_grad():
        for name, tensor in network.state_dict().items():
            if name.endswith("._mean") or name.endswith("._variance"):
                total = tensor.clone()
                dist.all_reduce(total, op=dist.ReduceOp.SUM)
                tensor.set_value(total / world.size)


def barrier(world: World) -> None:
    if world.size > 1:
        dist.barrier()
