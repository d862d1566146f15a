using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpsAgent.Backups;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Restore;
using OpsAgent.Backups.Retention;
using OpsAgent.Backups.Verification;
using OpsAgent.Control;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;
using Spectre.Console;

namespace OpsAgent.Cli;

/// <summary><c>opsagent backup run|list|verify|restore</c>: the operator's hands on the backup capability.</summary>
/// <remarks>
/// The verbs run in the CLI's own process against the same configuration the daemon uses (they do not need the daemon),
/// log to the journal like the daemon, and print their result on stdout.
/// </remarks>
internal static class BackupCommands
{
    public static Command Build(Option<string?> config)
    {
        var backup = new Command("backup", "Run, list, verify and restore database backups");

        var jobArgument = new Argument<string>("JOB") { Description = "The backup job (a key under OpsAgent:Backups)" };
        var run = new Command("run", "Run a backup job now, in the foreground") { jobArgument };
        run.SetAction((parse, ct) => RunAsync(parse.GetValue(config), parse.GetValue(jobArgument)!, Console.Out, ct));
        backup.Subcommands.Add(run);

        var copyJob = new Argument<string>("JOB") { Description = "The backup job whose copies to bring up to date" };
        var only = new Option<string?>("--target") { Description = "Only this copy (a key under the job's Copies, or the target it goes to)" };
        var copy = new Command("copy", "Upload now what the job's copy targets lack, then apply their retention") { copyJob, only };
        copy.SetAction((parse, ct) => CopyAsync(parse.GetValue(config), parse.GetValue(copyJob)!, parse.GetValue(only), Console.Out, ct));
        backup.Subcommands.Add(copy);

        var optionalJob = new Argument<string?>("JOB") { Description = "Only this job (required with --target)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var listTarget = new Option<string?>("--target") { Description = "List the job's backups on this copy target instead of on disk" };
        var list = new Command("list", "List backups on disk (or on a copy target) with the retention rule that keeps each") { optionalJob, json, listTarget };
        list.SetAction((parse, ct) => parse.GetValue(listTarget) is { } target
            ? ListTargetAsync(parse.GetValue(config), parse.GetValue(optionalJob), target, parse.GetValue(json), Console.Out, ct)
            : Task.FromResult(List(parse.GetValue(config), parse.GetValue(optionalJob), parse.GetValue(json), Console.Out)));
        backup.Subcommands.Add(list);

        var fileArgument = new Argument<string>("FILE") { Description = "A backup file" };
        var verify = new Command("verify", "Check a backup file: checksum, decompression, and pg_restore --list for custom-format dumps") { fileArgument };
        verify.SetAction((parse, ct) => VerifyAsync(parse.GetValue(fileArgument)!, Console.Out, ct));
        backup.Subcommands.Add(verify);

        var drillJob = new Argument<string>("JOB") { Description = "The backup job whose Drill to run" };
        var drill = new Command("drill", "Run the job's restore drill now: restore its newest backup into a scratch database or directory, check it, remove it") { drillJob };
        drill.SetAction((parse, ct) => DrillAsync(parse.GetValue(config), parse.GetValue(drillJob)!, Console.Out, ct));
        backup.Subcommands.Add(drill);

        var restoreJob = new Argument<string>("JOB") { Description = "The backup job whose backup to restore" };
        var file = new Option<string?>("--file") { Description = "The backup file (default: the newest verified backup of the job)" };
        var toDatabase = new Option<string?>("--to-database") { Description = "Restore into this database (created if missing) instead of the original" };
        var yes = new Option<bool>("--yes") { Description = "Restore over the original database without asking (required without a terminal)" };
        var clean = new Option<bool>("--clean") { Description = "Drop the restored objects first; a restore into an existing non-empty database is refused without it" };
        var from = new Option<string?>("--from") { Description = "Download the backup from this copy target (default: from the job's Directory)" };
        var identity = new Option<string?>("--identity") { Description = "The age identity file that decrypts an encrypted copy (default: the job's Encryption:IdentityFile)" };
        var toDirectory = new Option<string?>("--to-directory") { Description = "Files jobs: extract into this empty (or new) directory" };
        var inPlace = new Option<bool>("--in-place") { Description = "Files jobs: extract over the paths (or the volume) the backup was taken from; needs --yes or a terminal's confirmation" };
        var restore = new Command("restore", "Restore a backup into a new database or directory, or over the original after confirmation") { restoreJob, file, toDatabase, toDirectory, inPlace, yes, clean, from, identity };
        restore.SetAction((parse, ct) => RestoreAsync(parse.GetValue(config), new RestoreArguments(parse.GetValue(restoreJob)!, parse.GetValue(file), parse.GetValue(toDatabase),
            parse.GetValue(yes), parse.GetValue(clean), parse.GetValue(from), parse.GetValue(identity)) { ToDirectory = parse.GetValue(toDirectory), InPlace = parse.GetValue(inPlace) }, Console.Out, ct));
        backup.Subcommands.Add(restore);
        return backup;
    }

    private static ServiceProvider? Load(string? configPath, TextWriter output, out AgentConfiguration configuration)
        => CliServices.Load(configPath, output, out configuration);

    private static BackupJobOptions? FindJob(AgentConfiguration configuration, string job, TextWriter output)
    {
        var jobs = configuration.Get<BackupsOptions>().Jobs;
        if (jobs.TryGetValue(job, out var options))
        {
            return options;
        }

        var known = string.Join(", ", jobs.Keys.Order(StringComparer.Ordinal));
        output.WriteLine($"no backup job '{job}' (configured: {(known.Length == 0 ? "none" : known)})");
        return null;
    }

    internal static Task<int> RunAsync(string? configPath, string job, TextWriter output, CancellationToken cancellationToken)
        => ControlClient.RunAsync(configPath, new ControlRequest(ControlVerbs.BackupRun, job), output, Console.Error,
            (services, configuration) => RunAsync(services, configuration, job, output, cancellationToken), cancellationToken);

    /// <summary>Runs the job with <paramref name="services"/>: the CLI's own, or the daemon's when the CLI asked it over the control socket.</summary>
    internal static async Task<int> RunAsync(IServiceProvider services, AgentConfiguration configuration, string job, TextWriter output, CancellationToken cancellationToken)
    {
        if (FindJob(configuration, job, output) is not { } options)
        {
            return 1;
        }

        var all = configuration.Get<BackupsOptions>();
        var request = new BackupRequest(job, options, all.MaxConcurrentBackups, configuration.TimeZone, configuration.Agent.StateDirectory);
        var runner = services.GetRequiredService<BackupRunner>();
        var progress = new DumpProgress();
        var task = runner.RunAsync(request, progress, cancellationToken);
        if (IsInteractive(output))
        {
            await ShowProgressAsync($"backup {job}", Rate(progress), task).ConfigureAwait(false);
        }

        var result = await task.ConfigureAwait(false);
        if (!result.Success)
        {
            output.WriteLine($"backup {job} failed ({result.Reason}): {SecretRedactor.Shared.Redact(result.Message)}");
            return 1;
        }

        var file = result.File!;
        output.WriteLine($"backup {job} ok: {file.Path} ({FormatBytes(file.Size)}, {file.Metadata?.DurationSeconds:0.0}s, verified by {file.Metadata?.VerifiedBy})");
        if (result.Deleted > 0)
        {
            output.WriteLine($"retention deleted {result.Deleted} older backup{(result.Deleted == 1 ? "" : "s")}");
        }

        // The copies run after the dump's lock is released, as the daemon's do; a failed copy leaves the backup good.
        if (options.Copies.Count == 0)
        {
            return 0;
        }

        var copies = await RunCopiesAsync(services, configuration, job, options, null, output, cancellationToken).ConfigureAwait(false);
        return copies.Any(Failed) ? CopyFailedExit : 0;
    }

    /// <summary><c>backup run</c>'s exit code when the backup is good but a copy of it failed.</summary>
    internal const int CopyFailedExit = 3;

    private static bool Failed(CopyResult result) => !result.Success && result.Reason != CopyReasons.AlreadyRunning;

    internal static Task<int> CopyAsync(string? configPath, string job, string? target, TextWriter output, CancellationToken cancellationToken)
        => ControlClient.RunAsync(configPath, new ControlRequest(ControlVerbs.BackupCopy, job, Target: target), output, Console.Error,
            (services, configuration) => CopyAsync(services, configuration, job, target, output, cancellationToken), cancellationToken);

    /// <summary><c>backup copy JOB [--target T]</c> with <paramref name="services"/> (the CLI's, or the daemon's).</summary>
    internal static async Task<int> CopyAsync(IServiceProvider services, AgentConfiguration configuration, string job, string? target, TextWriter output, CancellationToken cancellationToken)
    {
        if (FindJob(configuration, job, output) is not { } options || FindCopy(job, options, target, output) is false)
        {
            return 1;
        }

        var results = await RunCopiesAsync(services, configuration, job, options, target, output, cancellationToken).ConfigureAwait(false);
        return results.Any(Failed) ? 1 : 0;
    }

    /// <summary>False (after saying why) when the job has no copies, or none named <paramref name="target"/>.</summary>
    private static bool FindCopy(string job, BackupJobOptions options, string? target, TextWriter output)
    {
        if (options.Copies.Count == 0)
        {
            output.WriteLine($"backup job '{job}' has no Copies (add OpsAgent:Backups:{job}:Copies:<target>)");
            return false;
        }

        if (target is not null && CopyFetcher.Resolve(options, target) is null)
        {
            output.WriteLine($"backup job '{job}' has no copy '{target}' (its copies: {string.Join(", ", options.Copies.Keys.Order(StringComparer.Ordinal))})");
            return false;
        }

        return true;
    }

    private static async Task<IReadOnlyList<CopyResult>> RunCopiesAsync(IServiceProvider services, AgentConfiguration configuration, string job, BackupJobOptions options, string? only,
        TextWriter output, CancellationToken cancellationToken)
    {
        var request = CopyRequest.For(job, options, configuration);
        if (services.GetService<CopyScheduler>() is { } scheduler)
        {
            // In the daemon: a pass of its own may hold the job's copy lock; this one runs once it is done.
            await scheduler.IdleAsync(job).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var copyName = only is null ? null : CopyFetcher.Resolve(options, only)?.Copy;
        var progress = new TransferStatus();
        var task = services.GetRequiredService<CopyRunner>().RunAsync(request, copyName, progress, cancellationToken);
        if (IsInteractive(output))
        {
            await ShowProgressAsync($"copy {job}", progress.Describe, task).ConfigureAwait(false);
        }

        var results = await task.ConfigureAwait(false);
        foreach (var r in results)
        {
            // Two copies to one target (seed 001's offsite and cold) must be told apart.
            var where = string.Equals(r.Copy, r.Target, StringComparison.OrdinalIgnoreCase) ? r.Target : $"{r.Copy} on {r.Target}";
            output.WriteLine(r.Success
                ? $"copy {job} to {where} ok: {r.Message}{(r.Bytes > 0 ? $" ({FormatBytes(r.Bytes)})" : "")}"
                : $"copy {job} to {where} {(r.Reason == CopyReasons.AlreadyRunning ? "skipped" : "failed")} ({r.Reason}): {SecretRedactor.Shared.Redact(r.Message)}"
                    + (r.Pending > 0 ? $"; {r.Pending} backup{(r.Pending == 1 ? "" : "s")} the target lacks stay on disk for at most {options.KeepUncopiedDays} days" : ""));
        }

        return results;
    }

    internal static int List(string? configPath, string? job, bool json, TextWriter output)
    {
        using var provider = Load(configPath, output, out var configuration);
        if (provider is null)
        {
            return 1;
        }

        var jobs = configuration.Get<BackupsOptions>().Jobs;
        if (job is not null && FindJob(configuration, job, output) is null)
        {
            return 1;
        }

        var entries = new List<BackupListEntry>();
        var now = DateTimeOffset.UtcNow;
        var stateDirectory = configuration.Agent.StateDirectory;
        foreach (var (name, o) in jobs.Where(j => job is null || string.Equals(j.Key, job, StringComparison.OrdinalIgnoreCase)).OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            var plan = RetentionPlanner.Plan(BackupFileNames.Scan(o.Directory!, name), o.Retention, configuration.TimeZone);
            // What the daemon's retention would hold back for a target that lacks it, as its next run decides.
            var held = UncopiedBackups.Find(name, o, [.. plan.Select(p => p.File)], stateDirectory, configuration.TimeZone, now, null);
            var onTargets = o.Copies.Keys.ToDictionary(c => c, c => CopyStateStore.Read(stateDirectory, name, c).Remote.Select(r => r.Name).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
            foreach (var (backup, decision) in plan)
            {
                var rules = decision.Keep || !held.TryGetValue(backup.FileName, out var hold) || hold.Expired ? decision.Rules : [$"uncopied:{hold.Copy}"];
                var copied = onTargets.Where(t => t.Value.Contains(backup.FileName)).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
                entries.Add(new BackupListEntry(name, backup.Path, backup.Time, backup.Size, backup.Verified, rules) { CopiedTo = o.Copies.Count == 0 ? null : copied });
            }
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(entries, BackupJsonContext.Default.ListBackupListEntry));
            return 0;
        }

        if (entries.Count == 0)
        {
            output.WriteLine("no backups");
            return 0;
        }

        string Kept(BackupListEntry e) => e.KeptBy.Count == 0 ? "(deleted next run)" : string.Join(",", e.KeptBy);
        string Copied(BackupListEntry e) => e.CopiedTo is null ? "" : e.CopiedTo.Count == 0 ? "-" : string.Join(",", e.CopiedTo);
        var withCopies = entries.Any(e => e.CopiedTo is not null);
        if (IsInteractive(output))
        {
            var table = new Table().AddColumns("Job", "File", "Time (UTC)", "Size", "Verified", "Kept by");
            if (withCopies)
            {
                table.AddColumn("Copied to");
            }

            foreach (var e in entries)
            {
                string[] cells = [Markup.Escape(e.Job), Markup.Escape(Path.GetFileName(e.File)), e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    FormatBytes(e.SizeBytes), e.Verified ? "yes" : "no", Markup.Escape(Kept(e))];
                table.AddRow(withCopies ? [.. cells, Markup.Escape(Copied(e))] : cells);
            }

            AnsiConsole.Write(table);
            return 0;
        }

        output.WriteLine($"{"JOB",-20} {"FILE",-48} {"TIME (UTC)",-19} {"SIZE",10} {"VERIFIED",-8} {"KEPT BY",-24}{(withCopies ? " COPIED TO" : "")}".TrimEnd());
        foreach (var e in entries)
        {
            output.WriteLine($"{e.Job,-20} {Path.GetFileName(e.File),-48} {e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-19} {FormatBytes(e.SizeBytes),10} {(e.Verified ? "yes" : "no"),-8} {Kept(e),-24}{(withCopies ? " " + Copied(e) : "")}".TrimEnd());
        }

        return 0;
    }

    /// <summary><c>backup list JOB --target T [--json]</c>: what the target holds, as its listing says now, with the copy's retention.</summary>
    internal static async Task<int> ListTargetAsync(string? configPath, string? job, string target, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        if (job is null)
        {
            output.WriteLine("backup list --target needs the JOB whose copies to list");
            return 1;
        }

        using var provider = Load(configPath, output, out var configuration);
        if (provider is null || FindJob(configuration, job, output) is not { } options || !FindCopy(job, options, target, output))
        {
            return 1;
        }

        var request = CopyRequest.For(job, options, configuration);
        IReadOnlyList<RemoteListEntry> entries;
        try
        {
            entries = await provider.GetRequiredService<CopyFetcher>().ListAsync(request, target, cancellationToken).ConfigureAwait(false);
        }
        catch (CopyFailedException ex)
        {
            output.WriteLine($"cannot list {target} ({ex.Reason}): {SecretRedactor.Shared.Redact(ex.Message)}");
            return 1;
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(entries.ToList(), CopyJsonContext.Default.ListRemoteListEntry));
            return 0;
        }

        if (entries.Count == 0)
        {
            output.WriteLine($"no backups of {job} on {target}");
            return 0;
        }

        static string Kept(RemoteListEntry e) => !e.Complete ? "(incomplete upload: removed after a day)" : e.Keep ? string.Join(",", e.Rules) : "(deleted next pass)";
        output.WriteLine($"{"FILE",-52} {"TIME (UTC)",-19} {"SIZE",10} {"ENCRYPTED",-9} {"STORAGE",-12} KEPT BY");
        foreach (var e in entries)
        {
            output.WriteLine($"{Path.GetFileName(e.Object),-52} {e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-19} {FormatBytes(e.SizeBytes),10} {(e.Encrypted ? "age" : "no"),-9} {e.StorageClass ?? "-",-12} {Kept(e)}");
        }

        return 0;
    }

    internal static async Task<int> DrillAsync(string? configPath, string job, TextWriter output, CancellationToken cancellationToken)
    {
        using var provider = Load(configPath, output, out var configuration);
        if (provider is null || FindJob(configuration, job, output) is not { } options)
        {
            return 1;
        }

        if (options.Drill is null)
        {
            output.WriteLine($"job {job} has no Drill: add \"Drill\": {{ \"Schedule\": \"0 4 1 */3 *\" }} to it");
            return 1;
        }

        var progress = new DumpProgress();
        var task = provider.GetRequiredService<OpsAgent.Backups.Drills.DrillRunner>().RunAsync(
            OpsAgent.Backups.Drills.DrillJob.For(job, options, configuration.Get<BackupsOptions>(), configuration), progress, cancellationToken);
        if (IsInteractive(output))
        {
            await ShowProgressAsync($"drill {job}", Rate(progress), task).ConfigureAwait(false);
        }

        var result = await task.ConfigureAwait(false);
        foreach (var check in result.Checks)
        {
            output.WriteLine($"  {check}");
        }

        output.WriteLine(result.Success
            ? $"drill {job} ok: {SecretRedactor.Shared.Redact(result.Message)}"
            : $"drill {job} failed ({result.Reason}): {SecretRedactor.Shared.Redact(result.Message)}{(result.Kept ? $" (kept {result.Scratch}: KeepOnFailure)" : "")}");
        return result.Success ? 0 : 1;
    }

    internal static async Task<int> VerifyAsync(string file, TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            output.WriteLine($"{file}: no such file");
            return 1;
        }

        var path = Path.GetFullPath(file);
        // No configuration is read: the engines the agent ships are the ones whose files this verb can tell apart.
        await using var engines = new ServiceCollection().AddBuiltInBackupEngines().BuildServiceProvider();
        var result = await engines.GetRequiredService<BackupEngines>().VerifyFileAsync(path, ToolRunner.HostOnly, cancellationToken).ConfigureAwait(false);
        output.WriteLine(result.Ok
            ? $"{path}: ok ({result.Checks}; {FormatBytes(result.UncompressedBytes)} uncompressed)"
            : $"{path}: FAILED ({result.Reason}): {result.Message}");
        return result.Ok ? 0 : 1;
    }

