#!/usr/bin/env bash
# The package as a sysadmin uses it, in a Debian host booted with systemd-nspawn: apt install, systemctl, conf.d,
# a probed backend that degrades and breaks, a scheduled backup after `systemctl reload`, a restore, the journal, a
# Prometheus server with the shipped rules, the watchdog, and purge. Prints "ok - ..." / "not ok - ..." lines.
# Needs tests/run.sh's environment; builds the package with packaging/deb/build.sh unless OPSAGENT_DEB points to one.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
E2E_MACHINE=install
trap e2e_finish EXIT
E2E_METRICS_URL=http://127.0.0.1:9464/metrics
verify_clean() { local out; out=$(in_host systemd-analyze verify opsagent.service 2>&1); [ -z "$out" ] || { echo "$out"; return 1; }; }
orders_in() { [ "$(in_host su postgres -s /bin/sh -c "psql -qAt -d $1 -c 'select count(*) from orders'")" = 5000 ]; }

deb=${OPSAGENT_DEB:-}
if [ -z "$deb" ]; then
    deb=$(bash "$repo/packaging/deb/build.sh" 0.0.0~e2e amd64 2>"$E2E_WORK/deb-build.log" | tail -1)
fi
[ -f "$deb" ] && ok "package built: $(basename "$deb")" || { not_ok "package built"; tail -20 "$E2E_WORK/deb-build.log"; exit 1; }
if lintian --no-tag-display-limit "$deb" >"$E2E_WORK/lintian.log" 2>&1 || true; then
    errors=$(grep -c '^E:' "$E2E_WORK/lintian.log")
    [ "$errors" -eq 0 ] && ok "lintian: no errors ($(grep -c '^W:' "$E2E_WORK/lintian.log") warnings)" || { not_ok "lintian: $errors errors"; grep '^E:' "$E2E_WORK/lintian.log" | head; }
fi

if ! e2e_boot install; then not_ok "boot"; exit 1; fi
e2e_wait install >/dev/null || { not_ok "systemd start-up"; exit 1; }
root=$E2E_WORK/install
cp "$deb" "$root/root/"

stage "install"
check "apt install ./$(basename "$deb")" in_host sh -c "cd /root && apt-get install -y -q ./$(basename "$deb")"
wait_for 30 "systemctl is-active opsagent" unit_active opsagent
show=$(in_host systemctl show opsagent -p Type,WatchdogUSec,StatusText,MainPID)
echo "$show" | sed 's/^/# /'
echo "$show" | has '^Type=notify$' && echo "$show" | has '^WatchdogUSec=30s$' && echo "$show" | has -E '^StatusText=.+' \
    && ok "systemctl show: Type=notify, the watchdog, a status line" || not_ok "systemctl show: Type=notify, the watchdog, a status line"
check "systemd-analyze verify opsagent.service is clean" verify_clean
exposure=$(in_host systemd-analyze security opsagent.service --no-pager 2>/dev/null | tail -1)
echo "# systemd-analyze security: $exposure"
check "metrics on 127.0.0.1:9464 (default configuration)" metric 'opsagent_build_info{version='

# A backend (busybox httpd serving /health from a file; a start resets it) and the image's PostgreSQL with a database.
mkdir -p "$root/srv/backend"
echo '{"status":"healthy","database":"connected"}' >"$root/srv/backend/health.good"
cat >"$root/etc/systemd/system/backend.service" <<'UNIT'
[Unit]
Description=Demo backend serving /health from a file
StartLimitIntervalSec=0
[Service]
ExecStartPre=/bin/sh -c 'if [ -e /srv/backend/broken ]; then echo "backend: cannot connect to database 127.0.0.1:5432"; exit 1; fi'
ExecStartPre=/bin/cp /srv/backend/health.good /srv/backend/health
ExecStart=/bin/busybox httpd -f -p 127.0.0.1:18082 -h /srv/backend
UNIT
in_host systemctl daemon-reload
check "backend.service started" in_host systemctl start backend.service
wait_for 60 "PostgreSQL in the host accepts connections" in_host sh -c "su postgres -s /bin/sh -c 'psql -qAtc \"select 1\"'"
in_host su postgres -s /bin/sh -c "psql -q -c \"alter user postgres password 'e2e-Pw-4417'\" -c 'create database shop'" >/dev/null
in_host su postgres -s /bin/sh -c "psql -q -d shop -c 'create table orders (id int primary key, item text); insert into orders select g, md5(g::text) from generate_series(1, 5000) g'" >/dev/null
check "seeded database shop (5000 orders)" orders_in shop

