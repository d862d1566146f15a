namespace OpsAgent.Backups.Restore;

/// <summary>How a restore over the original runs beside a live application: what is stopped, what is saved first, what runs after, what proves it is back.</summary>
public sealed class RestoreOptions
{
    /// <summary>Containers or units stopped for the restore (and started again whatever happens); their probes count no failure meanwhile.</summary>
    public List<Stops.StopTargetOptions> Stop { get; set; } = [];

    /// <summary>How long each stopped service gets to exit after SIGTERM.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Take a normal backup first (kept by retention like any other); when it fails nothing is touched.</summary>
    public bool PreRestoreBackup { get; set; } = true;

    /// <summary>Commands run after the restore and before the start (migrations), outside the agent's sandbox as certificate renewals are.</summary>
    public List<string> After { get; set; } = [];

    /// <summary>How long each <see cref="After"/> command may run.</summary>
    public TimeSpan AfterTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Probes that must pass once the services are started again.</summary>
    public List<string> VerifyProbes { get; set; } = [];

    /// <summary>How long <see cref="VerifyProbes"/> have to pass.</summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
