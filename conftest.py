"""Puts the repository root on sys.path so tests import hnas, paddleslim_ext and utils."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
