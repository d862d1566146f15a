#!/usr/bin/env bash
# Probes and restarts of systemd units, in a Debian host booted with systemd-nspawn: the agent (Release build with the
# machine's own copy of the .NET runtime) runs there as a service and watches backend.service, a busybox httpd serving
# /health from a file. Prints "ok - ..." / "not ok - ..." lines. Needs tests/run.sh's environment and its Release build.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
E2E_MACHINE=probes
trap e2e_finish EXIT
opsagent_cli() { in_host env DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 /usr/share/dotnet/dotnet /opt/opsagent/opsagent.dll "$@" --config /etc/opsagent/appsettings.json; }
E2E_METRICS_URL=http://127.0.0.1:19464/metrics

build=$repo/src/OpsAgent/bin/Release/net10.0
[ -f "$build/opsagent.dll" ] || { not_ok "Release build of the agent exists ($build)"; exit 1; }
if ! e2e_boot probes; then not_ok "boot"; exit 1; fi
e2e_wait probes >/dev/null || { not_ok "systemd start-up"; exit 1; }
root=$E2E_WORK/probes

# The agent as a sysadmin would run it: a unit, /etc/opsagent, state in /var/lib/opsagent.
mkdir -p "$root/usr/share/dotnet" "$root/opt/opsagent" "$root/etc/opsagent" "$root/srv/backend"
cp -a /usr/share/dotnet/dotnet /usr/share/dotnet/host /usr/share/dotnet/shared "$root/usr/share/dotnet/"
cp -a "$build/." "$root/opt/opsagent/"
cat >"$root/etc/systemd/system/opsagent-e2e.service" <<'UNIT'
[Unit]
Description=OpsAgent (probe e2e)
[Service]
Type=notify
Environment=DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
ExecStart=/usr/share/dotnet/dotnet /opt/opsagent/opsagent.dll run --config /etc/opsagent/appsettings.json
UNIT
cat >"$root/etc/opsagent/appsettings.json" <<'JSON'
{
  "OpsAgent": {
    "TimeZone": "UTC",
    "Http": { "Listen": "http://127.0.0.1:19464" },
    "StateDirectory": "/var/lib/opsagent",
    "Probes": {
      "backend": {
        "Type": "http", "Url": "http://127.0.0.1:18081/health", "ExpectJson": { "status": "healthy" },
        "Every": "1s", "Timeout": "1s", "FailureThreshold": 2,
        "Restart": { "Unit": "backend.service", "MaxRestarts": 2, "Window": "01:00:00",
                     "Backoff": { "Initial": "1s", "Max": "2s" }, "VerifyTimeout": "6s", "CaptureLogLines": 50 }
      },
      "backend-unit": { "Type": "systemd", "Unit": "backend.service", "Every": "1s", "Timeout": "1s", "FailureThreshold": 1 }
    }
  }
}
JSON
# The backend: its health file is reset by a (re)start, as an application's state would be; /srv/backend/broken makes it fail to start.
cat >"$root/etc/systemd/system/backend.service" <<'UNIT'
[Unit]
Description=Demo backend serving /health from a file
StartLimitIntervalSec=60
StartLimitBurst=3
[Service]
ExecStartPre=/bin/sh -c 'if [ -e /srv/backend/broken ]; then echo "backend: cannot connect to database db.internal:5432"; exit 1; fi'
ExecStartPre=/bin/cp /srv/backend/health.good /srv/backend/health
ExecStart=/bin/busybox httpd -f -p 127.0.0.1:18081 -h /srv/backend
UNIT
echo '{"status":"healthy"}' >"$root/srv/backend/health.good"
in_host systemctl daemon-reload
in_host systemctl start backend.service && ok "backend.service started" || not_ok "backend.service started"
in_host systemctl start opsagent-e2e.service && ok "agent started (Type=notify: READY=1 received)" || { not_ok "agent started"; in_host journalctl -u opsagent-e2e --no-pager | tail -20; exit 1; }
wait_for 30 "agent sees the backend healthy" metric 'opsagent_probe_healthy{probe="backend"} 1'
wait_for 10 "systemd probe sees the unit active" metric 'opsagent_probe_success{probe="backend-unit"} 1'

stage "1. degrade: the agent restarts the unit and the restart heals it"
degraded=$(date +%s.%N)
echo '{"status":"unhealthy"}' >"$root/srv/backend/health"
wait_for 30 "restart_recovered after degrading" journal_has restart_recovered OPSAGENT_PROBE=backend
if restart=$(journal_time restart_started) && recovered=$(journal_time restart_recovered); then
    echo "# degrade -> restart issued $(python3 -c "print('%.1f' % ($restart - $degraded))") s, -> recovered $(python3 -c "print('%.1f' % ($recovered - $degraded))") s (bound Every x FailureThreshold = 2 s)"
