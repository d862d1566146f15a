# Shared set-up for tests/run.sh and tests/bench/*.sh: sourced, not run.
# Starts real services on private ports and sockets and exports where they are:
#   OPSAGENT_TEST_PG            Npgsql connection string (password auth over TCP)
#   OPSAGENT_TEST_PG_SOCKET     socket directory of the same server
#   OPSAGENT_TEST_PG_SSL_CERT   the server's certificate (ssl = on, self-signed, CN and SAN localhost)
#   OPSAGENT_TEST_DOCKER        Docker Engine endpoint (unix socket)
#   OPSAGENT_TEST_IMAGE         a busybox image imported from busybox-static
#   OPSAGENT_TEST_DEBIAN_IMAGE  a Debian image with systemd and PostgreSQL (debootstrap, cached)
#   OPSAGENT_TEST_DEBIAN_ROOTFS the cached root file system tarball behind it
#   OPSAGENT_TEST_SFTP_HOST, _PORT, _USER, _KEY, _KNOWN_HOSTS, _PATH, _HOST_KEY
#                               a second sshd (internal-sftp) on loopback: its address, user, the user's private key, a
#                               known_hosts file naming it, the remote backup root (a local directory too) and the
#                               server's host key file
#   OPSAGENT_TEST_SMTP          maildev (npm) on loopback: host:port of its plain SMTP, with OPSAGENT_TEST_SMTP_API (its REST API),
#                               OPSAGENT_TEST_SMTPS (a second maildev speaking TLS from the first byte, its certificate for
#                               localhost signed by OPSAGENT_TEST_SMTP_CA, a PEM CA made here) and OPSAGENT_TEST_SMTPS_API;
#                               OPSAGENT_TEST_STARTTLS an SMTP server offering STARTTLS under the same certificate (smtp-server,
#                               maildev's own library), writing each message to OPSAGENT_TEST_STARTTLS_DIR
#   OPSAGENT_TEST_S3            an s3rver endpoint (http://127.0.0.1:PORT, path-style), with OPSAGENT_TEST_S3_BUCKET,
#                               OPSAGENT_TEST_S3_ACCESS_KEY and OPSAGENT_TEST_S3_SECRET_KEY
# Everything started is recorded and stopped by harness_stop (installed as an EXIT trap by the caller).

HARNESS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HARNESS_WORK=${OPSAGENT_TEST_WORK:-/tmp/opsagent-test}
HARNESS_CACHE=${OPSAGENT_TEST_CACHE:-/var/cache/opsagent-test}
HARNESS_PG_PORT=${OPSAGENT_TEST_PG_PORT:-55432}
HARNESS_PG_PASSWORD=opsagent-test-Pw-7731
HARNESS_SFTP_PORT=${OPSAGENT_TEST_SFTP_SERVER_PORT:-54022}
HARNESS_SFTP_USER=opsagent-sftp
HARNESS_S3_PORT=${OPSAGENT_TEST_S3_PORT:-54569}
HARNESS_S3RVER_VERSION=3.7.1
HARNESS_MAILDEV_VERSION=3.0.0
HARNESS_SMTP_PORT=${OPSAGENT_TEST_SMTP_PORT:-54025}
HARNESS_SMTPS_PORT=${OPSAGENT_TEST_SMTPS_PORT:-54465}
HARNESS_STARTTLS_PORT=${OPSAGENT_TEST_STARTTLS_PORT:-54587}
HARNESS_LOG=$HARNESS_WORK/logs
export DEBIAN_FRONTEND=noninteractive

