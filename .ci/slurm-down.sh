#!/usr/bin/env bash
# Stops the daemons slurm-up.sh started, by the process ids it wrote.
dir="${SLURM_CI_DIR:-/tmp/nn-slurm-ci}"
[ -f "$dir/pids" ] || exit 0
while read -r pid; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
done <"$dir/pids"
rm -f "$dir/pids"
