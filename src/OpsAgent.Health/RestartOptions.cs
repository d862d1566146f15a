using OpsAgent.Core.Configuration;

namespace OpsAgent.Health;

/// <summary>The restart target and its storm control.</summary>
public sealed class RestartOptions
{
    /// <summary>The target: the settings of the one target key present (<c>Unit</c>, <c>Container</c>, <c>WindowsService</c>), in its folder under <c>Restarts/</c>.</summary>
    [ConfigurationKind]
    public object? Target { get; set; }

    /// <summary>At most this many restarts in <see cref="Window"/>; past it the probe is suppressed.</summary>
    public int MaxRestarts { get; set; } = 3;

    /// <summary>The window <see cref="MaxRestarts"/> counts in.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Wait between restarts: <c>Initial</c>, doubling up to <c>Max</c>.</summary>
    public BackoffOptions Backoff { get; set; } = new();

    /// <summary>How long a restarted target has to become healthy.</summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Log lines captured when it does not recover.</summary>
    public int CaptureLogLines { get; set; } = 200;

    /// <summary>What is restarted, for logs and <c>/status</c> (<c>unit backend.service</c>).</summary>
    public string Describe() => (Target as Restarts.IRestartTargetSettings)?.Describe() ?? "";
}
