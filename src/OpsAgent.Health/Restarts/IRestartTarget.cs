namespace OpsAgent.Health.Restarts;

/// <summary>Something the agent restarts when its probe fails.</summary>
public interface IRestartTarget
{
    /// <summary>What it is, for logs (<c>unit backend.service</c>).</summary>
    string Description { get; }

    /// <summary>A reason not to restart now (a deploy is running, an operator stopped it), or null. May prepare the target (reset-failed).</summary>
    Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken);

    /// <summary>How long a restart may take to stop the target before starting it (a container's stop timeout): the call gets this on top of the verification time.</summary>
    TimeSpan StopAllowance { get; }

    /// <summary>Restarts it.</summary>
    Task RestartAsync(CancellationToken cancellationToken);

    /// <summary>The last <paramref name="lines"/> lines of its log (the unit's journal, the container's output).</summary>
    Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken);
}
