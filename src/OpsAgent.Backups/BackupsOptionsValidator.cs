using Microsoft.Extensions.Options;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Backups;

/// <summary>Validates <see cref="BackupsOptions"/>, reporting every problem with its configuration path.</summary>
public sealed class BackupsOptionsValidator : IValidateOptions<BackupsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BackupsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationCollector();
        if (options.MaxConcurrentBackups < 1)
        {
            errors.Add($"{BackupsOptions.SectionName}:MaxConcurrentBackups", "must be at least 1");
        }

        foreach (var (job, o) in options.Jobs)
        {
            ValidateJob($"{BackupsOptions.SectionName}:{job}", job, o, errors);
        }

        return errors.ToResult();
    }

    /// <summary>Directories a backup directory can never be: the root and system trees.</summary>
    private static readonly string[] SystemRoots = ["/", "/etc", "/usr", "/boot", "/bin", "/lib", "/sbin", "/lib64"];

    /// <summary>Trees no backup directory may be in: kernel pseudo-file systems and Docker's own store.</summary>
    private static readonly string[] SystemTrees = ["/proc", "/sys", "/dev", "/var/lib/docker"];

    private static string Normalise(string directory)
    {
        var full = Path.GetFullPath(directory);
        return full.Length > 1 ? Path.TrimEndingDirectorySeparator(full) : full;
    }

    private static bool IsSystemDirectory(string normalised)
        => SystemRoots.Contains(normalised, StringComparer.Ordinal)
            || SystemTrees.Any(t => normalised == t || normalised.StartsWith(t + "/", StringComparison.Ordinal));

    private static void ValidateJob(string path, string job, BackupJobOptions o, ValidationCollector errors)
    {
        if (!NameRules.IsValid(job))
        {
            errors.Add(path, NameRules.Rule);
        }

        if (o.Engine is null)
        {
            errors.Add($"{path}:Engine", "required: postgres or mongodb");
        }

        if (string.IsNullOrWhiteSpace(o.Schedule))
        {
            errors.Add($"{path}:Schedule", "required (for example \"0 2 * * *\")");
        }
        else if (!ScheduleSpec.TryParseCron(o.Schedule, out _, out var error))
        {
            errors.Add($"{path}:Schedule", error!);
        }

        if (o.Connection is null)
        {
            if (o.Engine == BackupEngine.MongoDb || (o.Container is null && o.Database is null))
            {
                errors.Add($"{path}:Connection", "required: where the database is (a secret: inline, File, FromEnvFile with Variable, or Environment)");
            }
        }
        else
        {
            foreach (var e in o.Connection.Validate($"{path}:Connection"))
            {
                errors.Add(e);
            }

            if (o.Engine == BackupEngine.Postgres && o.Connection.Value is { } inline && Core.Databases.PostgresConnection.Problem(inline) is { } problem)
            {
                errors.Add($"{path}:Connection", problem);
            }
        }

        if (string.IsNullOrWhiteSpace(o.Directory))
        {
            errors.Add($"{path}:Directory", "required: where backup files go");
        }
        else if (!Path.IsPathFullyQualified(o.Directory))
        {
            errors.Add($"{path}:Directory", $"'{o.Directory}' must be an absolute path");
        }
        else if (o.Directory.Split('/', '\\').Contains(".."))
        {
            errors.Add($"{path}:Directory", $"'{o.Directory}' must not contain '..' segments: write the directory it means");
        }
        else
        {
            var normalised = Normalise(o.Directory);
            if (IsSystemDirectory(normalised))
            {
                errors.Add($"{path}:Directory", $"'{o.Directory}' is a system directory: retention deletes files there; use a directory of its own such as /var/backups/{job}");
            }

            // Normalised once here, the step every load goes through, so file paths, logs and metrics spell it one way.
            o.Directory = normalised;
        }

        if (o.CompressionLevel is { } level)
        {
            var (min, max) = o.Compression switch
            {
                BackupCompression.Zstd => (1, 19),
                BackupCompression.Gzip => (1, 9),
                _ => (0, 0),
            };
            if (o.Compression == BackupCompression.None)
            {
                errors.Add($"{path}:CompressionLevel", "has no meaning with Compression none");
            }
            else if (level < min || level > max)
            {
                errors.Add($"{path}:CompressionLevel", $"must be {min}-{max} for {o.Compression.ToString().ToLowerInvariant()}");
            }
        }

        if (o.Engine == BackupEngine.MongoDb)
        {
            if (o.Format != DumpFormat.Custom)
            {
                errors.Add($"{path}:Format", "applies to postgres only (mongodb always writes an archive)");
            }

            if (o.Globals)
            {
                errors.Add($"{path}:Globals", "applies to postgres only");
            }

            if (o.PgDumpPath is not null)
            {
                errors.Add($"{path}:PgDumpPath", "applies to postgres only");
            }
        }
        else if (o.MongodumpPath is not null)
        {
            errors.Add($"{path}:MongodumpPath", "applies to mongodb only");
        }

        if (o.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}:Timeout", "must be positive");
        }

        if (o.Retries is < 0 or > 10)
        {
            errors.Add($"{path}:Retries", "must be 0-10");
        }

        if (o.RetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{path}:RetryDelay", "must not be negative");
        }

        if (o.MinFreeBytes < 0)
        {
            errors.Add($"{path}:MinFreeBytes", "must not be negative");
        }

        var r = o.Retention;
        foreach (var (rule, value) in new[] { ("KeepLast", r.KeepLast), ("KeepDaily", r.KeepDaily), ("KeepWeekly", r.KeepWeekly), ("KeepMonthly", r.KeepMonthly), ("KeepYearly", r.KeepYearly) })
        {
            if (value is < -1)
            {
                errors.Add($"{path}:Retention:{rule}", "must be -1 (unlimited), 0, or a positive count");
            }
        }

        if (r.KeepWithin is { } within && within <= TimeSpan.Zero)
        {
            errors.Add($"{path}:Retention:KeepWithin", "must be a positive duration");
        }
    }
}
