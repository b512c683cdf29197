#!/usr/bin/env bash
# The raw baseline the harness is measured against: for each case, plain lxc CLI calls
# (launch → cloud-init status --wait → every collector via its own lxc exec → delete),
# N cases at a time. Usage: raw-baseline.sh IMAGE CONCURRENCY CASES_DIR
# CASES_DIR holds one folder per case with `user-data` and `commands/` (one file per
# collector, each run as `lxc exec NAME -- sh -c "$(cat FILE)"`); outputs land in out/.
set -euo pipefail
image=$1 concurrency=$2 cases=$3

one_case() {
  local dir=$1 image=$2
  local name="raw-bench-$(basename "$dir" | tr '_' '-')-$$"
  mkdir -p "$dir/out"
  lxc launch "$image" "$name" -c cloud-init.user-data="$(cat "$dir/user-data")" >/dev/null
  lxc exec "$name" -- cloud-init status --wait >/dev/null || true
  local command
  for command in "$dir"/commands/*; do
    lxc exec "$name" -- sh -c "$(cat "$command")" >"$dir/out/${command##*/}.out" 2>"$dir/out/${command##*/}.err" </dev/null || true
  done
  lxc delete --force "$name" >/dev/null
}
export -f one_case

find "$cases" -mindepth 1 -maxdepth 1 -type d -print0 | xargs -0 -P "$concurrency" -I{} bash -c 'one_case "$1" "$2"' _ {} "$image"
