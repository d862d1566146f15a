using System.Globalization;
using System.Text.RegularExpressions;
using OpsAgent.Backups.Engines;

namespace OpsAgent.Backups.Files;

/// <summary>File naming rules (<c>job_yyyyMMddTHHmmssZ.ext</c>) and the scan of a job's directory.</summary>
internal static partial class BackupFileNames
{
    /// <summary>The UTC time format in file names.</summary>
    public const string TimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>How far in the future a backup's name may be dated and still count (clocks of hosts sharing a directory differ a little).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The suffix of a file being written.</summary>
    public const string PartialSuffix = ".partial";

    /// <summary>The sidecars that belong to a data file (<c>&lt;file&gt;&lt;suffix&gt;</c>).</summary>
    public static readonly IReadOnlyList<string> SidecarSuffixes = [".sha256", ".json", ".globals.sql", ".globals.sql.zst", ".globals.sql.gz"];

    // The kind is one word, whichever engine wrote it (.dump, .sql, .archive, ...): sidecars (.sha256, .json, .globals.sql)
    // and partials add a further dotted word and never match.
    [GeneratedRegex(@"^(?<job>[a-z0-9][a-z0-9._-]*)_(?<time>\d{8}T\d{6}Z)\.(?!(?:sha256|json|partial|zst|gz)(?:\.|$))(?<kind>[a-z][a-z0-9]*)(?:\.(?<comp>zst|gz))?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^\.[a-z][a-z0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionPattern();

    /// <summary>True when <paramref name="extension"/> can name a data file: a dot and one lower-case word, none of the sidecars' or compressions'.</summary>
    public static bool IsValidExtension(string extension)
        => ExtensionPattern().IsMatch(extension) && extension is not (".sha256" or ".json" or ".partial" or ".zst" or ".gz");

    /// <summary>The data file extension for a format and compression, such as <c>.dump.zst</c>.</summary>
    public static string Extension(BackupFormat format, BackupCompression compression)
    {
        ArgumentNullException.ThrowIfNull(format);
        return format.Extension + CompressionSuffix(compression);
    }

    /// <summary><c>.zst</c>, <c>.gz</c> or nothing.</summary>
    public static string CompressionSuffix(BackupCompression compression) => compression switch
    {
        BackupCompression.Zstd => ".zst",
        BackupCompression.Gzip => ".gz",
        _ => string.Empty,
    };

    /// <summary>The compression a file name says it has (a trailing <c>.partial</c> is ignored).</summary>
    public static BackupCompression CompressionOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = path.EndsWith(PartialSuffix, StringComparison.Ordinal) ? path[..^PartialSuffix.Length] : path;
        return name.EndsWith(".zst", StringComparison.Ordinal) ? BackupCompression.Zstd
            : name.EndsWith(".gz", StringComparison.Ordinal) ? BackupCompression.Gzip
            : BackupCompression.None;
    }

    /// <summary>The file name for a run of <paramref name="job"/> started at <paramref name="time"/>.</summary>
    public static string For(string job, DateTimeOffset time, string extension)
        => $"{job}_{time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}{extension}";

    /// <summary>Parses a data file name; false for anything else (sidecars, partials, foreign files).</summary>
    public static bool TryParse(string fileName, out string job, out DateTimeOffset time)
    {
        job = string.Empty;
        time = default;
        var match = NamePattern().Match(fileName);
        if (!match.Success)
        {
            return false;
        }

        job = match.Groups["job"].Value;
        time = new DateTimeOffset(DateTime.SpecifyKind(DateTime.ParseExact(match.Groups["time"].Value, TimeFormat, CultureInfo.InvariantCulture), DateTimeKind.Utc));
        return true;
    }

    /// <summary>The backups of <paramref name="job"/> in <paramref name="directory"/>, newest first, judged against the system clock (CLI).</summary>
    public static IReadOnlyList<BackupFile> Scan(string directory, string job) => Inspect(directory, job, DateTimeOffset.UtcNow).Backups;

    /// <summary>The backups of <paramref name="job"/> in <paramref name="directory"/>, newest first.</summary>
    public static IReadOnlyList<BackupFile> Scan(string directory, string job, DateTimeOffset now) => Inspect(directory, job, now).Backups;

    /// <summary>The backups of <paramref name="job"/> in <paramref name="directory"/> (newest first) and the job-named files that are not.</summary>
    /// <remarks>
    /// Only regular files whose name is this job's pattern and that have their <c>.sha256</c> are looked at: a file without its
    /// checksum was never finished, and a symbolic link may point anywhere, so neither is ever listed (nor deleted). Of
    /// those, only files whose <c>.json</c> says verified and whose name is dated no later than now plus
    /// <see cref="MaxClockSkew"/> count: anyone who can write to the directory could otherwise plant a file dated 2099 that
    /// fakes the last-success metric, stops catch-up and holds a retention slot forever. The others are returned in
    /// <see cref="BackupScan.Ignored"/> to be reported, and are never deleted.
    /// </remarks>
    public static BackupScan Inspect(string directory, string job, DateTimeOffset now)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return new BackupScan([], []);
        }

        var backups = new List<BackupFile>();
        var ignored = new List<IgnoredBackup>();
        foreach (var info in new DirectoryInfo(directory).EnumerateFiles(job + "_*"))
        {
            if (info.LinkTarget is not null || !TryParse(info.Name, out var owner, out var time) || owner != job)
            {
                continue;
            }

            var checksum = new FileInfo(info.FullName + ".sha256");
            if (!checksum.Exists || checksum.LinkTarget is not null)
            {
                continue;
            }

            var backup = new BackupFile(info.FullName, job, time, info.Length, BackupMetadata.TryRead(info.FullName + ".json"));
            if (!backup.Verified)
            {
                ignored.Add(new IgnoredBackup(backup.Path, IgnoredBackupReasons.Unverified));
            }
            else if (time > now + MaxClockSkew)
            {
                ignored.Add(new IgnoredBackup(backup.Path, IgnoredBackupReasons.FutureDated));
            }
            else
            {
                backups.Add(backup);
            }
        }

        return new BackupScan([.. backups.OrderByDescending(b => b.Time).ThenByDescending(b => b.FileName, StringComparer.Ordinal)], [.. ignored.OrderBy(i => i.Path, StringComparer.Ordinal)]);
    }

    /// <summary>Partial files of <paramref name="job"/> left by an interrupted run.</summary>
    public static IEnumerable<string> StalePartials(string directory, string job)
        => System.IO.Directory.Exists(directory)
            ? new DirectoryInfo(directory).EnumerateFiles(job + "_*" + PartialSuffix)
                .Where(f => f.LinkTarget is null && TryParse(StripPartial(f.Name), out var owner, out _) && owner == job)
                .Select(f => f.FullName)
            : [];

    private static string StripPartial(string name)
    {
        var stripped = name[..^PartialSuffix.Length];
        foreach (var suffix in SidecarSuffixes)
        {
            if (stripped.EndsWith(suffix, StringComparison.Ordinal))
            {
                return stripped[..^suffix.Length];
            }
        }

        return stripped;
    }
}
