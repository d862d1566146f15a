using System.Text.RegularExpressions;

namespace OpsAgent.Certificates;

/// <summary><c>{CertName}</c> and <c>{Path}</c> in <c>OnCritical</c> commands of <c>Files</c> entries: the matched file that is critical.</summary>
/// <remarks>
/// Substituted into each word after the command line is split, never into the text before: a file name with a space or
/// a quote stays one argument and cannot add options or commands.
/// </remarks>
internal static partial class RenewalPlaceholders
{
    /// <summary>The name of the directory holding the matched file: certbot's lineage name for <c>/etc/letsencrypt/live/NAME/fullchain.pem</c>.</summary>
    public const string CertName = "CertName";

    /// <summary>The matched file's path.</summary>
    public const string Path = "Path";

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>Every placeholder named in <paramref name="text"/> that is not one of ours.</summary>
    public static IEnumerable<string> Unknown(string text)
        => Placeholder().Matches(text).Select(m => m.Groups[1].Value).Where(n => n is not CertName and not Path).Distinct(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="options"/> names the matched file, so it runs once per critical file rather than once per entry.</summary>
    public static bool Used(OnCriticalOptions options)
        => new[] { options.Command, options.Then }.Any(t => t is not null && Placeholder().IsMatch(t));

    /// <summary>The lineage name of <paramref name="file"/>: its directory's name (empty for a file at the root).</summary>
    public static string CertNameOf(string file) => System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(file)) ?? string.Empty;

    /// <summary><paramref name="words"/> with the placeholders replaced for <paramref name="file"/> (unchanged when it is null).</summary>
    public static IReadOnlyList<string> Substitute(IReadOnlyList<string> words, string? file)
        => file is null
            ? words
            : [.. words.Select(w => Placeholder().Replace(w, m => m.Groups[1].Value == CertName ? CertNameOf(file) : m.Groups[1].Value == Path ? file : m.Value))];
}