    /// <summary>What <c>backup restore</c> was asked.</summary>
    internal sealed record RestoreArguments(string Job, string? File, string? ToDatabase, bool Yes, bool Clean, string? From = null, string? Identity = null)
    {
        /// <summary><c>--to-directory</c>: a files job's backup extracted here.</summary>
        public string? ToDirectory { get; init; }

        /// <summary><c>--in-place</c>: a files job's backup extracted over its original paths.</summary>
        public bool InPlace { get; init; }

        /// <summary>Where the restore goes, in the engines' terms.</summary>
        public RestoreTarget Target => ToDirectory is not null ? RestoreTarget.IntoDirectory(Path.GetFullPath(ToDirectory))
            : InPlace ? RestoreTarget.OverOriginalFiles()
            : RestoreTarget.IntoDatabase(ToDatabase, Clean);

        /// <summary>What the restore goes into, for its result line.</summary>
        public string? Destination => ToDirectory is not null ? Path.GetFullPath(ToDirectory) : InPlace ? "the original paths" : ToDatabase;
    }

    internal static async Task<int> RestoreAsync(string? configPath, RestoreArguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var job = arguments.Job;
        using var provider = Load(configPath, output, out var configuration);
        if (provider is null || FindJob(configuration, job, output) is not { } options)
        {
            return 1;
        }

        if (arguments.From is { } from)
        {
            return FindCopy(job, options, from, output)
                ? await RestoreFromTargetAsync(provider, configuration, options, arguments, from, output, cancellationToken).ConfigureAwait(false)
                : 1;
        }

        string path;
        if (arguments.File is not null)
        {
            path = Path.GetFullPath(arguments.File);
        }
        else if (BackupFileNames.Scan(options.Directory!, job).FirstOrDefault(b => b.Verified) is { } newest)
        {
            path = newest.Path;
        }
        else
        {
            output.WriteLine($"no verified backup of {job} in {options.Directory}");
            return 1;
        }

        var source = BackupMetadata.TryRead(path + ".json")?.Database;
        if (!await ConfirmAsync(arguments, options, Path.GetFileName(path), source, output, cancellationToken).ConfigureAwait(false))
        {
            return 1;
        }

        return await RestoreFileAsync(provider, configuration, options, arguments, path, source, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>--from T</c>: the backup is downloaded into the state directory, checked and decrypted there, restored, and removed.</summary>
    private static async Task<int> RestoreFromTargetAsync(ServiceProvider provider, AgentConfiguration configuration, BackupJobOptions options, RestoreArguments arguments, string from,
        TextWriter output, CancellationToken cancellationToken)
    {
        var request = CopyRequest.For(arguments.Job, options, configuration);
        var directory = Path.Combine(configuration.Agent.StateDirectory, "tmp", $"fetch-{Guid.NewGuid():N}");
        try
        {
            var status = new TransferStatus();
            var task = provider.GetRequiredService<CopyFetcher>().FetchAsync(request, from, arguments.File, arguments.Identity, directory,
                (metadata, where, ct) => ConfirmAsync(arguments, options, where, metadata?.Database, output, ct), status, cancellationToken);
            if (IsInteractive(output))
            {
                await ShowProgressAsync($"download {arguments.Job}", status.Describe, task).ConfigureAwait(false);
            }

            if (await task.ConfigureAwait(false) is not { } fetched)
            {
                return 1;
            }

            output.WriteLine($"downloaded {fetched.Where}: SHA-256 matches the target's .sha256{(fetched.Metadata?.Sha256 is null ? "" : " and the one recorded when it was taken")}");
            return await RestoreFileAsync(provider, configuration, options, arguments, fetched.Path, fetched.Metadata?.Database, output, cancellationToken).ConfigureAwait(false);
        }
        catch (CopyFailedException ex)
        {
            output.WriteLine($"restore failed ({ex.Reason}): {SecretRedactor.Shared.Redact(ex.Message)}");
            return 1;
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Nothing was downloaded.
            }
        }
    }

    /// <summary>
    /// True when the restore may go ahead: into another database, or over the original with <c>--yes</c> or a terminal's yes.
    /// <c>--to-database</c> naming the database the backup was taken from is a restore over the original: it asks too.
    /// </summary>
    private static async Task<bool> ConfirmAsync(RestoreArguments arguments, BackupJobOptions options, string what, string? source, TextWriter output, CancellationToken cancellationToken)
    {
        if ((arguments.ToDatabase is not null && !string.Equals(arguments.ToDatabase, source, StringComparison.Ordinal)) || arguments.ToDirectory is not null || arguments.Yes)
        {
            return true;
        }

        var target = arguments.InPlace ? $"the original paths ({source})" : arguments.ToDatabase ?? source ?? options.Database ?? "the database in the connection";
        if (!IsInteractive(output) || Console.IsInputRedirected)
        {
            output.WriteLine($"refusing to restore over {target} without --yes (no terminal to confirm); use --to-database NAME to restore into a new database");
            return false;
        }

        if (!await AnsiConsole.ConfirmAsync($"Restore [bold]{Markup.Escape(what)}[/] over [bold red]{Markup.Escape(target)}[/]? Its current contents will be replaced.", defaultValue: false, cancellationToken).ConfigureAwait(false))
        {
            output.WriteLine("cancelled");
            return false;
        }

        return true;
    }

    private static async Task<int> RestoreFileAsync(ServiceProvider provider, AgentConfiguration configuration, BackupJobOptions options, RestoreArguments arguments, string path, string? source,
        TextWriter output, CancellationToken cancellationToken)
    {
        var target = arguments.Target;
        if (target.IntoOriginal && LiveRestore.Applies(options))
        {
            return await RestoreOverLiveApplicationAsync(provider, configuration, options, arguments, path, target, output, cancellationToken).ConfigureAwait(false);
        }

        var restorer = provider.GetRequiredService<BackupRestorer>();
        var progress = new DumpProgress();
        var task = restorer.RestoreIntoAsync(arguments.Job, options, path, arguments.Target, configuration.Agent.StateDirectory, progress, cancellationToken);
        if (IsInteractive(output))
        {
            await ShowProgressAsync($"restore {arguments.Job}", Rate(progress), task).ConfigureAwait(false);
        }

        var result = await task.ConfigureAwait(false);
        output.WriteLine(result.Success
            ? $"{result.Message} into {arguments.Destination ?? source ?? options.Database ?? "the original database"}"
            : $"restore failed ({result.Reason}): {SecretRedactor.Shared.Redact(result.Message)}");
        return result.Success ? 0 : 1;
    }

    /// <summary>The job's <c>Restore</c> steps around a restore over the original, each printed as it goes.</summary>
    private static async Task<int> RestoreOverLiveApplicationAsync(ServiceProvider provider, AgentConfiguration configuration, BackupJobOptions options, RestoreArguments arguments, string path,
        RestoreTarget target, TextWriter output, CancellationToken cancellationToken)
    {
        var backups = configuration.Get<BackupsOptions>();
        var request = new LiveRestoreRequest(arguments.Job, options, path, target,
            new BackupRequest(arguments.Job, options, backups.MaxConcurrentBackups, configuration.TimeZone, configuration.Agent.StateDirectory), configuration);
        var result = await provider.GetRequiredService<LiveRestore>().RunAsync(request, line => output.WriteLine(SecretRedactor.Shared.Redact(line)), new DumpProgress(), cancellationToken).ConfigureAwait(false);
        if (result.Success)
        {
            output.WriteLine($"{result.Message}{(result.PreRestoreBackup is null ? "" : $"; pre-restore backup {Path.GetFileName(result.PreRestoreBackup)}")}");
            return 0;
        }

        output.WriteLine($"restore failed at {result.FailedStep} ({result.Reason}): {result.Message}");
        output.WriteLine(result.PreRestoreBackup is null
            ? "no pre-restore backup was taken"
            : $"to go back: opsagent backup restore {arguments.Job} --file {result.PreRestoreBackup} --yes");
        return 1;
    }

    private static bool IsInteractive(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    private static async Task ShowProgressAsync(string title, Func<string> describe, Task work)
    {
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(title, maxValue: double.MaxValue);
                while (!work.IsCompleted)
                {
                    task.Description = $"{title}: {Markup.Escape(describe())}";
                    await Task.WhenAny(work, Task.Delay(250)).ConfigureAwait(false);
                }

                task.StopTask();
            }).ConfigureAwait(false);
    }

