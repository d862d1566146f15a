#!/usr/bin/env bash
# THE test command. As root on a fresh Debian machine: installs what is missing, starts a private
# PostgreSQL and Docker engine, imports the test images, builds once, runs every suite, stops everything it started
# (also on failure), and ends with the line "N passed, N failed, N skipped".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
source tests/lib/harness.sh
source tests/e2e/lib.sh
trap harness_stop EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

passed=0 failed=0 skipped=0
started=$(date +%s)
finish() {
    log "suite time $(( $(date +%s) - started )) s"
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
    exit $?
}

if ! command -v dotnet >/dev/null; then
    echo "the .NET 10 SDK is required (dotnet not on PATH)" >&2
    failed=1; finish
fi

if ! harness_start; then
    log "service set-up failed (logs in $HARNESS_LOG); suites that need the services will be skipped"
    failed=$((failed + 1))
fi

log "building agent.sln (Release)"
if ! dotnet build agent.sln -c Release -nologo -clp:ErrorsOnly >"$HARNESS_LOG/build.log" 2>&1; then
    grep -E "error" "$HARNESS_LOG/build.log" | sort -u | head -40 >&2
    failed=$((failed + 1)); finish
fi

for project in tests/OpsAgent*.Tests/*.csproj; do
    name=$(basename "$project" .csproj)
    log "running $name"
    out=$HARNESS_LOG/$name.log
    discovered=$(dotnet test "$project" -c Release --no-build --list-tests 2>/dev/null | sed -n '/The following Tests are available:/,$p' | tail -n +2 | grep -c .)
    timeout 1800 dotnet test "$project" -c Release --no-build --logger "console;verbosity=detailed" >"$out" 2>&1
    if ! grep -qE "^Test Run (Successful|Failed|Aborted)\." "$out"; then
        log "$name produced no summary (build, crash or timeout); last lines:"; tail -30 "$out" >&2
        failed=$((failed + 1)); continue
    fi
    count() { grep -E "^ +$1: +[0-9]+" "$out" | tail -1 | sed -E 's/.*: +([0-9]+).*/\1/'; }
    p=$(count Passed); f=$(count Failed); s=$(count Skipped)
    p=${p:-0}; f=${f:-0}; s=${s:-0}
    if grep -qE "^Test Run Aborted\." "$out" && [ "$f" -eq 0 ]; then f=1; fi
    # A test host that dies can still print a summary over fewer tests: count the ones that never ran as failed.
    if [ $((p + f + s)) -lt "$discovered" ]; then
        log "$name: only $((p + f + s)) of $discovered tests ran"; f=$((f + discovered - p - f - s))
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    echo "$name: $p passed, $f failed, $s skipped"
    # Show why tests failed or were skipped, never hide it (only detailed verbosity prints a skipped test's reason).
    grep -E "^\s+(Failed|Skipped) " -A4 "$out" | grep -vE "^\s+at |^--$" | head -60
done

# The package is built once for the scripts that install it.
log "building the .deb for the e2e scripts"
OPSAGENT_DEB=$(bash packaging/deb/build.sh 0.0.0~e2e amd64 2>"$HARNESS_LOG/deb-build.log" | tail -1)
[ -f "$OPSAGENT_DEB" ] || { log "the .deb did not build (each script will try again); last lines:"; tail -20 "$HARNESS_LOG/deb-build.log" >&2; OPSAGENT_DEB=; }
export OPSAGENT_DEB

for script in tests/e2e/smoke.sh tests/e2e/probes.sh tests/e2e/install.sh tests/e2e/seeds.sh; do
    log "running $script"
    out=$HARNESS_LOG/$(basename "$script").log
    # seeds.sh runs five set-ups at field sizes (about 15 minutes on 2 cores).
    timeout 1500 bash "$script" >"$out" 2>&1
    p=$(grep -c '^ok - ' "$out"); f=$(grep -c '^not ok - ' "$out"); s=$(grep -c '^ok - # SKIP ' "$out")
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    p=$((p - s))
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    echo "$script: $p passed, $f failed, $s skipped"
    grep '^ok - # SKIP ' "$out"
    grep '^not ok - ' "$out"
done

finish
