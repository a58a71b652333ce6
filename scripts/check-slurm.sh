#!/usr/bin/env bash
# Checks the Slurm sweep path for real on this one machine: installs Slurm if
# missing (scripts/deps.sh --slurm), starts a private single-node cluster
# (munged, slurmctld, slurmd on their own sockets, ports and folders under
# build/slurm-check/), submits a small experiment as a 3-task array with
# scripts/sweep-slurm.sh, merges it, and checks the merged results.json equals
# a single run's apart from the `run` section (timings, machines).
# Every daemon it started is stopped when it ends, whatever happens.
#
#   scripts/check-slurm.sh            (as root, or with sudo for the install)
#
# Not part of `make test`: see docs/experiments.md ("Sweeps").
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh --slurm

work="$PWD/build/slurm-check"
rm -rf "$work"
mkdir -p "$work"/{state,spool,log,munge}
node_name="$(hostname -s)"
cpus="$(nproc)"
# Ports of our own, away from a system Slurm's 6817/6818.
port=$((20000 + RANDOM % 20000))

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}
trap cleanup EXIT

# munged on a private socket with the packaged key.
key=/etc/munge/munge.key
if [ ! -f "$key" ]; then
  echo "error: $key is missing; reinstall munge (apt-get install --reinstall munge)" >&2
  exit 1
fi
cp "$key" "$work/munge/munge.key"
chmod 600 "$work/munge/munge.key"
/usr/sbin/munged --force --foreground --socket="$work/munge/munge.socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" &
pids+=($!)

cat > "$work/slurm.conf" <<CONF
ClusterName=expcheck
SlurmctldHost=$node_name
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$node_name CPUs=$cpus State=UNKNOWN
PartitionName=check Nodes=$node_name Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

for _ in $(seq 1 50); do [ -S "$work/munge/munge.socket" ] && break; sleep 0.1; done
slurmctld -D -i -f "$SLURM_CONF" &
pids+=($!)
slurmd -D -N "$node_name" -f "$SLURM_CONF" &
pids+=($!)

# Wait until the node is idle (the controller has heard from slurmd).
for i in $(seq 1 100); do
  state="$(sinfo -h -n "$node_name" -o %t 2>/dev/null || true)"
  [ "$state" = "idle" ] && break
  if [ "$i" -eq 100 ]; then
    echo "error: the single-node cluster did not come up (node state '$state'); logs in $work/log" >&2
    tail -n 20 "$work"/log/*.log >&2 || true
    exit 1
  fi
  sleep 0.2
done
echo "slurm: single-node cluster up ($(sinfo --version), node $node_name, $cpus CPUs, port $port)"

experiment=(rcp-breakdown --nets resnet18 --generator topk,uniform --sparsity 0.9 --batch 1)
scripts/sweep-slurm.sh -o "$work/sharded" "${experiment[0]}" 3 "${experiment[@]:1}"
npx tsx sim/experiments/cli.ts "${experiment[@]}" --out "$work/single"

node -e '
const fs = require("fs");
const strip = (f) => { const d = JSON.parse(fs.readFileSync(f, "utf8")); delete d.run; return JSON.stringify(d, null, 2); };
const a = strip(process.argv[1]), b = strip(process.argv[2]);
if (a !== b) { console.error("error: merged Slurm shards differ from a single run"); process.exit(1); }
const runs = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).run.invocations;
console.log(`slurm check passed: ${runs.length} array tasks merged; results.json equals a single run apart from timings`);
' "$work/sharded/results.json" "$work/single/results.json"
