using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Notifications;

/// <summary>A capability's pings by owner (<c>backup</c> jobs, <c>probe</c>s), so notifications find them without knowing the capability's options.</summary>
public interface IPingCatalog
{
    /// <summary>The owner kind this catalog answers for: <c>backup</c> or <c>probe</c>.</summary>
    string Kind { get; }

    /// <summary>The ping of <paramref name="name"/> in <paramref name="configuration"/>, or null.</summary>
    PingOptions? Find(AgentConfiguration configuration, string name);
}
