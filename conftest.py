"""Test-session setup: the repository root on sys.path, and Paddle's fast CPU settings
(oneDNN, one OpenMP thread per core) before anything imports Paddle."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("FLAGS_use_onednn", "1")
os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