cat >"$root/etc/opsagent/conf.d/shop.json" <<'JSON'
{
  "OpsAgent": {
    "TimeZone": "UTC",
    "Backups": {
      "shop-db": {
        "Engine": "postgres", "Schedule": "0 3 * * *", "CatchUp": false,
        "Connection": "Host=127.0.0.1;Port=5432;Username=postgres;Password=e2e-Pw-4417;Database=shop",
        "Directory": "/var/backups/shop", "Retention": { "KeepLast": 3 }
      }
    },
    "Probes": {
      "backend": {
        "Type": "http", "Url": "http://127.0.0.1:18082/health", "ExpectJson": { "status": "healthy", "database": "connected" },
        "Every": "1s", "Timeout": "1s", "FailureThreshold": 2,
        "Restart": { "Unit": "backend.service", "MaxRestarts": 2, "Window": "01:00:00",
                     "Backoff": { "Initial": "1s", "Max": "2s" }, "VerifyTimeout": "6s", "CaptureLogLines": 50 }
      }
    }
  }
}
JSON
check "opsagent check-config accepts conf.d/shop.json" in_host opsagent check-config

# A backup directory outside the unit's ReadWritePaths: writable from a root shell, read-only to the daemon
# (ProtectSystem=strict). check-config reads the unit's sandbox and names the drop-in line that is missing.
cat >"$root/etc/opsagent/conf.d/srv.json" <<'JSON'
{ "OpsAgent": { "Backups": { "srv-db": { "Engine": "postgres", "Schedule": "0 4 * * *", "CatchUp": false,
  "Connection": "Host=127.0.0.1;Port=5432;Username=postgres;Password=e2e-Pw-4417;Database=shop", "Directory": "/srv/backups" } } } }
JSON
out=$(in_host opsagent check-config 2>&1)
[ $? -ne 0 ] && echo "$out" | has 'OpsAgent:Backups:srv-db:Directory: not writable under the unit.s sandbox (ProtectSystem=strict): add the lines "\[Service\]" and "ReadWritePaths=/srv/backups"' \
    && ok "check-config fails on Directory=/srv/backups naming the missing ReadWritePaths=/srv/backups" || { not_ok "check-config names the missing ReadWritePaths= line"; echo "$out" | sed 's/^/# /'; }
mkdir -p "$root/etc/systemd/system/opsagent.service.d"
printf '[Service]\nReadWritePaths=/srv/backups\n' >"$root/etc/systemd/system/opsagent.service.d/srv.conf"
in_host systemctl daemon-reload
check "opsagent check-config passes with the ReadWritePaths=/srv/backups drop-in" in_host opsagent check-config
rm -f "$root/etc/opsagent/conf.d/srv.json" "$root/etc/systemd/system/opsagent.service.d/srv.conf"
in_host systemctl daemon-reload
check "systemctl reload opsagent" in_host systemctl reload opsagent
wait_for 30 "the backend probe is healthy" metric 'opsagent_probe_healthy{probe="backend"} 1'

# Prometheus (Debian's binary) inside the host, scraping the agent with the shipped rules.
mkdir -p "$root/etc/prometheus-e2e" "$root/var/lib/prometheus-e2e"
cp /usr/bin/prometheus "$root/usr/local/bin/prometheus"
cat >"$root/etc/prometheus-e2e/prometheus.yml" <<'YAML'
global: { scrape_interval: 2s, evaluation_interval: 2s }
rule_files: [ /usr/share/doc/opsagent/opsagent.rules.yml ]
scrape_configs:
  - job_name: opsagent
    honor_labels: true
    static_configs: [ { targets: [ "127.0.0.1:9464" ] } ]
YAML
in_host systemd-run --unit prometheus-e2e /usr/local/bin/prometheus --config.file=/etc/prometheus-e2e/prometheus.yml \
    --storage.tsdb.path=/var/lib/prometheus-e2e --web.listen-address=127.0.0.1:19090 >/dev/null 2>&1
