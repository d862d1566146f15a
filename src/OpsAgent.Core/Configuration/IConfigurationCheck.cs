namespace OpsAgent.Core.Configuration;

/// <summary>
/// A check across sections (a job naming a target of another section), run on every load after each section was bound
/// and validated on its own, whether or not those found errors, so one load reports every failure.
/// </summary>
/// <remarks>Registered with <see cref="ServiceCollectionExtensions.AddConfigurationCheck{TCheck}"/>; like a validator it never throws, whatever a value holds.</remarks>
public interface IConfigurationCheck
{
    /// <summary>Adds an error with its configuration path for each reference that does not resolve.</summary>
    void Check(ConfigurationSections sections, ValidationCollector errors);
}
