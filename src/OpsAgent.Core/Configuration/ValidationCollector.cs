using Microsoft.Extensions.Options;

namespace OpsAgent.Core.Configuration;

/// <summary>Collects validation failures as <c>path: message</c> strings for <see cref="ValidateOptionsResult"/>.</summary>
public sealed class ValidationCollector
{
    private readonly List<string> _failures = [];

    /// <summary>Adds a failure at <paramref name="path"/>.</summary>
    public void Add(string path, string message) => _failures.Add($"{path}: {message}");

    /// <summary>Adds a failure.</summary>
    public void Add(ConfigError error) => _failures.Add(error.ToString());

    /// <summary>The failures so far, as <c>path: message</c>.</summary>
    internal IReadOnlyList<string> Failures => _failures;

    /// <summary>The result: success when nothing was added.</summary>
    public ValidateOptionsResult ToResult() => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);
}
