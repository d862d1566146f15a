using System.Globalization;
using System.Text.Json;
using OpsAgent.Backups.Drills;
using OpsAgent.Backups.Files;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Engines.Postgres;

/// <summary>The PostgreSQL drill: a scratch database beside the original, the checks' queries, exact row counts against the dump's estimates.</summary>
internal sealed partial class PostgresEngine
{
    /// <summary>The dump's per-table live-tuple estimates (<c>pg_stat_user_tables.n_live_tup</c>), which drills compare with exact counts.</summary>
    internal const string RowEstimatesFact = "rowEstimates";

    /// <summary>A table may be this many rows off whatever its estimate, so a small table's stale statistics fail no drill.</summary>
    internal const long RowCountSlack = 10;

    /// <summary>Cheap: the statistics collector's counts, read in one query while the dump starts.</summary>
    private const string EstimateRows = """
        select coalesce(json_object_agg(schemaname || '.' || relname, n_live_tup), '{}')::text from pg_stat_user_tables
        """;

    /// <summary>Exact counts of every ordinary table outside the system schemas, in one statement (query_to_xml runs each count).</summary>
    private const string CountRows = """
        select coalesce(json_object_agg(n.nspname || '.' || c.relname,
                 (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint), '{}')::text
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
        """;

    private static void ValidateDrill(string path, BackupJobOptions job, ValidationCollector errors)
    {
        if (job.Drill is not { } drill)
        {
            return;
        }

        for (var i = 0; i < drill.Checks.Count; i++)
        {
            var check = drill.Checks[i];
            if (check is null)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(check.Query))
            {
                errors.Add($"{path}:Drill:Checks:{i}:{nameof(DrillCheckOptions.Query)}", "required: a query that returns one number (select count(*) from auth_user)");
            }

            if (check.Collection is not null)
            {
                errors.Add($"{path}:Drill:Checks:{i}:{nameof(DrillCheckOptions.Collection)}", "a PostgreSQL drill checks queries, not collections");
            }
        }

