namespace OpsAgent.Health.Checks;

/// <summary>A probe type's check as the runner sees it.</summary>
internal interface IProbeCheck
{
    /// <summary>Runs once; the token carries the probe's timeout. Never throws for target failures.</summary>
    Task<ProbeResult> CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken);
}
