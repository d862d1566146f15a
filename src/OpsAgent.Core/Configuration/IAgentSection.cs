using Microsoft.Extensions.Configuration;

namespace OpsAgent.Core.Configuration;

/// <summary>A typed part of the configuration that the agent binds and validates on every load.</summary>
/// <remarks>Capabilities register one per options type with <see cref="ServiceCollectionExtensions.AddAgentSection{TOptions}"/>.</remarks>
public interface IAgentSection
{
    /// <summary>The options type.</summary>
    Type OptionsType { get; }

    /// <summary>The section path, such as <c>OpsAgent:Backups</c>.</summary>
    string Path { get; }

    /// <summary>Binds and validates; problems are appended to <paramref name="errors"/>.</summary>
    object Load(IConfiguration root, ICollection<ConfigError> errors);
}