fi
[ "$(in_host systemctl show backend -p NRestarts --value)" = "0" ] && [ "$(in_host journalctl -q -u backend -o cat --no-pager | grep -cE 'Started (backend.service|Demo backend)')" -ge 2 ] \
    && ok "backend.service was restarted by systemctl (started twice)" || not_ok "backend.service was restarted by systemctl"

stage "2. an operator stops the unit: reported, not started behind their back"
in_host systemctl stop backend.service
wait_for 20 "restart_skipped operator_stopped" journal_has restart_skipped OPSAGENT_PROBE=backend OPSAGENT_REASON=operator_stopped
sleep 3
[ "$(in_host systemctl is-active backend.service)" = "inactive" ] && ok "stopped unit left stopped" || not_ok "stopped unit left stopped"
curl -fsS http://127.0.0.1:19464/status | has '"reason": "unit_stopped"' && ok "systemd probe reports unit_stopped" || not_ok "systemd probe reports unit_stopped"
in_host systemctl start backend.service
wait_for 20 "healthy again after the operator starts it" metric 'opsagent_probe_healthy{probe="backend"} 1'

stage "3. start limit: while paused the unit fails until systemd refuses to start it; fixed and resumed, the agent resets and restarts it"
opsagent_cli pause backend --for 10m >/dev/null && ok "opsagent pause backend" || not_ok "opsagent pause backend"
touch "$root/srv/backend/broken"
for _ in 1 2 3 4; do in_host systemctl restart backend.service >/dev/null 2>&1; done
in_host journalctl -u backend --since "$since" --no-pager | has "Start request repeated too quickly" && ok "backend.service hit its start limit" \
    || { not_ok "backend.service hit its start limit"; in_host systemctl show backend -p Result,ActiveState,SubState | sed 's/^/# /'; in_host journalctl -u backend --no-pager | tail -8 | sed 's/^/# /'; }
rm -f "$root/srv/backend/broken"
opsagent_cli resume backend >/dev/null
wait_for 30 "reset-failed logged before the restart" journal_has restart_prepared OPSAGENT_PROBE=backend
wait_for 30 "backend active again after reset-failed and restart" unit_active backend.service

stage "4. permanently broken: capped restarts, then suppressed; the incident file holds the unit's journal lines"
in_host systemctl restart opsagent-e2e.service   # a fresh restart budget
wait_for 30 "agent restarted and the backend healthy" metric 'opsagent_probe_healthy{probe="backend"} 1'
touch "$root/srv/backend/broken"
echo '{"status":"unhealthy"}' >"$root/srv/backend/health"
wait_for 90 "restart_suppressed after MaxRestarts" journal_has restart_suppressed OPSAGENT_PROBE=backend
incident=$(ls -t "$root"/var/lib/opsagent/incidents/backend_*.log 2>/dev/null | head -1)
[ -n "$incident" ] && grep -q "cannot connect to database db.internal:5432" "$incident" && ok "incident file holds the unit's journal lines ($(basename "$incident"))" || not_ok "incident file with the unit's journal lines"
in_host journalctl -q -t opsagent OPSAGENT_EVENT=restart_not_recovered --since "$since" -o verbose --all --no-pager | has "cannot connect to database" \
    && ok "restart_not_recovered entry carries the log lines" || not_ok "restart_not_recovered entry carries the log lines"
