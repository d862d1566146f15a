using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Support;

/// <summary>Builds runners wired to the real tools, and captures what they log.</summary>
public sealed class BackupTestKit : IDisposable
{
    public BackupTestKit(TimeProvider? time = null)
    {
        Docker = new DockerClientProvider(() => Environment.GetEnvironmentVariable("OPSAGENT_TEST_DOCKER") ?? "unix:///var/run/docker.sock");
        Tools = new ToolRunner(Docker);
        Logs = new CapturingLoggerProvider();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        State = new BackupStateStore();
        Runner = new BackupRunner(Tools, new SecretResolver(SecretRedactor.Shared), State, new BackupSlots(), time ?? TimeProvider.System, LoggerFactory.CreateLogger<BackupRunner>());
        Restorer = new Restore.BackupRestorer(Tools, new SecretResolver(SecretRedactor.Shared));
        Directory = Path.Combine(Path.GetTempPath(), "opsagent-backups-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public DockerClientProvider Docker { get; }

    public ToolRunner Tools { get; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public BackupStateStore State { get; }

    public BackupRunner Runner { get; }

    public Restore.BackupRestorer Restorer { get; }

    /// <summary>A fresh directory for this test's backups.</summary>
    public string Directory { get; }

    public BackupRequest Request(string job, BackupJobOptions options, TimeZoneInfo? zone = null)
    {
        options.Directory ??= Directory;
        options.Schedule ??= "0 2 * * *";
        return new BackupRequest(job, options, 1, zone ?? TimeZoneInfo.Utc, Path.Combine(Directory, ".state"));
    }

    public string[] FilesInDirectory(string? directory = null)
        => [.. System.IO.Directory.EnumerateFileSystemEntries(directory ?? Directory).Select(Path.GetFileName).Where(n => n != ".state").Order(StringComparer.Ordinal)!];

    public void Dispose()
    {
        LoggerFactory.Dispose();
        Docker.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One captured log entry with its structured properties (scopes included).</summary>
public sealed record CapturedLog(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Properties)
{
    public string? Event => Properties.GetValueOrDefault("Event")?.ToString();

    public override string ToString() => $"{Level} {EventId.Id} {Message} {string.Join(' ', Properties.Select(p => $"{p.Key}={p.Value}"))}";
}

public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public IReadOnlyList<CapturedLog> WithEvent(string name) => [.. Entries.Where(e => e.Event == name)];

    public string AllText => string.Join('\n', Entries.Select(e => e.ToString()));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope((scope, props) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (k, v) in pairs)
                    {
                        props[k] = v;
                    }
                }
            }, properties);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (k, v) in values)
                {
                    properties[k] = v;
                }
            }

            owner.Entries.Enqueue(new CapturedLog(logLevel, eventId, formatter(state, exception), properties));
        }
    }
}
