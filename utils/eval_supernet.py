"""Score every code of a submission on a trained supernet; see `hnas/evaluate.py` or --help."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.evaluate import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
