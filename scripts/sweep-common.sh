# Sourced by scripts/sweep-parallel.sh and scripts/sweep-slurm.sh: what every
# sweep does before and after spreading its shards.

# sweep_setup USAGE EXPERIMENT SHARDS [experiment options...]
# Checks the arguments, sets experiment, shards, out (default build/experiments/<experiment>)
# and shard_root, and lets the CLI reject bad options once rather than once per shard.
# The caller shifts past EXPERIMENT and SHARDS itself.
sweep_setup() {
  local usage="$1"
  shift
  if [ $# -lt 2 ]; then
    echo "usage: $usage" >&2
    exit 2
  fi
  experiment="$1"
  shards="$2"
  shift 2
  if ! [[ "$shards" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: the number of shards must be a positive integer, got '$shards'" >&2
    exit 2
  fi
  out="${out:-build/experiments/$experiment}"
  shard_root="$out/shards"
  npx tsx sim/experiments/cli.ts "$experiment" "$@" --shard "1/$shards" --dry-run
  mkdir -p "$shard_root"
}

# sweep_merge: merges shard_root/1-of-N ... N-of-N into out.
sweep_merge() {
  local dirs=()
  for i in $(seq 1 "$shards"); do dirs+=("$shard_root/$i-of-$shards"); done
  npx tsx sim/experiments/merge-cli.ts --out "$out" "${dirs[@]}"
}
