using System.Globalization;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using OpsAgent.Backups.Drills;
using OpsAgent.Backups.Files;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Engines.MongoDb;

/// <summary>
/// The MongoDB drill: the dump's database restored under another name (<c>--nsFrom/--nsTo</c>), its collections'
/// documents counted exactly, the checks read from those counts, and the scratch database dropped.
/// </summary>
/// <remarks>
/// From the host the driver does the counting and dropping; in a container mongosh does, beside mongorestore, with the
/// URI meant for inside it (from the host it may name another server, or none).
/// </remarks>
internal sealed partial class MongoEngine
{
    private const string OpCounts = "counts";
    private const string OpDrop = "drop";

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

            if (string.IsNullOrWhiteSpace(check.Collection))
            {
                errors.Add($"{path}:Drill:Checks:{i}:{nameof(DrillCheckOptions.Collection)}", "required: a collection whose documents are counted (users)");
            }

            if (check.Query is not null)
            {
                errors.Add($"{path}:Drill:Checks:{i}:{nameof(DrillCheckOptions.Query)}", "a MongoDB drill counts the documents of collections, it runs no query: give Collection");
            }
        }

        if (drill.ExpectPaths.Count > 0)
        {
            errors.Add($"{path}:Drill:{nameof(DrillOptions.ExpectPaths)}", "only a files job's drill checks paths");
        }
    }

    /// <summary>The database the archive holds, which the drill restores under another name.</summary>
    private static string? SourceDatabase(EngineContext context, BackupMetadata? source)
        => source?.Database ?? context.SourceDatabase ?? context.Options.Database ?? ParseUri(context)?.DatabaseName;

    public string ScratchName(EngineContext context, BackupMetadata? source, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(context);
        var database = SourceDatabase(context, source) ?? "db";
        // MongoDB refuses database names of 64 bytes and more: the stamp must survive.
        var suffix = "_drill_" + at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        while (database.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(database + suffix) > 63)
        {
            database = database[..^1];
        }

        return database + suffix;
    }

    public async Task<RestoreTarget> PrepareAsync(EngineContext context, string scratch, BackupMetadata? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (SourceDatabase(context, source) is null)
        {
            throw new BackupFailedException(BackupReasons.NoDatabase,
                "a MongoDB drill restores one database under another name, and this backup names none (a dump of the whole server): set the job's Database, or name the database in its URI");
        }

        var uri = ParseUri(context);
        var databases = context.Options.Container is null
            ? await CollectionsOnHostAsync(uri, scratch, cancellationToken).ConfigureAwait(false)
            : await CollectionsInContainerAsync(context, uri, scratch, cancellationToken).ConfigureAwait(false);
        var held = databases.SelectMany(d => d.Collections).Where(c => !c.StartsWith("system.", StringComparison.Ordinal)).ToList();
        if (held.Count > 0)
        {
            throw new BackupFailedException(DrillReasons.ScratchExists,
                $"database '{scratch}' exists already ({held.Count} collection{(held.Count == 1 ? "" : "s")}): a drill restores only into a database it creates, and drops only that");
        }

        return RestoreTarget.IntoDatabase(scratch, clean: false);
    }

    public async Task<(IReadOnlyList<DrillCheckResult> Checks, IReadOnlyDictionary<string, long>? Counts)> CheckAsync(EngineContext context, string scratch, DrillOptions drill,
        BackupMetadata? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(drill);
        var counts = await CountAsync(context, scratch, cancellationToken).ConfigureAwait(false);
        return (DrillChecks(counts, drill), counts);
    }

    /// <summary>Each check read from the exact counts, then the restored database as a whole, which must hold a collection.</summary>
    internal static List<DrillCheckResult> DrillChecks(IReadOnlyDictionary<string, long> counts, DrillOptions drill)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(drill);
        var results = new List<DrillCheckResult>();
        for (var i = 0; i < drill.Checks.Count; i++)
        {
            var check = drill.Checks[i];
            var name = $"{i + 1}: {check.Describe()}";
            results.Add(counts.TryGetValue(check.Collection!, out var value)
                ? new DrillCheckResult(name, value.ToString(CultureInfo.InvariantCulture), check.DescribeBounds(), check.Holds(value))
                : new DrillCheckResult(name, "no such collection in the restored database", check.DescribeBounds(), false));
        }

        results.Add(new DrillCheckResult("collections", $"{counts.Count} collections, {counts.Values.Sum()} documents", "at least one collection restored", counts.Count > 0));
        return results;
    }

    /// <summary>The exact document count of every collection (not views, not system collections) of <paramref name="database"/>.</summary>
    private static async Task<Dictionary<string, long>> CountAsync(EngineContext context, string database, CancellationToken cancellationToken)
    {
        var uri = ParseUri(context);
        var doing = $"count the documents of the drill's database '{database}'";
        if (context.Options.Container is { } container)
        {
            var (output, exit) = await MongoshAsync(context, uri, database, OpCounts, cancellationToken).ConfigureAwait(false);
            using var answer = ParseAnswer(output, exit, database, container, doing);
            try
            {
                return answer.RootElement.GetProperty("counts").EnumerateObject().ToDictionary(p => p.Name, p => (long)p.Value.GetDouble(), StringComparer.Ordinal);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw Unreadable(container, doing, ex);
            }
        }

        using var client = HostClient(uri);
        try
        {
            var db = client.GetDatabase(database);
            var options = new ListCollectionNamesOptions { Filter = new BsonDocument("type", "collection") };
            var names = await (await db.ListCollectionNamesAsync(options, cancellationToken).ConfigureAwait(false)).ToListAsync(cancellationToken).ConfigureAwait(false);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var name in names.Where(n => !n.StartsWith("system.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                counts[name] = await db.GetCollection<BsonDocument>(name).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return counts;
        }
        catch (MongoCommandException ex)
        {
            throw CheckFailed(ex.Code, ex.ErrorMessage, database, ex, doing);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            throw CheckFailed(null, ex.Message, database, ex, doing);
        }
    }

    public async Task RemoveAsync(EngineContext context, string scratch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var uri = ParseUri(context);
        var doing = $"drop the drill's database '{scratch}'";
        if (context.Options.Container is { } container)
        {
            var (output, exit) = await MongoshAsync(context, uri, scratch, OpDrop, cancellationToken).ConfigureAwait(false);
            ParseAnswer(output, exit, scratch, container, doing).Dispose();
            return;
        }

        using var client = HostClient(uri);
        try
        {
            await client.DropDatabaseAsync(scratch, cancellationToken).ConfigureAwait(false);
        }
        catch (MongoCommandException ex)
        {
            throw CheckFailed(ex.Code, ex.ErrorMessage, scratch, ex, doing);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            throw CheckFailed(null, ex.Message, scratch, ex, doing);
        }
    }
}
