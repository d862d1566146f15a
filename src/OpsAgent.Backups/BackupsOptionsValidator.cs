using Microsoft.Extensions.Options;
using OpsAgent.Backups.Engines;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Backups;

/// <summary>Validates <see cref="BackupsOptions"/>, reporting every problem with its configuration path.</summary>
internal sealed class BackupsOptionsValidator(BackupEngines engines) : IValidateOptions<BackupsOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationCollector();
        if (options.MaxConcurrentBackups < 1)
        {
            errors.Add($"{BackupsOptions.SectionName}:{nameof(BackupsOptions.MaxConcurrentBackups)}", "must be at least 1");
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

    private void ValidateJob(string path, string job, BackupJobOptions o, ValidationCollector errors)
    {
        if (!NameRules.IsValid(job))
        {
            errors.Add(path, NameRules.Rule);
        }

        var registration = engines.Find(o.Engine);
        if (registration is null)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Engine)}", ConfigurationKind.Unknown(o.Engine, engines.Names));
        }
        else
        {
            // Spelt as registered from here on, so metadata, logs and status name the engine one way.
            o.Engine = registration.Name;
        }

        if (string.IsNullOrWhiteSpace(o.Schedule))
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Schedule)}", "required (for example \"0 2 * * *\")");
        }
        else if (!ScheduleSpec.TryParseCron(o.Schedule, out _, out var error))
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Schedule)}", error!);
        }

        if (o.Connection is not null)
        {
            foreach (var e in o.Connection.Validate($"{path}:{nameof(BackupJobOptions.Connection)}"))
            {
                errors.Add(e);
            }
        }

        registration?.Engine.Validate(path, o, errors);

        if (string.IsNullOrWhiteSpace(o.Directory))
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Directory)}", "required: where backup files go");
        }
        else if (o.Directory.Any(char.IsControl))
        {
            // Path.GetFullPath throws on a NUL; no file system names a backup directory with control characters anyway.
            errors.Add($"{path}:{nameof(BackupJobOptions.Directory)}", "contains a NUL or another control character: write the directory's path as plain text");
        }
        else if (!Path.IsPathFullyQualified(o.Directory))
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Directory)}", $"'{o.Directory}' must be an absolute path");
        }
        else if (o.Directory.Split('/', '\\').Contains(".."))
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Directory)}", $"'{o.Directory}' must not contain '..' segments: write the directory it means");
        }
        else
        {
            var normalised = Normalise(o.Directory);
            if (IsSystemDirectory(normalised))
            {
                errors.Add($"{path}:{nameof(BackupJobOptions.Directory)}", $"'{o.Directory}' is a system directory: retention deletes files there; use a directory of its own such as /var/backups/{job}");
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
                errors.Add($"{path}:{nameof(BackupJobOptions.CompressionLevel)}", "has no meaning with Compression none");
            }
            else if (level < min || level > max)
            {
                errors.Add($"{path}:{nameof(BackupJobOptions.CompressionLevel)}", $"must be {min}-{max} for {o.Compression.ToString().ToLowerInvariant()}");
            }
        }

        if (o.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Timeout)}", "must be positive");
        }

        if (o.Retries is < 0 or > 10)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Retries)}", "must be 0-10");
        }

        if (o.RetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.RetryDelay)}", "must not be negative");
        }

        o.Ping?.Validate($"{path}:{nameof(BackupJobOptions.Ping)}", errors);
        if (o.RequireHealthyWait < TimeSpan.Zero || o.RequireHealthyWait > o.Timeout)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.RequireHealthyWait)}", $"must be between 0 and Timeout ({o.Timeout})");
        }

        if (o.MinFreeBytes < 0)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.MinFreeBytes)}", "must not be negative");
        }

        ValidateRetention($"{path}:{nameof(BackupJobOptions.Retention)}", o.Retention, errors);
        Copies.CopyValidation.ValidateJob(path, o, errors);
        if (o.Drill is { } drill)
        {
            ValidateDrill($"{path}:{nameof(BackupJobOptions.Drill)}", o, drill, registration, errors);
        }

        if (o.Restore is { } restore)
        {
            ValidateRestore($"{path}:{nameof(BackupJobOptions.Restore)}", restore, errors);
        }
    }

    private static void ValidateRestore(string path, Restore.RestoreOptions restore, ValidationCollector errors)
    {
        for (var i = 0; i < restore.Stop.Count; i++)
        {
            var stop = restore.Stop[i];
            var at = $"{path}:{nameof(Restore.RestoreOptions.Stop)}:{i}";
            if (stop is null || (stop.Container is null) == (stop.Unit is null))
            {
                errors.Add(at, "give exactly one of Container or Unit ({ \"Container\": \"sims_backend\" } or { \"Unit\": \"ujmp.service\" })");
            }
            else if (stop.Container is { } container && (container.Length == 0 || !char.IsAsciiLetterOrDigit(container[0]) || !container.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')))
            {
                errors.Add($"{at}:{nameof(Stops.StopTargetOptions.Container)}", $"'{container}' is not a container name");
            }
            else if (stop.Unit is { } unit && (unit.Length == 0 || unit.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/')))
            {
                errors.Add($"{at}:{nameof(Stops.StopTargetOptions.Unit)}", $"'{unit}' is not a systemd unit name");
            }
        }

        for (var i = 0; i < restore.After.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(restore.After[i]) || !Core.Processes.ShellWords.TrySplitCommand(restore.After[i], out _, out var error) && error is not null)
            {
                errors.Add($"{path}:{nameof(Restore.RestoreOptions.After)}:{i}", "must be a command line (docker exec sims_backend python manage.py migrate --noinput)");
            }
        }

        for (var i = 0; i < restore.VerifyProbes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(restore.VerifyProbes[i]))
            {
                errors.Add($"{path}:{nameof(Restore.RestoreOptions.VerifyProbes)}:{i}", "must name a probe of OpsAgent:Probes");
            }
        }

        foreach (var (name, value) in new[] { (nameof(Restore.RestoreOptions.StopTimeout), restore.StopTimeout), (nameof(Restore.RestoreOptions.AfterTimeout), restore.AfterTimeout), (nameof(Restore.RestoreOptions.VerifyTimeout), restore.VerifyTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{path}:{name}", "must be positive");
            }
        }
    }

    private static void ValidateDrill(string path, BackupJobOptions job, Drills.DrillOptions drill, BackupEngineRegistration? registration, ValidationCollector errors)
    {
        if (registration is not null && registration.Engine is not Drills.IBackupDrill)
        {
            errors.Add(path, $"the {registration.Name} engine has no restore drill");
        }

        if (string.IsNullOrWhiteSpace(drill.Schedule))
        {
            errors.Add($"{path}:{nameof(Drills.DrillOptions.Schedule)}", "required (quarterly, as the runbooks ask: \"0 4 1 */3 *\")");
        }
        else if (!ScheduleSpec.TryParseCron(drill.Schedule, out _, out var error))
        {
            errors.Add($"{path}:{nameof(Drills.DrillOptions.Schedule)}", error!);
        }

        if (drill.From is { } from && !job.Copies.ContainsKey(from))
        {
            errors.Add($"{path}:{nameof(Drills.DrillOptions.From)}", job.Copies.Count == 0
                ? $"'{from}' is not one of the job's copies (it has none): remove From to drill the newest local backup"
                : $"'{from}' is not one of the job's copies ({string.Join(", ", job.Copies.Keys)})");
        }

        if (drill.Server is not null)
        {
            foreach (var e in drill.Server.Validate($"{path}:{nameof(Drills.DrillOptions.Server)}"))
            {
                errors.Add(e);
            }
        }

        if (drill.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}:{nameof(Drills.DrillOptions.Timeout)}", "must be positive");
        }

        if (!(drill.RowCountTolerance is >= 0 and <= 1))
        {
            errors.Add($"{path}:{nameof(Drills.DrillOptions.RowCountTolerance)}", "must be a fraction from 0 to 1 (0.1: 10 %)");
        }

        for (var i = 0; i < drill.Checks.Count; i++)
        {
            var check = drill.Checks[i];
            if (check is null)
            {
                errors.Add($"{path}:{nameof(Drills.DrillOptions.Checks)}:{i}", "is empty: give a Query (or Collection) with AtLeast or AtMost");
            }
            else if (check.AtLeast is null && check.AtMost is null)
            {
                errors.Add($"{path}:{nameof(Drills.DrillOptions.Checks)}:{i}", "give AtLeast or AtMost (or both): what the value must be");
            }
            else if (check.AtLeast > check.AtMost)
            {
                errors.Add($"{path}:{nameof(Drills.DrillOptions.Checks)}:{i}", $"AtLeast {check.AtLeast} is above AtMost {check.AtMost}: no value passes");
            }
        }
    }

    /// <summary>Checks a retention policy (a job's or a copy's) at <paramref name="retention"/>.</summary>
    internal static void ValidateRetention(string retention, RetentionOptions r, ValidationCollector errors)
    {
        foreach (var (rule, value) in r.Counts)
        {
            if (value is < -1)
            {
                errors.Add($"{retention}:{rule}", "must be -1 (unlimited), 0 (rule not set), or a positive count");
            }
        }

        // restic's forget refuses a policy without rules rather than deleting: a written retention whose counts are all 0
        // would otherwise keep only the newest backup, which nobody who wrote "KeepDaily": 0 meant.
        if (r.IsWritten && r.IsEmpty && !r.Counts.Any(c => c.Value is < -1))
        {
            errors.Add(retention, "sets no rule: give at least one of KeepLast, KeepDaily, KeepWeekly, KeepMonthly, KeepYearly a positive count (or -1 for unlimited) or KeepWithin a duration; 0 means the rule is not set, as in restic. Remove Retention to keep every backup");
        }
    }
}
