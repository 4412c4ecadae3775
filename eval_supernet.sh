#!/usr/bin/env bash
# Score every code of a submission on a trained supernet.
#   bash eval_supernet.sh [JSON] [--checkpoint RUN_DIR|FILE] [--out FILE] [key=value ...]
# NPROC=2 bash eval_supernet.sh ...      -> 2 CPU ranks via paddle.distributed.launch
# GPUS=0,1,2,3 bash eval_supernet.sh ... -> one rank per GPU
# Rank r scores shard r/world; rank 0 merges them into the output file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="python"
if [ -x "$here/.venv/bin/python" ]; then python="$here/.venv/bin/python"; fi
export FLAGS_use_onednn="${FLAGS_use_onednn:-1}"
ranks="${NPROC:-1}"
# One OpenMP thread per core, shared between the CPU ranks.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(( $(nproc) / ranks > 0 ? $(nproc) / ranks : 1 ))}"
log_dir="${LOG_DIR:-logs/eval_supernet}"
script="$here/utils/eval_supernet.py"
if [ -n "${GPUS:-}" ]; then
    exec "$python" -m paddle.distributed.launch --log_dir "$log_dir" --gpus "$GPUS" "$script" "$@"
elif [ -n "${NPROC:-}" ] && [ "${NPROC}" -gt 1 ]; then
    exec "$python" -m paddle.distributed.launch --log_dir "$log_dir" --nproc_per_node "$NPROC" "$script" "$@"
else
    exec "$python" "$script" "$@"
fi
