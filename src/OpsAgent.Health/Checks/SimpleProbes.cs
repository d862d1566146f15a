using System.Diagnostics;
using System.Net.Sockets;
using MongoDB.Bson;
using MongoDB.Driver;
using Npgsql;
using OpsAgent.Core.Databases;
using OpsAgent.Core.Networking;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Health.Checks;

/// <summary>TCP probe: a connection is accepted within the timeout.</summary>
public sealed class TcpProbe : IProbeCheck
{
    /// <inheritdoc />
    public ProbeType Type => ProbeType.Tcp;

    /// <inheritdoc />
    public async Task<ProbeResult> CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(options.Host!, options.Port!.Value, cancellationToken).ConfigureAwait(false);
            return ProbeResult.Ok(clock.Elapsed, $"connected to {options.Host}:{options.Port}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail("timeout", $"no connection to {options.Host}:{options.Port} within the timeout", clock.Elapsed);
        }
        catch (SocketException ex)
        {
            return ProbeResult.Fail(SocketReasons.Of(ex), ex.Message, clock.Elapsed);
        }
    }
}

/// <summary>PostgreSQL probe: connect (and run <c>Query</c>, which must return a row).</summary>
public sealed class PostgresProbe(SecretResolver secrets) : IProbeCheck
{
    /// <inheritdoc />
    public ProbeType Type => ProbeType.Postgres;

    /// <inheritdoc />
    public async Task<ProbeResult> CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        string connectionString;
        try
        {
            var text = await secrets.ResolveAsync(options.Connection!, $"{ProbesOptions.SectionName}:{probe}:Connection", cancellationToken).ConfigureAwait(false);
            var builder = new NpgsqlConnectionStringBuilder(PostgresConnection.Parse(text, null).ToNpgsql())
            {
                Timeout = Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds)),
                Pooling = false,
                ApplicationName = "opsagent-probe",
            };
            connectionString = builder.ConnectionString;
        }
        catch (Exception ex) when (ex is SecretResolutionException or FormatException or ArgumentException)
        {
            return ProbeResult.Fail("bad_connection", ex.Message, clock.Elapsed);
        }

        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(options.Query))
            {
                await using var command = new NpgsqlCommand(options.Query, connection);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return ProbeResult.Fail("query_no_rows", "the query returned no row", clock.Elapsed);
                }
            }

            return ProbeResult.Ok(clock.Elapsed, $"PostgreSQL {connection.PostgreSqlVersion}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail("timeout", "no answer within the timeout", clock.Elapsed);
        }
        catch (PostgresException ex)
        {
            var reason = ex.SqlState switch
            {
                "28P01" or "28000" => "auth_failed",
                "3D000" => "database_missing",
                "57P03" => "starting",
                "53300" => "too_many_connections",
                _ => "query_failed",
            };
            return ProbeResult.Fail(reason, $"{ex.SqlState}: {ex.MessageText}", clock.Elapsed);
        }
        catch (NpgsqlException ex)
        {
            var socket = FindSocketError(ex);
            var reason = socket is not null ? SocketReasons.Of(socket) : ex.InnerException is TimeoutException ? "timeout" : "connection_failed";
            return ProbeResult.Fail(reason, socket?.Message ?? ex.Message, clock.Elapsed);
        }
    }

    private static SocketException? FindSocketError(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
        {
            if (e is SocketException s)
            {
                return s;
            }
        }

        return null;
    }
}

/// <summary>MongoDB probe: <c>ping</c> on the URI's database (as the seed's smoke test does), which must hold a collection.</summary>
/// <remarks>
/// One client per probe, kept while its settings stay the same: a client's monitor learns why a server is unreachable
/// (its heartbeat's exception), which a client made for a single check would lose to the probe's deadline. Server selection
/// gives up a margin before that deadline (sooner when the URI's <c>serverSelectionTimeoutMS</c> says so), so the reason comes
/// from the driver's own socket error, not from a message's text.
/// </remarks>
public sealed class MongoProbe(SecretResolver secrets) : IProbeCheck, IDisposable
{
    private readonly Dictionary<string, (MongoClientSettings Settings, MongoClient Client)> _clients = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ProbeType Type => ProbeType.MongoDb;

