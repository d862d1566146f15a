#!/usr/bin/env bash
# Builds opsagent_<VERSION>_<ARCH>.deb into packaging/deb/out/.
#   packaging/deb/build.sh VERSION [ARCH]     ARCH: amd64 (default) or arm64
# The package carries its own .NET runtime in /usr/lib/opsagent/dotnet (Debian does not package .NET): a self-contained
# publish when the runtime packs for the architecture can be restored, otherwise the framework-dependent build plus the
# build machine's own runtime (same architecture only). Needs the .NET 10 SDK, dpkg-deb and fakeroot.
set -euo pipefail
version=${1:?usage: build.sh VERSION [amd64|arm64]}
arch=${2:-amd64}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
case "$arch" in amd64) rid=linux-x64 ;; arm64) rid=linux-arm64 ;; *) echo "unknown architecture $arch (amd64 or arm64)" >&2; exit 2 ;; esac
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "VERSION '$version' is not a Debian version (e.g. 0.1.0)" >&2; exit 2; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
root=$work/root
lib=$root/usr/lib/opsagent
mkdir -p "$lib/app" "$lib/dotnet" "$root/usr/bin" "$root/etc/opsagent/conf.d" "$root/lib/systemd/system" "$root/var/lib/opsagent" \
    "$root/usr/share/doc/opsagent/examples" "$root/DEBIAN"

build_version="-p:Version=${version%%[~+-]*} -p:InformationalVersion=$version"
# ReadyToRun: the app's and libraries' code is compiled ahead of time (the runtime's own already is), so a CLI verb starts
# without JIT-compiling the host, the configuration binder and System.CommandLine first (tests/bench/RESULTS.md, "footprint.sh start-up").
if dotnet publish "$repo/src/OpsAgent/OpsAgent.csproj" -c Release -r "$rid" --self-contained -p:PublishReadyToRun=true -o "$work/publish" $build_version -nologo -v quiet >"$work/publish.log" 2>&1; then
    echo "self-contained publish for $rid"
    # The self-contained output is the app and runtime in one directory; keep the layout the wrapper expects.
    cp -a "$work/publish/." "$lib/app/"
    rmdir "$lib/dotnet"
    self_contained=1
else
    host_arch=$(dpkg --print-architecture)
    if [ "$arch" != "$host_arch" ]; then
        echo "cannot build $arch here: no $rid runtime packs can be restored (offline?) and this machine is $host_arch" >&2
        tail -5 "$work/publish.log" >&2
        exit 1
    fi
    echo "runtime packs for $rid unavailable: framework-dependent build + this machine's .NET runtime"
    dotnet publish "$repo/src/OpsAgent/OpsAgent.csproj" -c Release --no-self-contained -o "$lib/app" $build_version -nologo -v quiet
    dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
    runtime=$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)
    aspnet=$(ls -d "$dotnet_root"/shared/Microsoft.AspNetCore.App/10.* | sort -V | tail -1)
    fxr=$(ls -d "$dotnet_root"/host/fxr/10.* | sort -V | tail -1)
    mkdir -p "$lib/dotnet/shared/Microsoft.NETCore.App" "$lib/dotnet/shared/Microsoft.AspNetCore.App" "$lib/dotnet/host/fxr"
    cp -a "$dotnet_root/dotnet" "$lib/dotnet/"
    cp -a "$runtime" "$lib/dotnet/shared/Microsoft.NETCore.App/"
    cp -a "$aspnet" "$lib/dotnet/shared/Microsoft.AspNetCore.App/"
    cp -a "$fxr" "$lib/dotnet/host/fxr/"
    self_contained=0
