#!/usr/bin/env bash
# Smoke test of the e2e host: boots the Debian root file system under systemd-nspawn, checks systemd and PostgreSQL run
# inside, and powers it off. Prints TAP-like lines; exits non-zero on failure. Needs tests/run.sh's environment.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
E2E_MACHINE=smoke
trap e2e_finish EXIT

if ! e2e_boot smoke; then not_ok "boot"; exit 1; fi
state=$(e2e_wait smoke) && ok "systemd reached '$state'" || not_ok "systemd start-up"
check "systemctl works inside" e2e_exec smoke systemctl show -p Version --value
check "postgresql cluster active inside" e2e_exec smoke sh -c 'for i in $(seq 60); do systemctl list-units --state=active --no-legend "postgresql@*" | grep -q . && exit 0; sleep 1; done; exit 1'
check "journald receives entries" e2e_exec smoke sh -c 'echo e2e-smoke-marker | systemd-cat -t e2e && sleep 1 && journalctl -t e2e --no-pager | grep -q e2e-smoke-marker'
pid=${E2E_NSPAWN_PID[smoke]}
e2e_stop smoke
check "machine powered off" bash -c "! kill -0 $pid"
e2e_status
