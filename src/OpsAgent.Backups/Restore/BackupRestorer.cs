using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Restore;

/// <summary>The result of a restore.</summary>
/// <param name="Success">True when the restore tool exited 0.</param>
/// <param name="Reason">A machine reason when not.</param>
/// <param name="Message">What happened.</param>
internal sealed record RestoreResult(bool Success, string? Reason, string Message);

/// <summary>Streams a verified backup into <c>pg_restore</c>, <c>psql</c> or <c>mongorestore</c>.</summary>
/// <remarks>The checksum is verified before anything is sent to the server: restoring a corrupt file over a database is worse than not restoring.</remarks>
internal sealed class BackupRestorer(ToolRunner tools, SecretResolver secrets, BackupEngines engines)
{
    /// <summary>Restores <paramref name="file"/> into <paramref name="toDatabase"/> (created if missing), or into the original database when null, without <c>--clean</c>.</summary>
    public Task<RestoreResult> RestoreAsync(string job, BackupJobOptions options, string file, string? toDatabase, string stateDirectory, DumpProgress? progress, CancellationToken cancellationToken)
        => RestoreAsync(job, options, file, toDatabase, clean: false, stateDirectory, progress, cancellationToken);

    /// <summary>Restores <paramref name="file"/> into <paramref name="toDatabase"/> (created if missing), or into the original database when null.</summary>
    /// <param name="job">The job the backup belongs to.</param>
    /// <param name="options">The job's settings.</param>
    /// <param name="file">The backup file.</param>
    /// <param name="toDatabase">Another database to restore into, or null for the original.</param>
    /// <param name="clean">Drop the objects the dump contains first; without it a non-empty target is refused (MongoDB).</param>
    /// <param name="stateDirectory">The agent's state directory (private temporary files).</param>
    /// <param name="progress">Receives the bytes sent.</param>
    /// <param name="cancellationToken">Stops the restore.</param>
    public Task<RestoreResult> RestoreAsync(string job, BackupJobOptions options, string file, string? toDatabase, bool clean, string stateDirectory, DumpProgress? progress, CancellationToken cancellationToken)
        => RestoreAsync(job, options, file, null, toDatabase, clean, stateDirectory, progress, cancellationToken);

    /// <summary>Restores <paramref name="file"/> into <paramref name="target"/> (a database or a directory, as the job's engine restores).</summary>
    public Task<RestoreResult> RestoreIntoAsync(string job, BackupJobOptions options, string file, RestoreTarget target, string stateDirectory, DumpProgress? progress, CancellationToken cancellationToken)
        => RestoreAsync(job, options, file, target ?? throw new ArgumentNullException(nameof(target)), target.Database, target.Clean, stateDirectory, progress, cancellationToken);

    private async Task<RestoreResult> RestoreAsync(string job, BackupJobOptions options, string file, RestoreTarget? target, string? toDatabase, bool clean, string stateDirectory,
        DumpProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var engine = engines.For(options).Engine;
        // A name no format of the job's engine has is taken as the job's own format: the tool's refusal then says why.
        var format = BackupEngines.FormatOf(engine, file) ?? engine.FormatFor(options);
        var content = engine.CreateContentCheck(format.Name, VerifyMode.Full);
        var recorded = BackupMetadata.TryRead(file + ".json");
        content.Expect(recorded?.Facts);
        var check = await BackupVerifier.VerifyAsync(file, content, null, null, null, cancellationToken).ConfigureAwait(false);
        if (!check.Ok)
        {
            return new RestoreResult(false, check.Reason, $"refusing to restore {file}: {check.Message}");
        }

        // The tool's configuration (with the password) goes in here; the whole directory goes when the restore ends.
        var temporary = Path.Combine(stateDirectory, "tmp", $"restore-{Guid.NewGuid():N}");
        try
        {
            string? connection = null;
            if (options.Connection is not null)
            {
                connection = await secrets.ResolveAsync(options.Connection, $"{BackupsOptions.SectionName}:{job}:{nameof(BackupJobOptions.Connection)}", cancellationToken).ConfigureAwait(false);
            }

            var context = new EngineContext(job, options, connection, tools, temporary) { SourceDatabase = recorded?.Database, SourceFacts = recorded?.Facts };
            var plan = await engine.PlanRestoreAsync(context, format.Name, target ?? RestoreTarget.IntoDatabase(toDatabase, clean), cancellationToken).ConfigureAwait(false);
            var command = plan.Command;
            await using var tool = await tools.StartAsync(command, cancellationToken).ConfigureAwait(false);
            var drain = tool.StandardOutput.CopyToAsync(Stream.Null, cancellationToken);
            var exited = ToolInput.ExitAfterAsync(tool, drain, cancellationToken);
            try
            {
                await using (var input = tool.StandardInput!)
                {
                    if (plan.StandardInputPrefix is not null)
                    {
                        await input.WriteAsync(System.Text.Encoding.UTF8.GetBytes(plan.StandardInputPrefix), cancellationToken).ConfigureAwait(false);
                    }

                    await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    await using var plain = Compression.Decompress(source, BackupFileNames.CompressionOf(file));
                    var buffer = new byte[1 << 17];
                    int read;
                    // A tool that stops reading has failed: its exit code and stderr say why.
                    while ((read = await plain.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0
                        && await ToolInput.WriteAsync(input, buffer.AsMemory(0, read), exited, cancellationToken).ConfigureAwait(false))
                    {
                        progress?.Add(read);
                    }
                }
            }
            catch (IOException)
            {
                // Closing the input of a tool that has already exited; its exit code decides.
            }

            var exit = await exited.ConfigureAwait(false);
            return exit.ExitCode == 0
                ? new RestoreResult(true, null, $"restored {Path.GetFileName(file)} with {Path.GetFileName(command.FileName)}")
                : new RestoreResult(false, BackupReasons.RestoreFailed, $"{Path.GetFileName(command.FileName)} exited with code {exit.ExitCode}: {exit.StandardError.Trim()}");
        }
        catch (BackupFailedException ex)
        {
            return new RestoreResult(false, ex.Reason, ex.Message);
        }
        catch (ToolStartException ex)
        {
            return new RestoreResult(false, ex.Reason, ex.Message);
        }
        catch (SecretResolutionException ex)
        {
            return new RestoreResult(false, BackupReasons.Secret, ex.Message);
        }
        finally
        {
            DeleteDirectory(temporary);
        }
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was written.
        }
    }
}
