using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Stops;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Docker;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines.FileTrees;

/// <summary>
/// <c>"Engine": "files"</c>: directory trees or a Docker volume as a pax tar stream, through the same compression, verification,
/// retention and copies as a dump. The archive is written in the agent's process; restores and drills extract it with GNU tar.
/// </summary>
/// <remarks>
/// Docker and the stopper are resolved when a job needs them (a volume, <c>StopContainers</c>): the engines are also built
/// for <c>backup verify FILE</c>, which has no configuration and so no Docker endpoint.
/// </remarks>
internal sealed partial class FilesEngine(IServiceProvider services) : IBackupEngine, IAsyncHostCheck, Drills.IBackupDrill
{
    private readonly ILogger _logger = services.GetService<ILogger<FilesEngine>>() ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    private DockerClientProvider Docker => services.GetService<DockerClientProvider>()
        ?? throw new BackupFailedException(ToolStartReasons.DockerUnreachable, "this command was started without the agent's configuration, so it has no Docker endpoint");

    private ServiceStopper Stopper => services.GetService<ServiceStopper>()
        ?? throw new BackupFailedException(BackupReasons.StopFailed, "this command was started without the agent's configuration, so it cannot stop containers");

    /// <summary>The format's name.</summary>
    public const string TarFormat = "tar";

    private static readonly BackupFormat Tar = new(TarFormat, ".tar");

    /// <summary>Trees no files job may archive: kernel pseudo-file systems, whose files never end.</summary>
    private static readonly string[] PseudoTrees = ["/proc", "/sys", "/dev", "/run"];

    public IReadOnlyList<BackupFormat> Formats { get; } = [Tar];

    public BackupFormat FormatFor(BackupJobOptions job) => Tar;

