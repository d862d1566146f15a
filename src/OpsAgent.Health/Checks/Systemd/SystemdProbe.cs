using System.Diagnostics;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health.Checks.Systemd;

/// <summary>systemd probe: the unit is active.</summary>
internal sealed class SystemdProbe(Systemctl systemctl) : ProbeType<SystemdProbeOptions>
{
    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, SystemdProbeOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var state = await systemctl.ShowAsync(options.Unit!, cancellationToken).ConfigureAwait(false);
            if (state.LoadState == "not-found")
            {
                return ProbeResult.Fail("unit_missing", $"{options.Unit} is not installed", clock.Elapsed);
            }

            return state.ActiveState switch
            {
                "active" or "reloading" or "refreshing" => ProbeResult.Ok(clock.Elapsed, state.ToString()),
                "activating" => ProbeResult.Fail("unit_activating", $"{options.Unit} is {state}", clock.Elapsed),
                "deactivating" => ProbeResult.Fail("unit_deactivating", $"{options.Unit} is {state}", clock.Elapsed),
                "failed" => ProbeResult.Fail("unit_failed", $"{options.Unit} is {state}", clock.Elapsed),
                _ when state.StoppedCleanly => ProbeResult.Fail(ProbeReasons.UnitStopped, $"{options.Unit} was stopped ({state})", clock.Elapsed),
                _ => ProbeResult.Fail("unit_inactive", $"{options.Unit} is {state}", clock.Elapsed),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail(ProbeReasons.Timeout, "systemctl did not answer within the timeout", clock.Elapsed);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OpsAgent.Core.Processes.ToolStartException)
        {
            return ProbeResult.Fail("systemd_unreachable", ex.Message, clock.Elapsed);
        }
    }
}
