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

            if (options.Measures)
            {
                return await MeasureAsync(connection, options, clock, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The database's size and the server's connections in use against <c>max_connections</c>; any role may read both.</summary>
    private static async Task<ProbeResult> MeasureAsync(NpgsqlConnection connection, PostgresProbeOptions options, Stopwatch clock, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select pg_database_size(current_database()), (select count(*) from pg_stat_activity where backend_type = 'client backend'), current_setting('max_connections')::int, current_database()",
            connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var size = reader.GetInt64(0);
        var used = reader.GetInt64(1);
        var max = reader.GetInt32(2);
        var database = reader.GetString(3);
        var measures = new List<ProbeMeasure>(2) { new("database_bytes", size, options.WarningBytes?.Bytes, options.CriticalBytes?.Bytes) };
        if (max > 0)
        {
            measures.Add(new("connections_ratio", used / (double)max, Percentages.Ratio(options.ConnectionsWarningPercent), Percentages.Ratio(options.ConnectionsCriticalPercent)));
        }

        return ProbeResult.Measured(clock.Elapsed, $"{database} on PostgreSQL {connection.PostgreSqlVersion}, {used} of {max} connections", measures);
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