    public void Validate(string path, BackupJobOptions job, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(errors);
        var settings = job.EngineSettings<FilesEngineOptions>();
        if (!OperatingSystem.IsLinux())
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Engine)}", "the files engine reads owners, links and modes as Linux keeps them: it runs on Linux only");
        }

        if (job.Container is not null)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Container)}", "a files job reads the host's file system; for a Docker volume set Volume, for a container's directory its bind mount's host path in Paths");
        }

        if (job.Connection is not null)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Connection)}", "a files job has no server to connect to: remove Connection");
        }

        var paths = settings.Paths ?? [];
        if (settings.Volume is null == (paths.Count == 0))
        {
            errors.Add($"{path}:{nameof(FilesEngineOptions.Paths)}", settings.Volume is null
                ? "required: the absolute paths to archive (\"Paths\": [\"/opt/ujmp/media\"]), or Volume for a Docker volume"
                : "give Paths or Volume, not both: a job archives host paths or one volume");
        }

        for (var i = 0; i < paths.Count; i++)
        {
            ValidatePath($"{path}:{nameof(FilesEngineOptions.Paths)}:{i}", paths[i], job.Directory, errors);
        }

        if (settings.Volume is { } volume && !NameRules.IsValid(volume) && !IsDockerName(volume))
        {
            errors.Add($"{path}:{nameof(FilesEngineOptions.Volume)}", $"'{volume}' is not a Docker volume name (letters, digits, '_', '.', '-')");
        }

        for (var i = 0; i < (settings.Exclude ?? []).Count; i++)
        {
            var pattern = settings.Exclude![i];
            if (string.IsNullOrWhiteSpace(pattern) || pattern.Any(char.IsControl))
            {
                errors.Add($"{path}:{nameof(FilesEngineOptions.Exclude)}:{i}", "must be a glob pattern such as **/*.tmp or cache/**");
            }
            else if (pattern.StartsWith('/'))
            {
                errors.Add($"{path}:{nameof(FilesEngineOptions.Exclude)}:{i}", $"'{pattern}' is absolute; patterns are relative to each path (cache/** leaves out <path>/cache)");
            }
        }

        for (var i = 0; i < (settings.StopContainers ?? []).Count; i++)
        {
            if (!IsDockerName(settings.StopContainers![i]))
            {
                errors.Add($"{path}:{nameof(FilesEngineOptions.StopContainers)}:{i}", $"'{settings.StopContainers[i] ?? ""}' is not a container name");
            }
        }

        if (settings.StopTimeout <= TimeSpan.Zero || settings.StopTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"{path}:{nameof(FilesEngineOptions.StopTimeout)}", "must be between 00:00:01 and 01:00:00");
        }

        ValidateDrill(path, job, errors);
    }

    private static bool IsDockerName(string? name)
        => !string.IsNullOrEmpty(name) && name.Length <= 255 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private static void ValidatePath(string path, string? value, string? backupDirectory, ValidationCollector errors)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl))
        {
            errors.Add(path, "must be an absolute path written as plain text");
            return;
        }

        if (!value.StartsWith('/') || value.Split('/').Contains(".."))
        {
            errors.Add(path, $"'{value}' must be an absolute path without '..' segments");
            return;
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(value));
        if (full == "" || full == "/")
        {
            errors.Add(path, "archiving / is a system image, not a backup: name the directories that hold the data");
        }
        else if (PseudoTrees.Any(t => full == t || full.StartsWith(t + "/", StringComparison.Ordinal)))
        {
            errors.Add(path, $"'{full}' is a kernel or runtime pseudo-file system: its files are not data");
        }
        else if (backupDirectory is not null && Path.IsPathFullyQualified(backupDirectory) && !backupDirectory.Any(char.IsControl)
            && IsWithin(Path.TrimEndingDirectorySeparator(Path.GetFullPath(backupDirectory)), full))
        {
            errors.Add(path, $"'{full}' holds the job's own Directory: each backup would archive the ones before it");
        }
    }

    private static bool IsWithin(string path, string tree) => path == tree || tree == "/" || path.StartsWith(tree + "/", StringComparison.Ordinal);

    public void CheckHost(string path, BackupJobOptions job, HostCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        var settings = job.EngineSettings<FilesEngineOptions>();
        for (var i = 0; i < settings.Paths.Count; i++)
        {
            if (!Path.Exists(settings.Paths[i]))
            {
                context.Error($"{path}:{nameof(FilesEngineOptions.Paths)}:{i}", $"{settings.Paths[i]} does not exist on this host");
            }
        }

        if (Executables.FindOnPath("tar") is null)
        {
            context.Warning($"{path}:{nameof(BackupJobOptions.Engine)}", "tar is not on this host's PATH: backups work, restores and drills extract with GNU tar (Debian: apt install tar)");
        }
    }

    public async Task CheckHostAsync(string path, BackupJobOptions job, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        var settings = job.EngineSettings<FilesEngineOptions>();
        if (settings.Volume is { } volume)
        {
            await context.CheckVolumeAsync($"{path}:{nameof(FilesEngineOptions.Volume)}", volume, cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < settings.StopContainers.Count; i++)
        {
            await context.CheckContainerAsync($"{path}:{nameof(FilesEngineOptions.StopContainers)}:{i}", settings.StopContainers[i], cancellationToken).ConfigureAwait(false);
        }
    }

    public void CheckConnection(string path, string connection, HostCheckContext context)
    {
        // A files job has no connection (the validator refuses one).
    }

    public async Task<DumpPlan> PlanDumpAsync(EngineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!OperatingSystem.IsLinux())
        {
            throw new BackupFailedException(BackupReasons.ToolFailed, "the files engine runs on Linux only");
        }

        var settings = context.Options.EngineSettings<FilesEngineOptions>();
        var roots = settings.Volume is { } volume
            ? [new ArchiveRoot(await MountPointAsync(volume, cancellationToken).ConfigureAwait(false), ".")]
            : settings.Paths.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p))).Select(p => new ArchiveRoot(p, p.TrimStart('/'))).ToList();
        foreach (var root in roots.Where(r => !Path.Exists(r.Path)))
        {
            throw new BackupFailedException(BackupReasons.NoDatabase, $"{root.Path} does not exist: nothing to archive");
        }

        var display = settings.Volume is null ? $"tar of {string.Join(", ", roots.Select(r => r.Path))}" : $"tar of volume {settings.Volume} at {roots[0].Path}";
        var archiver = new TreeArchiver(roots, settings.Exclude ?? [], settings.IgnoreUnreadable, display);
        var facts = new JsonObject { [FilesFacts.Sources] = new JsonArray([.. roots.Select(r => (JsonNode)r.Path)]) };
        if (settings.Volume is not null)
        {
            facts[FilesFacts.Volume] = settings.Volume;
        }

        var producer = new FilesProducer(archiver, context, settings, settings.StopContainers.Count > 0 ? Stopper : null, _logger);
        return new DumpPlan(DumpSource.InProcess(producer), "opsagent tar", null, TarFormat) { Database = settings.Volume ?? string.Join(", ", roots.Select(r => r.Path)), Facts = facts };
    }

    /// <summary>Where Docker keeps <paramref name="volume"/>'s files on this host.</summary>
    private async Task<string> MountPointAsync(string volume, CancellationToken cancellationToken)
    {
        try
        {
            var inspect = await Docker.Get().Volumes.InspectAsync(volume, cancellationToken).ConfigureAwait(false);
            return string.IsNullOrEmpty(inspect.Mountpoint)
                ? throw new BackupFailedException(BackupReasons.VolumeMissing, $"Docker reports no mount point for volume {volume} (a volume driver without a local path cannot be read from the host)")
                : inspect.Mountpoint;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new BackupFailedException(BackupReasons.VolumeMissing, $"Docker has no volume {volume} (docker volume ls lists them)");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new BackupFailedException(ToolStartReasons.DockerUnreachable, $"Volume {volume} needs Docker, which cannot be reached on this host ({ex.Message})");
        }
    }

    public IDumpContentCheck CreateContentCheck(string format, VerifyMode depth) => new TarContentCheck();

    /// <summary>GNU tar lists the archive too: a reader other than the one that wrote it.</summary>
    public ToolCommand? HostChecker(string path, string format) => new("tar", ["-t", "-f", "-"]);

    public async Task<RestorePlan> PlanRestoreAsync(EngineContext context, string format, RestoreTarget into, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(into);
        var settings = context.Options.EngineSettings<FilesEngineOptions>();
        string directory;
        if (into.IntoOriginal && !into.InPlace)
        {
            throw new BackupFailedException(BackupReasons.WrongTarget, "a files backup is restored into an empty directory (--to-directory DIR), or over the paths it was taken from only with --in-place --yes");
        }

        if (into.IntoOriginal)
        {
            directory = settings.Volume is { } volume ? await MountPointAsync(volume, cancellationToken).ConfigureAwait(false) : "/";
        }
        else if (into.Directory is { } requested)
        {
            directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(requested));
            var originals = settings.Volume is { } volume ? [await MountPointAsync(volume, cancellationToken).ConfigureAwait(false)] : settings.Paths;
            // Where the archive's copy of each original lands; over it, or anywhere inside it, is a restore over the original.
            foreach (var original in originals)
            {
                var landing = settings.Volume is null ? Path.Combine(directory, original.TrimStart('/')) : directory;
                if (landing == original || IsWithin(directory, original))
                {
                    throw new BackupFailedException(BackupReasons.WrongTarget, $"restoring into {directory} would write over {original}, which the backup was taken from: restore over the original with --in-place --yes");
                }
            }

            if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            {
                throw new BackupFailedException(BackupReasons.TargetNotEmpty, $"{directory} is not empty: restore into an empty or new directory (or over the original with --in-place --yes)");
            }

            Directory.CreateDirectory(directory);
        }
        else
        {
            throw new BackupFailedException(BackupReasons.WrongTarget, "files backups restore into a directory (--to-directory DIR) or over the original paths (--in-place --yes), not into a database");
        }

        // As root GNU tar keeps owners and modes; numeric ids, as the files were owned here (a volume's uids are the container's).
        return new ToolCommand("tar", ["-x", "-f", "-", "-C", directory, "--numeric-owner", "-p"]) { RedirectStandardInput = true };
    }

    /// <summary>Stops the job's containers for the read, archives, and starts them again whatever happened; reports what the archive had to skip.</summary>
    [SupportedOSPlatform("linux")]
    private sealed class FilesProducer(TreeArchiver archiver, EngineContext context, FilesEngineOptions settings, ServiceStopper? stopper, ILogger logger) : IDumpProducer
    {
        public string Display => archiver.Display;

        public async Task<JsonObject?> WriteAsync(Stream destination, CancellationToken cancellationToken)
        {
            StoppedGroup? stopped = null;
            var stateDirectory = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(context.TemporaryDirectory))!;
            if (stopper is not null)
            {
                stopped = await stopper.StopAsync(stateDirectory, context.Job, "backup", [.. settings.StopContainers.Select(StopTargetOptions.ForContainer)], settings.StopTimeout, cancellationToken).ConfigureAwait(false);
            }

            JsonObject? facts;
            try
            {
                facts = await archiver.WriteAsync(destination, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (stopped is not null)
                {
                    await stopper!.StartAsync(stopped).ConfigureAwait(false);
                }

                throw;
            }

            var upAgain = DateTimeOffset.UtcNow;
            if (stopped is not null)
            {
                var failed = await stopper!.StartAsync(stopped).ConfigureAwait(false);
                upAgain = DateTimeOffset.UtcNow;
                if (failed.Count > 0)
                {
                    // The archive is good, but an application is down: a failure somebody must see now.
                    throw new BackupFailedException(BackupReasons.StopFailed, $"{string.Join(", ", failed)} did not start again after the read: start it by hand");
                }
            }

            if (stopped is not null)
            {
                facts![FilesFacts.ContainersStopped] = new JsonArray([.. stopped.Stopped.Select(s => (JsonNode)s.Container!)]);
                facts[FilesFacts.DownSeconds] = Math.Round((upAgain - stopped.StoppedAt).TotalSeconds, 3);
            }

            Report();
            return facts;
        }

        private void Report()
        {
            if (archiver.ChangedCount > 0)
            {
                using (EventScope.Begin(logger, "backup_files_changed"))
                {
                    FilesLog.Changed(logger, context.Job, archiver.ChangedCount, string.Join(", ", archiver.Changed.Take(20)));
                }
            }

            if (archiver.UnreadableCount > 0)
            {
                using (EventScope.Begin(logger, "backup_files_unreadable"))
                {
                    FilesLog.Unreadable(logger, context.Job, archiver.UnreadableCount, string.Join(", ", archiver.Unreadable.Take(20)));
                }
            }

            if (archiver.SkippedCount > 0)
            {
                var listed = string.Join(", ", archiver.Skipped.Take(20));
                FilesLog.Skipped(logger, context.Job, archiver.SkippedCount, listed);
            }
        }
    }
}
