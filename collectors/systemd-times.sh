#!/bin/sh
# systemd's boot figures for boot-time trends, in one script so that one harvest has both.
# `time` fails until the boot has finished, so wait for that (bounded: a unit that never
# settles must not hold the harvest). Each section ends with its own exit code, since in a
# container `time` may fail while `blame` works.
timeout 30 systemctl is-system-running --wait >/dev/null 2>&1
echo '== systemd-analyze time'
systemd-analyze time --no-pager 2>&1
echo "== rc $?"
echo '== systemd-analyze blame'
systemd-analyze blame --no-pager 2>&1
echo "== rc $?"
