namespace OpsAgent.Core.Maintenance;

/// <summary>What the probes say now, for backups that must not run against a failing database or onto a full disk.</summary>
public interface IProbeHealth
{
    /// <summary>False while <paramref name="probe"/> is failing (after its <c>FailureThreshold</c>), true otherwise; null when no such probe is configured.</summary>
    bool? IsHealthy(string probe);

    /// <summary>The disk probes whose last attempt was critical, with the path each watches.</summary>
    IReadOnlyList<(string Probe, string Path, string Message)> CriticalDisks();
}
