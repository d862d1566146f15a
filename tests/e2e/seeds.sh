#!/usr/bin/env bash
# The seeds' own set-ups, as their sysadmins would run them, with the shipped package and examples at field sizes:
# the .deb installed in a Debian host booted with systemd-nspawn, each example copied to conf.d with only host names,
# ports, paths (and, to see a scheduled run, one schedule) substituted, the substitution table printed.
#   002 UJMP: PostgreSQL in the host, a 100 MB+ database owned by the non-superuser ujmp_user (no CREATEDB), plain
#       gzip dumps, ujmp.service / ujmp-celery.service units.
#   001 SIMS: PostgreSQL in the fmu_db container (a 100 MB+ database owned by the non-superuser fmu_platform), the
#       sims_backend container whose shell-form main process ignores SIGTERM.
#   003 SoFinance: the Prisma DATABASE_URL from the application's .env, full verification, a backend container.
#   004 TraceHub: production and staging databases in containers, plain gzip dumps in the runbook's
#       /home/tracehub/<env>/backups (which needs the example's ReadWritePaths drop-in: without it the daemon's run
#       fails write_failed, as it would at 2 AM).
# Every example mails its alerts through a STARTTLS relay with a log-in (the harness's submission server, its
# certificate from the test CA) and SIMS and TraceHub ping a recorder answering as Healthchecks and Uptime Kuma do;
# each seed's alerts (a probe failing and restarted, a dump failing then good again, a renewal failing) are read back.
#   000 INNOVAPLUS: its own host (the other examples leave conf.d): the example as shipped refused for the missing
#       mongodump, then without the MongoDB dump job; the MongoDB probe finds nothing listening, so the failing backend
#       is not restarted (DependsOn); public TLS through a trusted CA with the Host header; OnCritical for one lineage.
# Each drives every verb on every job through the installed unit (backup run/list/verify/restore, probe run, cert
# check, reload), a scheduled run, a degrade -> restart -> recovered, an operator stop respected, and a restore of the
# newest backup into a scratch database and over the original with equal row counts.
# Needs tests/run.sh's environment (OPSAGENT_TEST_DOCKER, the images); builds the .deb unless OPSAGENT_DEB is set.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
E2E_MACHINE=seeds
trap 'cleanup_containers; [ -n "${ping_pid:-}" ] && kill "$ping_pid" 2>/dev/null; e2e_finish' EXIT
E2E_METRICS_URL=http://127.0.0.1:9464/metrics
docker_sock=${OPSAGENT_TEST_DOCKER#unix://}
cleanup_containers() {
    docker rm -f fmu_db sims_backend sofinance-backend tracehub-db-prod tracehub-db-staging tracehub-backend-prod >/dev/null 2>&1 || true
    docker volume rm -f sims_media_volume >/dev/null 2>&1 || true
}

deb=${OPSAGENT_DEB:-}
if [ -z "$deb" ]; then
    deb=$(bash "$repo/packaging/deb/build.sh" 0.0.0~e2e amd64 2>"$E2E_WORK/deb-build.log" | tail -1)
fi
[ -f "$deb" ] || { not_ok "package built"; tail -20 "$E2E_WORK/deb-build.log"; exit 1; }
[ -S "$docker_sock" ] || { not_ok "the harness's Docker engine ($OPSAGENT_TEST_DOCKER)"; exit 1; }

# The harness's engine is the host's Docker: its socket is bound where the package's default endpoint looks.
# So are its volumes, at the mount points its Engine API reports (on one host they are the same directories).
docker_volumes=$(docker info -f '{{.DockerRootDir}}')/volumes
if ! e2e_boot seeds --bind="$docker_sock:/var/run/docker.sock" --bind="$docker_volumes"; then not_ok "boot"; exit 1; fi
e2e_wait seeds >/dev/null || { not_ok "systemd start-up"; exit 1; }
root=$E2E_WORK/seeds
cp "$deb" "$root/root/"
check "apt install ./$(basename "$deb")" in_host sh -c "cd /root && apt-get install -y -q ./$(basename "$deb")"
wait_for 30 "systemctl is-active opsagent" unit_active opsagent

# Notifications: the examples' ops-mail relay is the harness's submission server (STARTTLS, then a log-in; each
# message an .eml in OPSAGENT_TEST_STARTTLS_DIR), their ping URLs a recorder on 127.0.0.1:54080 (no Healthchecks or
# Uptime Kuma server is installable here).
mail_mark=$E2E_WORK/mail-mark; touch "$mail_mark"
smtp_password=seeds-Smtp-Pw-3318
printf 'SMTP_PASSWORD=%s\n' "$smtp_password" >"$root/etc/opsagent/smtp.env"; chmod 600 "$root/etc/opsagent/smtp.env"
cp "$OPSAGENT_TEST_SMTP_CA" "$root/etc/opsagent/smtp-ca.pem"
pings_log=$E2E_WORK/pings.jsonl; : >"$pings_log"
python3 "$repo/tests/lib/ping-recorder.py" 54080 "$pings_log" & ping_pid=$!
ping_url=http://127.0.0.1:54080
notify_subst=('"Host": "smtp.example.org", "Port": 587, "StartTls": true,' "\"Host\": \"localhost\", \"Port\": ${OPSAGENT_TEST_STARTTLS##*:}, \"StartTls\": true, \"CaFile\": \"/etc/opsagent/smtp-ca.pem\","
    '"From": "opsagent@web1.example.org", "To": [ "ops@example.org" ]' '"From": "opsagent@seeds.test", "To": [ "ops@team.test" ]')
# mails: every message the relay took since the set-up, decoded as a mail client shows it (subject, then the text).
mails() { python3 - "$OPSAGENT_TEST_STARTTLS_DIR" "$mail_mark" <<'PY'
import email, email.policy, os, sys
folder, mark = sys.argv[1], os.path.getmtime(sys.argv[2])
files = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith('.eml')]
for f in sorted((f for f in files if os.path.getmtime(f) >= mark), key=os.path.getmtime):
    m = email.message_from_binary_file(open(f, 'rb'), policy=email.policy.default)
    body = m.get_body(('plain',))
    print('Subject:', m['subject'])
    print(body.get_content() if body else '')
PY
}
mail_has() { mails | has "$@"; }
# pings: METHOD PATH BODY, one request a line, as the recorder took them.
pings() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l); print(r["method"], r["path"], r["body"].replace("\n", " ")[:300])' "$pings_log"; }
pings_has() { pings | has "$@"; }

# substitute SEED EXAMPLE OLD NEW [OLD NEW...]: the example with each OLD (which must occur) replaced, into conf.d.
substitute() {
    local seed=$1 example=$2; shift 2
    python3 - "$repo/packaging/examples/$example" "$root/etc/opsagent/conf.d/$example" "$seed" "$@" <<'PY'
import sys
src, dst, seed, pairs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
text = open(src).read()
print(f"# substitution table for {seed} (packaging/examples/{src.rsplit('/', 1)[1]}):")
for old, new in zip(pairs[::2], pairs[1::2]):
    if old not in text:
        print(f"# MISSING in the example: {old}")
        sys.exit(1)
    text = text.replace(old, new)
    print(f"#   {old}  ->  {new}")
open(dst, "w").write(text)
PY
}
pg_host() { in_host su postgres -s /bin/sh -c "psql -qAt $*"; }
count_host() { pg_host "-d $1 -c 'select count(*) from $2'"; }
count_fmu() { docker exec fmu_db psql -qAt -h /var/run/postgresql -U postgres -d "$1" -c "select count(*) from $2"; }
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
# The data: 200,000 rows of random hex text (about 105 MB, half of it survives zstd), past every pipe and exec buffer.
SEED_SQL="create table articles (id int primary key, body text); insert into articles select g, $(printf 'md5(random()::text)||%.0s' $(seq 1 15))md5(random()::text) from generate_series(1, 200000) g; create table users (id int primary key, name text); insert into users select g, 'user ' || g from generate_series(1, 3000) g;"
# A TLS endpoint and certificate files for the certificate checks (the seeds' public names are not reachable here).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 60 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$root/root/tls.key" -out "$root/root/tls.crt" >/dev/null 2>&1
in_host systemd-run --unit tls-e2e openssl s_server -quiet -accept 18443 -cert /root/tls.crt -key /root/tls.key -www >/dev/null 2>&1

