using Microsoft.Extensions.Configuration;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Core.Configuration;

/// <summary>One validated, immutable configuration: what the agent runs until the next successful reload.</summary>
/// <remarks>Jobs look their settings up here by name when they start, so a job that is running keeps the snapshot it started with.</remarks>
public sealed class AgentConfiguration
{
    private readonly IReadOnlyDictionary<Type, object> _sections;

    internal AgentConfiguration(long generation, IConfigurationRoot raw, IReadOnlyList<string> files, IReadOnlyDictionary<Type, object> sections, DateTimeOffset loadedAt)
    {
        Generation = generation;
        Raw = raw;
        Files = files;
        _sections = sections;
        LoadedAt = loadedAt;
        Agent = Get<OpsAgentOptions>();
        TimeZone = Agent.ResolveTimeZone();
    }

    /// <summary>Increments with every accepted load.</summary>
    public long Generation { get; }

    /// <summary>The merged configuration it was bound from.</summary>
    public IConfigurationRoot Raw { get; }

    /// <summary>The files merged, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>When it was accepted.</summary>
    public DateTimeOffset LoadedAt { get; }

    /// <summary>The foundation options.</summary>
    public OpsAgentOptions Agent { get; }

    /// <summary>The resolved schedule time zone.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>The jobs every <see cref="IJobSource"/> derived from this configuration.</summary>
    public IReadOnlyList<AgentJobDefinition> Jobs { get; internal set; } = [];

    /// <summary>A capability's options; registered with <see cref="ServiceCollectionExtensions.AddAgentSection{TOptions}"/>.</summary>
    public T Get<T>() where T : class
        => _sections.TryGetValue(typeof(T), out var value) ? (T)value : throw new InvalidOperationException($"{typeof(T).Name} is not a registered configuration section");
}
