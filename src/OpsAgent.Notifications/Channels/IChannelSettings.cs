using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Notifications.Channels;

/// <summary>What a channel type's options know about themselves; on the options so validating never connects anywhere.</summary>
public interface IChannelSettings
{
    /// <summary>Adds the settings' problems at <c>{path}:Key</c>; <paramref name="path"/> is the channel's path.</summary>
    void Validate(string path, ValidationCollector errors);

    /// <summary>Where messages go, never a secret (<c>smtp://smtp.example.org:587 to ops@example.org</c>).</summary>
    string Describe();

    /// <summary>What <c>check-config</c> verifies on this host (secrets resolve, files readable); never connects.</summary>
    Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken);
}
