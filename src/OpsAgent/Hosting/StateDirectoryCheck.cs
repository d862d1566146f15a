using OpsAgent.Core.Logging;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace OpsAgent.Hosting;

/// <summary>Whether <c>StateDirectory</c> is a writable directory, for <c>/healthz</c> and the journal.</summary>
/// <remarks>
/// Backups take their lock there (and are refused with <c>state_unwritable</c> without it), so an unwritable directory
/// means the agent is not doing its main job: <c>/healthz</c> answers 503. Checked at start and after a reload that moves
/// it; while it fails, every <c>/healthz</c> checks again, so a repaired directory is seen without a restart.
/// </remarks>
internal sealed class StateDirectoryCheck(ILogger<StateDirectoryCheck> logger)
{
    /// <summary>The journal event of an unwritable state directory.</summary>
    internal const string UnwritableEvent = "state_unwritable";

    private const string ConfigPath = "OpsAgent:StateDirectory";
    private const string NotADirectory = "is not a directory";

    private readonly Lock _lock = new();
    private string? _path;
    private string? _problem;

    /// <summary>True while the last check failed.</summary>
    public bool Failing
    {
        get
        {
            lock (_lock)
            {
                return _problem is not null;
            }
        }
    }

    /// <summary>Checks <paramref name="path"/>, logs a change of verdict, and returns what is wrong (for <c>/healthz</c>), or null.</summary>
    public string? Check(string path)
    {
        var problem = Probe(path);
        string? previous;
        string? previousPath;
        lock (_lock)
        {
            (previous, previousPath) = (_problem, _path);
            (_problem, _path) = (problem, path);
        }

        if (problem is not null && (problem != previous || path != previousPath))
        {
            using (EventScope.Begin(logger, UnwritableEvent, ("Reason", UnwritableEvent)))
            {
                HostLog.StateUnwritable(logger, path, ConfigPath, problem);
            }
        }
        else if (problem is null && previous is not null)
        {
            HostLog.StateWritableAgain(logger, path);
        }

        return problem is null ? null : $"state directory {path} ({ConfigPath}) {problem}";
    }

    private static string? Probe(string path)
    {
        if (File.Exists(path))
        {
            return NotADirectory;
        }

        var existed = Directory.Exists(path);
        try
        {
            // The agent creates it on first use too; systemd's StateDirectory= normally has.
            Directory.CreateDirectory(path);
            // A file created and removed: permissions, a read-only mount and a full inode table all show here.
            using (new FileStream(Path.Combine(path, $".write-check-{Environment.ProcessId}"), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return existed ? $"is not writable: {ex.Message}" : $"cannot be created: {ex.Message}";
        }
    }
}
