using OpsAgent.Core.Configuration;
using OpsAgent.Core.Notifications;

namespace OpsAgent.Backups;

/// <summary>The <c>Ping</c> of each backup job.</summary>
internal sealed class BackupPingCatalog : IPingCatalog
{
    public string Kind => BackupJob.Kind;

    public PingOptions? Find(AgentConfiguration configuration, string name)
        => configuration?.Get<BackupsOptions>().Jobs.GetValueOrDefault(name)?.Ping;
}
