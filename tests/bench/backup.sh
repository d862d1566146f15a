#!/usr/bin/env bash
# Dump throughput: the agent against the shell pipelines users run today and against raw pg_dump.
#   tests/bench/backup.sh [--scale N] [--runs R]
# One database: pgbench at scale N plus N x 60,000 rows of random text (two md5 strings), a timestamp and a small jsonb
# (about 1.3 GB at the default N=50). Every command runs R times (default 3), alternating, on the same data.
# Then the upload: the agent's `backup copy` of its dump to s3rver against `aws s3 cp` of the same file. The agent is the
# package's own binary (self-contained, ReadyToRun) with the unit's runtime settings.
source "$(dirname "$0")/common.sh"
scale=50 runs=3
while [ $# -gt 0 ]; do
    case "$1" in --scale) scale=$2; shift 2 ;; --runs) runs=$2; shift 2 ;; *) echo "usage: $0 [--scale N] [--runs R]" >&2; exit 2 ;; esac
done
trap harness_stop EXIT
mkdir -p "$HARNESS_WORK" "$HARNESS_LOG"
harness_install && harness_start_postgres && harness_start_s3 || exit 1
bench_package_agent || exit 1
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
export PGHOST=127.0.0.1 PGPORT=$HARNESS_PG_PORT PGUSER=postgres PGPASSWORD=$HARNESS_PG_PASSWORD
db=bench_s$scale
if ! "$bin/psql" -qAtc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
    log "creating $db (pgbench scale $scale + $((scale * 60000)) text rows; once, kept for later runs)"
    "$bin/createdb" "$db"
    "$bin/pgbench" -i -q -s "$scale" "$db" >"$BENCH_WORK/pgbench.log" 2>&1 || { tail "$BENCH_WORK/pgbench.log"; exit 1; }
    "$bin/psql" -q -d "$db" -c "create table bench_text as
        select g as id, md5(random()::text) || md5(random()::text) as body, now() - random() * interval '365 days' as at,
               jsonb_build_object('n', g, 'tag', substr(md5(g::text), 1, 8), 'ok', g % 3 = 0) as meta
        from generate_series(1, $scale * 60000) g" || exit 1
fi
size=$("$bin/psql" -qAtc "select pg_size_pretty(pg_database_size('$db'))")
log "$db: $size"

out=$BENCH_WORK/out; rm -rf "$out"; mkdir -p "$out"
cat >"$BENCH_WORK/agent.json" <<JSON
{ "OpsAgent": { "TimeZone": "UTC", "StateDirectory": "$BENCH_WORK/state",
  "Logging": { "Level": "Warning", "Journald": { "SocketPath": "$BENCH_WORK/no-journal.sock" } }, "Control": { "Socket": "" },
  "Backups": {
    "agent-zstd": { "Engine": "postgres", "Schedule": "0 3 * * *", "CatchUp": false, "Directory": "$out/agent-zstd",
      "Connection": "Host=127.0.0.1;Port=$HARNESS_PG_PORT;Username=postgres;Password=$HARNESS_PG_PASSWORD;Database=$db", "Retention": { "KeepLast": 1 } },
    "agent-gzip": { "Engine": "postgres", "Schedule": "0 3 * * *", "CatchUp": false, "Directory": "$out/agent-gzip", "Compression": "gzip",
      "Connection": "Host=127.0.0.1;Port=$HARNESS_PG_PORT;Username=postgres;Password=$HARNESS_PG_PASSWORD;Database=$db", "Retention": { "KeepLast": 1 } }
  } } }
JSON
# The same jobs with a copy to s3rver, for `backup copy` alone (so the dump rows above measure the dump only).
python3 - "$BENCH_WORK/agent.json" "$BENCH_WORK/agent-copy.json" "$OPSAGENT_TEST_S3" <<'PY'
import json, sys
source, target, endpoint = sys.argv[1:]
config = json.load(open(source))
config["OpsAgent"]["Targets"] = {"bench-s3": {"Type": "s3", "Endpoint": endpoint, "Region": "us-east-1", "Bucket": "opsagent-test",
    "Prefix": "bench/agent/", "ForcePathStyle": True, "AccessKeyId": "S3RVER", "SecretAccessKey": "S3RVER"}}