prom_query() { curl -fsS "http://127.0.0.1:19090/api/v1/query" --data-urlencode "query=$1" | has "$2"; }
wait_for 60 "Prometheus query API returns opsagent_probe_healthy" prom_query 'opsagent_probe_healthy{probe="backend"}' '"probe":"backend"'

stage "degrade the backend: restarted and recovered"
echo '{"status":"healthy","database":"disconnected"}' >"$root/srv/backend/health"
wait_for 30 "restart_recovered" journal_has restart_recovered OPSAGENT_PROBE=backend

stage "break it permanently: capped restarts, suppressed, incident"
touch "$root/srv/backend/broken"
echo '{"status":"down"}' >"$root/srv/backend/health"
wait_for 60 "restart_suppressed" journal_has restart_suppressed OPSAGENT_PROBE=backend
incident=$(ls -t "$root"/var/lib/opsagent/incidents/backend_*.log 2>/dev/null | head -1)
[ -n "$incident" ] && grep -q "cannot connect to database" "$incident" && ok "incident file holds backend.service's journal lines" || not_ok "incident file holds backend.service's journal lines"
prom_alert() { curl -fsS http://127.0.0.1:19090/api/v1/alerts | has '"alertname":"OpsAgentRestartSuppressed".*"state":"firing"\|"state":"firing".*"alertname":"OpsAgentRestartSuppressed"'; }
wait_for 60 "Prometheus fires OpsAgentRestartSuppressed" prom_alert

stage "backup schedule changed to the next minute, systemctl reload"
# The next minute that is still at least 15 s away, so the reload lands before it.
next=$(in_host sh -c 'if [ "$(date -u +%S)" -gt 45 ]; then date -u -d "+2 minutes" "+%M %H"; else date -u -d "+1 minute" "+%M %H"; fi')
sed -i "s/\"Schedule\": \"0 3 \* \* \*\"/\"Schedule\": \"${next%% *} ${next##* } * * *\"/" "$root/etc/opsagent/conf.d/shop.json"
check "systemctl reload opsagent" in_host systemctl reload opsagent
wait_for 150 "a verified backup file appears" sh -c "ls $root/var/backups/shop/shop-db_*.dump.zst.sha256"
backup=$(ls "$root"/var/backups/shop/shop-db_*.dump.zst 2>/dev/null | head -1)
[ -n "$backup" ] && (cd "$(dirname "$backup")" && sha256sum -c --quiet "$(basename "$backup").sha256") && ok "sha256sum -c passes on $(basename "$backup")" || not_ok "sha256sum -c on the backup"
check "opsagent backup restore --to-database shop_restored" in_host opsagent backup restore shop-db --to-database shop_restored
check "restored database has the 5000 orders" orders_in shop_restored

stage "the CLI goes through the daemon"
cli=$(in_host opsagent backup run shop-db 2>&1)
echo "$cli" | has "backup shop-db ok" && ! echo "$cli" | has "running in this process" \
    && ok "opsagent backup run from a shell runs in the daemon (under its sandbox)" || { not_ok "opsagent backup run from a shell runs in the daemon"; echo "$cli" | sed 's/^/# /'; }
wait_for 10 "the daemon's metrics count the CLI's run" metric 'opsagent_backup_runs_total{job="shop-db",result="success"} 2'
in_host stat -c '%a %U' /run/opsagent/control.sock | has '^600 root$' && ok "control socket is 0600 root" || not_ok "control socket is 0600 root"

stage "a rejected reload fails systemctl reload and shows in the status"
cat >"$root/etc/opsagent/conf.d/typo.json" <<'JSON'
{ "OpsAgent": { "Probes": { "typo": { "Type": "http", "Url": "http://127.0.0.1:1/", "Every": "banana" } } } }
JSON
if in_host systemctl reload opsagent >/dev/null 2>&1; then not_ok "systemctl reload fails on a rejected configuration"; else ok "systemctl reload fails on a rejected configuration"; fi
in_host journalctl -u opsagent --no-pager -n 50 | has "OpsAgent:Probes:typo:Every" && ok "the reload's error names OpsAgent:Probes:typo:Every" || not_ok "the reload's error names the path"
status_rejected() { in_host systemctl status opsagent --no-pager | has "configuration rejected"; }
wait_for 20 "systemctl status says configuration rejected" status_rejected
rm -f "$root/etc/opsagent/conf.d/typo.json"
check "systemctl reload succeeds again" in_host systemctl reload opsagent

stage "journal"
json=$(in_host journalctl -u opsagent -o json --no-pager)
for event in probe_failing restart_started restart_recovered restart_suppressed backup_succeeded; do
    echo "$json" | python3 -c "
import json, sys
entries = [json.loads(l) for l in sys.stdin if l.strip()]
hits = [e for e in entries if e.get('OPSAGENT_EVENT') == '$event' and e.get('SYSLOG_IDENTIFIER') == 'opsagent' and 'PRIORITY' in e
        and any(k.startswith('OPSAGENT_') and k not in ('OPSAGENT_EVENT', 'OPSAGENT_EVENT_ID') for k in e)]
sys.exit(0 if hits else 1)" && ok "journalctl -u opsagent -o json: $event with SYSLOG_IDENTIFIER, PRIORITY, OPSAGENT_* fields" || not_ok "journal entry for $event"
done

stage "OnCritical: the real certbot as a transient unit, with /etc/letsencrypt created after the agent started"
# No ACME server is reachable here: "certbot certificates" stands in for "certbot renew" (it writes /var/log/letsencrypt
# and reads the lineage as renew does, both read-only inside the agent's sandbox), and Then swaps the lineage's live
# symlinks to a fresh certificate as a successful renewal would.
check "apt-get install certbot (Debian package) in the host" in_host sh -c 'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends certbot >/dev/null'
in_host rm -rf /etc/letsencrypt /var/log/letsencrypt
lineage="it's e2e.example.test"   # a space and a quote: {CertName} must stay one argument
mkdir -p "$E2E_WORK/le"
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=e2e.example.test" -days 3 -keyout "$E2E_WORK/le/privkey1.pem" -out "$E2E_WORK/le/cert1.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=e2e.example.test" -days 90 -keyout "$E2E_WORK/le/privkey2.pem" -out "$E2E_WORK/le/cert2.pem" 2>/dev/null
mkdir -p "$root/etc/letsencrypt/archive/$lineage" "$root/etc/letsencrypt/live/$lineage" "$root/etc/letsencrypt/renewal" "$root/root/le"
cp "$E2E_WORK/le/cert2.pem" "$E2E_WORK/le/privkey2.pem" "$root/root/le/"
# Self-signed, so the chain is the certificate itself; certbot checks that fullchain is cert + chain.
for n in cert chain; do cp "$E2E_WORK/le/cert1.pem" "$root/etc/letsencrypt/archive/$lineage/${n}1.pem"; done
cat "$E2E_WORK/le/cert1.pem" "$E2E_WORK/le/cert1.pem" >"$root/etc/letsencrypt/archive/$lineage/fullchain1.pem"
cp "$E2E_WORK/le/privkey1.pem" "$root/etc/letsencrypt/archive/$lineage/privkey1.pem"
for n in cert chain fullchain privkey; do ln -s "../../archive/$lineage/${n}1.pem" "$root/etc/letsencrypt/live/$lineage/$n.pem"; done
cat >"$root/etc/letsencrypt/renewal/$lineage.conf" <<CONF
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/$lineage
cert = /etc/letsencrypt/live/$lineage/cert.pem
privkey = /etc/letsencrypt/live/$lineage/privkey.pem
chain = /etc/letsencrypt/live/$lineage/chain.pem
fullchain = /etc/letsencrypt/live/$lineage/fullchain.pem

[renewalparams]
account = 0123456789abcdef0123456789abcdef
authenticator = standalone
server = https://acme-v02.api.letsencrypt.org/directory
CONF
chmod 700 "$root/etc/letsencrypt/archive" "$root/etc/letsencrypt/live"
cat >"$root/usr/local/bin/e2e-deploy-cert" <<'SH'
#!/bin/sh
# Then: what a renewal leaves behind, the next archive version and the live links moved to it.
set -e
a="/etc/letsencrypt/archive/$1" l="/etc/letsencrypt/live/$1"
for n in cert chain; do cp /root/le/cert2.pem "$a/${n}2.pem"; done
cat /root/le/cert2.pem /root/le/cert2.pem >"$a/fullchain2.pem"
cp /root/le/privkey2.pem "$a/privkey2.pem"
for n in cert chain fullchain privkey; do ln -sfn "../../archive/$1/${n}2.pem" "$l/$n.pem.new" && mv -T "$l/$n.pem.new" "$l/$n.pem"; done
echo "deployed $1"
SH
chmod 755 "$root/usr/local/bin/e2e-deploy-cert"
# A second critical file whose command outlives its Timeout: the agent must stop the transient unit, not just its client.
mkdir -p "$root/srv/slowcert"
cp "$E2E_WORK/le/cert1.pem" "$root/srv/slowcert/slow.pem"
cat >"$root/etc/opsagent/conf.d/certs.json" <<'JSON'
{
  "OpsAgent": {
    "Certificates": {
      "Files": {
        "le": { "Path": "/etc/letsencrypt/live/*/fullchain.pem",
                "OnCritical": { "Command": "certbot certificates --cert-name {CertName}", "Then": "/usr/local/bin/e2e-deploy-cert {CertName}", "Timeout": "00:02:00" } },
        "slow": { "Path": "/srv/slowcert/slow.pem", "OnCritical": { "Command": "sleep 300", "Timeout": "00:00:03" } }
      }
    }
  }
}
JSON
check "opsagent check-config accepts conf.d/certs.json" in_host opsagent check-config
# A reload that changes what is checked runs the certificate job at once (and with it the renewals).
check "systemctl reload opsagent" in_host systemctl reload opsagent
wait_for 90 "the renewal of le counted as a success" metric 'opsagent_certificate_renewals_total{certificate="le",result="success"} 1'
renewal_unit_output() { in_host journalctl -u 'opsagent-cert-renew-le-*' -o cat --no-pager | has -F "Certificate Name: $lineage"; }
check "journalctl -u 'opsagent-cert-renew-le-*' has certbot's output (its own transient unit)" renewal_unit_output
check "certbot wrote /var/log/letsencrypt/letsencrypt.log (read-only inside the agent's sandbox)" in_host test -s /var/log/letsencrypt/letsencrypt.log
renewal_entry() { in_host journalctl -q -t opsagent OPSAGENT_EVENT=certificate_renewal OPSAGENT_RESULT=success --since "$since" -o json --no-pager | has -F "deployed $lineage"; }
check "the agent's certificate_renewal entry holds the output of Command and Then" renewal_entry
le_ok() { in_host opsagent cert check le | has -P "^le:\\Q$lineage\\E/fullchain.pem\\t.*\\tok\\t"; }
check "the next check sees the fresh certificate (ok)" le_ok
wait_for 60 "slow: its command killed after the Timeout (certificate_renewal, failure)" metric 'opsagent_certificate_renewals_total{certificate="slow",result="failure"} 1'
slow_gone() { [ -z "$(in_host systemctl list-units --all --no-legend 'opsagent-cert-renew-slow-*')" ] && ! in_host pgrep -x sleep >/dev/null; }
wait_for 30 "slow: the transient unit is stopped and its sleep gone" slow_gone

stage "kill -STOP: the watchdog restarts the agent"
pid=$(in_host systemctl show opsagent -p MainPID --value)
in_host sh -c "kill -STOP $pid"
agent_restarted() { local now; now=$(e2e_exec install systemctl show opsagent -p MainPID --value); [ -n "$now" ] && [ "$now" != 0 ] && [ "$now" != "$pid" ] && [ "$(e2e_exec install systemctl is-active opsagent)" = active ]; }
wait_for 90 "a new agent process after the watchdog timeout" agent_restarted
in_host journalctl -u opsagent --since "$since" --no-pager | has -i "watchdog timeout" && ok "systemd logged the watchdog timeout" || not_ok "systemd logged the watchdog timeout"

stage "purge keeps backups"
check "apt-get purge opsagent" in_host apt-get purge -y -q opsagent
check "configuration and state removed" sh -c "[ ! -e $root/etc/opsagent ] && [ ! -e $root/var/lib/opsagent ]"
check "backups kept" sh -c "ls $root/var/backups/shop/shop-db_*.dump.zst"

in_host systemctl stop prometheus-e2e >/dev/null 2>&1
e2e_stop install
e2e_status
