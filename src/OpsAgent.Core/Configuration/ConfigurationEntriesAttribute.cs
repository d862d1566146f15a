namespace OpsAgent.Core.Configuration;

/// <summary>Marks the dictionary property that receives every key of the section that is not another property.</summary>
/// <remarks>
/// Lets a section mix named entries with a few settings, as <c>OpsAgent:Backups</c> does: job names are lower case by rule,
/// so upper-case setting names such as <c>MaxConcurrentBackups</c> can never collide with them.
/// </remarks>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigurationEntriesAttribute : Attribute;
