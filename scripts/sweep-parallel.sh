#!/usr/bin/env bash
# Runs an experiment as N shards with GNU parallel, then merges them.
#
#   scripts/sweep-parallel.sh [-j JOBS] [-S HOSTS] [-o OUT] <experiment> <shards> [experiment options...]
#
#   -j JOBS   shards at the same time on each machine (default: its cores)
#   -S HOSTS  several machines, GNU parallel's --sshlogin list, e.g. ':,alice@box2,4/box3'
#             (':' is this machine). Every machine needs this checkout at the same path
#             with `make deps` done; each shard's folder is copied back (--return).
#   -o OUT    merged output folder (default build/experiments/<experiment>)
#
# Shards go to <OUT>/shards/<i>-of-<N>; a shard that finished before is not run
# again (the CLI resumes finished work units), so re-running the sweep after a
# failure only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs="100%"
hosts=""
out=""
while getopts "j:S:o:" opt; do
  case "$opt" in
    j) jobs="$OPTARG" ;;
    S) hosts="$OPTARG" ;;
    o) out="$OPTARG" ;;
    *) echo "usage: $0 [-j JOBS] [-S HOSTS] [-o OUT] <experiment> <shards> [experiment options...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
  echo "error: GNU parallel is not installed; run 'make deps' (apt-get install parallel)" >&2
  exit 1
fi
# shellcheck source=scripts/sweep-common.sh
source scripts/sweep-common.sh
sweep_setup "$0 [-j JOBS] [-S HOSTS] [-o OUT] <experiment> <shards> [experiment options...]" "$@"
shift 2

remote=()
if [ -n "$hosts" ]; then
  remote=(-S "$hosts" --workdir "$PWD" --return "$shard_root/{}-of-$shards")
fi
# --halt now,fail=1: one failing shard stops the sweep with its exit code.
parallel -q --will-cite --jobs "$jobs" --halt now,fail=1 --line-buffer --tagstring 'shard {}/'"$shards" "${remote[@]}" \
  npx tsx sim/experiments/cli.ts "$experiment" "$@" --shard "{}/$shards" --out "$shard_root/{}-of-$shards" \
  ::: $(seq 1 "$shards")
sweep_merge
