using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json;
using OpsAgent.Backups.Drills;
using OpsAgent.Backups.Files;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Engines.FileTrees;

/// <summary>The files drill: extract into a directory under the state directory, compare what is there with the archive's record, check the expected paths.</summary>
internal sealed partial class FilesEngine
{
    /// <summary>Room left on the file system beyond the restored bytes (directories, tar's own bookkeeping).</summary>
    private const long SpaceMargin = 64L << 20;

    private static void ValidateDrill(string path, BackupJobOptions job, ValidationCollector errors)
    {
        if (job.Drill is not { } drill)
        {
            return;
        }

        if (drill.Checks.Count > 0)
        {
            errors.Add($"{path}:Drill:{nameof(DrillOptions.Checks)}", "a files drill checks entries, bytes and ExpectPaths, not queries: use ExpectPaths");
        }

        if (drill.Server is not null)
        {
            errors.Add($"{path}:Drill:{nameof(DrillOptions.Server)}", "a files drill extracts into the state directory: it has no server");
        }

        for (var i = 0; i < drill.ExpectPaths.Count; i++)
        {
            var expected = drill.ExpectPaths[i];
            if (string.IsNullOrWhiteSpace(expected) || expected.StartsWith('/') || expected.Split('/').Contains("..") || expected.Any(char.IsControl))
            {
                errors.Add($"{path}:Drill:{nameof(DrillOptions.ExpectPaths)}:{i}", "must be a path relative to the archive's root, as the backup stores it (opt/ujmp/media/uploads; a volume's: uploads)");
            }
        }
    }

    public string ScratchName(EngineContext context, BackupMetadata? source, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Path.Combine(context.TemporaryDirectory, $"drill-{context.Job}-{at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}");
    }

    public Task<RestoreTarget> PrepareAsync(EngineContext context, string scratch, BackupMetadata? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Path.Exists(scratch))
        {
            throw new BackupFailedException(DrillReasons.ScratchExists, $"{scratch} exists already: a drill extracts only into a directory it creates");
        }

        Directory.CreateDirectory(context.TemporaryDirectory);
        var needed = (source?.UncompressedBytes ?? 0) + SpaceMargin;
        var free = new DriveInfo(Path.GetFullPath(context.TemporaryDirectory)).AvailableFreeSpace;
        if (free < needed)
        {
            throw new BackupFailedException(DrillReasons.NoSpace, $"{context.TemporaryDirectory} has {free} bytes free; extracting the backup needs {needed}");
        }

        return Task.FromResult(RestoreTarget.IntoDirectory(scratch));
    }

    public Task<(IReadOnlyList<DrillCheckResult> Checks, IReadOnlyDictionary<string, long>? Counts)> CheckAsync(EngineContext context, string scratch, DrillOptions drill, BackupMetadata? source,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drill);
        if (!OperatingSystem.IsLinux())
        {
            throw new BackupFailedException(BackupReasons.ToolFailed, "the files engine runs on Linux only");
        }

        var (entries, bytes) = Count(scratch, Roots(scratch, source), cancellationToken);
        var results = new List<DrillCheckResult>
        {
            Compare("entries", entries, Number(source, FilesFacts.Entries)),
            Compare("bytes", bytes, Number(source, FilesFacts.Bytes)),
        };
        var missing = drill.ExpectPaths.Where(p => !Path.Exists(Path.Combine(scratch, p))).ToList();
        if (drill.ExpectPaths.Count > 0)
        {
            results.Add(new DrillCheckResult("paths", missing.Count == 0 ? $"{drill.ExpectPaths.Count} present" : $"missing: {string.Join(", ", missing)}", "every ExpectPaths entry", missing.Count == 0));
        }

        return Task.FromResult<(IReadOnlyList<DrillCheckResult>, IReadOnlyDictionary<string, long>?)>((results, null));
    }

    private static DrillCheckResult Compare(string name, long found, long? recorded)
        => recorded is { } expected
            ? new DrillCheckResult(name, found.ToString(CultureInfo.InvariantCulture), $"{expected} as the backup recorded", found == expected)
            : new DrillCheckResult(name, found.ToString(CultureInfo.InvariantCulture), "not recorded in the backup's .json", true);

    private static long? Number(BackupMetadata? source, string name)
        => source?.Facts is { } facts && facts.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    /// <summary>Where each archived root landed: <c>scratch/opt/ujmp/media</c> for a path, the scratch itself for a volume.</summary>
    private static IReadOnlyList<string> Roots(string scratch, BackupMetadata? source)
    {
        if (source?.Facts is not { } facts || facts.ContainsKey(FilesFacts.Volume) || !facts.TryGetValue(FilesFacts.Sources, out var sources) || sources.ValueKind != JsonValueKind.Array)
        {
            return [scratch];
        }

        return [.. sources.EnumerateArray().Select(s => Path.Combine(scratch, (s.GetString() ?? "").TrimStart('/')))];
    }

    /// <summary>Entries as the archiver counts them (each root and everything below it) and file bytes (a hard-linked inode once).</summary>
    [SupportedOSPlatform("linux")]
    private static (long Entries, long Bytes) Count(string scratch, IReadOnlyList<string> roots, CancellationToken cancellationToken)
    {
        long entries = 0;
        long bytes = 0;
        var seen = new HashSet<(ulong, ulong)>();
        foreach (var root in roots.Where(Path.Exists))
        {
            var pending = new Stack<string>([root]);
            while (pending.TryPop(out var path))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var status = PosixFiles.LStat(path);
                entries++;
                if (status.IsDirectory)
                {
                    foreach (var child in Directory.EnumerateFileSystemEntries(path))
                    {
                        pending.Push(child);
                    }
                }
                else if (status.IsRegularFile && (status.Links == 1 || seen.Add((status.Device, status.Inode))))
                {
                    bytes += status.Size;
                }
            }
        }

        return (entries, bytes);
    }

    public Task RemoveAsync(EngineContext context, string scratch, CancellationToken cancellationToken)
    {
        try
        {
            // Links inside are removed as links: Directory.Delete never follows them.
            Directory.Delete(scratch, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never created.
        }

        return Task.CompletedTask;
    }
}
