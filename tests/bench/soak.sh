#!/usr/bin/env bash
# Soak: does the agent's memory creep? The package's binary (self-contained, ReadyToRun) with the unit's runtime settings
# runs 100 HTTP probes every 10 s, 20 certificate files every minute, /metrics scraped every 15 s and a verified backup of
# a real PostgreSQL database every 10 minutes, for M minutes (default 120). RSS is sampled every 10 s; the slope is the
# least-squares fit over the samples after the first 10 minutes (start-up, JIT and first GCs), in MB per hour.
#   tests/bench/soak.sh [--minutes M]
source "$(dirname "$0")/common.sh"
minutes=120
while [ $# -gt 0 ]; do
    case "$1" in --minutes) minutes=$2; shift 2 ;; *) echo "usage: $0 [--minutes M]" >&2; exit 2 ;; esac
done
((minutes > 15)) || { echo "--minutes must be above 15: the slope is taken after the first 10 minutes" >&2; exit 2; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; harness_stop; }
trap cleanup EXIT
bench_require busybox-static openssl bc || exit 1
mkdir -p "$HARNESS_WORK" "$HARNESS_LOG"
harness_install && harness_start_postgres || exit 1
bench_package_agent || exit 1
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
export PGHOST=127.0.0.1 PGPORT=$HARNESS_PG_PORT PGUSER=postgres PGPASSWORD=$HARNESS_PG_PASSWORD
db=soak_s5
if ! "$bin/psql" -qAtc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
    "$bin/createdb" "$db" && "$bin/pgbench" -i -q -s 5 "$db" >"$BENCH_WORK/pgbench.log" 2>&1 || { tail "$BENCH_WORK/pgbench.log"; exit 1; }
fi

w=$BENCH_WORK/soak; rm -rf "$w"; mkdir -p "$w/www" "$w/certs" "$w/backups"
for i in $(seq 1 100); do echo '{"status":"ok"}' >"$w/www/h$i"; done
busybox httpd -f -p 127.0.0.1:18091 -h "$w/www" & pids+=($!)
for i in $(seq 1 20); do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days $((30 + i * 10)) -subj "/CN=site$i.test" \
        -keyout /dev/null -out "$w/certs/site$i.pem" >/dev/null 2>&1
done
python3 - "$w" "$HARNESS_PG_PORT" "$HARNESS_PG_PASSWORD" "$db" <<'PY'
import json, sys
w, port, password, db = sys.argv[1:]
probes = {f"h{i}": {"Type": "http", "Url": f"http://127.0.0.1:18091/h{i}", "ExpectJson": {"status": "ok"}, "Every": "10s", "Timeout": "2s"} for i in range(1, 101)}
config = {"OpsAgent": {"TimeZone": "UTC", "StateDirectory": f"{w}/state", "Http": {"Listen": "http://127.0.0.1:19491"},
          "Logging": {"Level": "Warning", "Journald": {"SocketPath": f"{w}/none.sock"}}, "Control": {"Socket": ""},
          "Probes": probes, "Certificates": {"Schedule": "* * * * *", "Files": {"sites": f"{w}/certs/*.pem"}},
          "Backups": {"soak-db": {"Engine": "postgres", "Schedule": "*/10 * * * *", "CatchUp": False, "Directory": f"{w}/backups",
                                  "Connection": f"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database={db}",
                                  "Retention": {"KeepLast": 2}}}}}
json.dump(config, open(f"{w}/soak.json", "w"), indent=1)
PY
env $AGENT_ENV "$AGENT_BIN" run --config "$w/soak.json" >"$w/agent.log" 2>&1 & agent=$!; pids+=($agent)
( while :; do curl -fs http://127.0.0.1:19491/metrics >/dev/null; sleep 15; done ) & pids+=($!)

log "running for $minutes min, RSS every 10 s"
: >"$w/rss"
start=$(date +%s) end=$(( $(date +%s) + minutes * 60 ))
while [ "$(date +%s)" -lt "$end" ]; do
    kill -0 "$agent" 2>/dev/null || { log "the agent died; see $w/agent.log"; exit 1; }
    echo "$(( $(date +%s) - start )) $(awk '/^VmRSS/ { print $2 / 1024 }' "/proc/$agent/status")" >>"$w/rss"
    sleep 10
done
backups=$(curl -fs http://127.0.0.1:19491/metrics | awk '/^opsagent_backup_runs_total\{.*result="success"/ { n += $2 } END { print n + 0 }')
probes_ok=$(curl -fs http://127.0.0.1:19491/metrics | grep -c '^opsagent_probe_success{probe="h[0-9]*"} 1')
# Least squares over t >= 600 s: slope in MB/h; also the RSS at 10 minutes, at the end and the maximum.
read -r at10 last max slope <<<"$(awk '$1 >= 600 { n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2; if (!first) first = $2; last = $2 }
    { if ($2 > max) max = $2 }
    END { b = (n * sxy - sx * sy) / (n * sxx - sx * sx); printf "%.1f %.1f %.1f %.2f\n", first, last, max, b * 3600 }' "$w/rss")"
echo
echo "RSS at 10 min $at10 MB, at the end $last MB, max $max MB; slope after 10 min: $slope MB/h   target <= 1"
echo "backups succeeded: $backups; probes succeeding: $probes_ok of 100"
results_append soak.sh "| $(date -u +%F) | $(nproc) | $minutes | $at10 / $last | $max | $slope | $backups | $probes_ok of 100 |"
