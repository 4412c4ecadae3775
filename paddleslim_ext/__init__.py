"""Elastic layers and the supernet base class, written for Paddle 3 (PaddleSlim 2.6 does
not run there).  Each elastic layer owns the largest weights and runs a leading slice."""
from .elastic_conv import ElasticConv2D
from .elastic_batchnorm import ElasticBatchNorm2D
from .elastic_linear import ElasticLinear
from .supernet import ElasticSupernet

__all__ = ["ElasticConv2D", "ElasticBatchNorm2D", "ElasticLinear", "ElasticSupernet"]
