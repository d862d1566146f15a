using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Systemd;
using OpsAgent.Core.Logging;

namespace OpsAgent.Core.Configuration;

/// <summary>Triggers reloads on file changes (main file and <c>conf.d/</c>) and on <c>SIGHUP</c>.</summary>
/// <remarks>
/// The directory is watched, not the file: editors such as vim and tools such as <c>install</c> or Ansible replace the file
/// by renaming a new one over it, which a watch on the old inode would miss. Events are debounced, and a poll of the
/// files' fingerprint every <see cref="PollInterval"/> catches anything inotify drops (overflow, network file systems).
/// </remarks>
public sealed partial class ConfigurationWatcher : BackgroundService
{
    private readonly AgentConfigurationManager _manager;
    private readonly SystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigurationWatcher> _logger;
    private readonly Channel<(string Trigger, bool Force)> _requests = Channel.CreateBounded<(string, bool)>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly List<FileSystemWatcher> _watchers = [];
    private FileSystemWatcher? _confWatcher;
    private PosixSignalRegistration? _sighup;

    /// <summary>Creates the watcher.</summary>
    public ConfigurationWatcher(AgentConfigurationManager manager, SystemdNotifier notifier, TimeProvider time, ILogger<ConfigurationWatcher> logger)
    {
        _manager = manager;
        _notifier = notifier;
        _time = time;
        _logger = logger;
    }

    /// <summary>Quiet time after the last file event before reloading.</summary>
    public static TimeSpan Debounce { get; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The fallback poll interval.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Requests a reload (used by SIGHUP and tests).</summary>
    /// <remarks>
    /// The channel drops its oldest request when a burst of file events fills it; a forced request (SIGHUP, which systemd's
    /// <c>reload</c> waits on) is also kept in a flag that no burst can drop.
    /// </remarks>
    public void RequestReload(string trigger, bool force)
    {
        if (force)
        {
            Volatile.Write(ref _forcedTrigger, trigger);
        }

        _requests.Writer.TryWrite((trigger, force));
    }

    private string? _forcedTrigger;

    /// <inheritdoc />
    /// <remarks>
    /// The SIGHUP handler is installed here, before start-up completes, not in <see cref="ExecuteAsync"/>: since .NET 10
    /// that runs on a pool thread, and a SIGHUP arriving before a handler exists would terminate the process.
    /// </remarks>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true;
                RequestReload("SIGHUP", force: true);
            });
        }

        StartWatching();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var poll = new PeriodicTimer(PollInterval, _time);
        var pollTask = PollAsync(poll, stoppingToken);
        try
        {
            await foreach (var (trigger, _) in _requests.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var forcedBy = Interlocked.Exchange(ref _forcedTrigger, null);
                if (forcedBy is null && !_manager.Current.Agent.Reload.WatchFiles)
                {
                    continue;
                }

                var reason = forcedBy ?? trigger;
                var forced = forcedBy is not null;
                if (!forced)
                {
                    // Let a burst of writes settle, and fold the queued requests into this one pass.
                    await Task.Delay(Debounce, _time, stoppingToken).ConfigureAwait(false);
                }

                while (_requests.Reader.TryRead(out _))
                {
                }

                if (Interlocked.Exchange(ref _forcedTrigger, null) is { } late)
                {
                    forced = true;
                    reason = late;
                }

                if (forced)
                {
                    _notifier.Reloading();
                }

                try
                {
                    await _manager.ReloadAsync(reason, forced, stoppingToken, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
                {
                    // An exception leaving this loop would stop the host: the last good configuration stays, the next change retries.
                    LogReloadCrashed(_logger, reason, ex);
                }
                finally
                {
                    if (forced)
                    {
                        _notifier.Notify("READY=1");
                    }
                }

                EnsureConfDirectoryWatched();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await pollTask.ConfigureAwait(false);
    }

    private async Task PollAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                // The manager compares fingerprints, so an unchanged poll costs a few stat and read calls.
                RequestReload("poll", force: false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void StartWatching()
    {
        var files = _manager.Files;
        try
        {
            var main = new FileSystemWatcher(files.Directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                IncludeSubdirectories = false,
            };
            var name = Path.GetFileName(files.MainFile);
            void OnMain(object? s, FileSystemEventArgs e)
            {
                if (string.Equals(e.Name, name, StringComparison.Ordinal) || string.Equals(e.Name, "conf.d", StringComparison.Ordinal)
                    || (e is RenamedEventArgs r && string.Equals(r.OldName, name, StringComparison.Ordinal)))
                {
                    RequestReload($"file {e.FullPath}", force: false);
                }
            }

            main.Changed += OnMain;
            main.Created += OnMain;
            main.Deleted += OnMain;
            main.Renamed += (s, e) => OnMain(s, e);
            main.Error += (_, e) => LogWatchError(_logger, e.GetException().Message);
            main.EnableRaisingEvents = true;
            _watchers.Add(main);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or PlatformNotSupportedException)
        {
            LogWatchError(_logger, ex.Message);
        }

        EnsureConfDirectoryWatched();
    }

    private void EnsureConfDirectoryWatched()
    {
        var dir = _manager.Files.ConfDirectory;
        if (_confWatcher is not null || !Directory.Exists(dir))
        {
            return;
        }

        try
        {
            // Every name, not only *.json: renaming a file away to app.json.disabled, or an editor's lock going away, must
            // trigger a pass; the manager's fingerprint makes a pass over unchanged files cost nothing.
            var watcher = new FileSystemWatcher(dir)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            FileSystemEventHandler handler = (_, e) => RequestReload($"file {e.FullPath}", force: false);
            watcher.Changed += handler;
            watcher.Created += handler;
            watcher.Deleted += handler;
            watcher.Renamed += (_, e) => RequestReload($"file {e.FullPath}", force: false);
            watcher.Error += (_, e) => LogWatchError(_logger, e.GetException().Message);
            watcher.EnableRaisingEvents = true;
            _confWatcher = watcher;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException)
        {
            LogWatchError(_logger, ex.Message);
        }
    }

    [LoggerMessage(EventId = EventIds.Configuration.ReloadCrashed, Level = LogLevel.Error, Message = "Configuration reload ({Trigger}) failed unexpectedly; the configuration in force stays")]
    private static partial void LogReloadCrashed(ILogger logger, string trigger, Exception exception);

    [LoggerMessage(EventId = EventIds.Configuration.WatchError, Level = LogLevel.Warning, Message = "Configuration file watch problem ({Problem}); polling continues")]
    private static partial void LogWatchError(ILogger logger, string problem);

    /// <inheritdoc />
    public override void Dispose()
    {
        _sighup?.Dispose();
        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        _confWatcher?.Dispose();
        base.Dispose();
    }
}
