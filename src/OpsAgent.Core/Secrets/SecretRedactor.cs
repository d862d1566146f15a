using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace OpsAgent.Core.Secrets;

/// <summary>The one redaction helper: every log entry, <c>/status</c> document, CLI line and exception text passes through it.</summary>
/// <remarks>
/// Two layers: every secret the agent resolved is remembered and replaced wherever it appears (tools such as pg_dump echo
/// connection strings in their errors), and common credential shapes (<c>user:pass@</c> in URLs, <c>Password=</c>,
/// <c>PGPASSWORD=</c>) are masked even when the agent never resolved them itself.
/// </remarks>
public sealed partial class SecretRedactor
{
    /// <summary>The mask that replaces secrets.</summary>
    public const string Mask = "***";

    /// <summary>The process-wide instance; log sinks and exception handlers that are created before DI use it.</summary>
    public static SecretRedactor Shared { get; } = new();

    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);

    [GeneratedRegex(@"(?<=[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(?=@)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();

    [GeneratedRegex(@"(?<key>\b[A-Za-z_]*(?:password|passwd|pwd|secret|token)[A-Za-z_]*[""']?\s*[=:]\s*)(?<q>[""']?)(?<val>[^;\s""',}]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValuePassword();

    /// <summary>Remembers a resolved secret value, and the password inside it when it is a connection string or URL.</summary>
    public void Register(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }

        _known.TryAdd(secret, 0);
        foreach (var part in ExtractPasswords(secret))
        {
            if (part.Length >= 4)
            {
                _known.TryAdd(part, 0);
            }
        }
    }

    /// <summary>Returns <paramref name="text"/> with every known secret and credential-shaped value masked.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        // Longest first, so a connection string is masked whole before its password is.
        foreach (var secret in _known.Keys.OrderByDescending(k => k.Length))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        text = UriPassword().Replace(text, Mask);
        return KeyValuePassword().Replace(text, m => m.Groups["key"].Value + m.Groups["q"].Value + Mask);
    }

    private static IEnumerable<string> ExtractPasswords(string value)
    {
        var uri = UriPassword().Match(value);
        if (uri.Success)
        {
            yield return uri.Value;
            yield return Uri.UnescapeDataString(uri.Value);
        }

        foreach (Match m in KeyValuePassword().Matches(value))
        {
            yield return m.Groups["val"].Value;
        }
    }
}
