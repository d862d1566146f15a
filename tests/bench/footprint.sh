#!/usr/bin/env bash
# Footprint: the agent with 100 HTTP probes every 10 s against a local server, 20 certificate files checked every
# minute and /metrics scraped every 15 s, next to monit doing the same 100 HTTP checks, in the same run.
#   tests/bench/footprint.sh [--minutes M]
# Every agent is the package's own binary (packaging/deb/build.sh: self-contained, ReadyToRun). They run side by side: the
# runtime's defaults; the runtime settings the unit file ships (its Environment= line, read from systemd/opsagent.service);
# the same plus 20 host probes; and an idle one with nothing configured (unit settings). RSS is sampled every 5 s and CPU
# counted after a 30 s warm-up. Then, alone: the CLI's start-up (`--help`) and check-config of 1,000 probes.
source "$(dirname "$0")/common.sh"
minutes=5
while [ $# -gt 0 ]; do
    case "$1" in --minutes) minutes=$2; shift 2 ;; *) echo "usage: $0 [--minutes M]" >&2; exit 2 ;; esac
done
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
bench_require monit bc busybox-static openssl || exit 1
bench_package_agent || exit 1
w=$BENCH_WORK/footprint; rm -rf "$w"; mkdir -p "$w/www" "$w/certs"
for i in $(seq 1 100); do echo '{"status":"ok"}' >"$w/www/h$i"; done
busybox httpd -f -p 127.0.0.1:18090 -h "$w/www" & pids+=($!)
for i in $(seq 1 20); do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days $((30 + i * 10)) -subj "/CN=site$i.test" \
        -keyout /dev/null -out "$w/certs/site$i.pem" >/dev/null 2>&1
done

# The host probes a third agent (the unit's settings) runs beside the same 100 HTTP probes: 10 disk, 5 memory and 5 log
# probes, the logs written to by a loop (one line a second each, one in ten an ERROR).
mkdir -p "$w/logs"; for i in $(seq 1 10); do mkdir -p "$w/disk$i"; done
for i in $(seq 1 5); do : >"$w/logs/app$i.log"; done
config() { # NAME PORT [host|idle|N probes]
    python3 - "$1" "$2" "$w" "${3:-}" <<'PY'
import json, sys
name, port, w, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
host = kind == "host"
count = 0 if kind == "idle" else int(kind) if kind.isdigit() else 100
probes = {f"h{i}": {"Type": "http", "Url": f"http://127.0.0.1:18090/h{(i - 1) % 100 + 1}", "ExpectJson": {"status": "ok"}, "Every": "10s", "Timeout": "2s"} for i in range(1, count + 1)}
if host:
    probes.update({f"disk{i}": {"Type": "disk", "Path": f"{w}/disk{i}", "WarningPercent": 80, "CriticalPercent": 90, "Every": "10s"} for i in range(1, 11)})
    probes.update({f"memory{i}": {"Type": "memory", "WarningPercent": 80 + i, "CriticalPercent": 95, "Every": "10s"} for i in range(1, 6)})
    probes.update({f"log{i}": {"Type": "log", "File": f"{w}/logs/app{i}.log", "Pattern": "ERROR|Traceback", "Window": "00:05:00",
                               "WarningCount": 100, "CriticalCount": 500, "Every": "10s"} for i in range(1, 6)})
config = {"OpsAgent": {"TimeZone": "UTC", "StateDirectory": f"{w}/{name}-state", "Http": {"Listen": f"http://127.0.0.1:{port}"},
          "Logging": {"Level": "Warning", "Journald": {"SocketPath": f"{w}/none.sock"}}, "Control": {"Socket": ""}}}
if kind != "idle":
    config["OpsAgent"].update({"Probes": probes, "Certificates": {"Schedule": "* * * * *", "Files": {"sites": f"{w}/certs/*.pem"}}})
json.dump(config, open(f"{w}/{name}.json", "w"), indent=1)
PY
}
config agent 19481; config tuned 19482; config host 19483 host; config idle 19484 idle; config thousand 19485 1000
{
    echo "set daemon 10"
    echo "set pidfile $w/monit.pid"; echo "set idfile $w/monit.id"; echo "set statefile $w/monit.state"
    echo "set logfile $w/monit.log"
    for i in $(seq 1 100); do
        printf 'check host h%d with address 127.0.0.1\n  if failed port 18090 protocol http request "/h%d" then alert\n' "$i" "$i"
    done
} >"$w/monitrc"
chmod 0600 "$w/monitrc"

