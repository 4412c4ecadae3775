"""Training losses (DESIGN §4): label CE, in-place and external distillation, AlphaNet's
adaptive alpha-divergence, the pairwise rank loss with its lambda schedule and pair draw."""
from hnas.losses.alpha_divergence import alpha_divergence
from hnas.losses.classification import cross_entropy
from hnas.losses.distillation import kd_loss, soft_cross_entropy
from hnas.losses.lambda_schedule import LAMBDA_SCHEDULES, lambda_schedule
from hnas.losses.rank_loss import RankPairError, pairwise_rank_loss, pick_rank_pairs

__all__ = ["cross_entropy", "soft_cross_entropy", "kd_loss", "alpha_divergence", "pairwise_rank_loss",
           "pick_rank_pairs", "RankPairError", "lambda_schedule", "LAMBDA_SCHEDULES"]