metric 'opsagent_restart_suppressed{probe="backend"} 1' && ok "opsagent_restart_suppressed 1" \
    || { not_ok "opsagent_restart_suppressed 1"; curl -fsS http://127.0.0.1:19464/metrics | grep -E '^opsagent_(restart|probe_healthy)' | sed 's/^/# /'; }
echo "# restart_started entries in total: $(in_host journalctl -q -t opsagent OPSAGENT_EVENT=restart_started -o cat --no-pager | wc -l)"

stage "5. host probes of units: a unit's journal counted exactly; memory under MemoryMax= and CPU under CPUQuota= where the cgroup hierarchy has the controllers"
metric_re() { curl -fsS "$E2E_METRICS_URL" | has -E "$1"; }
# worker.service writes what /srv/worker/burst asks for into its journal: N "ERROR" lines, each beside an INFO line.
mkdir -p "$root/srv/worker"
cat >"$root/etc/systemd/system/worker.service" <<'UNIT'
[Unit]
Description=Demo worker logging task failures on demand
[Service]
ExecStart=/bin/sh -c 'while :; do if [ -e /srv/worker/burst ]; then n=$(cat /srv/worker/burst); rm -f /srv/worker/burst; i=1; while [ $i -le $n ]; do echo "ERROR task $i failed"; echo "INFO task $i retried"; i=$((i + 1)); done; fi; sleep 0.2; done'
MemoryMax=64M
UNIT
# burn.service spins a core under a 20 % quota.
cat >"$root/etc/systemd/system/burn.service" <<'UNIT'
[Unit]
Description=Demo CPU burner under a quota
[Service]
ExecStart=/bin/sh -c 'while :; do :; done'
CPUQuota=20%
UNIT
in_host systemctl daemon-reload
in_host systemctl start worker.service burn.service && ok "worker.service and burn.service started" || not_ok "worker.service and burn.service started"
python3 - "$root/etc/opsagent/appsettings.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
probes = config["OpsAgent"]["Probes"]
probes.pop("backend", None)
probes["worker-errors"] = {"Type": "log", "Unit": "worker.service", "Pattern": "^ERROR ", "Window": "00:10:00",
                           "WarningCount": 10, "CriticalCount": 50, "Every": "2s", "Timeout": "2s", "FailureThreshold": 1}
probes["worker-memory"] = {"Type": "memory", "Unit": "worker.service", "WarningPercent": 80, "CriticalPercent": 90, "Every": "2s", "Timeout": "2s"}
probes["burn-cpu"] = {"Type": "cpu", "Unit": "burn.service", "Window": "00:00:06", "WarningPercent": 50, "CriticalPercent": 80, "Every": "1s", "Timeout": "1s", "FailureThreshold": 3}
json.dump(config, open(path, "w"), indent=2)
PY
check "opsagent reload (the unit probes added)" opsagent_cli reload
wait_for 30 "worker-errors took its cursor (0 matches)" metric_re '^opsagent_probe_value\{measure="matches",probe="worker-errors"\} 0$'
echo 12 >"$root/srv/worker/burst"
wait_for 30 "worker-errors counts the unit's 12 ERROR lines, not its INFO lines" metric_re '^opsagent_probe_value\{measure="matches",probe="worker-errors"\} 12$'
metric 'opsagent_probe_level{probe="worker-errors"} 1' && ok "12 matches in the window is a warning (10 / 50)" || not_ok "12 matches is a warning"
wait_for 10 "probe_warning logged for worker-errors" journal_has probe_warning OPSAGENT_PROBE=worker-errors
echo 40 >"$root/srv/worker/burst"
wait_for 30 "worker-errors: 52 in the window is critical, probe_failing" journal_has probe_failing OPSAGENT_PROBE=worker-errors
metric_re '^opsagent_probe_value\{measure="matches",probe="worker-errors"\} 52$' && ok "the count is exact: 52 lines, none counted twice" || not_ok "the count is exactly 52"
in_host journalctl -q -t opsagent OPSAGENT_EVENT=probe_failing OPSAGENT_PROBE=worker-errors -o json --no-pager | grep -q '"OPSAGENT_LINES":"[^"]*ERROR task 40 failed' \
    && ok "probe_failing carries the last matching lines" || not_ok "probe_failing carries the last matching lines"
# Memory and CPU of a unit come from its control group; a machine whose nspawn host has no memory or cpu controller says so.
if in_host test -f /sys/fs/cgroup/cgroup.controllers || in_host test -f /sys/fs/cgroup/memory/system.slice/worker.service/memory.usage_in_bytes; then
    wait_for 20 "worker-memory measures the unit's memory" metric_re 'opsagent_probe_value\{measure="memory_bytes",probe="worker-memory"\} [1-9]'
    metric_re 'opsagent_probe_value\{measure="memory_ratio",probe="worker-memory"\} 0\.0' && ok "its ratio is of MemoryMax=64M (a few percent), not of the host" || not_ok "worker-memory's ratio against MemoryMax="
else
    opsagent_cli probe run worker-memory 2>&1 | sed 's/^/#   /'
    skip "worker-memory under MemoryMax=: this machine's cgroup v1 hierarchy gives the nspawn host's units no memory controller (the probe reports cannot_measure and says so)"
fi
if in_host test -f /sys/fs/cgroup/cgroup.controllers || in_host test -f /sys/fs/cgroup/cpu,cpuacct/system.slice/burn.service/cpuacct.usage; then
    wait_for 30 "burn-cpu: a core spun under CPUQuota=20% is critical against the quota" journal_has probe_failing OPSAGENT_PROBE=burn-cpu
else
    skip "burn-cpu under CPUQuota=: this machine's cgroup v1 hierarchy gives the nspawn host's units no cpu controller"
fi
in_host systemctl stop worker.service burn.service

in_host systemctl stop opsagent-e2e.service
e2e_stop probes
e2e_status
