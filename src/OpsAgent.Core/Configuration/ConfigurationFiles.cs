namespace OpsAgent.Core.Configuration;

/// <summary>Where the configuration comes from: the main file and its <c>conf.d/</c> directory.</summary>
/// <param name="MainFile">The main <c>appsettings.json</c>.</param>
public sealed record ConfigurationFiles(string MainFile)
{
    /// <summary>The system-wide default on Linux.</summary>
    public const string LinuxDefault = "/etc/opsagent/appsettings.json";

    /// <summary>The <c>conf.d</c> directory beside the main file.</summary>
    public string ConfDirectory => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(MainFile))!, "conf.d");

    /// <summary>The main file's directory.</summary>
    public string Directory => Path.GetDirectoryName(Path.GetFullPath(MainFile))!;

    /// <summary>
    /// Resolves <c>--config</c>: the given path; else <c>/etc/opsagent/appsettings.json</c> when it exists (Linux);
    /// else the shipped <c>appsettings.json</c> beside the executable, so a fresh checkout runs on safe defaults.
    /// </summary>
    public static ConfigurationFiles Resolve(string? configPath)
    {
        if (!string.IsNullOrWhiteSpace(configPath))
        {
            return new(Path.GetFullPath(configPath));
        }

        if (!OperatingSystem.IsWindows() && File.Exists(LinuxDefault))
        {
            return new(LinuxDefault);
        }

        return new(Path.Combine(AppContext.BaseDirectory, "appsettings.json"));
    }

    /// <summary>The files to merge, in order: the main file, then <c>conf.d/*.json</c> by ordinal name, dot-files left out.</summary>
    public IReadOnlyList<string> Enumerate()
    {
        var files = new List<string> { Path.GetFullPath(MainFile) };
        if (System.IO.Directory.Exists(ConfDirectory))
        {
            files.AddRange(System.IO.Directory.EnumerateFiles(ConfDirectory, "*.json").Where(f => IsConfDFile(Path.GetFileName(f))).Order(StringComparer.Ordinal));
        }

        return files;
    }

    /// <summary>
    /// Whether a <c>conf.d</c> name is configuration: <c>*.json</c> not starting with a dot. Editors and tools leave hidden
    /// names there while they work (Emacs' lock <c>.#app.json</c>, a dangling symlink; Ansible's <c>.ansible_tmp*app.json</c>;
    /// vim's <c>.app.json.swp</c>), and none of them is meant to be read.
    /// </summary>
    public static bool IsConfDFile(string name)
        => name.EndsWith(".json", StringComparison.Ordinal) && !name.StartsWith('.');
}
