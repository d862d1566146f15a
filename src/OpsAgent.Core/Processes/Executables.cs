namespace OpsAgent.Core.Processes;

/// <summary>Finds programs the way a shell would before running them.</summary>
public static class Executables
{
    /// <summary>The full path of <paramref name="name"/> (a path is checked as is), or null when it is not installed.</summary>
    public static string? FindOnPath(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe"))
            {
                return candidate + ".exe";
            }
        }

        return null;
    }
}
