namespace OpsAgent.Health.Checks.Tcp;

/// <summary>The settings of a <c>tcp</c> probe.</summary>
public sealed class TcpProbeOptions
{
    /// <summary>tcp: host.</summary>
    public string? Host { get; set; }

    /// <summary>tcp: port.</summary>
    public int? Port { get; set; }
}
