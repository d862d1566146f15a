<#
.SYNOPSIS
  Installs OpsAgent as a Windows service (run as Administrator from the unpacked release zip).
.DESCRIPTION
  Copies the build to %ProgramFiles%\OpsAgent, the configuration to %ProgramData%\OpsAgent (kept if present),
  registers the "OpsAgent" service (automatic start, LocalSystem) with recovery actions (restart after 10 s, 30 s,
  60 s; failure counter reset after a day) and starts it. Re-running it upgrades in place.
#>
[CmdletBinding()]
param(
    [string] $Source = $PSScriptRoot,
    [string] $InstallDir = (Join-Path $env:ProgramFiles 'OpsAgent'),
    [string] $ConfigDir = (Join-Path $env:ProgramData 'OpsAgent')
)
$ErrorActionPreference = 'Stop'
$name = 'OpsAgent'

if (-not ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this script as Administrator.'
}
if (-not (Test-Path (Join-Path $Source 'opsagent.exe'))) { throw "opsagent.exe not found in $Source" }

$existing = Get-Service -Name $name -ErrorAction SilentlyContinue
if ($existing -and $existing.Status -ne 'Stopped') { Stop-Service -Name $name -Force; $existing.WaitForStatus('Stopped', '00:01:00') }

New-Item -ItemType Directory -Force -Path $InstallDir, $ConfigDir, (Join-Path $ConfigDir 'conf.d'), (Join-Path $ConfigDir 'state') | Out-Null
Copy-Item -Path (Join-Path $Source '*') -Destination $InstallDir -Recurse -Force -Exclude 'appsettings.json', '*.ps1'
$config = Join-Path $ConfigDir 'appsettings.json'
if (-not (Test-Path $config)) {
    # The shipped defaults, with Windows paths: state under ProgramData, no journald (logs go to the console/event log).
    $json = Get-Content (Join-Path $Source 'appsettings.json') -Raw | ConvertFrom-Json
    $json.OpsAgent.StateDirectory = (Join-Path $ConfigDir 'state')
    $json.OpsAgent.TimeZone = 'Local'
    $json.OpsAgent.Docker.Endpoint = 'npipe://./pipe/docker_engine'
    $json | ConvertTo-Json -Depth 10 | Set-Content -Path $config -Encoding UTF8
}
# Only Administrators and SYSTEM may read the configuration: it may hold connection strings.
icacls $ConfigDir /inheritance:r /grant:r 'Administrators:(OI)(CI)F' 'SYSTEM:(OI)(CI)F' | Out-Null

& (Join-Path $InstallDir 'opsagent.exe') check-config --config $config
if ($LASTEXITCODE -ne 0) { throw "the configuration $config is invalid (see above)" }

$binary = '"{0}" run --config "{1}"' -f (Join-Path $InstallDir 'opsagent.exe'), $config
if ($existing) {
    sc.exe config $name binPath= $binary start= auto | Out-Null
} else {
    New-Service -Name $name -BinaryPathName $binary -DisplayName 'OpsAgent host agent' -StartupType Automatic `
        -Description 'Database backups, health probes with restarts, certificate checks; Prometheus metrics on 127.0.0.1:9464.' | Out-Null
}
sc.exe failure $name reset= 86400 actions= restart/10000/restart/30000/restart/60000 | Out-Null
sc.exe failureflag $name 1 | Out-Null
Start-Service -Name $name
Write-Host "OpsAgent installed in $InstallDir, configuration in $config, service started."
