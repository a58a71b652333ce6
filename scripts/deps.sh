#!/usr/bin/env bash
# Installs what the flows need and is missing: Debian packages (as root, or
# through sudo) and the npm packages of package-lock.json.
#   --slurm  also Slurm (slurm-wlm), which only scripts/check-slurm.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."

with_slurm=0
for arg in "$@"; do
  case "$arg" in
    --slurm) with_slurm=1 ;;
    *) echo "error: unknown option '$arg' (scripts/deps.sh [--slurm])" >&2; exit 2 ;;
  esac
done

need=()
command -v verilator >/dev/null || need+=(verilator)
command -v yosys >/dev/null || need+=(yosys)
command -v iverilog >/dev/null || need+=(iverilog)
[ -f /usr/share/qflow/tech/osu018/osu018_stdcells.lib ] || need+=(qflow-tech-osu018)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
# Verilator's FST waveform writer compiles against zlib.
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
# Experiment sweeps over shards (scripts/sweep-parallel.sh and its test).
{ command -v parallel >/dev/null && parallel --version 2>/dev/null | grep -q 'GNU parallel'; } || need+=(parallel)
if [ "$with_slurm" -eq 1 ]; then
  { command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null; } || need+=(slurm-wlm)
fi

if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "error: missing ${need[*]}; this is not a Debian-like system, install them with your package manager." >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "error: missing ${need[*]}; run 'apt-get install ${need[*]}' as root." >&2
      exit 1
    fi
  fi
  echo "installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "error: Node.js 20 or newer with npm is needed (apt-get install nodejs npm)." >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "error: Node.js $(node --version) is too old; version 20 or newer is needed." >&2
  exit 1
fi

# npm writes node_modules/.package-lock.json after every install: when it is
# older than the lock file, the installed tree is stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=warn
fi
