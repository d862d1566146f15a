using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpsAgent.Backups;
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

        var optionalJob = new Argument<string?>("JOB") { Description = "Only this job", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List backups on disk with the retention rule that keeps each") { optionalJob, json };
        list.SetAction(parse => List(parse.GetValue(config), parse.GetValue(optionalJob), parse.GetValue(json), Console.Out));
        backup.Subcommands.Add(list);

        var fileArgument = new Argument<string>("FILE") { Description = "A backup file" };
        var verify = new Command("verify", "Check a backup file: checksum, decompression, and pg_restore --list for custom-format dumps") { fileArgument };
        verify.SetAction((parse, ct) => VerifyAsync(parse.GetValue(fileArgument)!, Console.Out, ct));
        backup.Subcommands.Add(verify);

        var restoreJob = new Argument<string>("JOB") { Description = "The backup job whose backup to restore" };
        var file = new Option<string?>("--file") { Description = "The backup file (default: the newest verified backup of the job)" };
        var toDatabase = new Option<string?>("--to-database") { Description = "Restore into this database (created if missing) instead of the original" };
        var yes = new Option<bool>("--yes") { Description = "Restore over the original database without asking (required without a terminal)" };
        var clean = new Option<bool>("--clean") { Description = "Drop the restored objects first; a restore into an existing non-empty database is refused without it" };
        var restore = new Command("restore", "Restore a backup into a new database, or over the original after confirmation") { restoreJob, file, toDatabase, yes, clean };
        restore.SetAction((parse, ct) => RestoreAsync(parse.GetValue(config), parse.GetValue(restoreJob)!, parse.GetValue(file), parse.GetValue(toDatabase), parse.GetValue(yes), parse.GetValue(clean), Console.Out, ct));
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
            await ShowProgressAsync($"backup {job}", progress, task).ConfigureAwait(false);
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

        return 0;
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
        foreach (var (name, o) in jobs.Where(j => job is null || string.Equals(j.Key, job, StringComparison.OrdinalIgnoreCase)).OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            foreach (var (backup, decision) in RetentionPlanner.Plan(BackupFileNames.Scan(o.Directory!, name), o.Retention, configuration.TimeZone))
            {
                entries.Add(new BackupListEntry(name, backup.Path, backup.Time, backup.Size, backup.Verified, decision.Rules));
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
        if (IsInteractive(output))
        {
            var table = new Table().AddColumns("Job", "File", "Time (UTC)", "Size", "Verified", "Kept by");
            foreach (var e in entries)
            {
                table.AddRow(Markup.Escape(e.Job), Markup.Escape(Path.GetFileName(e.File)), e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    FormatBytes(e.SizeBytes), e.Verified ? "yes" : "no", Markup.Escape(Kept(e)));
            }

            AnsiConsole.Write(table);
            return 0;
        }

        output.WriteLine($"{"JOB",-20} {"FILE",-48} {"TIME (UTC)",-19} {"SIZE",10} {"VERIFIED",-8} KEPT BY");
        foreach (var e in entries)
        {
            output.WriteLine($"{e.Job,-20} {Path.GetFileName(e.File),-48} {e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-19} {FormatBytes(e.SizeBytes),10} {(e.Verified ? "yes" : "no"),-8} {Kept(e)}");
        }

        return 0;
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

    internal static async Task<int> RestoreAsync(string? configPath, string job, string? file, string? toDatabase, bool yes, bool clean, TextWriter output, CancellationToken cancellationToken)
    {
        using var provider = Load(configPath, output, out var configuration);
        if (provider is null || FindJob(configuration, job, output) is not { } options)
        {
            return 1;
        }

        string path;
        if (file is not null)
        {
            path = Path.GetFullPath(file);
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

        // --to-database naming the database the backup was taken from is a restore over the original: it asks too.
        var source = BackupMetadata.TryRead(path + ".json")?.Database;
        if ((toDatabase is null || string.Equals(toDatabase, source, StringComparison.Ordinal)) && !yes)
        {
            var target = toDatabase ?? source ?? options.Database ?? "the database in the connection";
            if (!IsInteractive(output) || Console.IsInputRedirected)
            {
                output.WriteLine($"refusing to restore over {target} without --yes (no terminal to confirm); use --to-database NAME to restore into a new database");
                return 1;
            }

            if (!await AnsiConsole.ConfirmAsync($"Restore [bold]{Markup.Escape(Path.GetFileName(path))}[/] over [bold red]{Markup.Escape(target)}[/]? Its current contents will be replaced.", defaultValue: false, cancellationToken).ConfigureAwait(false))
            {
                output.WriteLine("cancelled");
                return 1;
            }
        }

        var restorer = provider.GetRequiredService<BackupRestorer>();
        var progress = new DumpProgress();
        var task = restorer.RestoreAsync(job, options, path, toDatabase, clean, configuration.Agent.StateDirectory, progress, cancellationToken);
        if (IsInteractive(output))
        {
            await ShowProgressAsync($"restore {job}", progress, task).ConfigureAwait(false);
        }

        var result = await task.ConfigureAwait(false);
        output.WriteLine(result.Success
            ? $"{result.Message} into {toDatabase ?? source ?? options.Database ?? "the original database"}"
            : $"restore failed ({result.Reason}): {SecretRedactor.Shared.Redact(result.Message)}");
        return result.Success ? 0 : 1;
    }

    private static bool IsInteractive(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    private static async Task ShowProgressAsync(string title, DumpProgress progress, Task work)
    {
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(title, maxValue: double.MaxValue);
                var started = DateTime.UtcNow;
                while (!work.IsCompleted)
                {
                    var bytes = progress.Bytes;
                    var rate = bytes / Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds);
                    task.Description = $"{title}: {FormatBytes(bytes)} at {FormatBytes((long)rate)}/s";
                    await Task.WhenAny(work, Task.Delay(250)).ConfigureAwait(false);
                }

                task.StopTask();
            }).ConfigureAwait(false);
    }

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.00} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
