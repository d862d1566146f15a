using OpsAgent.Core.Databases;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>pg_dump on the host or in a container, with the client matching the server's major version.</summary>
/// <remarks>
/// pg_dump refuses servers newer than itself ("server version mismatch"), and Debian-like hosts keep each major's client
/// under <c>/usr/lib/postgresql/&lt;major&gt;/bin</c>, so the server's version is read first and the matching client chosen.
/// </remarks>
public sealed partial class PostgresEngine : IDumpEngine
{
    /// <summary>Where Debian-like systems install each major version's client tools.</summary>
    internal static string DebianBinDirectory(int major) => $"/usr/lib/postgresql/{major}/bin";

    /// <inheritdoc />
    public async Task<DumpPlan> PlanDumpAsync(EngineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = context.Options;
        var connection = Parse(context);
        var format = o.Format == DumpFormat.Plain ? "plain" : "custom";
        var arguments = new List<string> { "--no-password", $"--format={format}" };
        if (o.Format == DumpFormat.Custom && o.Compression != BackupCompression.None)
        {
            // The agent compresses; pg_dump compressing too would do the work twice for nothing.
            arguments.Add("-Z0");
        }

        string tool;
        string? serverVersion = null;
        if (o.Container is null)
        {
            var (major, version) = await ServerVersionAsync(connection, cancellationToken).ConfigureAwait(false);
            serverVersion = version;
            tool = await ResolveHostToolAsync(context, "pg_dump", o.PgDumpPath, major, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            tool = o.PgDumpPath ?? "pg_dump";
        }

        var toolVersion = await EngineTools.VersionAsync(context.Tools, tool, o.Container, cancellationToken).ConfigureAwait(false)
            ?? throw new BackupFailedException("tool_missing", o.Container is null
                ? $"{tool} cannot be run on this host"
                : $"{tool} cannot be run in container '{o.Container}' (is it a PostgreSQL container? set PgDumpPath if pg_dump is elsewhere)");
        if (o.Container is not null)
        {
            serverVersion = await ServerVersionInContainerAsync(context, tool, connection, cancellationToken).ConfigureAwait(false);
            CheckClientNotOlder(tool, toolVersion, serverVersion, o.Container);
        }

        var sibling = EngineTools.Sibling(tool, "pg_restore");
        var dumpall = EngineTools.Sibling(tool, "pg_dumpall");
        ToolCommand? verify = null;
        if (o.Format == DumpFormat.Custom)
        {
            var restoreArgs = new List<string> { "-f", "/dev/null" };
            if (o.Verify != VerifyMode.Full)
            {
                restoreArgs.Insert(0, "--list");
            }

            if (o.Container is not null || File.Exists(sibling))
            {
                verify = new ToolCommand(sibling, restoreArgs) { Container = o.Container, RedirectStandardInput = true };
            }
        }

        return new DumpPlan(new ToolCommand(tool, arguments) { Environment = connection.Environment, Container = o.Container }, tool, toolVersion, format)
        {
            ServerVersion = serverVersion,
            Database = connection.Database,
            Host = o.Container is null ? connection.Host ?? "local socket" : connection.Host ?? $"container {o.Container}",
            Globals = o.Globals ? new ToolCommand(dumpall, ["--no-password", "--globals-only"]) { Environment = connection.Environment, Container = o.Container } : null,
            Verify = verify,
        };
    }

    /// <inheritdoc />
    public async Task<RestorePlan> PlanRestoreAsync(EngineContext context, string format, string? targetDatabase, bool intoOriginal, bool clean, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = context.Options;
        var connection = Parse(context);
        var database = targetDatabase ?? connection.Database ?? throw new BackupFailedException("no_database", "the connection names no database; pass --to-database");
        var target = connection.WithDatabase(database);
        var name = format == "plain" ? "psql" : "pg_restore";
        var explicitPath = o.PgDumpPath is null ? null : EngineTools.Sibling(o.PgDumpPath, name);
        string tool;
        if (o.Container is null)
        {
            var (major, _) = await ServerVersionAsync(connection.WithDatabase("postgres"), cancellationToken).ConfigureAwait(false);
            tool = await ResolveHostToolAsync(context, name, explicitPath, major, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            tool = explicitPath ?? name;
        }

        if (!intoOriginal)
        {
            await CreateDatabaseAsync(context, connection, tool, database, cancellationToken).ConfigureAwait(false);
        }

        List<string> args = format == "plain"
            ? ["--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"]
            : intoOriginal
                ? ["--no-password", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", $"--dbname={database}"]
                : ["--no-password", "--single-transaction", "--exit-on-error", $"--dbname={database}"];
        return new ToolCommand(tool, args) { Environment = target.Environment, Container = o.Container, RedirectStandardInput = true };
    }

    private static async Task CreateDatabaseAsync(EngineContext context, PostgresConnection connection, string tool, string database, CancellationToken cancellationToken)
    {
        var createdb = new ToolCommand(EngineTools.Sibling(tool, "createdb"), ["--no-password", database])
        {
            Environment = connection.WithDatabase("postgres").Environment,
            Container = context.Options.Container,
        };
        ToolExit exit;
        try
        {
            (exit, _) = await context.Tools.RunAsync(createdb, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolStartException ex)
        {
            throw new BackupFailedException("tool_missing", $"cannot create database '{database}': {ex.Message}", ex);
        }

        if (exit.ExitCode != 0 && !exit.StandardError.Contains("already exists", StringComparison.Ordinal))
        {
            throw new BackupFailedException("restore_failed", $"cannot create database '{database}': {exit.Summary}");
        }
    }

    private static PostgresConnection Parse(EngineContext context)
    {
        try
        {
            return PostgresConnection.Parse(context.Connection, context.Options.Database);
        }
        catch (FormatException ex)
        {
            throw new BackupFailedException("bad_connection", $"OpsAgent:Backups:{context.Job}:Connection: {ex.Message}", ex);
        }
    }

    /// <summary>Reads the server's major version; an unreachable server fails the run with the driver's reason.</summary>
    internal static async Task<(int Major, string Version)> ServerVersionAsync(PostgresConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = new NpgsqlConnection(connection.ToNpgsql());
            await db.OpenAsync(cancellationToken).ConfigureAwait(false);
            return (db.PostgreSqlVersion.Major, db.ServerVersion);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new BackupFailedException("database_unreachable", $"cannot connect to PostgreSQL at {connection.Host ?? "the local socket"}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The server's version as <c>psql</c> in the container reads it (the server is usually reachable only from there, by
    /// its socket); null when no psql there can tell, and pg_dump's own refusal then says it.
    /// </summary>
    private static async Task<string?> ServerVersionInContainerAsync(EngineContext context, string tool, PostgresConnection connection, CancellationToken cancellationToken)
    {
        foreach (var psql in new[] { EngineTools.Sibling(tool, "psql"), "psql" }.Distinct(StringComparer.Ordinal))
        {
            var command = new ToolCommand(psql, ["--no-password", "-X", "-t", "-A", "-c", "show server_version"]) { Environment = connection.Environment, Container = context.Options.Container };
            var (exit, output) = await context.Tools.RunAsync(command, cancellationToken).ConfigureAwait(false);
            if (exit.ExitCode == 0 && output.Trim() is { Length: > 0 } version)
            {
                return version;
            }
        }

        return null;
    }

    /// <summary>pg_dump refuses a server newer than itself: say so before the run, naming both versions.</summary>
    private static void CheckClientNotOlder(string tool, string clientVersion, string? serverVersion, string container)
    {
        if (serverVersion is null || MajorOf(" " + serverVersion) is not { } serverMajor || MajorOf(clientVersion) is not { } clientMajor || clientMajor >= serverMajor)
        {
            return;
        }

        throw new BackupFailedException("version_mismatch",
            $"{tool} in container '{container}' is version {clientMajor} ({clientVersion}), older than the server's {serverMajor} ({serverVersion}), and pg_dump refuses newer servers: set PgDumpPath to a pg_dump {serverMajor} in that container, or run the job in the database's own container");
    }

    private static int? MajorOf(string version)
        => MajorPattern().Match(version) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    private static async Task<string> ResolveHostToolAsync(EngineContext context, string name, string? explicitPath, int serverMajor, CancellationToken cancellationToken)
    {
        if (explicitPath is not null)
        {
            return explicitPath;
        }

        var matching = Path.Combine(DebianBinDirectory(serverMajor), name);
        if (File.Exists(matching))
        {
            return matching;
        }

        var onPath = EngineTools.FindOnPath(name);
        var fix = $"install the PostgreSQL {serverMajor} client (Debian/Ubuntu: apt install postgresql-client-{serverMajor}) or set PgDumpPath, or set Container to run it inside the database's container";
        if (onPath is null)
        {
            throw new BackupFailedException("tool_missing", $"{name} not found for PostgreSQL server {serverMajor}: {fix}");
        }

        var version = await EngineTools.VersionAsync(context.Tools, onPath, null, cancellationToken).ConfigureAwait(false);
        var clientMajor = version is null ? 0 : MajorOf(version) ?? 0;
        if (clientMajor < serverMajor)
        {
            throw new BackupFailedException("version_mismatch", $"{onPath} is version {clientMajor}, older than the server's {serverMajor}, and pg_dump refuses newer servers: {fix}");
        }

        return onPath;
    }

    [GeneratedRegex(@"\s(\d+)(?:\.\d+)*")]
    private static partial Regex MajorPattern();
}