"$AGENT_BIN" run --config "$w/agent.json" >"$w/agent.log" 2>&1 & agent=$!; pids+=($agent)
env $AGENT_ENV "$AGENT_BIN" run --config "$w/tuned.json" >"$w/tuned.log" 2>&1 & tuned=$!; pids+=($tuned)
env $AGENT_ENV "$AGENT_BIN" run --config "$w/host.json" >"$w/host.log" 2>&1 & host=$!; pids+=($host)
env $AGENT_ENV "$AGENT_BIN" run --config "$w/idle.json" >"$w/idle.log" 2>&1 & idle=$!; pids+=($idle)
monit -I -c "$w/monitrc" >"$w/monit.out" 2>&1 & monit=$!; pids+=($monit)
( while :; do for port in 19481 19482 19483 19484; do curl -fs http://127.0.0.1:$port/metrics >/dev/null; done; sleep 15; done ) & pids+=($!)
( n=0; while :; do n=$((n + 1)); for i in 1 2 3 4 5; do
      if [ $((n % 10)) -eq 0 ]; then echo "$(date -u +%FT%T) ERROR request $n failed"; else echo "$(date -u +%FT%T) INFO request $n ok"; fi >>"$w/logs/app$i.log"
  done; sleep 1; done ) & pids+=($!)

cpu() { awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ { print $2 / 1024 }' "/proc/$1/status"; }
# What the kernel cannot reclaim without swap: anonymous and shared-memory pages (the runtime's double-mapped code heap).
# VmRSS also counts the mapped assemblies' clean file pages, which are shared with the page cache and dropped under pressure.
private() { awk '/^RssAnon|^RssShmem/ { kb += $2 } END { print kb / 1024 }' "/proc/$1/status"; }
log "running for $minutes min (warm-up 30 s)"
sleep 30
for p in agent tuned host idle monit; do eval "start_$p=\$(cpu \$$p)"; done
: >"$w/rss"
end=$(( $(date +%s) + minutes * 60 ))
while [ "$(date +%s)" -lt "$end" ]; do
    for p in agent tuned host idle monit; do
        kill -0 "${!p}" 2>/dev/null || { log "$p died; see $w/$p.log"; exit 1; }
        echo "$p $(rss "${!p}") $(private "${!p}")" >>"$w/rss"
    done
    sleep 5
done
summary() { # NAME [COLUMN: 2 VmRSS, 3 private] -> "median max cpu"
    local pid=${!1} start; eval "start=\$start_$1"
    awk -v n="$1" -v c="${2:-2}" '$1 == n { print $c }' "$w/rss" | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f %.1f ", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }'
    echo "$(cpu "$pid") - $start" | bc -l | awk '{ printf "%.2f\n", $1 }'
}
read -r a_med a_max a_cpu <<<"$(summary agent)"
read -r t_med t_max t_cpu <<<"$(summary tuned)"
read -r m_med m_max m_cpu <<<"$(summary monit)"
read -r h_med h_max h_cpu <<<"$(summary host)"
read -r i_med i_max i_cpu <<<"$(summary idle)"
read -r ip_med ip_max _ <<<"$(summary idle 3)"
read -r tp_med tp_max _ <<<"$(summary tuned 3)"
host_ok=$(curl -fs http://127.0.0.1:19483/metrics | grep -c '^opsagent_probe_level{probe="\(disk\|memory\|log\)[0-9]*"} 0')
probes_ok=$(curl -fs http://127.0.0.1:19481/metrics | grep -c '^opsagent_probe_success{probe="h[0-9]*"} 1')
printf '\n%-22s %12s %10s %8s\n' process rss_median_MB rss_max_MB cpu_s
printf '%-22s %12s %10s %8s\n' "agent (defaults)" "$a_med" "$a_max" "$a_cpu" "agent (unit settings)" "$t_med" "$t_max" "$t_cpu" \
    "+ 20 host probes" "$h_med" "$h_max" "$h_cpu" "idle (unit settings)" "$i_med" "$i_max" "$i_cpu" "monit" "$m_med" "$m_max" "$m_cpu"
echo
echo "probes succeeding in the agent: $probes_ok of 100"
echo "CPU agent/monit: $(ratio "$a_cpu" "$m_cpu"), tuned/monit: $(ratio "$t_cpu" "$m_cpu")   target <= 1"
echo "RSS target <= 60 MB: defaults median $a_med MB, tuned median $t_med MB"
echo "host probes at ok in the third agent: $host_ok of 20; they cost $(echo "$h_med - $t_med" | bc -l) MB RSS (median) and $(echo "$h_cpu - $t_cpu" | bc -l) CPU s"
results_append "footprint.sh host probes" "| $(date -u +%F) | $(nproc) | $minutes | $t_med / $t_max | $t_cpu | $h_med / $h_max | $h_cpu | $(echo "$h_med - $t_med" | bc -l) | $(echo "$h_cpu - $t_cpu" | bc -l) | $host_ok of 20 |"
results_append footprint.sh "| $(date -u +%F) | $(nproc) | $minutes | $a_med / $a_max | $a_cpu | $t_med / $t_max | $t_cpu | $m_med / $m_max | $m_cpu | $(ratio "$a_cpu" "$m_cpu") | $(ratio "$t_cpu" "$m_cpu") |"

# Start-up and configuration load, with nothing else running: the CLI's --help (5 runs) and check-config of 1,000 HTTP
# probes (3 runs), as the unit's settings run them.
cleanup; pids=()
: >"$BENCH_WORK/measurements"
for run in 1 2 3 4 5; do measure help env $AGENT_ENV "$AGENT_BIN" --help; done
for run in 1 2 3; do measure checkconfig env $AGENT_ENV "$AGENT_BIN" check-config --config "$w/thousand.json"; done
help=$(median help 2) checkconfig=$(median checkconfig 2)
echo "idle RSS (unit settings): median $i_med MB, max $i_max MB (private: median $ip_med, max $ip_max)   target <= 40"
echo "100 probes RSS (unit settings): max $t_max MB (private: max $tp_max)   target <= 60; CPU tuned/monit $(ratio "$t_cpu" "$m_cpu")   target <= 2"
echo "--help: $help s   target <= 0.15; check-config of 1,000 probes: $checkconfig s   target <= 1"
results_append "footprint.sh targets" "| $(date -u +%F) | $(nproc) | $minutes | $i_med / $i_max | $ip_med / $ip_max | $t_med / $t_max | $tp_med / $tp_max | $(ratio "$t_cpu" "$m_cpu") | $help | $checkconfig |"
