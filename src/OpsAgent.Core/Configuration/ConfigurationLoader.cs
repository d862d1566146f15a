using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace OpsAgent.Core.Configuration;

/// <summary>Builds a fresh merged configuration: main file, <c>conf.d/*.json</c> in name order, then <c>OPSAGENT__</c> environment variables.</summary>
/// <remarks>
/// The whole stack is rebuilt on every load instead of relying on the JSON provider's own reload, because files added to
/// <c>conf.d/</c> after start-up must be merged too, and a half-written file must fail the load rather than leave a
/// half-updated configuration in place.
/// </remarks>
public static class ConfigurationLoader
{
    /// <summary>The environment prefix.</summary>
    public const string EnvironmentPrefix = "OPSAGENT__";

    /// <summary>Reads and merges the files; syntax errors and missing files are returned as errors naming the file.</summary>
    /// <param name="source">The main file and its conf.d.</param>
    /// <param name="errors">Receives read and syntax errors.</param>
    /// <param name="environment">The environment to take overrides from (the process's by default).</param>
    /// <param name="unlessFingerprint">
    /// When the files and overrides still have this fingerprint, nothing is parsed and the root is null with no error:
    /// the cheap path for the periodic change check.
    /// </param>
    public static (IConfigurationRoot? Root, IReadOnlyList<string> Files, string Fingerprint) Build(ConfigurationFiles source, ICollection<ConfigError> errors,
        IDictionary? environment = null, string? unlessFingerprint = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(errors);
        var files = source.Enumerate();
        var hash = new StringBuilder();
        var contents = new List<(string File, byte[] Bytes)>(files.Count);
        var ok = true;
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
                errors.Add(new ConfigError(file, "configuration file does not exist (give another with --config)"));
                ok = false;
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                errors.Add(new ConfigError(file, $"cannot read the configuration file: {ex.Message}"));
                ok = false;
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

        var builder = new ConfigurationBuilder();
        foreach (var (file, bytes) in contents)
        {
            try
            {
                // Each file is parsed into its own root, so that a syntax error names its file and line, and the
                // parsed root is then chained in rather than parsed a second time.
                builder.AddConfiguration(new ConfigurationBuilder().AddJsonStream(new MemoryStream(bytes)).Build());
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
            {
                errors.Add(new ConfigError(file, $"not valid JSON: {(ex.InnerException ?? ex).Message}"));
                ok = false;
            }
        }

        builder.AddInMemoryCollection(overrides);
        return (ok ? builder.Build() : null, files, fingerprint);
    }

    /// <summary>
    /// Reads the foundation section leniently (errors ignored, defaults kept): for what is needed before validation can
    /// run or when it does not matter, such as the log socket at start-up or the listen URL for <c>opsagent status</c>.
    /// </summary>
    public static OpsAgentOptions ReadFoundationLeniently(ConfigurationFiles source)
    {
        var ignored = new List<ConfigError>();
        var (root, _, _) = Build(source, ignored);
        return root is null ? new OpsAgentOptions() : StrictBinder.Bind<OpsAgentOptions>(root.GetSection(OpsAgentOptions.SectionName), ignored);
    }
}
