#!/usr/bin/env bash
# Train a supernet.
#   bash train_supernet.sh                      # the CPU demo (configs/demo.yaml)
#   bash train_supernet.sh --config sandwich_rank_flops --image_dir /data/ILSVRC2012
#   bash train_supernet.sh --config demo train.epochs=1 loss.rank.prior=flops
#   NPROC=2 bash train_supernet.sh ...          # two CPU ranks (gloo)
#   GPUS=0,1,2,3 bash train_supernet.sh ...     # one rank per listed GPU
# Multi-rank runs keep each rank's output in logs/launch/workerlog.N (LAUNCH_LOGS=dir).
# Arguments go to hnas/train.py (--config FILE, the original toolkit's flags such as
# --backbone --lr --batch_size --max_epoch --resume, and dotted key=value overrides).
set -euo pipefail
cd "$(dirname "$0")"

if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
if [[ $# -eq 0 ]]; then set -- --config configs/demo.yaml; fi

if [[ -n "${GPUS:-}" ]]; then
    RANKS=$(awk -F, '{print NF}' <<< "$GPUS")
elif [[ -n "${NPROC:-}" ]]; then
    RANKS=$NPROC
else
    RANKS=1
fi
CORES=$(nproc)
export FLAGS_use_onednn="${FLAGS_use_onednn:-1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(( CORES / RANKS > 0 ? CORES / RANKS : 1 ))}"
LAUNCH_LOGS="${LAUNCH_LOGS:-logs/launch}"   # per-rank worker logs of multi-rank runs

if [[ -n "${GPUS:-}" ]]; then
    exec "$PYTHON" -m paddle.distributed.launch --log_dir "$LAUNCH_LOGS" --devices "$GPUS" hnas/train.py "$@"
elif [[ "$RANKS" -gt 1 ]]; then
    exec "$PYTHON" -m paddle.distributed.launch --log_dir "$LAUNCH_LOGS" --nproc_per_node "$RANKS" hnas/train.py "$@"
else
    exec "$PYTHON" hnas/train.py "$@"
fi