stage "002 UJMP: PostgreSQL in the host, the application's own role"
wait_for 60 "PostgreSQL in the host accepts connections" pg_host "-c 'select 1'"
pg_host "-c \"create role ujmp_user login password 'ujmp-Pw-2231' nosuperuser nocreatedb\" -c 'create database ujmp_production owner ujmp_user' -c 'create database ujmp_drill owner ujmp_user'" >/dev/null
in_host env PGPASSWORD=ujmp-Pw-2231 psql -qAt -h 127.0.0.1 -U ujmp_user -d ujmp_production -c "$SEED_SQL" >/dev/null
size=$(pg_host "-c \"select pg_database_size('ujmp_production')\"")
[ "${size:-0}" -gt 100000000 ] && ok "ujmp_production is $((size / 1048576)) MB, owned by ujmp_user (no superuser, no CREATEDB)" || not_ok "ujmp_production over 100 MB (got ${size:-?})"
mkdir -p "$root/etc/ujmp" "$root/srv/ujmp/health" "$root/etc/letsencrypt/live/api.ujmp.example.com"
echo "DATABASE_URL=postgresql://ujmp_user:ujmp-Pw-2231@127.0.0.1:5432/ujmp_production" >"$root/etc/ujmp/ujmp.env"
cp "$root/root/tls.crt" "$root/etc/letsencrypt/live/api.ujmp.example.com/fullchain.pem"
echo '{"status":"healthy"}' >"$root/srv/ujmp/good.json"
for unit in ujmp ujmp-celery ujmp-celery-beat; do
    if [ "$unit" = ujmp ]; then
        start="ExecStartPre=/bin/cp /srv/ujmp/good.json /srv/ujmp/health/index.html
ExecStart=/bin/busybox httpd -f -p 127.0.0.1:8000 -h /srv/ujmp"
    else
        start="ExecStart=/bin/sleep infinity"
    fi
    printf '[Unit]\nDescription=%s (seed 002)\n[Service]\n%s\n' "$unit" "$start" >"$root/etc/systemd/system/$unit.service"
done
in_host systemctl daemon-reload
check "ujmp.service, ujmp-celery.service, ujmp-celery-beat.service started" in_host systemctl start ujmp.service ujmp-celery.service ujmp-celery-beat.service
# The next minute at least 15 s away: the scheduled run happens while 001 is set up, before any verb could meet its lock.
next=$(in_host sh -c 'if [ "$(date -u +%S)" -gt 45 ]; then date -u -d "+2 minutes" "+%M %H"; else date -u -d "+1 minute" "+%M %H"; fi')
scheduled_since=$(in_host date '+%Y-%m-%d %H:%M:%S')
# MEDIA_ROOT as the application leaves it: uploads owned by the app's user, a symlink, an empty directory, a file
# the example's Exclude leaves out (*.tmp, cache/).
mkdir -p "$root/opt/ujmp/media/uploads/2026/11" "$root/opt/ujmp/media/uploads/empty" "$root/opt/ujmp/media/cache"
for i in $(seq 1 40); do head -c $((i * 2048)) /dev/urandom >"$root/opt/ujmp/media/uploads/2026/11/photo_$i.jpg"; done
ln -sfn uploads/2026/11/photo_1.jpg "$root/opt/ujmp/media/latest.jpg"
echo partial >"$root/opt/ujmp/media/uploads/upload.tmp"; echo thumb >"$root/opt/ujmp/media/cache/thumb.png"
chown -R 1001:1001 "$root/opt/ujmp/media/uploads"; chmod 0640 "$root/opt/ujmp/media/uploads/2026/11/photo_2.jpg"
# The application's logs, where the runbook lists them (gunicorn, celery, nginx).
mkdir -p "$root/var/log/ujmp" "$root/var/log/nginx"
touch "$root/var/log/ujmp/gunicorn_error.log" "$root/var/log/ujmp/celery_worker.log" "$root/var/log/nginx/ujmp_access.log"
# The example's migrations command stands for the app's manage.py (not installed here): it leaves a mark to look for.
ujmp_after=('/opt/ujmp/venv/bin/python /opt/ujmp/manage.py migrate --noinput' '/usr/bin/touch /root/ujmp-migrated')
# First as copied with its HostHeader placeholder left: check-config must fail naming that line, before any reload.
substitute "seed 002" ujmp.json \
    '"Schedule": "0 2 * * *"' "\"Schedule\": \"${next%% *} ${next##* } * * *\"" \
    'api.ujmp.example.com:443' 'localhost:18443' "${ujmp_after[@]}" "${notify_subst[@]}"
placeholder_line=$(grep -n '"HostHeader"' "$root/etc/opsagent/conf.d/ujmp.json" | cut -d: -f1)
out=$(in_host opsagent check-config 2>&1)
[ $? -ne 0 ] && echo "$out" | has "OpsAgent:Probes:ujmp:HostHeader: 'api.ujmp.example.com' is an example placeholder.*(/etc/opsagent/conf.d/ujmp.json:$placeholder_line)" \
    && ok "check-config fails on ujmp.json's placeholder left, naming conf.d/ujmp.json:$placeholder_line" || { not_ok "check-config names the placeholder's line"; echo "$out" | sed 's/^/#   /'; }
substitute "seed 002" ujmp.json \
    '"Schedule": "0 2 * * *"' "\"Schedule\": \"${next%% *} ${next##* } * * *\"" \
    'api.ujmp.example.com:443' 'localhost:18443' "${ujmp_after[@]}" \
    '"HostHeader": "api.ujmp.example.com"' '"HostHeader": "localhost"' "${notify_subst[@]}"
check "opsagent check-config accepts ujmp.json" in_host opsagent check-config
check "systemctl reload opsagent (ujmp.json)" in_host systemctl reload opsagent
out=$(in_host opsagent notify test ops-mail 2>&1); echo "$out" | sed 's/^/#   /'
echo "$out" | has "accepted over TLS" && ok "notify test ops-mail: STARTTLS, the log-in from smtp.env, the relay's answer printed" || not_ok "notify test ops-mail"
wait_for 30 "the test mail arrived" mail_has "TEST message through ops-mail"

# 001 SIMS is configured now too, so its probes' start periods run out while 002 is exercised.
stage "001 SIMS: PostgreSQL in the fmu_db container, sims_backend ignoring SIGTERM"
cleanup_containers
docker run -d --name fmu_db --label opsagent-test=1 --network none "$OPSAGENT_TEST_DEBIAN_IMAGE" \
    sh -c "sed -i 's/peer/trust/;s/scram-sha-256/trust/' /etc/postgresql/*/main/pg_hba.conf && pg_ctlcluster \$(ls /usr/lib/postgresql) main start && sleep infinity" >/dev/null
