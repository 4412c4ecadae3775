#!/usr/bin/env bash
# Creates .venv (Python 3.11+) in the repository root and installs requirements.txt into it.
# Idempotent: a second run only checks that everything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -r requirements.txt
.venv/bin/python - <<'PY'
import numpy, paddle
print(f"hnas environment ready: paddle {paddle.__version__}, numpy {numpy.__version__}")
PY
