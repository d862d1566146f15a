using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;
using OpsAgent.Core.Databases;

using OpsAgent.Core.Networking;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Health.Checks.Postgres;

/// <summary>PostgreSQL probe: connect (and run <c>Query</c>, which must return a row).</summary>
internal sealed class PostgresProbe(SecretResolver secrets) : ProbeType<PostgresProbeOptions>
{
    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, PostgresProbeOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string connectionString;
        try
        {
            var text = await secrets.ResolveAsync(options.Connection!, $"{ProbesOptions.SectionName}:{probe}:Connection", cancellationToken).ConfigureAwait(false);
            var builder = new NpgsqlConnectionStringBuilder(PostgresConnection.Parse(text, null).ToNpgsql())
            {
                Timeout = Math.Max(1, (int)Math.Ceiling(probeOptions.Timeout.TotalSeconds)),
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
            return ProbeResult.Fail(ProbeReasons.Timeout, "no answer within the timeout", clock.Elapsed);
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
            var reason = socket is not null ? SocketReasons.Of(socket) : ex.InnerException is TimeoutException ? ProbeReasons.Timeout : "connection_failed";
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