fmu_ready() { docker exec fmu_db psql -qAt -h /var/run/postgresql -U postgres -c 'select 1' >/dev/null 2>&1; }
wait_for 60 "PostgreSQL in fmu_db accepts connections" fmu_ready
docker exec fmu_db psql -q -h /var/run/postgresql -U postgres -c "create role fmu_platform login nosuperuser nocreatedb" -c "create database fmu_platform owner fmu_platform" -c "create database fmu_drill owner fmu_platform" -c "create database fmu_offsite owner fmu_platform" >/dev/null
docker exec fmu_db psql -q -h /var/run/postgresql -U fmu_platform -d fmu_platform -c "$SEED_SQL" >/dev/null
size=$(docker exec fmu_db psql -qAt -h /var/run/postgresql -U postgres -c "select pg_database_size('fmu_platform')")
[ "${size:-0}" -gt 100000000 ] && ok "fmu_platform is $((size / 1048576)) MB, owned by fmu_platform (no superuser, no CREATEDB)" || not_ok "fmu_platform over 100 MB (got ${size:-?})"
# Shell form, as most images' CMD: sh is PID 1 and ignores SIGTERM, so a stop waits for its timeout.
docker run -d --name sims_backend --label opsagent-test=1 --network host "$OPSAGENT_TEST_IMAGE" \
    sh -c 'mkdir -p /www/api/health && echo "{\"status\":\"ok\",\"checks\":{\"db\":{\"status\":\"ok\"},\"migrations\":{\"status\":\"ok\"}}}" > /www/api/health/index.html && httpd -f -p 127.0.0.1:8010 -h /www' >/dev/null
mkdir -p "$root/var/lib/caddy/.local/share/caddy/certificates/acme/sims.alshifalab.pk"
cp "$root/root/tls.crt" "$root/var/lib/caddy/.local/share/caddy/certificates/acme/sims.alshifalab.pk/sims.alshifalab.pk.crt"
# Seed 001's off-host copies, set up as its README says: the keys in a 0600 env file, an age recipients file (the
# identity stays off the host: here in /root for the restore drill below), age installed (the host's binary: the
# machine's root file system is the same bookworm), the harness's s3rver standing in for the bucket.
install -m 0600 /dev/null "$root/etc/opsagent/s3.env"
printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$OPSAGENT_TEST_S3_ACCESS_KEY" "$OPSAGENT_TEST_S3_SECRET_KEY" >"$root/etc/opsagent/s3.env"
rm -f "$root/root/sims-age.key"; age-keygen -o "$root/root/sims-age.key" 2>/dev/null
age-keygen -y "$root/root/sims-age.key" >"$root/etc/opsagent/backup-recipients.txt"
install -m 0755 "$(command -v age)" "$root/usr/bin/age"
# The uploads volume (the runbook's sims_media_volume), as the backend leaves it.
docker volume create --label opsagent-test=1 sims_media_volume >/dev/null
sims_volume=$(docker volume inspect -f '{{.Mountpoint}}' sims_media_volume)
mkdir -p "$sims_volume/uploads/patients/2026" "$sims_volume/uploads/reports"
for i in $(seq 1 30); do head -c $((i * 4096)) /dev/urandom >"$sims_volume/uploads/patients/2026/scan_$i.pdf"; done
echo report >"$sims_volume/uploads/reports/q3.csv"; chown -R 1000:1000 "$sims_volume/uploads"
substitute "seed 001" sims.json \
    'docker compose -f /opt/sims/docker-compose.yml run --rm --no-deps backend python manage.py migrate --noinput' '/usr/bin/touch /root/sims-migrated' \
    'https://sims.alshifalab.pk/api/health/' 'http://127.0.0.1:8010/api/health/' \
    'sims.alshifalab.pk:443' 'localhost:18443' \
    '"Region": "eu-central-1",' "\"Region\": \"us-east-1\", \"Endpoint\": \"$OPSAGENT_TEST_S3\", \"ForcePathStyle\": true," \
    '"Bucket": "your-bucket",' "\"Bucket\": \"$OPSAGENT_TEST_S3_BUCKET\"," "${notify_subst[@]}" \
    '"Heartbeat": { "Type": "healthchecks", "Url": "https://hc-ping.com/<uuid>"' "\"Heartbeat\": { \"Type\": \"healthchecks\", \"Url\": \"$ping_url/ping/sims-agent\"" \
    '"Ping": { "Type": "healthchecks", "Url": "https://hc-ping.com/<uuid>" }' "\"Ping\": { \"Type\": \"healthchecks\", \"Url\": \"$ping_url/ping/sims-db\" }"
check "opsagent check-config accepts sims.json" in_host opsagent check-config
check "systemctl reload opsagent (sims.json)" in_host systemctl reload opsagent
# The reload's new Heartbeat pings at once, not after the 5 minutes of its Every.
wait_for 30 "the agent's heartbeat reaches the SIMS check (Healthchecks)" pings_has "^POST /ping/sims-agent "

scheduled() { in_host journalctl -q -t opsagent OPSAGENT_EVENT=backup_succeeded OPSAGENT_JOB=ujmp-db --since "$scheduled_since" -o cat --no-pager | has .; }
wait_for 150 "002: the scheduled run (substituted schedule) succeeded" scheduled

stage "002 UJMP: every verb through the installed unit"
out=$(in_host opsagent backup run ujmp-db 2>&1); echo "$out" | sed 's/^/#   /'
echo "$out" | has "backup ujmp-db ok" && ! echo "$out" | has "running in this process" && ok "backup run ujmp-db (in the daemon; plain gzip as ujmp_user)" || not_ok "backup run ujmp-db"
file=$(ls -t "$root"/var/backups/ujmp/ujmp-db_*.sql.gz 2>/dev/null | grep -v '\.globals\.' | head -1)
in_host opsagent backup list ujmp-db | has "$(basename "$file")" && ok "backup list ujmp-db shows it" || not_ok "backup list ujmp-db"
check "backup verify $(basename "$file")" in_host opsagent backup verify "/var/backups/ujmp/$(basename "$file")"
check "backup restore ujmp-db --to-database ujmp_drill (exists, role without CREATEDB)" in_host opsagent backup restore ujmp-db --to-database ujmp_drill
same "$(count_host ujmp_drill articles)" "$(count_host ujmp_production articles)" && ok "ujmp_drill has the same row count as ujmp_production" || not_ok "row counts after the scratch restore"
in_host env PGPASSWORD=ujmp-Pw-2231 psql -qAt -h 127.0.0.1 -U ujmp_user -d ujmp_production -c "delete from articles where id > 150000" >/dev/null
# Over the original as the runbook's rollback does it: the example's Restore stops the three units, saves what is
# there, ends ujmp_user's sessions (one held open here), restores, runs the migrations, starts the units, probes ujmp.
rm -f "$root/root/ujmp-migrated"
in_host systemd-run --unit ujmp-session env PGPASSWORD=ujmp-Pw-2231 psql -qAt -h 127.0.0.1 -U ujmp_user -d ujmp_production -c "select pg_sleep(600)" >/dev/null 2>&1
out=$(in_host opsagent backup restore ujmp-db --yes 2>&1); rc=$?; echo "$out" | sed 's/^/#   /'
[ $rc -eq 0 ] && echo "$out" | has "pre-restore backup ujmp-db_" && echo "$out" | has "^stop: .*ujmp.service" && echo "$out" | has "ended [1-9][0-9]* other session" \
    && echo "$out" | has "^after: /usr/bin/touch" && echo "$out" | has "^start: .*ujmp-celery-beat.service" && echo "$out" | has "ujmp: ok" \
    && ok "backup restore ujmp-db --yes: pre-restore backup, units stopped, session ended, restored, migrations, units started, ujmp probed ok" \
    || not_ok "backup restore ujmp-db --yes (over the live application)"