log() { printf '[harness %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

harness_install() {
    local want=(postgresql systemd-container debootstrap busybox-static zstd curl iproute2 util-linux ca-certificates openssl prometheus lintian fakeroot faketime)
    want+=(age strace)
    want+=(openssh-server); local host_sshd=; if dpkg -s openssh-server >/dev/null 2>&1; then host_sshd=1; fi
    want+=(awscli); command -v npm >/dev/null 2>&1 || want+=(nodejs npm)
    # A Docker engine already on the machine (GitHub's runners have docker-ce with containerd.io, which Debian's docker.io
    # conflicts with) is used as it is: its dockerd binary runs a second, private engine (harness_start_docker).
    local host_docker=
    if command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1; then host_docker=1; else want+=(docker.io runc); fi
    local missing=()
    for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if ((${#missing[@]})); then
        log "installing: ${missing[*]}"
        apt-get update -qq >"$HARNESS_LOG/apt.log" 2>&1 || true
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$HARNESS_LOG/apt.log" 2>&1 || { log "apt-get install failed, see $HARNESS_LOG/apt.log"; tail -20 "$HARNESS_LOG/apt.log" >&2; return 1; }
    fi
    # The packaged services must not grab the default ports (the e2e hosts share the network and run their own
    # PostgreSQL on 5432): the harness runs its own instances. A Docker engine that was here before is never stopped
    # (it may run the CI's own service containers); one the harness just installed is.
    systemctl disable --now postgresql prometheus >/dev/null 2>&1 || true
    if [ -z "$host_docker" ]; then systemctl disable --now docker docker.socket >/dev/null 2>&1 || true; fi
    # Likewise the system's sshd: one that was here before (how someone reaches this machine) is never touched; the one
    # the package just installed and started is stopped, as the harness runs its own (harness_start_sftp).
    if [ -z "$host_sshd" ]; then systemctl disable --now ssh ssh.socket >/dev/null 2>&1 || true; fi
}

harness_start_postgres() {
    local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    local data=$HARNESS_WORK/pg/data sock=$HARNESS_WORK/pg/sock
    mkdir -p "$data" "$sock"; chown -R postgres:postgres "$HARNESS_WORK/pg"; chmod 700 "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
        printf '%s\n' "$HARNESS_PG_PASSWORD" >"$HARNESS_WORK/pg/pwfile"; chown postgres "$HARNESS_WORK/pg/pwfile"
        runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --pwfile="$HARNESS_WORK/pg/pwfile" -A scram-sha-256 --auth-local=trust >"$HARNESS_LOG/initdb.log" 2>&1 || { cat "$HARNESS_LOG/initdb.log" >&2; return 1; }
    fi
    # ssl = on with a generated certificate: the certificate checks read it with PostgreSQL's SSLRequest.
    local crt=$HARNESS_WORK/pg/server.crt key=$HARNESS_WORK/pg/server.key
    if [ ! -f "$crt" ]; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 90 -subj /CN=localhost \
            -addext subjectAltName=DNS:localhost -addext extendedKeyUsage=serverAuth -keyout "$key" -out "$crt" >"$HARNESS_LOG/openssl.log" 2>&1 \
            || { cat "$HARNESS_LOG/openssl.log" >&2; return 1; }
        chown postgres:postgres "$key" "$crt"; chmod 600 "$key"
    fi
    # A server left running by an interrupted run is reused rather than failing on its lock file.
    if runuser -u postgres -- "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$HARNESS_WORK/pg/postgres.log" -w -t 60 \
        -o "-p $HARNESS_PG_PORT -k $sock -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on -c ssl_cert_file=$crt -c ssl_key_file=$key" start >/dev/null || { tail -20 "$HARNESS_WORK/pg/postgres.log" >&2; return 1; }
    echo "$bin/pg_ctl -D $data" >"$HARNESS_WORK/pg/stop"
    export OPSAGENT_TEST_PG="Host=127.0.0.1;Port=$HARNESS_PG_PORT;Username=postgres;Password=$HARNESS_PG_PASSWORD;Database=postgres"
    export OPSAGENT_TEST_PG_SOCKET=$sock
    export OPSAGENT_TEST_PG_SSL_CERT=$crt
    log "postgresql $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$HARNESS_PG_PORT"
}

harness_start_docker() {
    local sock=$HARNESS_WORK/docker.sock
    mkdir -p "$HARNESS_CACHE/docker" "$HARNESS_WORK/docker-exec"
    dockerd --host "unix://$sock" --data-root "$HARNESS_CACHE/docker" --exec-root "$HARNESS_WORK/docker-exec" \
        --pidfile "$HARNESS_WORK/docker.pid" --iptables=false --ip6tables=false --bridge=none \
        --storage-driver=vfs --containerd-namespace opsagent-test --containerd-plugins-namespace opsagent-test-plugins >"$HARNESS_LOG/dockerd.log" 2>&1 &
    local i
    for i in $(seq 1 60); do
        docker -H "unix://$sock" version >/dev/null 2>&1 && break
        sleep 1
    done
    docker -H "unix://$sock" version >/dev/null 2>&1 || { log "dockerd did not start"; tail -30 "$HARNESS_LOG/dockerd.log" >&2; return 1; }
    export OPSAGENT_TEST_DOCKER="unix://$sock"
    export DOCKER_HOST=$OPSAGENT_TEST_DOCKER
    # Containers left by an interrupted run.
    docker ps -aq --filter label=opsagent-test | xargs -r docker rm -f >/dev/null 2>&1 || true
    log "dockerd $(docker version --format '{{.Server.Version}}') on $sock"
}

harness_import_busybox() {
    export OPSAGENT_TEST_IMAGE=opsagent-test/busybox:latest
    if docker image inspect "$OPSAGENT_TEST_IMAGE" >/dev/null 2>&1; then return 0; fi
    local root=$HARNESS_WORK/busybox-root
    rm -rf "$root"; mkdir -p "$root/bin" "$root/tmp" "$root/etc"
    cp /bin/busybox "$root/bin/busybox"
    for applet in $("$root/bin/busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
    tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$OPSAGENT_TEST_IMAGE" >/dev/null
    log "imported $OPSAGENT_TEST_IMAGE"
}

harness_mirror() {
    local m
    m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
    [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
    echo "${m:-http://deb.debian.org/debian}"
}

harness_debian_rootfs() {
    local tarball=$HARNESS_CACHE/debian-rootfs.tar
    export OPSAGENT_TEST_DEBIAN_ROOTFS=$tarball
    if [ ! -s "$tarball" ]; then
        local suite dir=$HARNESS_CACHE/debian-build
        suite=$(. /etc/os-release; echo "$VERSION_CODENAME")
        rm -rf "$dir"; mkdir -p "$dir"
        log "debootstrap $suite from $(harness_mirror) (once; cached in $HARNESS_CACHE)"
        debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,postgresql,busybox,ca-certificates,curl \
            "$suite" "$dir" "$(harness_mirror)" >"$HARNESS_LOG/debootstrap.log" 2>&1 || { tail -20 "$HARNESS_LOG/debootstrap.log" >&2; return 1; }
        chroot "$dir" apt-get clean >/dev/null 2>&1 || true
        echo opsagent-e2e >"$dir/etc/hostname"
        tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        rm -rf "$dir"
    fi
    export OPSAGENT_TEST_DEBIAN_IMAGE=opsagent-test/debian:latest
    if ! docker image inspect "$OPSAGENT_TEST_DEBIAN_IMAGE" >/dev/null 2>&1; then
        docker import -c 'CMD ["/bin/bash"]' "$tarball" "$OPSAGENT_TEST_DEBIAN_IMAGE" >/dev/null
        log "imported $OPSAGENT_TEST_DEBIAN_IMAGE"
    fi
}

harness_start_sftp() {
    local dir=$HARNESS_WORK/sftp user=$HARNESS_SFTP_USER port=$HARNESS_SFTP_PORT
    local root=$dir/data config=$dir/sshd_config
    mkdir -p "$dir" "$root"
    # An unprivileged user of its own; '*' rather than useradd's '!' password, which sshd without PAM reads as a
    # locked account and refuses even for a key.
    if ! id "$user" >/dev/null 2>&1; then
        useradd --system --home-dir "$dir/home" --shell /usr/sbin/nologin "$user" || return 1
    fi
    usermod -p '*' "$user" >/dev/null 2>&1 || true
    mkdir -p "$dir/home"; chown "$user:" "$dir/home" "$root"; chmod 755 "$dir" "$root"
    [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C opsagent-test-sftp-host -f "$dir/ssh_host_ed25519_key" || return 1
    [ -f "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C opsagent-test-sftp-user -f "$dir/id_ed25519" || return 1
    cp "$dir/id_ed25519.pub" "$dir/authorized_keys"; chmod 644 "$dir/authorized_keys"
    printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" >"$dir/known_hosts"
    # StrictModes no: authorized_keys lives under /tmp, which is world-writable, so sshd's ownership walk up the path
    # would refuse it. ForceCommand internal-sftp: the user gets SFTP and nothing else.
    printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $dir/ssh_host_ed25519_key" "PidFile $dir/sshd.pid" \
        "AuthorizedKeysFile $dir/authorized_keys" "AllowUsers $user" "PermitRootLogin no" "PubkeyAuthentication yes" \
        "PasswordAuthentication no" "KbdInteractiveAuthentication no" "UsePAM no" "StrictModes no" "AllowTcpForwarding no" \
        "X11Forwarding no" "MaxStartups 50:30:100" "LogLevel VERBOSE" "Subsystem sftp internal-sftp" "ForceCommand internal-sftp" >"$config"
    # An sshd left by an interrupted run is replaced, so that it serves this configuration.
    if [ -f "$dir/sshd.pid" ]; then
        local old; old=$(cat "$dir/sshd.pid")
        if [ -n "$old" ] && grep -qs sshd "/proc/$old/comm"; then
            kill "$old" 2>/dev/null || true
            for _ in $(seq 1 25); do kill -0 "$old" 2>/dev/null || break; sleep 0.2; done
        fi
        rm -f "$dir/sshd.pid"
    fi
    # sshd is started by its absolute path (it re-executes itself) and needs its privilege separation directory.
    mkdir -p /run/sshd; chmod 755 /run/sshd
    /usr/sbin/sshd -t -f "$config" >"$HARNESS_LOG/sshd-sftp.log" 2>&1 || { cat "$HARNESS_LOG/sshd-sftp.log" >&2; return 1; }
    /usr/sbin/sshd -f "$config" -E "$HARNESS_LOG/sshd-sftp.log" || { tail -20 "$HARNESS_LOG/sshd-sftp.log" >&2; return 1; }
    local i
    for i in $(seq 1 50); do
        [ -s "$dir/sshd.pid" ] && ssh-keyscan -p "$port" -t ed25519 127.0.0.1 >/dev/null 2>&1 && break
        sleep 0.2
    done
    [ -s "$dir/sshd.pid" ] || { log "sshd (sftp) did not start"; tail -20 "$HARNESS_LOG/sshd-sftp.log" >&2; return 1; }
    export OPSAGENT_TEST_SFTP_HOST=127.0.0.1
    export OPSAGENT_TEST_SFTP_PORT=$port
    export OPSAGENT_TEST_SFTP_USER=$user
    export OPSAGENT_TEST_SFTP_KEY=$dir/id_ed25519
    export OPSAGENT_TEST_SFTP_KNOWN_HOSTS=$dir/known_hosts
    export OPSAGENT_TEST_SFTP_PATH=$root
    export OPSAGENT_TEST_SFTP_HOST_KEY=$dir/ssh_host_ed25519_key
    log "sshd $(ssh -V 2>&1 | cut -d, -f1) (internal-sftp) on 127.0.0.1:$port, user $user, root $root"
}

# s3rver (a file-backed S3 server from the npm registry, installed once into the cache) on a private loopback port with
# one bucket; its data is wiped at each start so tests see only their own objects. s3rver's default credentials.
harness_start_s3() {
    local dir=$HARNESS_WORK/s3rver bin=$HARNESS_CACHE/s3rver/node_modules/s3rver/bin/s3rver.js
    if [ ! -f "$bin" ]; then
        log "npm install s3rver@$HARNESS_S3RVER_VERSION (once; cached in $HARNESS_CACHE/s3rver)"
        mkdir -p "$HARNESS_CACHE/s3rver"
        npm install --prefix "$HARNESS_CACHE/s3rver" --no-audit --no-fund "s3rver@$HARNESS_S3RVER_VERSION" >"$HARNESS_LOG/s3rver-npm.log" 2>&1 \
            || { log "npm install s3rver failed, see $HARNESS_LOG/s3rver-npm.log"; tail -20 "$HARNESS_LOG/s3rver-npm.log" >&2; return 1; }
    fi
    # A server left by an interrupted run is replaced (its pid is only trusted while it is still that s3rver).
    if [ -f "$dir/pid" ]; then
        local old; old=$(cat "$dir/pid")
        if grep -q s3rver "/proc/$old/cmdline" 2>/dev/null; then kill "$old" 2>/dev/null || true; fi
        for _ in $(seq 1 20); do kill -0 "$old" 2>/dev/null || break; sleep 0.25; done
        rm -f "$dir/pid"
    fi
    rm -rf "$dir/data"; mkdir -p "$dir/data"
    local bucket=opsagent-test
    # s3rver makes its listing continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
    node --openssl-legacy-provider "$bin" --directory "$dir/data" --address 127.0.0.1 --port "$HARNESS_S3_PORT" --no-vhost-buckets \
        --configure-bucket "$bucket" >"$HARNESS_LOG/s3rver.log" 2>&1 &
    echo $! >"$dir/pid"
    local i
    for i in $(seq 1 60); do
        # Any HTTP answer (s3rver refuses the anonymous request) means it listens.
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HARNESS_S3_PORT/" 2>/dev/null)" != 000 ] && break
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
        sleep 0.5
    done
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HARNESS_S3_PORT/" 2>/dev/null)" != 000 ] \
        || { log "s3rver did not start"; tail -20 "$HARNESS_LOG/s3rver.log" >&2; return 1; }
    export OPSAGENT_TEST_S3="http://127.0.0.1:$HARNESS_S3_PORT"
    export OPSAGENT_TEST_S3_BUCKET=$bucket
    export OPSAGENT_TEST_S3_ACCESS_KEY=S3RVER
    export OPSAGENT_TEST_S3_SECRET_KEY=S3RVER
    # For tests that start (and kill -9) a private s3rver of their own.
    export OPSAGENT_TEST_S3RVER_BIN=$bin
    log "s3rver $HARNESS_S3RVER_VERSION on 127.0.0.1:$HARNESS_S3_PORT (bucket $bucket)"
}

# maildev (an SMTP server with a REST API to read what arrived, from the npm registry, installed once into the cache):
# one plain, one with TLS from the first byte under a certificate from a CA made here. maildev 3 never advertises
# STARTTLS (its smtp-server configuration sets hideSTARTTLS), so TLS is tested in its implicit form.
harness_start_smtp() {
    local dir=$HARNESS_WORK/maildev bin=$HARNESS_CACHE/maildev/node_modules/maildev/dist/bin/maildev.js
    if [ ! -f "$bin" ]; then
        log "npm install maildev@$HARNESS_MAILDEV_VERSION (once; cached in $HARNESS_CACHE/maildev)"
        mkdir -p "$HARNESS_CACHE/maildev"
        npm install --prefix "$HARNESS_CACHE/maildev" --no-audit --no-fund "maildev@$HARNESS_MAILDEV_VERSION" >"$HARNESS_LOG/maildev-npm.log" 2>&1 \
            || { log "npm install maildev failed, see $HARNESS_LOG/maildev-npm.log"; tail -20 "$HARNESS_LOG/maildev-npm.log" >&2; return 1; }
    fi
    local pidfile
    for pidfile in "$dir"/*.pid; do
        [ -f "$pidfile" ] || continue
        local old; old=$(cat "$pidfile")
        if grep -qE "maildev|starttls-smtp" "/proc/$old/cmdline" 2>/dev/null; then kill "$old" 2>/dev/null || true; fi
        rm -f "$pidfile"
    done
    rm -rf "$dir"; mkdir -p "$dir/plain" "$dir/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=OpsAgent test SMTP CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1 || { log "openssl: the SMTP test CA"; return 1; }
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1 \
        && openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 30 -out "$dir/server.pem" \
            -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') >/dev/null 2>&1 || { log "openssl: the SMTP server certificate"; return 1; }
    local web=$((HARNESS_SMTP_PORT + 1000)) webs=$((HARNESS_SMTPS_PORT + 1000))
    node "$bin" --ip 127.0.0.1 --smtp "$HARNESS_SMTP_PORT" --web-ip 127.0.0.1 --web "$web" --mail-directory "$dir/plain" >"$HARNESS_LOG/maildev.log" 2>&1 &
    echo $! >"$dir/plain.pid"
    node "$bin" --ip 127.0.0.1 --smtp "$HARNESS_SMTPS_PORT" --web-ip 127.0.0.1 --web "$webs" --mail-directory "$dir/tls" \
        --incoming-secure --incoming-cert "$dir/server.pem" --incoming-key "$dir/server.key" >"$HARNESS_LOG/maildev-tls.log" 2>&1 &
    echo $! >"$dir/tls.pid"
    local i
    for i in $(seq 1 60); do
        curl -fsS "http://127.0.0.1:$web/api/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$webs/api/healthz" >/dev/null 2>&1 && break
        sleep 0.5
    done
    curl -fsS "http://127.0.0.1:$web/api/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$webs/api/healthz" >/dev/null 2>&1 \
        || { log "maildev did not start"; tail -n 20 "$HARNESS_LOG/maildev.log" "$HARNESS_LOG/maildev-tls.log" >&2; return 1; }
    # STARTTLS, which maildev 3 never offers: the same smtp-server library with a script of ours.
    mkdir -p "$dir/starttls"
    node "$HARNESS_ROOT/tests/lib/starttls-smtp.cjs" "$HARNESS_CACHE/maildev/node_modules/smtp-server" "$HARNESS_STARTTLS_PORT" \
        "$dir/server.pem" "$dir/server.key" "$dir/starttls" >"$HARNESS_LOG/starttls-smtp.log" 2>&1 &
    echo $! >"$dir/starttls.pid"
    for i in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$HARNESS_STARTTLS_PORT") 2>/dev/null && break; sleep 0.25; done
    (exec 3<>"/dev/tcp/127.0.0.1/$HARNESS_STARTTLS_PORT") 2>/dev/null || { log "the STARTTLS SMTP server did not start"; tail -n 20 "$HARNESS_LOG/starttls-smtp.log" >&2; return 1; }
    export OPSAGENT_TEST_STARTTLS="localhost:$HARNESS_STARTTLS_PORT" OPSAGENT_TEST_STARTTLS_DIR="$dir/starttls"
    export OPSAGENT_TEST_SMTP="127.0.0.1:$HARNESS_SMTP_PORT" OPSAGENT_TEST_SMTP_API="http://127.0.0.1:$web/api"
    export OPSAGENT_TEST_SMTPS="localhost:$HARNESS_SMTPS_PORT" OPSAGENT_TEST_SMTPS_API="http://127.0.0.1:$webs/api" OPSAGENT_TEST_SMTP_CA="$dir/ca.pem"
    log "maildev $HARNESS_MAILDEV_VERSION: SMTP on $OPSAGENT_TEST_SMTP, SMTP over TLS on $OPSAGENT_TEST_SMTPS"
}

harness_start() {
    mkdir -p "$HARNESS_WORK" "$HARNESS_CACHE" "$HARNESS_LOG"
    harness_install || return 1
    harness_start_postgres || return 1
    harness_start_docker || return 1
    harness_import_busybox || return 1
    harness_debian_rootfs || return 1
    harness_start_sftp || return 1
    harness_start_s3 || return 1
    harness_start_smtp || return 1
}

harness_stop() {
    if [ -f "$HARNESS_WORK/pg/stop" ]; then
        runuser -u postgres -- $(cat "$HARNESS_WORK/pg/stop") -m fast stop >/dev/null 2>&1 || true
        rm -f "$HARNESS_WORK/pg/stop"
    fi
    if [ -n "${OPSAGENT_TEST_DOCKER:-}" ]; then
        docker ps -aq --filter label=opsagent-test | xargs -r docker rm -f >/dev/null 2>&1 || true
    fi
    if [ -f "$HARNESS_WORK/docker.pid" ]; then
        local pid; pid=$(cat "$HARNESS_WORK/docker.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$HARNESS_WORK/docker.pid"
    fi
    if [ -f "$HARNESS_WORK/sftp/sshd.pid" ]; then
        local sshd; sshd=$(cat "$HARNESS_WORK/sftp/sshd.pid")
        if [ -n "$sshd" ] && grep -qs sshd "/proc/$sshd/comm"; then kill "$sshd" 2>/dev/null || true; fi
        rm -f "$HARNESS_WORK/sftp/sshd.pid"
    fi
    local mailpid
    for mailpid in "$HARNESS_WORK"/maildev/*.pid; do
        [ -f "$mailpid" ] || continue
        if grep -qE "maildev|starttls-smtp" "/proc/$(cat "$mailpid")/cmdline" 2>/dev/null; then kill "$(cat "$mailpid")" 2>/dev/null || true; fi
        rm -f "$mailpid"
    done
    if [ -f "$HARNESS_WORK/s3rver/pid" ]; then
        local s3pid; s3pid=$(cat "$HARNESS_WORK/s3rver/pid")
        if grep -q s3rver "/proc/$s3pid/cmdline" 2>/dev/null; then kill "$s3pid" 2>/dev/null || true; fi
        rm -f "$HARNESS_WORK/s3rver/pid"
    fi
    if declare -F e2e_stop_all >/dev/null; then e2e_stop_all; fi
}
