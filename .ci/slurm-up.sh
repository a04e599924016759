#!/usr/bin/env bash
# Installs Debian's Slurm and MUNGE, writes a one-node cluster of this machine, starts munged, slurmctld and
# slurmd, and waits until the node is idle. Writes the daemons' pids to $SLURM_CI_DIR/pids for slurm-down.sh.
# Every step says what it does; the first that fails ends the script non-zero with that step's name.
set -euo pipefail
dir="${SLURM_CI_DIR:-/tmp/nn-slurm-ci}"
mkdir -p "$dir"
fail() { echo "slurm-up: FAILED at step: $*" >&2; for log in "$dir"/*.log; do [ -f "$log" ] && tail -n 20 "$log" >&2; done; exit 1; }
step() { echo "slurm-up: $*"; }

step "install slurm-wlm and munge (apt)"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y --no-install-recommends slurm-wlm munge >"$dir/apt.log" 2>&1 ||
      { apt-get update >>"$dir/apt.log" 2>&1 && apt-get install -y --no-install-recommends slurm-wlm munge >>"$dir/apt.log" 2>&1; }; } ||
        fail "apt-get install slurm-wlm munge (see $dir/apt.log)"
fi

step "start munged"
mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
[ -s /etc/munge/munge.key ] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null || fail "write the munge key"
chmod 400 /etc/munge/munge.key
chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge 2>/dev/null || true
pkill -x munged 2>/dev/null || true
if id munge >/dev/null 2>&1; then
    runuser -u munge -- munged --pid-file=/run/munge/munged.pid >"$dir/munged.log" 2>&1 || fail "munged"
else
    munged --force --pid-file=/run/munge/munged.pid >"$dir/munged.log" 2>&1 || fail "munged"
fi
for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
munge -n | unmunge >/dev/null 2>&1 || fail "munge round trip (munge -n | unmunge)"

step "write /etc/slurm/slurm.conf for one node"
host="$(hostname -s)"
node="$(slurmd -C 2>/dev/null | head -n 1)" || true
[ -n "$node" ] || fail "slurmd -C (read this machine's CPUs and memory)"
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >/etc/slurm/slurm.conf <<CONF
ClusterName=nnci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
MinJobAge=300
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
rm -f /etc/slurm/cgroup.conf

step "start slurmctld"
slurmctld -i >"$dir/slurmctld.out" 2>&1 || fail "slurmctld"
step "start slurmd"
slurmd >"$dir/slurmd.out" 2>&1 || fail "slurmd"
cat /run/munge/munged.pid >"$dir/pids" 2>/dev/null || true
for _ in $(seq 100); do [ -s "$dir/slurmctld.pid" ] && [ -s "$dir/slurmd.pid" ] && break; sleep 0.2; done
cat "$dir/slurmctld.pid" "$dir/slurmd.pid" >>"$dir/pids" 2>/dev/null || fail "daemon pid files"

step "wait for the node to be idle"
for _ in $(seq 120); do
    state="$(sinfo -h -N -o %T 2>/dev/null | head -n 1)"
    case "$state" in idle) echo "slurm-up: node $host is idle"; exit 0 ;; esac
    sleep 0.5
done
fail "node $host idle within 60 s (sinfo says '${state:-nothing}')"