    /// <summary>How long before the probe's deadline server selection gives up.</summary>
    internal static TimeSpan SelectionTimeout(TimeSpan probeTimeout, TimeSpan? fromUri)
    {
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, probeTimeout.Ticks / 4));
        var cap = probeTimeout - margin;
        return fromUri is { } asked && asked < cap ? asked : cap;
    }

    /// <inheritdoc />
    public async Task<ProbeResult> CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        MongoClientSettings settings;
        string? database;
        try
        {
            var text = await secrets.ResolveAsync(options.Connection!, $"{ProbesOptions.SectionName}:{probe}:Connection", cancellationToken).ConfigureAwait(false);
            var url = MongoUrl.Create(text);
            database = url.DatabaseName;
            settings = MongoClientSettings.FromUrl(url);
            var fromUri = text.Contains("serverselectiontimeoutms=", StringComparison.OrdinalIgnoreCase) ? url.ServerSelectionTimeout : (TimeSpan?)null;
            settings.ServerSelectionTimeout = SelectionTimeout(options.Timeout, fromUri);
            settings.ConnectTimeout = settings.ServerSelectionTimeout;
            settings.ApplicationName = "opsagent-probe";
        }
        catch (Exception ex) when (ex is SecretResolutionException or MongoConfigurationException or FormatException or ArgumentException)
        {
            return ProbeResult.Fail("bad_connection", ex is SecretResolutionException ? ex.Message : "not a valid mongodb:// URI", clock.Elapsed);
        }

        var client = ClientFor(probe, settings);
        try
        {
            var db = client.GetDatabase(database ?? "admin");
            await db.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (database is not null)
            {
                // ping answers for any name; a misspelt database has no collection.
                var any = await db.RunCommandAsync<BsonDocument>(new BsonDocument { ["listCollections"] = 1, ["nameOnly"] = true, ["authorizedCollections"] = true, ["filter"] = new BsonDocument(), ["cursor"] = new BsonDocument("batchSize", 1) },
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                if (any["cursor"]["firstBatch"].AsBsonArray.Count == 0)
                {
                    return ProbeResult.Fail("database_missing", $"database '{database}' has no collection (is its name right?)", clock.Elapsed);
                }
            }

            return ProbeResult.Ok(clock.Elapsed, "ping ok");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Unreachable(client, "no answer within the timeout", clock.Elapsed);
        }
        catch (TimeoutException ex)
        {
            return Unreachable(client, $"server selection gave up after {settings.ServerSelectionTimeout}: {FirstLine(ex.Message)}", clock.Elapsed);
        }
        catch (MongoAuthenticationException ex)
        {
            return ProbeResult.Fail("auth_failed", ex.Message, clock.Elapsed);
        }
        catch (MongoCommandException ex) when (ex.Code == 13)
        {
            return ProbeResult.Fail("not_authorized", FirstLine(ex.Message), clock.Elapsed);
        }
        catch (MongoException ex)
        {
            return ProbeResult.Fail("command_failed", FirstLine(ex.Message), clock.Elapsed);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (_, client) in _clients.Values)
            {
                client.Dispose();
            }

            _clients.Clear();
        }
    }

    private MongoClient ClientFor(string probe, MongoClientSettings settings)
    {
        lock (_lock)
        {
            if (_clients.TryGetValue(probe, out var existing))
            {
                if (existing.Settings.Equals(settings))
                {
                    return existing.Client;
                }

                // A reload changed the probe's connection or timeout: the old client's monitors and pool go with it.
                existing.Client.Dispose();
            }

            var client = new MongoClient(settings.Clone());
            _clients[probe] = (settings.Clone(), client);
            return client;
        }
    }

    /// <summary>The heartbeat's socket error names the reason (refused, DNS, unreachable); without one it is a timeout.</summary>
    private static ProbeResult Unreachable(MongoClient client, string message, TimeSpan elapsed)
    {
        foreach (var server in client.Cluster.Description.Servers)
        {
            for (var e = server.HeartbeatException; e is not null; e = e.InnerException)
            {
                if (e is SocketException socket)
                {
                    return ProbeResult.Fail(SocketReasons.Of(socket), $"{message} ({server.EndPoint}: {socket.Message})", elapsed);
                }
            }
        }

        return ProbeResult.Fail("timeout", message, elapsed);
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