    /// <summary>A terminal's line for a dump, from the bytes it has read and the time it took.</summary>
    private static Func<string> Rate(DumpProgress progress)
    {
        var started = DateTime.UtcNow;
        return () =>
        {
            var bytes = progress.Bytes;
            return $"{FormatBytes(bytes)} at {PerSecond(bytes, started)}/s";
        };
    }

    /// <summary>The rate since <paramref name="started"/>, formatted.</summary>
    private static string PerSecond(long bytes, DateTime started) => FormatBytes((long)(bytes / Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds)));

    /// <summary>The latest progress of an upload or download, for a terminal's line.</summary>
    private sealed class TransferStatus : IProgress<CopyProgress>, IProgress<long>
    {
        private readonly DateTime _started = DateTime.UtcNow;
        private volatile string _line = "connecting";

        public void Report(CopyProgress value)
            => _line = $"{value.Copy}: {value.File} {FormatBytes(value.Bytes)}{(value.Total > 0 ? $" of {FormatBytes(value.Total)}" : "")} at {Speed(value.Bytes)}/s";

        public void Report(long value) => _line = $"{FormatBytes(value)} at {Speed(value)}/s";

        private string Speed(long bytes) => PerSecond(bytes, _started);

        public string Describe() => _line;
    }

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.00} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
