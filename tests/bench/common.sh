# Shared by the benchmark scripts: sourced, not run. Sets up services like tests/run.sh, builds the agent (Release),
# measures commands with GNU time, and prints medians.
set -uo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$BENCH_ROOT/tests/lib/harness.sh"
BENCH_WORK=${OPSAGENT_BENCH_WORK:-/tmp/opsagent-bench}
mkdir -p "$BENCH_WORK"
RESULTS=$BENCH_ROOT/tests/bench/RESULTS.md

bench_build_agent() {
    log "building the agent (Release)"
    dotnet build "$BENCH_ROOT/src/OpsAgent/OpsAgent.csproj" -c Release -nologo -clp:ErrorsOnly >"$BENCH_WORK/build.log" 2>&1 || { tail -20 "$BENCH_WORK/build.log" >&2; return 1; }
    AGENT_DLL=$BENCH_ROOT/src/OpsAgent/bin/Release/net10.0/opsagent.dll
}

# bench_package_agent: the agent as the package installs it (packaging/deb/build.sh's .deb unpacked under $BENCH_WORK/pkg:
# self-contained, ReadyToRun), run as the unit runs it: $AGENT_BIN with the unit file's Environment= line in $AGENT_ENV.
bench_package_agent() {
    log "building the package (packaging/deb/build.sh)"
    local deb
    deb=$(bash "$BENCH_ROOT/packaging/deb/build.sh" 0.0.0~bench "$(dpkg --print-architecture)" 2>"$BENCH_WORK/deb.log" | tail -1)
    [ -f "$deb" ] || { tail -20 "$BENCH_WORK/deb.log" >&2; return 1; }
    rm -rf "$BENCH_WORK/pkg"; dpkg-deb -x "$deb" "$BENCH_WORK/pkg"
    AGENT_BIN=$BENCH_WORK/pkg/usr/lib/opsagent/app/opsagent
    [ -x "$AGENT_BIN" ] || { log "the package is not self-contained: $AGENT_BIN is missing"; return 1; }
    AGENT_ENV=$(sed -n 's/^Environment=//p' "$BENCH_ROOT/systemd/opsagent.service")
    log "agent: $AGENT_BIN with $AGENT_ENV"
}

# measure NAME COMMAND...: runs COMMAND under GNU time; appends "NAME wall cpu maxrss_kb" to $BENCH_WORK/measurements.
measure() {
    local name=$1; shift
    local out=$BENCH_WORK/time.out
    /usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >/dev/null 2>"$BENCH_WORK/last.err" || { log "$name failed:"; tail -5 "$BENCH_WORK/last.err" >&2; return 1; }
    read -r wall user sys rss <"$out"
    echo "$name $wall $(echo "$user + $sys" | bc -l) $rss" >>"$BENCH_WORK/measurements"
}

# median NAME FIELD (2 wall, 3 cpu, 4 rss): the median of that field over NAME's runs.
median() {
    awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$BENCH_WORK/measurements" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0 || a == "nan" || b == "nan") print "n/a"; else printf "%.2f", a / b }'; }

# bench_require PACKAGE...: installs what the benchmark needs beyond tests/run.sh's set-up.
bench_require() {
    local missing=() p
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    ((${#missing[@]} == 0)) || apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$BENCH_WORK/apt.log" 2>&1 || { tail "$BENCH_WORK/apt.log" >&2; return 1; }
}

# results_append SECTION ROW: adds ROW at the end of the table under "## SECTION" in RESULTS.md.
results_append() {
    python3 - "$RESULTS" "$1" "$2" <<'PY'
import sys
path, section, row = sys.argv[1:]
lines = open(path).read().split("\n")
start = lines.index("## " + section)
end = start + 1
while end < len(lines) and not lines[end].startswith("## "):
    end += 1
last = max(i for i in range(start, end) if lines[i].startswith("|"))
lines.insert(last + 1, row)
open(path, "w").write("\n".join(lines))
PY
    log "appended a row to $RESULTS ($1)"
}
