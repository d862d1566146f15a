#!/usr/bin/env bash
# Detection latency: degrade -> restart issued -> recovered, against a real container restarted by the agent.
#   tests/bench/detection.sh [--trials N]
# A busybox container (host network) serves /health from a file its start command rewrites; a trial writes a bad
# health file into it, and the agent (Every 1 s, FailureThreshold 3) restarts the container through the Engine API.
# Times come from the agent's own journal entries, received on a stand-in journald socket.
source "$(dirname "$0")/common.sh"
trials=20
while [ $# -gt 0 ]; do
    case "$1" in --trials) trials=$2; shift 2 ;; *) echo "usage: $0 [--trials N]" >&2; exit 2 ;; esac
done
every=1 threshold=3
bound=$((every * threshold))
cleanup() { [ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null; [ -n "${listener_pid:-}" ] && kill "$listener_pid" 2>/dev/null
            docker rm -f opsagent-bench-detect >/dev/null 2>&1; harness_stop; }
trap cleanup EXIT
mkdir -p "$HARNESS_WORK" "$HARNESS_LOG"
harness_install && harness_start_docker && harness_import_busybox || exit 1
bench_build_agent || exit 1
export DOCKER_HOST=$OPSAGENT_TEST_DOCKER

docker rm -f opsagent-bench-detect >/dev/null 2>&1
docker run -d --name opsagent-bench-detect --network host --label opsagent-test=1 "$OPSAGENT_TEST_IMAGE" sh -c \
    'trap "exit 0" TERM; mkdir -p /www; echo "{\"status\":\"ok\"}" >/www/health; busybox httpd -p 127.0.0.1:18095 -h /www; while :; do sleep 1; done' >/dev/null || exit 1

events=$BENCH_WORK/detect-events; : >"$events"
python3 "$BENCH_ROOT/tests/bench/journal_listener.py" "$BENCH_WORK/journal.sock" "$events" & listener_pid=$!
sleep 0.5
cat >"$BENCH_WORK/detect.json" <<JSON
{ "OpsAgent": { "TimeZone": "UTC", "StateDirectory": "$BENCH_WORK/detect-state", "Http": { "Listen": "http://127.0.0.1:19471" },
  "Docker": { "Endpoint": "$OPSAGENT_TEST_DOCKER" },
  "Logging": { "Level": "Information", "Journald": { "SocketPath": "$BENCH_WORK/journal.sock" } },
  "Probes": { "detect": { "Type": "http", "Url": "http://127.0.0.1:18095/health", "ExpectJson": { "status": "ok" },
    "Every": "${every}s", "Timeout": "1s", "FailureThreshold": $threshold,
    "Restart": { "Container": "opsagent-bench-detect", "StopTimeoutSeconds": 2, "MaxRestarts": 1000, "Window": "00:01:00",
                 "Backoff": { "Initial": "1s", "Max": "1s" }, "VerifyTimeout": "20s" } } } } }
JSON
dotnet "$AGENT_DLL" run --config "$BENCH_WORK/detect.json" >"$BENCH_WORK/detect-agent.log" 2>&1 & agent_pid=$!
for _ in $(seq 1 60); do curl -fs http://127.0.0.1:19471/metrics | grep -q 'opsagent_probe_healthy{probe="detect"} 1' && break; sleep 0.5; done

count() { grep -c " $1 detect" "$events"; }
: >"$BENCH_WORK/detect-trials"
for trial in $(seq 1 "$trials"); do
    started=$(count restart_started) recovered=$(count restart_recovered)
    degraded=$(date +%s.%N)
    docker exec opsagent-bench-detect sh -c 'echo "{\"status\":\"down\"}" >/www/health'
    for _ in $(seq 1 120); do [ "$(count restart_recovered)" -gt "$recovered" ] && break; sleep 0.25; done
    issued_at=$(grep " restart_started detect" "$events" | sed -n "$((started + 1))p" | cut -d' ' -f1)
    recovered_at=$(grep " restart_recovered detect" "$events" | sed -n "$((recovered + 1))p" | cut -d' ' -f1)
    if [ -z "$issued_at" ] || [ -z "$recovered_at" ]; then log "trial $trial: no restart/recovery seen"; continue; fi
    awk -v d="$degraded" -v i="$issued_at" -v r="$recovered_at" 'BEGIN { printf "%.3f %.3f\n", i - d, r - d }' >>"$BENCH_WORK/detect-trials"
    log "trial $trial: restart issued $(tail -1 "$BENCH_WORK/detect-trials" | cut -d' ' -f1) s, recovered $(tail -1 "$BENCH_WORK/detect-trials" | cut -d' ' -f2) s"
    sleep 2
done

pct() { cut -d' ' -f"$1" "$BENCH_WORK/detect-trials" | sort -g | awk -v p="$2" '{ v[NR] = $1 } END { if (!NR) { print "nan"; exit } i = int((NR - 1) * p / 100 + 0.999999); if (i < 1) i = 1; print v[i] }'; }
n=$(wc -l <"$BENCH_WORK/detect-trials")
i50=$(pct 1 50) i99=$(pct 1 99) r50=$(pct 2 50) r99=$(pct 2 99)
ok=$(awk -v v="$i99" -v b="$bound" 'BEGIN { print (v != "nan" && v <= b + 1) ? "yes" : "no" }')
echo
echo "trials: $n of $trials; bound Every x FailureThreshold = ${bound} s"
echo "restart issued after degrade: p50 ${i50} s, p99 ${i99} s (target p99 <= $((bound + 1)) s: $ok)"
echo "recovered after degrade:      p50 ${r50} s, p99 ${r99} s"
results_append detection.sh "| $(date -u +%F) | $(nproc) | $n | $bound | $i50 / $i99 | $r50 / $r99 | $ok |"
