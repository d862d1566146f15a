#!/bin/sh
# /usr/bin/opsagent: runs the agent on the .NET runtime shipped in /usr/lib/opsagent/dotnet.
# Without ICU (a minimal install) .NET would refuse to start; it then runs in invariant-globalization mode
# (only Windows time zone ids in the configuration need ICU).
if [ -z "${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-}" ] && ! ls /usr/lib/*/libicuuc.so.* /usr/lib/libicuuc.so.* >/dev/null 2>&1; then
    export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
fi
export DOTNET_ROOT=/usr/lib/opsagent/dotnet
exec /usr/lib/opsagent/dotnet/dotnet /usr/lib/opsagent/app/opsagent.dll "$@"
