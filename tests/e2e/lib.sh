# Boot the cached Debian root file system with systemd-nspawn and run commands inside it: sourced, not run.
#   e2e_boot NAME [ARG...] extract $OPSAGENT_TEST_DEBIAN_ROOTFS into a fresh directory and boot it (ARGs to nspawn)
#   e2e_exec NAME CMD...   run CMD inside (all namespaces of its init, via nsenter)
#   e2e_wait NAME          wait until systemd inside has finished starting up
#   e2e_stop NAME          power it off (and kill it if it will not go)
#   e2e_stop_all           stop every machine booted by this shell
# The machine shares the host's network (no --private-network), so it can reach the harness's services on 127.0.0.1.

E2E_WORK=${OPSAGENT_TEST_WORK:-/tmp/opsagent-test}/e2e
declare -gA E2E_NSPAWN_PID=()

e2e_boot() {
    local name=$1 root=$E2E_WORK/$1; shift
    # Further arguments go to systemd-nspawn (--bind=... to hand the machine the harness's Docker socket).
    [ -s "${OPSAGENT_TEST_DEBIAN_ROOTFS:-}" ] || { echo "e2e_boot: OPSAGENT_TEST_DEBIAN_ROOTFS not set (source tests/lib/harness.sh and run harness_start)" >&2; return 1; }
    rm -rf "$root"; mkdir -p "$root"
    tar -C "$root" -xf "$OPSAGENT_TEST_DEBIAN_ROOTFS"
    # Nothing inside may bind the harness's ports: its own PostgreSQL listens on the image's default 5432 only.
    systemd-nspawn --boot --register=no --keep-unit --quiet -D "$root" -M "$name" "$@" \
        >"$E2E_WORK/$name.console" 2>&1 </dev/null &
    E2E_NSPAWN_PID[$name]=$!
    local i
    for i in $(seq 1 100); do
        [ -n "$(e2e_leader "$name")" ] && return 0
        sleep 0.2
    done
    echo "e2e_boot: $name did not start; console:" >&2; tail -20 "$E2E_WORK/$name.console" >&2
    return 1
}

# The PID (on the host) of systemd inside the machine: the child of systemd-nspawn.
e2e_leader() {
    local pid=${E2E_NSPAWN_PID[$1]:-}
    [ -n "$pid" ] || return 0
    pgrep -P "$pid" | head -1
}

e2e_exec() {
    local name=$1; shift
    local leader; leader=$(e2e_leader "$name")
    [ -n "$leader" ] || { echo "e2e_exec: $name is not running" >&2; return 1; }
    nsenter -t "$leader" -m -u -i -n -p -C -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb "$@"
}

e2e_wait() {
    local name=$1 state i
    for i in $(seq 1 120); do
        state=$(e2e_exec "$name" systemctl is-system-running 2>/dev/null)
        case "$state" in running|degraded) echo "$state"; return 0 ;; esac
        sleep 1
    done
    echo "e2e_wait: $name stuck in '$state'" >&2
    return 1
}

e2e_stop() {
    local name=$1 pid=${E2E_NSPAWN_PID[$1]:-}
    [ -n "$pid" ] || return 0
    e2e_exec "$name" systemctl poweroff --no-block >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null
    local i
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "E2E_NSPAWN_PID[$name]"
}

e2e_stop_all() {
    local name
    for name in "${!E2E_NSPAWN_PID[@]}"; do e2e_stop "$name"; done
}

# --- Reporting and waiting for the e2e scripts (set E2E_MACHINE to the machine they drive) ---
# ok/not_ok print TAP-like lines that tests/run.sh counts; the EXIT trap prints the standard summary line.
e2e_passed=0 e2e_failed=0 e2e_skipped=0
ok() { echo "ok - $*"; e2e_passed=$((e2e_passed + 1)); }
not_ok() { echo "not ok - $*"; e2e_failed=$((e2e_failed + 1)); }
# A check this machine cannot make, with why (counted as skipped by tests/run.sh).
skip() { echo "ok - # SKIP $*"; e2e_skipped=$((e2e_skipped + 1)); }
e2e_finish() { echo "$e2e_passed passed, $e2e_failed failed, $e2e_skipped skipped"; e2e_stop_all; }
e2e_status() { [ "$e2e_failed" -eq 0 ]; }
# check DESCRIPTION COMMAND...: one line for COMMAND's result; on failure its last output lines as comments.
check() {
    local what=$1 out; shift
    if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what"; printf '%s\n' "$out" | tail -8 | sed 's/^/#   /'; fi
}
# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every half second.
wait_for() {
    local seconds=$1 what=$2; shift 2
    local i
    for i in $(seq 1 $((seconds * 2))); do
        if "$@" >/dev/null 2>&1; then ok "$what"; return 0; fi
        sleep 0.5
    done
    not_ok "$what (waited ${seconds}s)"; return 1
}
in_host() { e2e_exec "$E2E_MACHINE" "$@"; }
# has [GREP-OPTIONS] PATTERN: grep -q over standard input that reads all of it first. Under pipefail a plain
# "cmd | grep -q" fails when grep exits at the first match while cmd is still writing (cmd dies of SIGPIPE,
# curl exits 23), so a check that matched could be reported failed, depending on timing.
has() { local input; input=$(cat); grep -q "$@" <<<"$input"; }
# stage TITLE: prints it; journal entries from before it no longer count for journal_has/journal_time.
since="2000-01-01 00:00:00"
stage() { echo "# $*"; since=$(in_host date '+%Y-%m-%d %H:%M:%S'); sleep 1; }
# unit_active UNIT: the unit is active in the host.
unit_active() { [ "$(in_host systemctl is-active "$1")" = active ]; }
# metric TEXT: the agent's /metrics, at $E2E_METRICS_URL (set by the script), has a line containing TEXT.
metric() { curl -fsS "$E2E_METRICS_URL" | has -F "$1"; }
# journal_has EVENT [FIELD=VALUE...]: an agent entry with that event exists since the stage began.
journal_has() { local event=$1; shift; in_host journalctl -q -t opsagent "OPSAGENT_EVENT=$event" "$@" --since "$since" -o cat --no-pager | has .; }
# journal_time EVENT: the first such entry's time (seconds since the epoch).
journal_time() {
    in_host journalctl -q -t opsagent "OPSAGENT_EVENT=$1" --since "$since" -o json --no-pager |
        python3 -c 'import json,sys; print("%.3f" % (int(json.loads(sys.stdin.read().splitlines()[0])["__REALTIME_TIMESTAMP"]) / 1e6))'
}
