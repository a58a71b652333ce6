#!/usr/bin/env bash
# Runs an experiment as an N-task Slurm array, waits for it, and merges the shards.
#
#   scripts/sweep-slurm.sh [-o OUT] [-p PARTITION] <experiment> <shards> [experiment options...]
#
# Needs a working Slurm (sbatch on PATH, SLURM_CONF if not the default) and this
# checkout on a file system every node sees.
set -euo pipefail
cd "$(dirname "$0")/.."

out=""
partition=()
while getopts "o:p:" opt; do
  case "$opt" in
    o) out="$OPTARG" ;;
    p) partition=(--partition "$OPTARG") ;;
    *) echo "usage: $0 [-o OUT] [-p PARTITION] <experiment> <shards> [experiment options...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
command -v sbatch >/dev/null || { echo "error: sbatch not found; install Slurm (scripts/deps.sh --slurm) or run on a Slurm login node" >&2; exit 1; }
# shellcheck source=scripts/sweep-common.sh
source scripts/sweep-common.sh
sweep_setup "$0 [-o OUT] [-p PARTITION] <experiment> <shards> [experiment options...]" "$@"
shift 2
mkdir -p "$out/slurm-logs"

# --wait: sbatch returns when every task has ended, non-zero if one failed.
EXPERIMENT_SHARD_ROOT="$shard_root" sbatch --wait --array="1-$shards" "${partition[@]}" \
  --chdir="$PWD" --export=ALL,EXPERIMENT_SHARD_ROOT="$shard_root" \
  --output="$out/slurm-logs/%A_%a.out" \
  scripts/slurm/experiment-array.sbatch "$experiment" "$@"
sweep_merge