same "$(count_host ujmp_production articles)" 200000 && ok "ujmp_production is back to 200000 articles" || not_ok "row count after the restore over the original"
[ -f "$root/root/ujmp-migrated" ] && ok "the Restore's After command (the migrations) ran" || not_ok "the Restore's After command ran"
[ "$(in_host systemctl is-active ujmp.service ujmp-celery.service ujmp-celery-beat.service | sort -u)" = active ] && ok "ujmp, ujmp-celery and ujmp-celery-beat are running again" || not_ok "the units are running again"
journal_has restart_started OPSAGENT_PROBE=ujmp && not_ok "the restore's stop of ujmp.service was not taken for a failure (no restart)" || ok "the restore's stop of ujmp.service was not taken for a failure (no restart)"

# The media: the runbook's tar of /opt/ujmp/media, then its "tar -xzf ... -C /opt/ujmp/".
out=$(in_host opsagent backup run ujmp-media 2>&1); echo "$out" | sed 's/^/#   /'
echo "$out" | has "backup ujmp-media ok" && ok "backup run ujmp-media (the files engine: /opt/ujmp/media, Exclude applied)" || not_ok "backup run ujmp-media"
media=$(ls -t "$root"/var/backups/ujmp/ujmp-media_*.tar.zst 2>/dev/null | head -1)
in_host opsagent backup list ujmp-media | has "$(basename "$media")" && ok "backup list ujmp-media shows it" || not_ok "backup list ujmp-media"
check "backup verify $(basename "$media") (read back in full)" in_host opsagent backup verify "/var/backups/ujmp/$(basename "$media")"
# 40 photos, 4 directories under uploads, the symlink, media/ and its parents (the .tmp and cache/ excluded).
entries=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entries"])' "$media.json" 2>/dev/null)
[ "${entries:-0}" -ge 45 ] && ok "its .json records the entry count ($entries)" || not_ok "its .json records the entry count (got ${entries:-none})"
rm -rf "$root/root/media-restore"
check "backup restore ujmp-media --to-directory /root/media-restore" in_host opsagent backup restore ujmp-media --to-directory /root/media-restore
restored="$root/root/media-restore/opt/ujmp/media"
diff -r --no-dereference -x '*.tmp' -x cache "$root/opt/ujmp/media" "$restored" >/dev/null && [ ! -e "$restored/uploads/upload.tmp" ] && [ ! -e "$restored/cache" ] \
    && ok "the restored tree equals /opt/ujmp/media without what Exclude leaves out" || not_ok "the restored tree equals the original"
[ "$(stat -c '%u:%g %a' "$restored/uploads/2026/11/photo_2.jpg")" = "1001:1001 640" ] && [ "$(readlink "$restored/latest.jpg")" = uploads/2026/11/photo_1.jpg ] && [ -d "$restored/uploads/empty" ] \
    && ok "owners, modes, the symlink (as a link) and the empty directory are kept" || not_ok "owners, modes, symlink and empty directory kept"
rm -f "$root/opt/ujmp/media/uploads/2026/11/photo_7.jpg"
out=$(in_host opsagent backup restore ujmp-media 2>&1)
[ $? -ne 0 ] && [ ! -e "$root/opt/ujmp/media/uploads/2026/11/photo_7.jpg" ] && ok "backup restore ujmp-media without --to-directory or --in-place --yes refuses" || { not_ok "restore without a destination refuses"; echo "$out" | sed 's/^/#   /'; }
out=$(in_host opsagent backup restore ujmp-media --in-place --yes 2>&1); rc=$?; echo "$out" | sed 's/^/#   /'
[ $rc -eq 0 ] && [ -f "$root/opt/ujmp/media/uploads/2026/11/photo_7.jpg" ] && echo "$out" | has "ujmp: ok" \
    && ok "backup restore ujmp-media --in-place --yes: the deleted upload is back, the app stopped and probed ok" || not_ok "backup restore ujmp-media --in-place --yes"
check "probe run ujmp" in_host opsagent probe run ujmp
check "probe run ujmp-db" in_host opsagent probe run ujmp-db
check "probe run ujmp-celery" in_host opsagent probe run ujmp-celery
# Seed 002's alert table: disk and memory against 80 % / 90 %, the app's latency against 1 s / 5 s.
for p in root-disk host-memory ujmp-memory; do
    out=$(in_host opsagent probe run $p 2>&1); rc=$?; echo "$out" | sed 's/^/#   /'
    if [ $p = ujmp-memory ] && ! in_host test -f /sys/fs/cgroup/cgroup.controllers && echo "$out" | has "has no memory accounting under /sys/fs/cgroup"; then
        skip "probe run ujmp-memory: this machine's cgroup hierarchy gives the nspawn host's units no memory controller (the probe says so: cannot_measure)"
        continue
    fi
    [ $rc -eq 0 ] && echo "$out" | has "ratio [0-9.]*% (warning ≥ 80%, critical ≥ 90%)" && ok "probe run $p: measured against the runbook's 80 % / 90 %" || not_ok "probe run $p"
done
df_used=$(in_host df --output=pcent / | tail -1 | tr -dc 0-9)
in_host opsagent probe run root-disk | has "used_ratio $((df_used - 1))\.[0-9]*%\|used_ratio ${df_used}%\|used_ratio $((df_used - 1))%" \
    && ok "root-disk's used ratio is df's Use% ($df_used %, which df rounds up)" || not_ok "root-disk's used ratio is df's ($df_used %)"
in_host opsagent probe run ujmp | has "latency_seconds .*(warning ≥ 1s, critical ≥ 5s)" && ok "probe run ujmp measures its latency against 1 s / 5 s" || not_ok "probe run ujmp: latency"
# The error rate: 3 of 100 requests answered 502 (3 %: past 1 %, below 5 %), counted from the access log as nginx writes it.
in_host opsagent probe run ujmp-error-rate >/dev/null
for i in $(seq 1 100); do
    printf '127.0.0.1 - - [03/Dec/2026:02:00:00 +0000] "GET /api/articles/%s HTTP/1.1" %s 512 "-" "curl/7.88"\n' "$i" "$([ "$i" -le 3 ] && echo 502 || echo 200)"
done >>"$root/var/log/nginx/ujmp_access.log"
out=$(in_host opsagent probe run ujmp-error-rate 2>&1); echo "$out" | sed 's/^/#   /'
echo "$out" | has "warning (match_ratio_warning)" && echo "$out" | has "3 of 100 lines" && ok "probe run ujmp-error-rate: 3 % of requests 5xx is a warning (1 % / 5 %)" || not_ok "probe run ujmp-error-rate"
# gunicorn's errors: a Traceback burst past 50 in the window is critical, with the lines in the journal.
for i in $(seq 1 55); do echo "[2026-12-03 02:00:00 +0000] [4242] [ERROR] Exception in worker process $i"; done >>"$root/var/log/ujmp/gunicorn_error.log"
lines_logged() { in_host journalctl -q -t opsagent OPSAGENT_EVENT=probe_failing OPSAGENT_PROBE=gunicorn-errors --since "$since" -o json --no-pager | grep -q '"OPSAGENT_LINES":"[^"]*Exception in worker process'; }
wait_for 150 "gunicorn-errors: probe_failing (matches_critical) carrying the matching lines" lines_logged
# cert check exits 1 here (the test certificate is self-signed): what counts is that it read every entry.
certs=$(in_host opsagent cert check 2>&1)
echo "$certs" | has "letsencrypt" && echo "$certs" | has "ujmp-api" && ok "cert check lists the letsencrypt file and the ujmp-api endpoint" || { not_ok "cert check lists ujmp.json's certificates"; echo "$certs" | sed 's/^/#   /'; }
check "opsagent reload" in_host opsagent reload