config["OpsAgent"]["Backups"]["agent-zstd"]["Copies"] = {"bench-s3": {"Retries": 0, "Retention": {"KeepLast": 1}}}
json.dump(config, open(target, "w"), indent=1)
PY
aws=(env AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "$OPSAGENT_TEST_S3")
: >"$BENCH_WORK/measurements"
declare -A bytes
for run in $(seq 1 "$runs"); do
    log "run $run of $runs"
    measure raw bash -c "'$bin/pg_dump' -Fc -Z0 '$db' >/dev/null"
    measure seed bash -c "'$bin/pg_dump' -Fc '$db' | gzip >'$out/seed.dump.gz'"; bytes[seed]=$(stat -c %s "$out/seed.dump.gz")
    measure default bash -c "'$bin/pg_dump' -Fc '$db' >'$out/default.dump'"; bytes[default]=$(stat -c %s "$out/default.dump")
    measure zstd bash -c "'$bin/pg_dump' -Fc -Z0 '$db' | zstd -q -T2 -3 >'$out/zstd.dump.zst'"; bytes[zstd]=$(stat -c %s "$out/zstd.dump.zst")
    measure agent env $AGENT_ENV "$AGENT_BIN" backup run agent-zstd --config "$BENCH_WORK/agent.json"; bytes[agent]=$(stat -c %s "$out"/agent-zstd/*.dump.zst | tail -1)
    measure upload-agent env $AGENT_ENV "$AGENT_BIN" backup copy agent-zstd --config "$BENCH_WORK/agent-copy.json"
    measure upload-aws "${aws[@]}" s3 cp --only-show-errors "$(ls "$out"/agent-zstd/*.dump.zst | tail -1)" s3://opsagent-test/bench/aws/dump.zst
    measure agent-gzip env $AGENT_ENV "$AGENT_BIN" backup run agent-gzip --config "$BENCH_WORK/agent.json"; bytes[agent-gzip]=$(stat -c %s "$out"/agent-gzip/*.dump.gz | tail -1)
    rm -f "$out"/*.dump* 
done

printf '\n%-12s %9s %9s %12s %10s\n' command wall_s cpu_s output_MB peak_rss_MB
bytes[upload-agent]=${bytes[agent]:-0} bytes[upload-aws]=${bytes[agent]:-0}
for name in raw seed default zstd agent agent-gzip upload-agent upload-aws; do
    rss=$(median "$name" 4); mb=${bytes[$name]:-0}
    printf '%-12s %9s %9s %12s %10s\n' "$name" "$(median "$name" 2)" "$(median "$name" 3)" \
        "$(awk -v b="$mb" 'BEGIN { printf (b ? "%.1f" : "-"), b / 1e6 }')" "$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')"
done
agent=$(median agent 2)
echo
echo "agent / seed pipeline (pg_dump -Fc | gzip): $(ratio "$agent" "$(median seed 2)")   target <= 0.4"
echo "agent / best pipeline (pg_dump -Z0 | zstd -T2 -3): $(ratio "$agent" "$(median zstd 2)")   target <= 1.1"
echo "agent / raw limit (pg_dump -Z0 > /dev/null): $(ratio "$agent" "$(median raw 2)")"
echo "agent output / seed output: $(ratio "${bytes[agent]:-0}" "${bytes[seed]:-0}")   target <= 1.0"
echo "agent peak RSS: $(awk -v k="$(median agent 4)" 'BEGIN { printf "%.0f", k / 1024 }') MB   target < 100 MB"

results_append backup.sh "| $(date -u +%F) | $(nproc) | $scale ($size), $runs runs | $(median raw 2) | $(median seed 2) | $(median default 2) | $(median zstd 2) | $agent | $(median agent-gzip 2) | $(ratio "$agent" "$(median seed 2)") | $(ratio "$agent" "$(median zstd 2)") | $(ratio "$agent" "$(median raw 2)") | $(awk -v a="${bytes[agent]:-0}" -v s="${bytes[seed]:-0}" 'BEGIN { printf "%.0f / %.0f", a / 1e6, s / 1e6 }') | $(awk -v k="$(median agent 4)" 'BEGIN { printf "%.0f", k / 1024 }') |"
upload=$(median upload-agent 2)
echo "agent upload (backup copy, verified) / aws s3 cp: $(ratio "$upload" "$(median upload-aws 2)"); agent upload peak RSS $(awk -v k="$(median upload-agent 4)" 'BEGIN { printf "%.0f", k / 1024 }') MB"
results_append "backup.sh upload" "| $(date -u +%F) | $(nproc) | $(awk -v b="${bytes[agent]:-0}" 'BEGIN { printf "%.0f", b / 1e6 }') MB, $runs runs | $upload | $(median upload-aws 2) | $(ratio "$upload" "$(median upload-aws 2)") | $(awk -v k="$(median upload-agent 4)" 'BEGIN { printf "%.0f", k / 1024 }') | $(awk -v k="$(median upload-aws 4)" 'BEGIN { printf "%.0f", k / 1024 }') |"
