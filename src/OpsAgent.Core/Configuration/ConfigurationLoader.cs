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
    public static (IConfigurationRoot? Root, IReadOnlyList<string> Files, string Fingerprint) Build(ConfigurationFiles source, ICollection<ConfigError> errors, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(errors);
        var files = source.Enumerate();
        var builder = new ConfigurationBuilder();
        var hash = new StringBuilder();
        var ok = true;
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                errors.Add(new ConfigError(file, "configuration file does not exist (give another with --config)"));
                ok = false;
                continue;
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                errors.Add(new ConfigError(file, $"cannot read the configuration file: {ex.Message}"));
                ok = false;
                continue;
            }

            hash.Append(file).Append('\0').Append(Convert.ToHexString(SHA256.HashData(bytes))).Append('\n');
            try
            {
                // Parse each file on its own first so that a syntax error names its file and line.
                new ConfigurationBuilder().AddJsonStream(new MemoryStream(bytes)).Build();
                builder.AddJsonStream(new MemoryStream(bytes));
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
            {
                errors.Add(new ConfigError(file, $"not valid JSON: {(ex.InnerException ?? ex).Message}"));
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

        builder.AddInMemoryCollection(overrides);
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(hash.ToString())));
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
