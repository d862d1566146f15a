namespace OpsAgent.Health;

/// <summary>Exponential back-off between restarts.</summary>
public sealed class BackoffOptions
{
    /// <summary>Wait after the first restart.</summary>
    public TimeSpan Initial { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait.</summary>
    public TimeSpan Max { get; set; } = TimeSpan.FromMinutes(5);
}
