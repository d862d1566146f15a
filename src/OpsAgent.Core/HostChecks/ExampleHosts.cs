namespace OpsAgent.Core.HostChecks;

/// <summary>The documentation domains of RFC 2606 that the shipped examples use for what the operator must edit.</summary>
public static class ExampleHosts
{
    private static readonly string[] Domains = ["example.org", "example.com", "example.net"];

    /// <summary>True when <paramref name="host"/> is one of the example domains or a name under one.</summary>
    public static bool IsPlaceholder(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return false;
        }

        var name = host.Trim().TrimEnd('.');
        return Domains.Any(d => name.Equals(d, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + d, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The hosts of a URL such as <c>https://h/...</c> or <c>mongodb://u:p@h1:27017,h2/db</c> (several for a replica set).</summary>
    /// <remarks>Hand-written because <see cref="Uri"/> rejects the comma-separated host lists of MongoDB and PostgreSQL URIs.</remarks>
    public static IEnumerable<string> OfUrl(string? url)
    {
        var scheme = url?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        if (url is null || scheme < 0)
        {
            yield break;
        }

        var authority = url[(scheme + 3)..];
        var end = authority.IndexOfAny(['/', '?', '#']);
        authority = end < 0 ? authority : authority[..end];
        authority = authority[(authority.LastIndexOf('@') + 1)..];
        foreach (var part in authority.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith('['))
            {
                yield return part[1..Math.Max(1, part.IndexOf(']', StringComparison.Ordinal))];
                continue;
            }

            var colon = part.LastIndexOf(':');
            yield return colon < 0 ? part : part[..colon];
        }
    }
}
