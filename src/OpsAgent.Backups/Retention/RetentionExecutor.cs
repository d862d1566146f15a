using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Files;
using OpsAgent.Core.Logging;

namespace OpsAgent.Backups.Retention;

/// <summary>
/// Applies a job's retention to its directory after a run has published: what the policy drops is deleted (sidecars,
/// data, <c>.json</c>, <c>.sha256</c> last), except what a copy target still lacks and the file being uploaded.
/// </summary>
/// <remarks>Only this job's verified, regular files are ever touched; a problem is logged and skipped, never thrown (the run already succeeded).</remarks>
internal sealed class RetentionExecutor(TimeProvider time, ILogger<RetentionExecutor> logger, CopyStateStore? copies = null)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);

    /// <summary>Logs, once per file and process, the job-named files that are not counted as backups.</summary>
    public IReadOnlyList<BackupFile> ReportIgnored(string job, string directory)
    {
        var scan = BackupFileNames.Inspect(directory, job, time.GetUtcNow());
        foreach (var ignored in scan.Ignored)
        {
            if (_reported.TryAdd(ignored.Path, 0))
            {
                using (EventScope.Begin(logger, "backup_ignored"))
                {
                    BackupLog.Ignored(logger, job, ignored.Path, ignored.Reason);
                }
            }
        }

        return scan.Backups;
    }

    /// <summary>Deletes what the policy does not keep; returns how many backups went and how many remain.</summary>
    /// <remarks>The run was already published when this runs: a file that cannot be deleted is logged and skipped, never thrown.</remarks>
    public (int Deleted, int Remaining) Apply(BackupRequest request)
    {
        var o = request.Options;
        IReadOnlyList<(BackupFile File, RetentionDecision Decision)> plan;
        try
        {
            plan = RetentionPlanner.Plan(ReportIgnored(request.Job, o.Directory!), o.Retention, request.TimeZone);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            using (EventScope.Begin(logger, "backup_delete_failed"))
            {
                BackupLog.DeleteFailed(logger, request.Job, o.Directory!, ex.Message);
            }

            return (0, 0);
        }

        var rule = RetentionPlanner.Describe(o.Retention);
        var held = UncopiedBackups.Find(request.Job, o, [.. plan.Select(p => p.File)], request.StateDirectory, request.TimeZone, time.GetUtcNow(), copies);
        var deleted = 0;
        foreach (var (backup, decision) in plan)
        {
            if (decision.Keep || (request.Protect is { } protect && string.Equals(Path.GetFullPath(protect), Path.GetFullPath(backup.Path), StringComparison.Ordinal)))
            {
                continue;
            }

            var uncopied = held.GetValueOrDefault(backup.FileName);
            if (uncopied is { Expired: false })
            {
                // A target's retention keeps it and the target lacks it: deleting it here would lose it everywhere.
                using (EventScope.Begin(logger, "backup_kept_uncopied"))
                {
                    CopyLog.KeptUncopied(logger, request.Job, backup.FileName, uncopied.Copy, o.KeepUncopiedDays);
                }

                continue;
            }

            if (o.Retention.DryRun)
            {
                using (EventScope.Begin(logger, "backup_would_delete"))
                {
                    BackupLog.WouldDelete(logger, request.Job, backup.Path, rule);
                }

                continue;
            }

            if (!DeleteBackup(request.Job, backup))
            {
                continue;
            }

            if (uncopied is not null)
            {
                using (EventScope.Begin(logger, "backup_uncopied_deleted"))
                {
                    CopyLog.UncopiedDeleted(logger, request.Job, backup.FileName, uncopied.Copy, o.KeepUncopiedDays);
                }
            }

            using (EventScope.Begin(logger, "backup_deleted"))
            {
                BackupLog.Deleted(logger, request.Job, backup.Path, rule);
            }

            deleted++;
        }

        if (deleted > 0)
        {
            try
            {
                DurableFiles.SyncDirectory(o.Directory!);
            }
            catch (IOException ex)
            {
                BackupLog.DeleteFailed(logger, request.Job, o.Directory!, ex.Message);
            }
        }

        return (deleted, plan.Count - deleted);
    }

    /// <summary>Deletes one backup; false when its data file is still there.</summary>
    /// <remarks>
    /// The extra sidecars go first, then the data file, then its <c>.json</c> and its <c>.sha256</c> last (publishing in
    /// reverse). Interrupted at any point, this leaves either a backup that still counts (deleted again next run) or small
    /// sidecars without data, never a data file without its checksum, which no scan lists again, so it would stay forever.
    /// When the data file cannot be deleted its checksum and metadata are kept for the same reason.
    /// </remarks>
    private bool DeleteBackup(string job, BackupFile backup)
    {
        foreach (var suffix in BackupFileNames.SidecarSuffixes.Where(s => s is not ".sha256" and not ".json"))
        {
            DeleteRegularFile(job, backup.Path + suffix);
        }

        if (!DeleteRegularFile(job, backup.Path))
        {
            return false;
        }

        DeleteRegularFile(job, backup.MetadataPath);
        DeleteRegularFile(job, backup.ChecksumPath);
        return true;
    }

    /// <summary>Deletes <paramref name="path"/> when it is a regular file; false when something is still there.</summary>
    private bool DeleteRegularFile(string job, string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null && !info.Exists && !Directory.Exists(path))
            {
                return true;
            }

            // Not a regular file: a directory or link named like a sidecar is someone else's, not ours to remove.
            if (info.LinkTarget is not null || !info.Exists)
            {
                using (EventScope.Begin(logger, "backup_delete_skipped"))
                {
                    BackupLog.DeleteSkipped(logger, job, path);
                }

                return false;
            }

            info.Delete();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            using (EventScope.Begin(logger, "backup_delete_failed"))
            {
                BackupLog.DeleteFailed(logger, job, path, ex.Message);
            }

            return false;
        }
    }
}
