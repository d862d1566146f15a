using System.Text.RegularExpressions;

namespace OpsAgent.Core.Configuration;

/// <summary>The naming rule for jobs, probes and certificates: <c>[a-z0-9][a-z0-9._-]*</c>.</summary>
/// <remarks>Names become metric labels, file names and journald fields, so they are restricted to characters safe in all three.</remarks>
public static partial class NameRules
{
    // \z, not $: $ also matches before a final newline, which let "db\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>True when <paramref name="name"/> is a valid name.</summary>
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    /// <summary>The message used when a name is invalid.</summary>
    public const string Rule = "names must match [a-z0-9][a-z0-9._-]* (lower case letters, digits, '.', '_', '-')";
}
