namespace OpsAgent.Backups.Copies;

/// <summary>What a copy pass needs from the configuration in force.</summary>
/// <param name="Job">The job name.</param>
/// <param name="Options">The job's settings (its <c>Copies</c>, <c>Directory</c>, <c>Encryption</c>).</param>
/// <param name="Targets">The targets by name.</param>
/// <param name="TimeZone">The zone retention is computed in.</param>
/// <param name="StateDirectory">The agent's state directory (queue, locks, last listings).</param>
internal sealed record CopyRequest(string Job, BackupJobOptions Options, IReadOnlyDictionary<string, CopyTargetOptions> Targets, TimeZoneInfo TimeZone, string StateDirectory)
{
    /// <summary>The request for <paramref name="job"/> under <paramref name="configuration"/> (its targets, zone and state directory).</summary>
    public static CopyRequest For(string job, BackupJobOptions options, Core.Configuration.AgentConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(job, options, configuration.Get<CopyTargetsOptions>().Targets, configuration.TimeZone, configuration.Agent.StateDirectory);
    }
}

/// <summary>The result of one copy's pass.</summary>
/// <param name="Copy">The copy's name.</param>
/// <param name="Target">The target it goes to.</param>
/// <param name="Success">True when the target holds every backup its retention keeps.</param>
/// <param name="Reason">The failure's reason (<see cref="CopyReasons"/>).</param>
/// <param name="Message">What happened, free of secrets.</param>
/// <param name="Uploaded">Backups uploaded.</param>
/// <param name="Deleted">Remote backups the copy's retention removed.</param>
/// <param name="Pending">Local backups the target still lacks after the pass.</param>
/// <param name="Bytes">Bytes uploaded.</param>
internal sealed record CopyResult(string Copy, string Target, bool Success, string? Reason, string Message, int Uploaded, int Deleted, int Pending, long Bytes);

/// <summary>Where an upload is, for a terminal's progress line.</summary>
/// <param name="Copy">The copy.</param>
/// <param name="File">The object being written.</param>
/// <param name="Bytes">Bytes sent so far.</param>
/// <param name="Total">The local file's size (the encrypted object is a little larger).</param>
internal readonly record struct CopyProgress(string Copy, string File, long Bytes, long Total);
