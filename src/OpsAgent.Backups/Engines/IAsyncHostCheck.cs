using OpsAgent.Core.HostChecks;

namespace OpsAgent.Backups.Engines;

/// <summary>An engine's <c>check-config</c> findings that ask the host over the network (Docker's volumes and containers), beside <see cref="IBackupEngine.CheckHost"/>.</summary>
internal interface IAsyncHostCheck
{
    /// <summary>Adds findings for <paramref name="job"/> (a job without <c>Container</c>) to <paramref name="context"/>.</summary>
    Task CheckHostAsync(string path, BackupJobOptions job, HostCheckContext context, CancellationToken cancellationToken);
}