fi
rm -f "$lib/app/appsettings.json" "$lib/app"/*.pdb

install -m 0755 "$here/opsagent.sh" "$root/usr/bin/opsagent"
if [ "$self_contained" = 1 ]; then
    sed -i 's#^exec .*#exec /usr/lib/opsagent/app/opsagent "$@"#; /DOTNET_ROOT/d' "$root/usr/bin/opsagent"
fi
install -m 0644 "$repo/src/OpsAgent/appsettings.json" "$root/etc/opsagent/appsettings.json"
install -m 0644 "$repo/systemd/opsagent.service" "$root/lib/systemd/system/opsagent.service"
install -m 0644 "$repo/README.md" "$root/usr/share/doc/opsagent/README.md"
install -m 0644 "$repo"/packaging/examples/*.json "$repo/packaging/examples/README.md" "$root/usr/share/doc/opsagent/examples/"
# The schema at a fixed path, for "$schema" in /etc/opsagent files; the reference beside the README.
install -D -m 0644 "$repo/docs/appsettings.schema.json" "$root/usr/share/opsagent/appsettings.schema.json"
install -m 0644 "$repo"/docs/*.md "$root/usr/share/doc/opsagent/"
install -m 0644 "$repo/packaging/prometheus/opsagent.rules.yml" "$repo/packaging/grafana/opsagent.json" "$repo/packaging/polkit/50-opsagent.rules" "$root/usr/share/doc/opsagent/"
gzip -9n -c >"$root/usr/share/doc/opsagent/changelog.gz" <<CHANGELOG
opsagent ($version) stable; urgency=medium

  * Release $version.

 -- OpsAgent maintainers <maintainers@opsagent.dev>  $(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")
CHANGELOG
cat >"$root/usr/share/doc/opsagent/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: opsagent

Files: *
Copyright: 2026 OpsAgent maintainers
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
 documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
 rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
 persons to whom the Software is furnished to do so, subject to the following conditions: the above copyright notice and
 this permission notice shall be included in all copies or substantial portions of the Software.
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
COPYRIGHT

echo /etc/opsagent/appsettings.json >"$root/DEBIAN/conffiles"
size=$(du -sk "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: opsagent
Version: $version
Architecture: $arch
Maintainer: OpsAgent maintainers <maintainers@opsagent.dev>
Installed-Size: $size
Depends: libc6, libgcc-s1, libstdc++6, zlib1g, libssl3 | libssl1.1, ca-certificates, systemd
Recommends: zstd
Suggests: libicu72, postgresql-client, docker.io, prometheus
Section: admin
Priority: optional
Homepage: https://github.com/opsagent/opsagent
Description: host agent for database backups, health probes and certificate checks
 OpsAgent replaces hand-run operations runbooks with one daemon: nightly
 PostgreSQL and MongoDB dumps with retention, health probes (HTTP JSON, TCP,
 databases, Docker, systemd) that restart what degrades without restart
 storms, and certificate expiry checks, reporting through a Prometheus
 /metrics endpoint and structured journald entries.
 .
 Backups compress with zstd by default (recommended: restoring by hand needs
 the zstd command). Jobs that dump on the host need the dump tools there:
 postgresql-client (pg_dump of the server's major version) for PostgreSQL,
 the MongoDB Database Tools (mongodump, from MongoDB's repository) for
 MongoDB; jobs with Container run them inside the database container.
CONTROL

cat >"$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    install -d -m 0750 /var/lib/opsagent
    install -d -m 0755 /etc/opsagent/conf.d
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null || true
        systemctl enable opsagent.service >/dev/null || true
        if [ -n "$2" ]; then
            systemctl restart opsagent.service || true
        else
            systemctl start opsagent.service || true
        fi
    fi
fi
exit 0
POSTINST
cat >"$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = "remove" ]; then
    systemctl stop opsagent.service >/dev/null || true
fi
exit 0
PRERM
cat >"$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
# remove keeps configuration, state and backups; purge removes configuration and state, never backups
# (they live in each job's Directory, which the package never owned).
if [ "$1" = "remove" ] || [ "$1" = "purge" ]; then
    if [ -d /run/systemd/system ]; then
        systemctl disable opsagent.service >/dev/null 2>&1 || true
        systemctl daemon-reload >/dev/null 2>&1 || true
    fi
fi
if [ "$1" = "purge" ]; then
    rm -rf /etc/opsagent /var/lib/opsagent
fi
exit 0
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

# The runtime's native libraries carry their own zlib (System.IO.Compression.Native): it is part of the .NET runtime.
mkdir -p "$root/usr/share/lintian/overrides"
cat >"$root/usr/share/lintian/overrides/opsagent" <<'OVERRIDES'
# The bundled .NET runtime links zlib(-ng) statically into System.IO.Compression.Native.
opsagent: embedded-library zlib [usr/lib/opsagent/*]
# Managed assemblies are not ELF; the apphost and createdump are the executables.
opsagent: executable-not-elf-or-script *
OVERRIDES

# Owned by root, directories 0755, files 0644 except the programs: what dpkg and lintian expect.
find "$root" -path "$root/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
find "$root" -path "$root/DEBIAN" -prune -o -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/bin/opsagent"
for program in "$lib/app/opsagent" "$lib/app/createdump" "$lib/dotnet/dotnet"; do [ -f "$program" ] && chmod 0755 "$program"; done
chmod 0750 "$root/var/lib/opsagent"
mkdir -p "$here/out"
out=$here/out/opsagent_${version}_${arch}.deb
fakeroot dpkg-deb --build -Zxz "$root" "$out" >/dev/null
echo "$out"
