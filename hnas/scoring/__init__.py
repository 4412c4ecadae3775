"""Scoring many subnets of one trained supernet: cached images, per-subnet BN
recalibration, resumable and sharded result files, and their merge."""
