using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OpsAgent.Testing;

/// <summary>One captured log entry with its structured properties (scopes included).</summary>
public sealed record CapturedLog(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Properties)
{
    public string? Event => Properties.GetValueOrDefault("Event")?.ToString();

    public override string ToString() => $"{Level} {EventId.Id} {Message} {string.Join(' ', Properties.Select(p => $"{p.Key}={p.Value}"))}";
}

/// <summary>A logger provider that keeps every entry with its scope properties, for asserting on events and fields.</summary>
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
