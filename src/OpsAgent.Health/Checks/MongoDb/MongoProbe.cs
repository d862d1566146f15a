using System.Diagnostics;
using System.Net.Sockets;
using MongoDB.Bson;
using MongoDB.Driver;
using OpsAgent.Core.Networking;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Health.Checks.MongoDb;

/// <summary>
/// MongoDB probe: <c>ping</c> on the URI's database (as the seed's smoke test does), which must hold a collection the user
/// may list.
/// </summary>
/// <remarks>
/// One client per probe, kept while its settings stay the same: a client's monitor learns why a server is unreachable
/// (its heartbeat's exception), which a client made for a single check would lose to the probe's deadline. Server selection
/// gives up a margin before that deadline (sooner when the URI's <c>serverSelectionTimeoutMS</c> says so), so the reason comes
/// from the driver's own socket error, not from a message's text.
/// </remarks>
internal sealed class MongoProbe(SecretResolver secrets) : ProbeType<MongoProbeOptions>, IDisposable
{
    private readonly Dictionary<string, (MongoClientSettings Settings, MongoClient Client)> _clients = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long before the probe's deadline server selection gives up.</summary>
    internal static TimeSpan SelectionTimeout(TimeSpan probeTimeout, TimeSpan? fromUri)
    {
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, probeTimeout.Ticks / 4));
        var cap = probeTimeout - margin;
        return fromUri is { } asked && asked < cap ? asked : cap;
    }

    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, MongoProbeOptions options, CancellationToken cancellationToken)
    {
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
            settings.ServerSelectionTimeout = SelectionTimeout(probeOptions.Timeout, fromUri);
            settings.ConnectTimeout = settings.ServerSelectionTimeout;
            settings.ApplicationName = "opsagent-probe";
        }
        catch (Exception ex) when (ex is SecretResolutionException or MongoConfigurationException or FormatException or ArgumentException)
        {
            return ProbeResult.Fail(MongoProbeReasons.BadConnection, ex is SecretResolutionException ? ex.Message : "not a valid mongodb:// URI", clock.Elapsed);
        }

        var client = ClientFor(probe, settings);
        try
        {
            var db = client.GetDatabase(database ?? "admin");
            await db.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (database is not null)
            {
                // ping answers for any name; a misspelt database has no collection.
                var any = await db.RunCommandAsync<BsonDocument>(CollectionsCommand(), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (any["cursor"]["firstBatch"].AsBsonArray.Count == 0)
                {
                    return ProbeResult.Fail(MongoProbeReasons.DatabaseMissing, $"database '{database}' has no collection (is its name right?)", clock.Elapsed);
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
            return ProbeResult.Fail(MongoProbeReasons.AuthFailed, ex.Message, clock.Elapsed);
        }
        catch (MongoCommandException ex)
        {
            return ProbeResult.Fail(MongoProbeReasons.OfCommandError(ex.Code), FirstLine(ex.Message), clock.Elapsed);
        }
        catch (MongoException ex)
        {
            return ProbeResult.Fail(MongoProbeReasons.CommandFailed, FirstLine(ex.Message), clock.Elapsed);
        }
    }

    /// <summary>The command that finds a collection in the URI's database, and the one that needs a right on it.</summary>
    /// <remarks>
    /// <c>ping</c> needs no privilege. Without <c>authorizedCollections</c>, <c>listCollections</c> needs the
    /// <c>listCollections</c> action on the database (every built-in role with rights there has it), so a user without
    /// rights is refused (Unauthorized) instead of being answered with an empty list that would read as a missing database.
    /// </remarks>
    internal static BsonDocument CollectionsCommand() =>
        new() { ["listCollections"] = 1, ["nameOnly"] = true, ["filter"] = new BsonDocument(), ["cursor"] = new BsonDocument("batchSize", 1) };

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

        return ProbeResult.Fail(ProbeReasons.Timeout, message, elapsed);
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