        if (drill.ExpectPaths.Count > 0)
        {
            errors.Add($"{path}:Drill:{nameof(DrillOptions.ExpectPaths)}", "only a files job's drill checks paths");
        }
    }

    private static string DrillTool(EngineContext context)
        => context.Options.EngineSettings<PostgresEngineOptions>().PgDumpPath is { } pgDump ? EngineTools.Sibling(pgDump, "psql") : "psql";

    public string ScratchName(EngineContext context, BackupMetadata? source, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(context);
        var database = source?.Database ?? Parse(context).Database ?? "db";
        // PostgreSQL cuts names at 63 bytes: the stamp must survive.
        var suffix = "_drill_" + at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        while (System.Text.Encoding.UTF8.GetByteCount(database + suffix) > 63)
        {
            database = database[..^1];
        }

        return database + suffix;
    }

    public async Task<RestoreTarget> PrepareAsync(EngineContext context, string scratch, BackupMetadata? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = Parse(context);
        var answer = await AskAsync(context, DrillTool(context), connection.WithDatabase(scratch), "select 1", cancellationToken).ConfigureAwait(false);
        return answer.Refusal switch
        {
            Refusal.MissingDatabase => RestoreTarget.IntoDatabase(scratch, clean: false),
            Refusal.None => throw new BackupFailedException(DrillReasons.ScratchExists, $"database '{scratch}' exists already {Where(context, connection)}: a drill restores only into a database it creates, and drops only that"),
            Refusal.NotAuthorized => throw new BackupFailedException(BackupReasons.NotAuthorized, $"cannot ask whether database '{scratch}' exists {Where(context, connection)}: {answer.Error}"),
            _ => throw new BackupFailedException(BackupReasons.DatabaseUnreachable, $"cannot reach the server {Where(context, connection)}: {answer.Error}"),
        };
    }

    public async Task<(IReadOnlyList<DrillCheckResult> Checks, IReadOnlyDictionary<string, long>? Counts)> CheckAsync(EngineContext context, string scratch, DrillOptions drill,
        BackupMetadata? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(drill);
        var target = Parse(context).WithDatabase(scratch);
        var tool = DrillTool(context);
        var results = new List<DrillCheckResult>();
        for (var i = 0; i < drill.Checks.Count; i++)
        {
            var check = drill.Checks[i];
            var expected = check.DescribeBounds();
            var answer = await AskAsync(context, tool, target, check.Query!, cancellationToken).ConfigureAwait(false);
            var name = $"{i + 1}: {check.Query}";
            if (answer.Refusal != Refusal.None || !long.TryParse(answer.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                results.Add(new DrillCheckResult(name, answer.Error is { } error ? $"error: {error}" : $"'{answer.Value ?? "null"}' (not a number)", expected, false));
                continue;
            }

            results.Add(new DrillCheckResult(name, value.ToString(CultureInfo.InvariantCulture), expected, check.Holds(value)));
        }

        var counted = await AskAsync(context, tool, target, CountRows, cancellationToken).ConfigureAwait(false);
        if (counted.Refusal != Refusal.None || counted.Value is null)
        {
            results.Add(new DrillCheckResult("row_counts", $"error: {counted.Error ?? "no answer"}", "exact counts of the restored tables", false));
            return (results, null);
        }

        var counts = JsonSerializer.Deserialize(counted.Value, PostgresDrillJsonContext.Default.DictionaryStringInt64) ?? [];
        results.Add(CompareRowCounts(counts, Estimates(source), drill.RowCountTolerance));
        return (results, counts);
    }

    /// <summary>The row counts check: every table the dump saw is there, and none is further from its estimate than the tolerance allows.</summary>
    internal static DrillCheckResult CompareRowCounts(IReadOnlyDictionary<string, long> counts, IReadOnlyDictionary<string, long>? estimates, double tolerance)
    {
        var expected = $"every table the dump recorded, within {tolerance:P0} (or {RowCountSlack} rows) of its estimate";
        if (estimates is null)
        {
            return new DrillCheckResult("row_counts", $"{counts.Count} tables, {counts.Values.Sum()} rows", "no estimates in the backup's .json (taken before they were recorded)", true);
        }

        var missing = estimates.Keys.Where(t => !counts.ContainsKey(t)).Order(StringComparer.Ordinal).ToList();
        // An estimate of 0 is statistics not yet collected (a table just loaded), not an empty table: nothing to compare.
        var off = estimates.Where(e => counts.TryGetValue(e.Key, out var n) && e.Value > 0 && Math.Abs(n - e.Value) > Math.Max(tolerance * e.Value, RowCountSlack))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => $"{e.Key} (estimate {e.Value}, restored {counts[e.Key]})").ToList();
        if (missing.Count == 0 && off.Count == 0)
        {
            return new DrillCheckResult("row_counts", $"{counts.Count} tables, {counts.Values.Sum()} rows as recorded", expected, true);
        }

        var problems = new List<string>();
        if (missing.Count > 0)
        {
            problems.Add($"missing: {string.Join(", ", missing)}");
        }

        if (off.Count > 0)
        {
            problems.Add($"off: {string.Join(", ", off)}");
        }

        return new DrillCheckResult("row_counts", string.Join("; ", problems), expected, false);
    }

    private static Dictionary<string, long>? Estimates(BackupMetadata? source)
    {
        return source?.Facts is { } facts && facts.TryGetValue(RowEstimatesFact, out var e) && e.ValueKind == JsonValueKind.Object
            ? e.Deserialize(PostgresDrillJsonContext.Default.DictionaryStringInt64)
            : null;
    }

    public async Task RemoveAsync(EngineContext context, string scratch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = Parse(context);
        var tool = DrillTool(context);
        var name = "\"" + scratch.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        Answer? last = null;
        // From the job's own database (hardened servers refuse postgres to the application's role), else the maintenance ones.
        foreach (var through in new[] { connection.Database, "template1", "postgres" }.OfType<string>().Where(d => d != scratch).Distinct(StringComparer.Ordinal))
        {
            var maintenance = connection.WithDatabase(through);
            last = await AskAsync(context, tool, maintenance, $"drop database if exists {name} with (force)", cancellationToken).ConfigureAwait(false);
            if (last.Refusal == Refusal.None)
            {
                return;
            }

            if (last.Error?.Contains("syntax error", StringComparison.OrdinalIgnoreCase) == true)
            {
                // Before PostgreSQL 13 there is no FORCE; the drill's own sessions are closed by then.
                last = await AskAsync(context, tool, maintenance, $"drop database if exists {name}", cancellationToken).ConfigureAwait(false);
                if (last.Refusal == Refusal.None)
                {
                    return;
                }
            }

            if (last.Refusal is not (Refusal.MissingDatabase or Refusal.NotAuthorized))
            {
                break;
            }
        }

        throw new BackupFailedException(BackupReasons.RestoreFailed, $"cannot drop database '{scratch}': {last?.Error}");
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class PostgresDrillJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
