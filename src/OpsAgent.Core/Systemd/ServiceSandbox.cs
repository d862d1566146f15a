namespace OpsAgent.Core.Systemd;

/// <summary>
/// The file-system sandbox of a unit as <c>systemctl show UNIT -p ReadWritePaths,ProtectSystem,ProtectHome</c> reports it,
/// and whether a directory is writable under it.
/// </summary>
/// <param name="ProtectSystem"><c>no</c>, <c>yes</c>, <c>full</c> or <c>strict</c>.</param>
/// <param name="ProtectHome"><c>no</c>, <c>yes</c>, <c>read-only</c> or <c>tmpfs</c>.</param>
/// <param name="ReadWritePaths">The paths as systemd lists them: a leading <c>-</c> marks a path ignored when it does not exist.</param>
public sealed record ServiceSandbox(string ProtectSystem, string ProtectHome, IReadOnlyList<string> ReadWritePaths)
{
    private static readonly string[] SystemPaths = ["/usr", "/boot", "/efi"];
    private static readonly string[] FullPaths = ["/usr", "/boot", "/efi", "/etc"];
    private static readonly string[] StrictWritable = ["/dev", "/proc", "/sys"];
    private static readonly string[] HomePaths = ["/home", "/root", "/run/user"];

    /// <summary>The properties it needs, for <c>systemctl show -p</c>.</summary>
    public const string Properties = "LoadState,ReadWritePaths,ProtectSystem,ProtectHome";

    /// <summary>
    /// Parses <c>systemctl show</c> output (<c>Key=value</c> lines); null when the unit is not loaded (<c>LoadState=not-found</c>),
    /// so there is no sandbox to judge.
    /// </summary>
    public static ServiceSandbox? Parse(string showOutput)
    {
        ArgumentNullException.ThrowIfNull(showOutput);
        var values = SystemdProperties.Parse(showOutput);
        if (values.GetValueOrDefault("LoadState") is not "loaded")
        {
            return null;
        }

        return new ServiceSandbox(
            values.GetValueOrDefault("ProtectSystem") is { Length: > 0 } system ? system : "no",
            values.GetValueOrDefault("ProtectHome") is { Length: > 0 } home ? home : "no",
            (values.GetValueOrDefault("ReadWritePaths") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// Null when <paramref name="directory"/> is writable under the sandbox; otherwise the setting that makes it read-only
    /// and the drop-in line that fixes it.
    /// </summary>
    /// <param name="directory">An absolute directory.</param>
    /// <param name="unit">The unit's name, for the <c>systemctl edit</c> hint.</param>
    /// <param name="exists">Whether a path exists now (an optional <c>-</c> path that does not exist was not mounted).</param>
    public string? WhyNotWritable(string directory, string unit, Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(exists);
        var dir = Normalize(directory);
        foreach (var entry in ReadWritePaths)
        {
            var optional = entry.StartsWith('-');
            var path = Normalize(entry.TrimStart('-', '+'));
            if (IsUnder(dir, path))
            {
                return !optional || exists(path) ? null
                    : $"not writable under the unit's sandbox: ReadWritePaths={entry} is optional and {path} did not exist when {unit} started: create {path}, then systemctl restart {unit}";
            }
        }

        var setting = ProtectHome is "yes" or "true" or "read-only" or "tmpfs" && HomePaths.Any(p => IsUnder(dir, p)) ? $"ProtectHome={ProtectHome}"
            : ProtectSystem is "strict" && !StrictWritable.Any(p => IsUnder(dir, p)) ? "ProtectSystem=strict"
            : ProtectSystem is "full" && FullPaths.Any(p => IsUnder(dir, p)) ? "ProtectSystem=full"
            : ProtectSystem is "yes" or "true" && SystemPaths.Any(p => IsUnder(dir, p)) ? $"ProtectSystem={ProtectSystem}"
            : null;
        return setting is null ? null
            : $"not writable under the unit's sandbox ({setting}): add the lines \"[Service]\" and \"ReadWritePaths={dir}\" with systemctl edit {unit}, then systemctl restart {unit}";
    }

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    private static bool IsUnder(string path, string root)
        => root == "/" || path == root || path.StartsWith(root + "/", StringComparison.Ordinal);
}
