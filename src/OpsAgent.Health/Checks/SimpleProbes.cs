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

/// <summary>MongoDB probe: <c>db.runCommand({ping: 1})</c>, as the seed's smoke test does.</summary>
public sealed class MongoProbe(SecretResolver secrets) : IProbeCheck
{
    /// <inheritdoc />
    public ProbeType Type => ProbeType.MongoDb;

    /// <inheritdoc />
    public async Task<ProbeResult> CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        MongoClientSettings settings;
        try
        {
            var text = await secrets.ResolveAsync(options.Connection!, $"{ProbesOptions.SectionName}:{probe}:Connection", cancellationToken).ConfigureAwait(false);
            settings = MongoClientSettings.FromConnectionString(text);
            settings.ServerSelectionTimeout = options.Timeout;
            settings.ConnectTimeout = options.Timeout;
            settings.ApplicationName = "opsagent-probe";
        }
        catch (Exception ex) when (ex is SecretResolutionException or MongoConfigurationException or FormatException)
        {
            return ProbeResult.Fail("bad_connection", ex is SecretResolutionException ? ex.Message : "not a valid mongodb:// URI", clock.Elapsed);
        }

        using var client = new MongoClient(settings);
        try
        {
            // ping needs no privileges and works against the admin database whatever the URI names.
            await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            return ProbeResult.Ok(clock.Elapsed, "ping ok");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail("timeout", "no answer within the timeout", clock.Elapsed);
        }
        catch (TimeoutException ex)
        {
            return ProbeResult.Fail(ex.Message.Contains("Connection refused", StringComparison.OrdinalIgnoreCase) ? "connection_refused" : "timeout", FirstLine(ex.Message), clock.Elapsed);
        }
        catch (MongoAuthenticationException ex)
        {
            return ProbeResult.Fail("auth_failed", ex.Message, clock.Elapsed);
        }
        catch (MongoException ex)
        {
            return ProbeResult.Fail("command_failed", FirstLine(ex.Message), clock.Elapsed);
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
