namespace OpsAgent.Core.HostChecks;

/// <summary>How much a <see cref="HostFinding"/> matters to <c>check-config</c>.</summary>
public enum HostFindingSeverity
{
    /// <summary>Cannot work as configured: check-config fails.</summary>
    Error,

    /// <summary>May work once something appears later (a container not created yet): printed, check-config passes.</summary>
    Warning,
}