stage "001 SIMS: every verb through the installed unit"
out=$(in_host opsagent backup run sims-db 2>&1); echo "$out" | sed 's/^/#   /'
echo "$out" | has "backup sims-db ok" && ok "backup run sims-db (pg_dump in fmu_db, verified in the container)" || not_ok "backup run sims-db"
sims_pinged() { pings | grep '/ping/sims-db' | tail -2 | python3 -c 'import sys, re
lines = sys.stdin.read().splitlines()
rids = [re.search(r"rid=([0-9a-f-]+)", l).group(1) if "rid=" in l else "" for l in lines]
sys.exit(0 if len(lines) == 2 and lines[0].split()[1].startswith("/ping/sims-db/start?rid=") and lines[1].split()[1].startswith("/ping/sims-db?rid=") and rids[0] == rids[1] and ".dump.zst" in lines[1] else 1)'; }
wait_for 30 "Healthchecks pings for sims-db: /start, then success with the same rid and the run's summary" sims_pinged
echo "$out" | has "copy sims-db to offsite ok: 1 uploaded" && echo "$out" | has "copy sims-db to cold on offsite ok: 1 uploaded" \
    && ok "backup run sims-db copied it to the bucket twice: offsite and cold (the runbook's aws s3 sync)" || not_ok "backup run sims-db: both copies"
file=$(ls -t "$root"/var/backups/sims/sims-db_*.dump.zst 2>/dev/null | head -1)
listed=$(in_host opsagent backup list sims-db --target cold 2>&1)
echo "$listed" | has "$(basename "$file").age .* age .*monthly" && ok "backup list sims-db --target cold: encrypted, kept as monthly" || { not_ok "backup list --target cold"; echo "$listed" | sed 's/^/#   /'; }
# s3rver lists every object as STANDARD; its HEAD answers the class the object was written with, as AWS does.
class=$(env AWS_ACCESS_KEY_ID="$OPSAGENT_TEST_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$OPSAGENT_TEST_S3_SECRET_KEY" AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "$OPSAGENT_TEST_S3" \
    s3api head-object --bucket "$OPSAGENT_TEST_S3_BUCKET" --key "fmu-platform/backups/db/cold/$(basename "$file").age" --query StorageClass --output text 2>&1)
same "$class" GLACIER && ok "the cold copy is stored as GLACIER (its .json and .sha256 as STANDARD)" || not_ok "cold copy's storage class (got: $class)"
check "backup restore sims-db --from offsite --identity (decrypted, into fmu_offsite in the container)" in_host opsagent backup restore sims-db --from offsite --identity /root/sims-age.key --to-database fmu_offsite
same "$(count_fmu fmu_offsite articles)" "$(count_fmu fmu_platform articles)" && ok "fmu_offsite, restored from the bucket, has the same row count as fmu_platform" || not_ok "row counts after the restore from the bucket"
in_host opsagent backup list sims-db | has "$(basename "$file")" && ok "backup list sims-db shows it" || not_ok "backup list sims-db"
check "backup verify $(basename "$file")" in_host opsagent backup verify "/var/backups/sims/$(basename "$file")"
check "backup restore sims-db --to-database fmu_drill (in the container)" in_host opsagent backup restore sims-db --to-database fmu_drill
same "$(count_fmu fmu_drill articles)" "$(count_fmu fmu_platform articles)" && ok "fmu_drill has the same row count as fmu_platform" || not_ok "row counts after the scratch restore in the container"
docker exec fmu_db psql -q -h /var/run/postgresql -U fmu_platform -d fmu_platform -c "delete from articles where id > 150000" >/dev/null
# The runbook's restore_db.sh: pre-restore backup, backend stopped (its PID 1 ignores SIGTERM: 30 s), connections
# dropped, restore, migrations, backend started, health endpoint checked.
rm -f "$root/root/sims-migrated"
out=$(in_host opsagent backup restore sims-db --yes 2>&1); rc=$?; echo "$out" | sed 's/^/#   /'
[ $rc -eq 0 ] && echo "$out" | has "pre-restore backup sims-db_" && echo "$out" | has "^stop: .*sims_backend" && echo "$out" | has "^start: .*sims_backend" \
    && echo "$out" | has "sims-backend: ok" && [ -f "$root/root/sims-migrated" ] \
    && ok "backup restore sims-db --yes: pre-restore backup, sims_backend stopped and started again, migrations, sims-backend probed ok" \
    || not_ok "backup restore sims-db --yes (over the live application, in the container)"
same "$(count_fmu fmu_platform articles)" 200000 && ok "fmu_platform is back to 200000 articles" || not_ok "row count after the restore over the original in the container"
[ "$(docker inspect -f '{{.State.Running}}' sims_backend)" = true ] && ok "sims_backend is running again" || not_ok "sims_backend is running again"

# The media volume: read at its mount point (no helper image), encrypted to the bucket as the dumps are.
out=$(in_host opsagent backup run sims-media 2>&1); echo "$out" | sed 's/^/#   /'
echo "$out" | has "backup sims-media ok" && echo "$out" | has "copy sims-media to offsite ok: 1 uploaded" \
    && ok "backup run sims-media (the sims_media_volume volume, copied to offsite)" || not_ok "backup run sims-media"
media=$(ls -t "$root"/var/backups/sims/sims-media_*.tar.zst 2>/dev/null | head -1)
in_host opsagent backup list sims-media | has "$(basename "$media")" && ok "backup list sims-media shows it" || not_ok "backup list sims-media"
check "backup verify $(basename "$media")" in_host opsagent backup verify "/var/backups/sims/$(basename "$media")"
rm -rf "$root/root/sims-media-restore"
check "backup restore sims-media --to-directory /root/sims-media-restore" in_host opsagent backup restore sims-media --to-directory /root/sims-media-restore
diff -r "$sims_volume" "$root/root/sims-media-restore" >/dev/null && [ "$(stat -c %u "$root/root/sims-media-restore/uploads/reports/q3.csv")" = 1000 ] \
    && ok "the restored volume equals sims_media_volume, owners kept" || { not_ok "the restored volume equals sims_media_volume"; diff -r "$sims_volume" "$root/root/sims-media-restore" 2>&1 | head -5 | sed 's/^/#   /'; }
check "probe run sims-db (docker probe)" in_host opsagent probe run sims-db
check "probe run sims-backend" in_host opsagent probe run sims-backend
certs=$(in_host opsagent cert check 2>&1)
echo "$certs" | has "caddy" && echo "$certs" | has "sims-public" && ok "cert check lists the caddy certificates and the sims-public endpoint" || { not_ok "cert check lists sims.json's certificates"; echo "$certs" | sed 's/^/#   /'; }

stage "degrade -> restart -> recovered (unit and container)"
echo '{"status":"unhealthy"}' >"$root/srv/ujmp/health/index.html"
docker exec sims_backend sh -c 'echo "{\"checks\":{\"db\":{\"status\":\"down\"}}}" > /www/api/health/index.html'
wait_for 240 "ujmp.service restarted and recovered" journal_has restart_recovered OPSAGENT_PROBE=ujmp
wait_for 240 "sims_backend restarted (stop timeout 30 s, SIGTERM ignored) and recovered" journal_has restart_recovered OPSAGENT_PROBE=sims-backend
journal_has restart_not_recovered OPSAGENT_PROBE=sims-backend && not_ok "the container restart was not counted as an error" || ok "the container restart was not counted as an error"
# What the team reads: each change mailed (bursts collapse into one message listing them), with the journal entry's id.
wait_for 60 "mail: CRITICAL probe ujmp is failing" mail_has "CRITICAL probe ujmp is failing (json_mismatch"
wait_for 60 "mail: ujmp recovered after the restart" mail_has "probe ujmp recovered after the restart"
wait_for 60 "mail: CRITICAL probe sims-backend is failing" mail_has "CRITICAL probe sims-backend is failing"
mail_has "journalctl -t opsagent OPSAGENT_ENTRY_ID=" && ok "the mails name their journal entries" || not_ok "the mails name their journal entries"
mail_has -F "$smtp_password" && not_ok "the SMTP password appears in a mail" || ok "no mail holds the SMTP password"
# ujmp-memory has failed every minute since the UJMP stage on a host without the memory controller: a restart cannot give
# it a figure, so it never restarts ujmp.service (it would reset the app in the middle of the stages above) and says why.
if ! in_host test -f /sys/fs/cgroup/cgroup.controllers && ! in_host test -f /sys/fs/cgroup/memory/system.slice/ujmp.service/memory.usage_in_bytes; then
    journal_has restart_started OPSAGENT_PROBE=ujmp-memory && not_ok "ujmp-memory, which cannot measure here, restarted ujmp.service" \
        || { journal_has restart_skipped OPSAGENT_PROBE=ujmp-memory OPSAGENT_REASON=cannot_measure \
             && ok "ujmp-memory cannot measure here: restart_skipped cannot_measure, ujmp.service never restarted for it" \
             || not_ok "ujmp-memory: restart_skipped cannot_measure in the journal"; }
fi

stage "operator stops are respected (unit and container)"
in_host systemctl stop ujmp-celery.service
docker stop -t 2 sims_backend >/dev/null
# A stopped unit is said once at notice (probe_stopped, PRIORITY 5), not as a failure nor as a skipped restart.
wait_for 240 "ujmp-celery: probe_stopped at notice, not restarted" journal_has probe_stopped OPSAGENT_PROBE=ujmp-celery PRIORITY=5
wait_for 240 "sims-backend: restart_skipped operator_stopped" journal_has restart_skipped OPSAGENT_PROBE=sims-backend OPSAGENT_REASON=operator_stopped
[ "$(in_host systemctl is-active ujmp-celery.service)" != active ] && ok "ujmp-celery.service stays stopped" || not_ok "ujmp-celery.service stays stopped"
[ "$(docker inspect -f '{{.State.Running}}' sims_backend)" = false ] && ok "sims_backend stays stopped" || not_ok "sims_backend stays stopped"

stage "003 SoFinance: a Prisma DATABASE_URL, full verification, a backend container"
pg_host "-c \"create role sofinance_app login password 'sofi-Pw-8812' nosuperuser nocreatedb\" -c 'create database sofinance owner sofinance_app' -c 'create database sofinance_drill owner sofinance_app'" >/dev/null
in_host env PGPASSWORD=sofi-Pw-8812 psql -qAt -h 127.0.0.1 -U sofinance_app -d sofinance -c "$SEED_SQL" >/dev/null
mkdir -p "$root/srv/sofinance"
# The form seed 003 keeps for Prisma: libpq does not know schema or connection_limit.
echo 'DATABASE_URL="postgresql://sofinance_app:sofi-Pw-8812@127.0.0.1:5432/sofinance?schema=public&sslmode=disable&connection_limit=5"' >"$root/srv/sofinance/.env"
docker run -d --name sofinance-backend --label opsagent-test=1 --network host "$OPSAGENT_TEST_IMAGE" \
    sh -c 'mkdir -p /www && echo ok > /www/health && httpd -f -p 127.0.0.1:8020 -h /www' >/dev/null
substitute "seed 003" sofinance.json \
    'http://127.0.0.1:8000/health' 'http://127.0.0.1:8020/health' "${notify_subst[@]}"
check "opsagent check-config accepts sofinance.json" in_host opsagent check-config
check "systemctl reload opsagent (sofinance.json)" in_host systemctl reload opsagent
out=$(in_host opsagent backup run sofinance-db 2>&1); echo "$out" | sed 's/^/#   /'
echo "$out" | has "backup sofinance-db ok" && echo "$out" | has "verified by full:" && ok "backup run sofinance-db from the Prisma URL, verified in full" || not_ok "backup run sofinance-db"
file=$(ls -t "$root"/var/backups/sofinance/sofinance-db_*.dump.zst 2>/dev/null | head -1)
grep -q '"schema": *"public"' "$file.json" 2>/dev/null && ok "the .json records the URL's schema" || not_ok "schema in the .json"
in_host opsagent backup list sofinance-db | has "$(basename "$file")" && ok "backup list sofinance-db shows it" || not_ok "backup list sofinance-db"
check "backup verify $(basename "$file")" in_host opsagent backup verify "/var/backups/sofinance/$(basename "$file")"
check "backup restore sofinance-db --to-database sofinance_drill" in_host opsagent backup restore sofinance-db --to-database sofinance_drill
same "$(count_host sofinance_drill articles)" "$(count_host sofinance articles)" && ok "sofinance_drill has the same row count as sofinance" || not_ok "row counts after the sofinance restore"
in_host env PGPASSWORD=sofi-Pw-8812 psql -qAt -h 127.0.0.1 -U sofinance_app -d sofinance -c "delete from articles where id > 150000" >/dev/null
check "backup restore sofinance-db --yes (over the original)" in_host opsagent backup restore sofinance-db --yes
same "$(count_host sofinance articles)" 200000 && ok "sofinance is back to 200000 articles" || not_ok "row count after the sofinance restore over the original"
check "probe run sofinance-db (Prisma URL)" in_host opsagent probe run sofinance-db
check "probe run sofinance-api" in_host opsagent probe run sofinance-api

stage "004 TraceHub: production and staging databases in containers, plain gzip dumps"
for env in prod staging; do
    docker run -d --name "tracehub-db-$env" --label opsagent-test=1 --network none "$OPSAGENT_TEST_DEBIAN_IMAGE" \
        sh -c "sed -i 's/peer/trust/;s/scram-sha-256/trust/' /etc/postgresql/*/main/pg_hba.conf && pg_ctlcluster \$(ls /usr/lib/postgresql) main start && sleep infinity" >/dev/null
done
th_ready() { docker exec "tracehub-db-$1" psql -qAt -h /var/run/postgresql -U postgres -c 'select 1' >/dev/null 2>&1; }
wait_for 60 "PostgreSQL in tracehub-db-prod" th_ready prod
wait_for 60 "PostgreSQL in tracehub-db-staging" th_ready staging
for env in prod staging; do
    docker exec "tracehub-db-$env" psql -q -h /var/run/postgresql -U postgres -c "create role tracehub login nosuperuser nocreatedb" -c "create database tracehub owner tracehub" -c "create database tracehub_drill owner tracehub" >/dev/null
done
docker exec tracehub-db-prod psql -q -h /var/run/postgresql -U tracehub -d tracehub -c "$SEED_SQL" >/dev/null
docker exec tracehub-db-staging psql -q -h /var/run/postgresql -U tracehub -d tracehub -c "create table users (id int primary key); insert into users select generate_series(1, 500)" >/dev/null
count_th() { docker exec "tracehub-db-$1" psql -qAt -h /var/run/postgresql -U postgres -d "$2" -c "select count(*) from $3"; }
docker run -d --name tracehub-backend-prod --label opsagent-test=1 --network host "$OPSAGENT_TEST_IMAGE" \
    sh -c 'mkdir -p /www && echo "{\"status\":\"healthy\",\"database\":\"connected\"}" > /www/health && httpd -f -p 127.0.0.1:8030 -h /www' >/dev/null
# The runbook's own directories, under /home: read-only under the unit's ProtectHome=read-only until the drop-in.
mkdir -p "$root/home/tracehub/production/backups" "$root/home/tracehub/staging/backups"
substitute "seed 004" tracehub.json \
    'http://127.0.0.1:8000/health' 'http://127.0.0.1:8030/health' \
    'http://127.0.0.1:8100/health' 'http://127.0.0.1:8040/health' \
    'tracehub.vibotaj.com:443' 'localhost:18443' \
    '"letsencrypt": "/etc/letsencrypt/live/*/fullchain.pem"' '"letsencrypt-tracehub": "/etc/letsencrypt/live/*/fullchain.pem"' \
    '/var/backups/tracehub/production' '/home/tracehub/production/backups' \
    '/var/backups/tracehub/staging' '/home/tracehub/staging/backups' "${notify_subst[@]}" \
    '"Url": "https://hc-ping.com/<uuid>"' "\"Url\": \"$ping_url/ping/tracehub-production\"" \
    '"Url": "https://kuma.example.org/api/push/<token>"' "\"Url\": \"$ping_url/api/push/tracehub-production\""
check "systemctl reload opsagent (tracehub.json)" in_host systemctl reload opsagent
# The daemon's run says so, as it would at 2 AM (a CLI outside the unit would have succeeded and hidden it).
out=$(in_host opsagent backup run tracehub-production 2>&1); echo "$out" | sed 's/^/#   /'
echo "$out" | has "write_failed\|Read-only file system" && ok "backup run to /home without the drop-in fails write_failed under the unit's sandbox" || not_ok "backup run to /home fails under the sandbox"
wait_for 60 "mail: CRITICAL backup tracehub-production failed" mail_has "CRITICAL backup tracehub-production failed"
wait_for 30 "Healthchecks: /fail for tracehub-production with the reason in the body" pings_has "^POST /ping/tracehub-production/fail?rid=.*write_failed\|^POST /ping/tracehub-production/fail?rid=.*Read-only"
wait_for 90 "Uptime Kuma push: tracehub-production up" pings_has "^GET /api/push/tracehub-production?status=up&msg=.*&ping="
mkdir -p "$root/etc/systemd/system/opsagent.service.d"
printf '[Service]\nReadWritePaths=/home/tracehub/production/backups /home/tracehub/staging/backups\n' >"$root/etc/systemd/system/opsagent.service.d/tracehub.conf"
in_host systemctl daemon-reload
stage "004: the example's ReadWritePaths drop-in"
check "systemctl restart opsagent with the example's ReadWritePaths drop-in" in_host systemctl restart opsagent
wait_for 30 "systemctl is-active opsagent" unit_active opsagent
# No backup yet, so the restarted daemon catches both jobs up at once (CatchUp); a CLI run meanwhile is refused with
# already_running, which is the lock doing its work.
wait_for 120 "catch-up run of tracehub-production after the restart" journal_has backup_succeeded OPSAGENT_JOB=tracehub-production
# The restart did not forget the open failure: its end is told too.
wait_for 60 "mail: RESOLVED backup tracehub-production succeeded again" mail_has "RESOLVED backup tracehub-production succeeded again"
wait_for 30 "Healthchecks: success for tracehub-production after its /fail" pings_has "^POST /ping/tracehub-production?rid="
wait_for 120 "catch-up run of tracehub-staging after the restart" journal_has backup_succeeded OPSAGENT_JOB=tracehub-staging
for job in tracehub-production tracehub-staging; do
    out=$(in_host opsagent backup run "$job" 2>&1); echo "$out" | sed 's/^/#   /'
    echo "$out" | has "backup $job ok" && ok "backup run $job (plain gzip in its container)" || not_ok "backup run $job"
done
file=$(ls -t "$root"/home/tracehub/production/backups/tracehub-production_*.sql.gz 2>/dev/null | head -1)
in_host opsagent backup list tracehub-production | has "$(basename "$file")" && ok "backup list tracehub-production shows it" || not_ok "backup list tracehub-production"
check "backup verify $(basename "$file")" in_host opsagent backup verify "/home/tracehub/production/backups/$(basename "$file")"
check "backup restore tracehub-production --to-database tracehub_drill" in_host opsagent backup restore tracehub-production --to-database tracehub_drill
same "$(count_th prod tracehub_drill articles)" "$(count_th prod tracehub articles)" && ok "tracehub_drill has the same row count as production" || not_ok "row counts after the tracehub restore"
docker exec tracehub-db-prod psql -q -h /var/run/postgresql -U tracehub -d tracehub -c "delete from articles where id > 150000" >/dev/null
check "backup restore tracehub-production --yes (over the original, plain, in the container)" in_host opsagent backup restore tracehub-production --yes
same "$(count_th prod tracehub articles)" 200000 && ok "production is back to 200000 articles" || not_ok "row count after the tracehub restore over the original"
check "probe run tracehub-db-prod" in_host opsagent probe run tracehub-db-prod
check "probe run tracehub-production" in_host opsagent probe run tracehub-production

stage "000 INNOVAPLUS: its own host (conf.d holds innovaplus.json alone), MongoDB in a container that cannot run here"
# One host per seed, as in the field: the other examples leave conf.d (their letsencrypt entries would watch the same
# lineages) and ujmp.service gives 127.0.0.1:8000 back to the backend.
rm -f "$root"/etc/opsagent/conf.d/{ujmp,sims,sofinance,tracehub}.json
in_host systemctl stop ujmp.service >/dev/null 2>&1
in_host groupadd -f innova
mkdir -p "$root/etc/innovaplus" "$root/srv/innovaplus" "$root/srv/innovaplus-www"
# The runbook's env file (root:innova 640). MONGO_URI points at a closed port: no MongoDB runs here (27017 may be a
# CI's own MongoDB, which must not answer for the seed's).
printf 'ENV=production\nPORT=8000\nMONGO_URI=mongodb://appuser:innova-Pw-5521@127.0.0.1:27099/innova_db?authSource=innova_db\nDB_NAME=innova_db\n' >"$root/etc/innovaplus/backend.env"
in_host chown root:innova /etc/innovaplus/backend.env && in_host chmod 640 /etc/innovaplus/backend.env
echo '{"status":"ok","mongo":"ok","db":"innova_db","version":"1.4.2"}' >"$root/srv/innovaplus/good.json"
printf '[Unit]\nDescription=INNOVAPLUS backend (seed 000)\n[Service]\nExecStartPre=/bin/cp /srv/innovaplus/good.json /srv/innovaplus/health\nExecStart=/bin/busybox httpd -f -p 127.0.0.1:8000 -h /srv/innovaplus\n' \
    >"$root/etc/systemd/system/innovaplus-backend.service"
in_host systemctl daemon-reload
check "innovaplus-backend.service started" in_host systemctl start innovaplus-backend.service
# nginx's side: a certificate for api.innovaplus.africa from a CA this host trusts (Let's Encrypt's role), the public
# name resolving here, and TLS on a private port (443 belongs to the machine running the tests).
innova_tls=$E2E_WORK/innova-tls
mkdir -p "$innova_tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 -subj "/CN=OpsAgent e2e CA" \
    -keyout "$innova_tls/ca.key" -out "$innova_tls/ca.crt" >/dev/null 2>&1
# lineage NAME DAYS: a certbot-style /etc/letsencrypt/live/NAME signed by that CA, valid for DAYS days.
lineage() {
    local dir=$root/etc/letsencrypt/live/$1
    mkdir -p "$dir"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$1" -keyout "$dir/privkey.pem" -out "$innova_tls/$1.csr" >/dev/null 2>&1
    printf 'subjectAltName=DNS:%s\n' "$1" >"$innova_tls/$1.ext"
    openssl x509 -req -in "$innova_tls/$1.csr" -CA "$innova_tls/ca.crt" -CAkey "$innova_tls/ca.key" -CAcreateserial -days "$2" \
        -extfile "$innova_tls/$1.ext" -out "$dir/cert.pem" >/dev/null 2>&1
    cat "$dir/cert.pem" "$innova_tls/ca.crt" >"$dir/fullchain.pem"
}
rm -rf "$root/etc/letsencrypt/live"
lineage api.innovaplus.africa 60
lineage www.innovaplus.africa 3
cp "$innova_tls/ca.crt" "$root/usr/local/share/ca-certificates/opsagent-e2e-ca.crt"
in_host update-ca-certificates >/dev/null 2>&1
echo "127.0.0.1 api.innovaplus.africa www.innovaplus.africa" >>"$root/etc/hosts"
cp "$root/srv/innovaplus/good.json" "$root/srv/innovaplus-www/health"
in_host systemd-run --unit innova-tls -p WorkingDirectory=/srv/innovaplus-www openssl s_server -quiet -accept 18444 \
    -cert /etc/letsencrypt/live/api.innovaplus.africa/fullchain.pem -key /etc/letsencrypt/live/api.innovaplus.africa/privkey.pem -WWW >/dev/null 2>&1
substitute "seed 000" innovaplus.json \
    '"Url": "https://127.0.0.1/health"' '"Url": "https://127.0.0.1:18444/health"' \
    '"innovaplus-api": "api.innovaplus.africa:443"' '"innovaplus-api": "api.innovaplus.africa:18444"' "${notify_subst[@]}"
out=$(in_host opsagent check-config 2>&1)
echo "$out" | has "OpsAgent:Backups:innova-mongo:MongodumpPath" && ok "check-config refuses the example as shipped on a host without mongodump, naming OpsAgent:Backups:innova-mongo:MongodumpPath" \
    || { not_ok "check-config names the missing mongodump"; echo "$out" | sed 's/^/#   /'; }
# The MongoDB-free variant: without the dump job (it needs mongodump and a MongoDB); the MongoDB probe stays and
# finds nothing listening, as on the day MongoDB is down.
python3 - "$root/etc/opsagent/conf.d/innovaplus.json" <<'PY2'
import re, sys
path = sys.argv[1]
text = open(path).read()
start = text.index('"Backups": {')
depth, i, in_string = 0, text.index('{', start), False
while True:
    c = text[i]
    if in_string:
        in_string = c != '"' or text[i - 1] == '\\'
    elif c == '"':
        in_string = True
    elif text.startswith('//', i):
        i = text.index('\n', i)
        continue
    elif c == '{':
        depth += 1
    elif c == '}':
        depth -= 1
        if depth == 0:
            break
    i += 1
end = re.match(r'\s*,', text[i + 1:])
open(path, 'w').write(text[:start] + text[i + 1 + (end.end() if end else 0):].lstrip())
print("#   removed OpsAgent:Backups (innova-mongo needs mongodump and a MongoDB, which cannot run here)")
PY2
check "opsagent check-config accepts innovaplus.json without the MongoDB dump" in_host opsagent check-config
check "systemctl reload opsagent (innovaplus.json alone)" in_host systemctl reload opsagent
out=$(in_host opsagent probe run innova-mongo 2>&1)
echo "$out" | has "connection_refused" && ok "probe run innova-mongo: connection_refused (nothing listens)" || { not_ok "probe run innova-mongo says connection_refused"; echo "$out" | sed 's/^/#   /'; }
check "probe run innovaplus-backend (ExpectJson status and mongo)" in_host opsagent probe run innovaplus-backend
check "probe run innovaplus-public (TLS to 127.0.0.1, SNI and Host api.innovaplus.africa)" in_host opsagent probe run innovaplus-public
certs=$(in_host opsagent cert check 2>&1); echo "$certs" | sed 's/^/#   /'
echo "$certs" | has "www.innovaplus.africa" && echo "$certs" | has "innovaplus-api" && ok "cert check lists both lineages and the innovaplus-api endpoint" || not_ok "cert check lists innovaplus.json's certificates"
# The message shows the configured command ({CertName}); OPSAGENT_OUTPUT holds the command line as it ran.
renewals() { in_host journalctl -q -t opsagent OPSAGENT_EVENT=certificate_renewal --since "$since" -o json --no-pager | python3 -c 'import json,sys
for l in sys.stdin:
    e = json.loads(l); print(e.get("MESSAGE", ""), e.get("OPSAGENT_OUTPUT", "").replace("\n", " "))'; }
renewal_seen() { renewals | has .; }
wait_for 30 "OnCritical ran for the critical lineage" renewal_seen
runs=$(renewals)
echo "$runs" | sed 's/^/#   /'
echo "$runs" | has 'cert-name www.innovaplus.africa' && ! echo "$runs" | has 'cert-name api.innovaplus.africa' \
    && ok "OnCritical ran once, for www.innovaplus.africa only (api.innovaplus.africa is not critical)" || not_ok "OnCritical ran once, for the critical lineage only"
# Let's Encrypt mails no more: the critical lineage and its failed renewal are told here (certbot is not installed on
# this host, so the renewal cannot start; on a host with certbot and no network it fails: either is a renewal problem).
wait_for 60 "mail: CRITICAL certificate letsencrypt is critical" mail_has "CRITICAL certificate letsencrypt.* is critical"
mail_has "www.innovaplus.africa" && ok "the certificate mail names the lineage (www.innovaplus.africa)" || not_ok "the certificate mail names the lineage"
wait_for 60 "mail: CRITICAL renewal letsencrypt could not start or failed" mail_has "CRITICAL renewal letsencrypt.* \\(could not start\\|could not run\\|failed\\)"
mails | grep -A3 "renewal letsencrypt" | head -4 | sed 's/^/#   /'
backend_invocation=$(in_host systemctl show -p InvocationID --value innovaplus-backend.service)
echo '{"status":"degraded","mongo":"error"}' >"$root/srv/innovaplus/health"
wait_for 300 "innovaplus-backend failing while MongoDB is down: restart_skipped dependency_failing:innova-mongo" \
    journal_has restart_skipped OPSAGENT_PROBE=innovaplus-backend OPSAGENT_REASON=dependency_failing:innova-mongo
[ "$(in_host systemctl show -p InvocationID --value innovaplus-backend.service)" = "$backend_invocation" ] \
    && ok "innovaplus-backend.service was not restarted for MongoDB's outage" || not_ok "innovaplus-backend.service was not restarted"
cp "$root/srv/innovaplus/good.json" "$root/srv/innovaplus/health"
wait_for 120 "innovaplus-backend recovers on its own once healthy again" journal_has probe_recovered OPSAGENT_PROBE=innovaplus-backend
in_host systemctl stop innova-tls >/dev/null 2>&1

in_host systemctl stop tls-e2e >/dev/null 2>&1
e2e_stop seeds
e2e_status
