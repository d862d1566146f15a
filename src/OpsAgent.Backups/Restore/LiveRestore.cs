using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Stops;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Maintenance;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Restore;

/// <summary>A restore over the original, run as the job's <c>Restore</c> asks.</summary>
/// <param name="Job">The job.</param>
/// <param name="Options">Its settings.</param>
/// <param name="File">The verified backup to restore.</param>
/// <param name="Target">Over the original (database or files).</param>
/// <param name="Backup">The request a pre-restore backup runs with.</param>
/// <param name="Configuration">The configuration (the probes <c>VerifyProbes</c> names).</param>
internal sealed record LiveRestoreRequest(string Job, BackupJobOptions Options, string File, RestoreTarget Target, BackupRequest Backup, AgentConfiguration Configuration);

/// <summary>The outcome, with the step that failed and the backup to go back to.</summary>
internal sealed record LiveRestoreResult(bool Success, string? Reason, string Message, string? FailedStep, string? PreRestoreBackup);

/// <summary>
/// A restore over a live application as seed 001's <c>restore_db.sh</c> does it: a pre-restore backup, the application
/// stopped (its probes holding), the job's own remaining sessions ended, the restore in one transaction, the
/// <c>After</c> commands (migrations), the application started, its probes passing. Whatever fails, what was stopped is
/// started again, and the journal says which step failed and which backup to go back to.
/// </summary>
internal sealed class LiveRestore(BackupRunner runner, BackupRestorer restorer, ServiceStopper stopper, HostCommandRunner commands, BackupEngines engines, SecretResolver secrets,
    ToolRunner tools, SecretRedactor redactor, ILogger<LiveRestore> logger, IProbeVerifier? verifier = null)
{
    /// <summary>The steps, as the journal and <c>backup restore</c> name them.</summary>
    public static class Steps
    {
        public const string PreRestoreBackup = "pre_restore_backup";
        public const string Stop = "stop";
        public const string Sessions = "sessions";
        public const string Restore = "restore";
        public const string After = "after";
        public const string Start = "start";
        public const string Verify = "verify";
    }

    /// <summary>True when <paramref name="options"/> asks for any step around a restore over the original.</summary>
    public static bool Applies(BackupJobOptions options) => options?.Restore is not null;

    public async Task<LiveRestoreResult> RunAsync(LiveRestoreRequest request, Action<string>? progress, DumpProgress? bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = request.Job;
        var steps = request.Options.Restore ?? new RestoreOptions();
        string? pre = null;
        StoppedGroup? stopped = null;
        (string Step, string Reason, string Message)? failure = null;
        void Say(string step, string detail)
        {
            progress?.Invoke($"{step}: {detail}");
            var redacted = redactor.Redact(detail);
            using (EventScope.Begin(logger, "restore_step", ("Step", step)))
            {
                RestoreLog.Step(logger, job, step, redacted);
            }
        }

        try
        {
            if (steps.PreRestoreBackup)
            {
                Say(Steps.PreRestoreBackup, "taking a backup of what is there now");
                // Its retention must not delete the very file about to be restored (an older one, chosen with --file).
                var backup = await runner.RunAsync(request.Backup with { Protect = request.File }, null, cancellationToken).ConfigureAwait(false);
                if (!backup.Success)
                {
                    // Nothing has been touched yet: the restore does not go on without a way back.
                    return Report(request, (Steps.PreRestoreBackup, backup.Reason ?? BackupReasons.ToolFailed, $"the pre-restore backup failed, nothing was touched: {backup.Message}"), null, []);
                }

                pre = backup.File!.Path;
                Say(Steps.PreRestoreBackup, Path.GetFileName(pre));
            }

            if (steps.Stop.Count > 0)
            {
                Say(Steps.Stop, string.Join(", ", steps.Stop.Select(s => s.Describe())));
                stopped = await stopper.StopAsync(request.Backup.StateDirectory, job, "restore", steps.Stop, steps.StopTimeout, cancellationToken).ConfigureAwait(false);
            }

            var engine = engines.For(request.Options).Engine;
            if (engine is ISessionCloser closer)
            {
                var connection = request.Options.Connection is null ? null
                    : await secrets.ResolveAsync(request.Options.Connection, $"{BackupsOptions.SectionName}:{job}:{nameof(BackupJobOptions.Connection)}", cancellationToken).ConfigureAwait(false);
                var recorded = BackupMetadata.TryRead(request.File + ".json");
                var context = new EngineContext(job, request.Options, connection, tools, Path.Combine(request.Backup.StateDirectory, "tmp")) { SourceDatabase = recorded?.Database };
                Say(Steps.Sessions, await closer.CloseSessionsAsync(context, request.Target, cancellationToken).ConfigureAwait(false));
            }

            Say(Steps.Restore, Path.GetFileName(request.File));
            var restored = await restorer.RestoreIntoAsync(job, request.Options, request.File, request.Target, request.Backup.StateDirectory, bytes, cancellationToken).ConfigureAwait(false);
            if (!restored.Success)
            {
                failure = (Steps.Restore, restored.Reason ?? BackupReasons.RestoreFailed, restored.Message);
            }
            else
            {
                Say(Steps.Restore, restored.Message);
                failure = await RunAfterAsync(job, steps, Say, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (BackupFailedException ex)
        {
            failure = (stopped is null && steps.Stop.Count > 0 ? Steps.Stop : Steps.Restore, ex.Reason, ex.Message);
        }
        catch (SecretResolutionException ex)
        {
            failure = (Steps.Sessions, BackupReasons.Secret, ex.Message);
        }
        catch (OperationCanceledException)
        {
            failure = (Steps.Restore, BackupReasons.Cancelled, "the restore was cancelled");
        }

        // Whatever happened above, and on its own timeout rather than the caller's token: the application comes back.
        IReadOnlyList<string> notStarted = [];
        if (stopped is not null)
        {
            Say(Steps.Start, string.Join(", ", stopped.Stopped.Select(s => s.Describe())));
            notStarted = await stopper.StartAsync(stopped).ConfigureAwait(false);
            if (notStarted.Count > 0 && failure is null)
            {
                failure = (Steps.Start, BackupReasons.StopFailed, $"{string.Join(", ", notStarted)} did not start again: start it by hand");
            }
        }

        if (failure is null && steps.VerifyProbes.Count > 0)
        {
            if (verifier is null)
            {
                failure = (Steps.Verify, BackupReasons.ToolFailed, "the probes are not loaded in this process: VerifyProbes cannot run");
            }
            else
            {
                Say(Steps.Verify, $"{string.Join(", ", steps.VerifyProbes)} within {steps.VerifyTimeout}");
                var verified = await verifier.VerifyAsync(request.Configuration, steps.VerifyProbes, steps.VerifyTimeout, line => Say(Steps.Verify, line), cancellationToken).ConfigureAwait(false);
                failure = verified.Passed ? null : (Steps.Verify, BackupReasons.VerifyFailed, verified.Message);
            }
        }

        return Report(request, failure, pre, stopped is null ? [] : [.. stopped.Stopped.Select(s => s.Describe()).Where(d => !notStarted.Contains(d))]);
    }

    private async Task<(string, string, string)?> RunAfterAsync(string job, RestoreOptions steps, Action<string, string> say, CancellationToken cancellationToken)
    {
        for (var i = 0; i < steps.After.Count; i++)
        {
            var line = steps.After[i];
            if (!ShellWords.TrySplitCommand(line, out var words, out var error))
            {
                return (Steps.After, BackupReasons.ToolFailed, $"After:{i}: {error}");
            }

            say(Steps.After, line);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(steps.AfterTimeout);
            try
            {
                var (exit, output, _) = await commands.RunAsync("restore-after", job, new ToolCommand(words[0], [.. words.Skip(1)]), steps.AfterTimeout, limit.Token).ConfigureAwait(false);
                if (exit.ExitCode != 0)
                {
                    return (Steps.After, BackupReasons.ToolFailed, $"'{line}' exited with code {exit.ExitCode}: {(exit.StandardError + output).Trim()}");
                }
            }
            catch (ToolStartException ex)
            {
                return (Steps.After, ex.Reason, $"'{line}': {ex.Message}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (Steps.After, BackupReasons.Timeout, $"'{line}' did not finish within {steps.AfterTimeout}");
            }
        }

        return null;
    }

    private LiveRestoreResult Report(LiveRestoreRequest request, (string Step, string Reason, string Message)? failure, string? pre, IReadOnlyList<string> started)
    {
        var back = pre is null ? "no pre-restore backup was taken" : Path.GetFileName(pre);
        if (failure is not { } f)
        {
            using (EventScope.Begin(logger, "restore_succeeded", ("PreRestoreBackup", pre)))
            {
                var file = Path.GetFileName(request.File);
                RestoreLog.Succeeded(logger, request.Job, file, back);
            }

            return new LiveRestoreResult(true, null, $"restored {Path.GetFileName(request.File)} over the original", null, pre);
        }

        var message = redactor.Redact(f.Message);
        using (EventScope.Begin(logger, "restore_failed", ("Step", f.Step), ("PreRestoreBackup", pre)))
        {
            var up = started.Count == 0 ? "none" : string.Join(", ", started);
            RestoreLog.Failed(logger, request.Job, f.Step, f.Reason, message, up, back);
        }

        return new LiveRestoreResult(false, f.Reason, message, f.Step, pre);
    }
}
