<#
.SYNOPSIS
  Removes the OpsAgent service and program files. Configuration and state in %ProgramData%\OpsAgent are kept unless
  -Purge is given; backup directories are never touched.
#>
[CmdletBinding()]
param(
    [string] $InstallDir = (Join-Path $env:ProgramFiles 'OpsAgent'),
    [string] $ConfigDir = (Join-Path $env:ProgramData 'OpsAgent'),
    [switch] $Purge
)
$ErrorActionPreference = 'Stop'
$name = 'OpsAgent'
$service = Get-Service -Name $name -ErrorAction SilentlyContinue
if ($service) {
    if ($service.Status -ne 'Stopped') { Stop-Service -Name $name -Force; $service.WaitForStatus('Stopped', '00:01:00') }
    sc.exe delete $name | Out-Null
}
if (Test-Path $InstallDir) { Remove-Item -Recurse -Force $InstallDir }
if ($Purge -and (Test-Path $ConfigDir)) { Remove-Item -Recurse -Force $ConfigDir }
Write-Host ("OpsAgent removed{0}." -f ($(if ($Purge) { ', configuration and state purged' } else { "; configuration kept in $ConfigDir" })))
