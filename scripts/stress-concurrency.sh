#!/usr/bin/env bash
# Concurrency stress: each round runs, at the same time in this tree, two
# `make sim`, one `make test` and one `npm run gen`, and passes when all four
# exit 0. They share build/ (the model cache, the Verilog output folders), so
# this finds the races a single run never meets.
#
#   scripts/stress-concurrency.sh [--rounds N (50)] [--keep-going]
#   npm run bench:stress -- --rounds 50
#
# Prints one line per round and the number of rounds without a failure; the
# logs of a failed round are kept in build/stress/round-<n>/. Stops at the
# first failed round unless --keep-going. Exit 0 only if every round passed.
set -uo pipefail
cd "$(dirname "$0")/.."

rounds=50
keep_going=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds)
      if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
        echo "error: --rounds needs a positive integer" >&2; exit 2
      fi
      rounds=$2; shift 2 ;;
    --keep-going) keep_going=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unexpected argument '$1' (run with --help for usage)" >&2; exit 2 ;;
  esac
done

logs=build/stress
mkdir -p "$logs"
echo "concurrency stress: $rounds round(s) of make sim x2 + make test + npm run gen"
echo "machine: $(uname -srm), $(nproc) cores; $(verilator --version); $(g++ --version | head -1); node $(node --version)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with uncommitted changes)')"

passed=0
failed=0
for ((round = 1; round <= rounds; round++)); do
  dir="$logs/round-$round"
  rm -rf "$dir"
  mkdir -p "$dir"
  start=$(date +%s)
  names=(sim-a sim-b test gen)
  make sim >"$dir/sim-a.log" 2>&1 & pids=($!)
  make sim >"$dir/sim-b.log" 2>&1 & pids+=($!)
  make test >"$dir/test.log" 2>&1 & pids+=($!)
  npm run --silent gen >"$dir/gen.log" 2>&1 & pids+=($!)
  bad=()
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || bad+=("${names[$i]} (exit $?)")
  done
  secs=$(( $(date +%s) - start ))
  if [ ${#bad[@]} -eq 0 ]; then
    passed=$((passed + 1))
    echo "round $round: ok (${secs} s)"
    rm -rf "$dir"
  else
    failed=$((failed + 1))
    echo "round $round: FAILED: ${bad[*]} (${secs} s); logs in $dir/"
    for b in "${bad[@]}"; do
      name=${b%% *}
      echo "--- last lines of $dir/$name.log"
      tail -n 15 "$dir/$name.log"
    done
    [ "$keep_going" = 1 ] || break
  fi
done
echo "rounds without failure: $passed of $((passed + failed)) run ($rounds asked)"
[ "$failed" -eq 0 ] && [ "$passed" -eq "$rounds" ]
