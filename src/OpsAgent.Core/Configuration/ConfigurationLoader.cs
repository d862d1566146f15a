using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace OpsAgent.Core.Configuration;

/// <summary>Builds a fresh merged configuration: main file, <c>conf.d/*.json</c> (not dot-files) in name order, then <c>OPSAGENT__</c> environment variables.</summary>
/// <remarks>
/// <para>
/// A <c>conf.d</c> file may override the main file, but two <c>conf.d</c> files may not define the same setting or entry:
/// .NET configuration would merge them key by key into a hybrid neither file wrote. A later file that means to replace
/// an earlier one's entry says so with a top-level <c>"$override": true</c>; the entry is then replaced whole.
/// </para>
/// The whole stack is rebuilt on every load instead of relying on the JSON provider's own reload, because files added to
/// <c>conf.d/</c> after start-up must be merged too, and a half-written file must fail the load rather than leave a
/// half-updated configuration in place.
/// </remarks>
public static class ConfigurationLoader
{
    /// <summary>The environment prefix.</summary>
    public const string EnvironmentPrefix = "OPSAGENT__";

    /// <summary>The top-level key a <c>conf.d</c> file sets to <c>true</c> to replace what earlier files define.</summary>
    public const string OverrideKey = "$override";

    /// <summary>Reads and merges the files; syntax errors and missing files are returned as errors naming the file.</summary>
    /// <param name="source">The main file and its conf.d.</param>
    /// <param name="errors">Receives read and syntax errors.</param>
    /// <param name="environment">The environment to take overrides from (the process's by default).</param>
    /// <param name="unlessFingerprint">
    /// When the files and overrides still have this fingerprint, nothing is parsed and the root is null with no error:
    /// the cheap path for the periodic change check.
    /// </param>
    /// <param name="sections">Section path → options type, to find settings and entries two <c>conf.d</c> files both define (none: not checked).</param>
    /// <param name="lenient">Return what the readable files hold even when some could not be read or parsed (never for a load that is published).</param>
    public static (IConfigurationRoot? Root, IReadOnlyList<string> Files, string Fingerprint) Build(ConfigurationFiles source, ICollection<ConfigError> errors,
        IDictionary? environment = null, string? unlessFingerprint = null, IReadOnlyDictionary<string, Type>? sections = null, bool lenient = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(errors);
        var hash = new StringBuilder();
        var ok = true;
        IReadOnlyList<string> files;
        try
        {
            files = source.Enumerate();
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // conf.d cannot be listed: an error naming it, rather than an exception out of every load and reload.
            errors.Add(new ConfigError(source.ConfDirectory, $"cannot list the directory: {ex.Message}"));
            hash.Append(source.ConfDirectory).Append("\0unlistable\n");
            files = [Path.GetFullPath(source.MainFile)];
            ok = false;
        }

        var contents = new List<(string File, byte[] Bytes)>(files.Count);
        foreach (var file in files)
        {
            try
            {
                var bytes = File.ReadAllBytes(file);
                contents.Add((file, bytes));
                hash.Append(file).Append('\0').Append(Convert.ToHexString(SHA256.HashData(bytes))).Append('\n');
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                errors.Add(new ConfigError(file, new FileInfo(file).LinkTarget is { } target
                    ? $"configuration file is a symlink to {target}, which does not exist"
                    : "configuration file does not exist (give another with --config)"));
                ok = false;
                // Named in the fingerprint, so that its removal (or repair) is a change and the pending edits get applied.
                hash.Append(file).Append("\0missing\n");
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                errors.Add(new ConfigError(file, $"cannot read the configuration file: {ex.Message}"));
                ok = false;
                hash.Append(file).Append("\0unreadable\n");
            }
        }

        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var configKey = "OpsAgent:" + key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
                overrides[configKey] = entry.Value as string;
                hash.Append(configKey).Append('=').Append(entry.Value).Append('\n');
            }
        }

        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(hash.ToString())));
        if (fingerprint == unlessFingerprint)
        {
            return (null, files, fingerprint);
        }

        var layers = new List<Dictionary<string, string?>>(contents.Count);
        var owners = new List<(string Unit, string File, int Layer)>();
        foreach (var (file, bytes) in contents)
        {
            IConfigurationRoot parsed;
            Dictionary<string, string?> flat;
            try
            {
                // Each file is parsed into its own root, so that a syntax error names its file and line. Its keys are read
                // from the provider: IConfiguration.AsEnumerable lists children by scanning every key at every node, which
                // took minutes on a file of 20,000 entries.
                flat = FlatJsonProvider.Read(bytes);
                parsed = new ConfigurationBuilder().AddInMemoryCollection(flat).Build();
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
            {
                errors.Add(new ConfigError(file, $"not valid JSON: {(ex.InnerException ?? ex).Message}"));
                ok = false;
                continue;
            }

            var isOverride = string.Equals(parsed[OverrideKey], "true", StringComparison.OrdinalIgnoreCase);
            // The main file (the first layer) is the base that conf.d files may override: only conf.d files own units.
            if (sections is not null && layers.Count > 0)
            {
                foreach (var unit in ConfigurationUnits.Of(parsed, sections))
                {
                    if (isOverride)
                    {
                        layers.ForEach(l => l.Keys.Where(k => IsUnder(k, unit)).ToList().ForEach(k => l.Remove(k)));
                        owners.RemoveAll(o => Overlaps(o.Unit, unit));
                    }

                    // The same value written in two files (a shared Certificates:Schedule) merges into nothing new.
                    foreach (var (_, owner, _) in owners.Where(o => Overlaps(o.Unit, unit) && !SameUnder(layers[o.Layer], flat, o.Unit.Length >= unit.Length ? o.Unit : unit)))
                    {
                        errors.Add(new ConfigError(unit, $"defined in both {owner} and {file}: they would be merged key by key; define it in one file, or start {Path.GetFileName(file)} with \"{OverrideKey}\": true to replace it on purpose"));
                        ok = false;
                    }

                    owners.Add((unit, file, layers.Count));
                }
            }

            layers.Add(flat.Where(kv => !IsUnder(kv.Key, OverrideKey)).ToDictionary(StringComparer.OrdinalIgnoreCase));
        }

        var builder = new ConfigurationBuilder();
        foreach (var layer in layers)
        {
            builder.AddInMemoryCollection(layer);
        }

        builder.AddInMemoryCollection(overrides);
        return (ok || lenient ? builder.Build() : null, files, fingerprint);
    }

    private static bool IsUnder(string key, string path)
        => key.Length >= path.Length && key.StartsWith(path, StringComparison.OrdinalIgnoreCase) && (key.Length == path.Length || key[path.Length] == ':');

    private static bool Overlaps(string a, string b) => IsUnder(a, b) || IsUnder(b, a);

    private static bool SameUnder(Dictionary<string, string?> earlier, Dictionary<string, string?> later, string unit)
    {
        var mine = earlier.Where(kv => IsUnder(kv.Key, unit)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        var theirs = later.Where(kv => IsUnder(kv.Key, unit)).ToList();
        return mine.Count == theirs.Count && theirs.All(kv => mine.TryGetValue(kv.Key, out var value) && value == kv.Value);
    }

    /// <summary>
    /// Reads the foundation section leniently (errors ignored, defaults kept): for what is needed before validation can
    /// run or when it does not matter, such as the log socket at start-up or the listen URL for <c>opsagent status</c>.
    /// </summary>
    public static OpsAgentOptions ReadFoundationLeniently(ConfigurationFiles source)
    {
        var ignored = new List<ConfigError>();
        // Lenient: a broken conf.d file must not hide the main file's settings (the control socket the CLI asks the daemon on).
        var (root, _, _) = Build(source, ignored, lenient: true);
        return root is null ? new OpsAgentOptions() : StrictBinder.Bind<OpsAgentOptions>(root.GetSection(OpsAgentOptions.SectionName), ignored);
    }
}
