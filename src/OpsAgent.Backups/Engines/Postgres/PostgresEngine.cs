using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using OpsAgent.Backups.Files;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Databases;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines.Postgres;

/// <summary>pg_dump on the host or in a container, with the client matching the server's major version.</summary>
/// <remarks>
/// pg_dump refuses servers newer than itself ("server version mismatch"), and Debian-like hosts keep each major's client
/// under <c>/usr/lib/postgresql/&lt;major&gt;/bin</c>, so the server's version is read first and the matching client chosen.
/// </remarks>
internal sealed partial class PostgresEngine : IBackupEngine, Drills.IBackupDrill
{
    /// <summary><c>pg_dump -Fc</c>.</summary>
    internal const string CustomFormat = "custom";

    /// <summary>Plain SQL.</summary>
    internal const string PlainFormat = "plain";

    private static readonly BackupFormat Custom = new(CustomFormat, ".dump");
    private static readonly BackupFormat Plain = new(PlainFormat, ".sql");

    public IReadOnlyList<BackupFormat> Formats { get; } = [Custom, Plain];

    public void CheckConnection(string path, string connection, HostCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckConnectionHosts(path, connection, mongoUri: false);
    }

    public BackupFormat FormatFor(BackupJobOptions job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.EngineSettings<PostgresEngineOptions>().Format == DumpFormat.Plain ? Plain : Custom;
    }

    public void Validate(string path, BackupJobOptions job, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(errors);
        // In a container, or by the local socket with a database named, pg_dump may log in without a connection (peer auth).
        if (job.Connection is null && job.Container is null && job.Database is null)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Connection)}", "required: where the database is (a secret: inline, File, FromEnvFile with Variable, or Environment)");
        }
        else if (job.Connection?.Value is { } inline && PostgresConnection.Problem(inline) is { } problem)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Connection)}", problem);
        }

        ValidateDrill(path, job, errors);
    }

    /// <summary>The client is chosen per server version at run time, so any pg_dump will do here.</summary>
    public void CheckHost(string path, BackupJobOptions job, HostCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        var pgDumpPath = job.EngineSettings<PostgresEngineOptions>().PgDumpPath;
        if (pgDumpPath is { } explicitPath ? !File.Exists(explicitPath) : !AnyPgDump())
        {
            context.Error($"{path}:{nameof(PostgresEngineOptions.PgDumpPath)}", pgDumpPath is null
                ? $"pg_dump is neither on this host's PATH nor in {DebianClientRoot}/*/bin and the job has no Container: install the PostgreSQL client matching the server (Debian/Ubuntu: postgresql-client-<version>), set PgDumpPath, or set Container to run it in the database's container"
                : $"{pgDumpPath} does not exist on this host");
        }
    }

    public IDumpContentCheck CreateContentCheck(string format, VerifyMode depth) => new PostgresDumpCheck(format);

    /// <summary>
    /// For custom-format dumps the <c>pg_restore</c> beside the <c>pg_dump</c> recorded in the <c>.json</c>, else the one on
    /// PATH; null for plain SQL, which only psql reads (and only into a database).
    /// </summary>
    public ToolCommand? HostChecker(string path, string format)
    {
        if (format != CustomFormat)
        {
            return null;
        }

        var recorded = BackupMetadata.TryRead(path + ".json")?.Tool is { } tool && Path.IsPathRooted(tool) ? EngineTools.Sibling(tool, "pg_restore") : null;
        var pgRestore = recorded is not null && File.Exists(recorded) ? recorded : EngineTools.FindOnPath("pg_restore");
        return pgRestore is null ? null : new ToolCommand(pgRestore, ["--list", "-f", "/dev/null"]);
    }

    private static bool AnyPgDump()
    {
        if (EngineTools.FindOnPath("pg_dump") is not null)
        {
            return true;
        }

        return Directory.Exists(DebianClientRoot)
            && Directory.EnumerateDirectories(DebianClientRoot).Any(d => File.Exists(Path.Combine(d, "bin", "pg_dump")));
    }

    /// <summary>Where Debian-like systems install each major version's client tools.</summary>
    internal static string DebianBinDirectory(int major) => $"{DebianClientRoot}/{major}/bin";

    /// <summary>Where Debian's postgresql-client-N packages install, one directory per major version.</summary>
    internal const string DebianClientRoot = "/usr/lib/postgresql";

    public async Task<DumpPlan> PlanDumpAsync(EngineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = context.Options;
        var settings = o.EngineSettings<PostgresEngineOptions>();
        var connection = Parse(context);
        var format = FormatFor(o).Name;
        var arguments = new List<string> { "--no-password", $"--format={format}" };
        if (settings.Format == DumpFormat.Plain)
        {
            // A plain dump then drops what it creates first, so psql can restore it over the original in one transaction.
            arguments.AddRange(["--clean", "--if-exists"]);
        }

        if (settings.Format == DumpFormat.Custom && o.Compression != BackupCompression.None)
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
            tool = await ResolveHostToolAsync(context, "pg_dump", settings.PgDumpPath, major, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            tool = settings.PgDumpPath ?? "pg_dump";
        }

        var toolVersion = await EngineTools.VersionAsync(context.Tools, tool, o.Container, cancellationToken).ConfigureAwait(false)
            ?? throw new BackupFailedException(ToolStartReasons.ToolMissing, o.Container is null
                ? $"{tool} cannot be run on this host"
                : $"{tool} cannot be run in container '{o.Container}' (is it a PostgreSQL container? set PgDumpPath if pg_dump is elsewhere)");
        if (o.Container is not null)
        {
            // Read by psql in the container (the server is usually reachable only there); without one, pg_dump's own refusal says it.
            serverVersion = await QueryAsync(context, tool, connection, "show server_version", cancellationToken).ConfigureAwait(false);
            CheckClientNotOlder(tool, toolVersion, serverVersion, o.Container);
        }

        // pg_dumpall reads role passwords from pg_authid, which only a superuser may read; the application's own role
        // gets the roles without their passwords rather than no backup at all.
        var noRolePasswords = settings.Globals
            && await QueryAsync(context, tool, connection, "select has_table_privilege('pg_catalog.pg_authid', 'SELECT')", cancellationToken).ConfigureAwait(false) == "f";
        var estimates = await QueryAsync(context, tool, connection, EstimateRows, cancellationToken).ConfigureAwait(false);
        var sibling = EngineTools.Sibling(tool, "pg_restore");
        var dumpall = EngineTools.Sibling(tool, "pg_dumpall");
        ToolCommand? verify = null;
        if (settings.Format == DumpFormat.Custom)
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
            Globals = settings.Globals
                ? new ToolCommand(dumpall, noRolePasswords ? ["--no-password", "--globals-only", "--no-role-passwords"] : ["--no-password", "--globals-only"]) { Environment = connection.Environment, Container = o.Container }
                : null,
            IgnoredConnectionParameters = connection.IgnoredParameters,
            Facts = Facts(settings.Globals ? noRolePasswords : null, connection.Schema, settings.Format == DumpFormat.Plain ? true : null, estimates),
            Verify = verify,
        };
    }

    /// <summary>The backup's <c>.json</c> keys only this engine writes (and reads back before a restore).</summary>
    internal const string GlobalsWithoutRolePasswordsFact = "globalsWithoutRolePasswords";

    /// <summary>The connection URL's <c>schema</c> (Prisma): the whole database is dumped, the schema is recorded.</summary>
    internal const string SchemaFact = "schema";

    /// <summary>A plain dump written with <c>--clean --if-exists</c>: it may be restored over a non-empty database.</summary>
    internal const string CleanFact = "clean";

    private static System.Text.Json.Nodes.JsonObject? Facts(bool? globalsWithoutRolePasswords, string? schema, bool? clean, string? rowEstimates)
    {
        var facts = new System.Text.Json.Nodes.JsonObject();
        if (rowEstimates is not null && System.Text.Json.Nodes.JsonNode.Parse(rowEstimates) is System.Text.Json.Nodes.JsonObject estimates)
        {
            facts[RowEstimatesFact] = estimates;
        }

        if (globalsWithoutRolePasswords is { } g)
        {
            facts[GlobalsWithoutRolePasswordsFact] = g;
        }

        if (schema is not null)
        {
            facts[SchemaFact] = schema;
        }

        if (clean is { } c)
        {
            facts[CleanFact] = c;
        }

        return facts.Count == 0 ? null : facts;
    }

    public async Task<RestorePlan> PlanRestoreAsync(EngineContext context, string format, RestoreTarget into, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(into);
        var targetDatabase = into.RequireDatabase("PostgreSQL");
        var intoOriginal = into.IntoOriginal;
        var clean = into.Clean;
        var o = context.Options;
        var connection = Parse(context);
        var database = targetDatabase ?? connection.Database ?? throw new BackupFailedException(BackupReasons.NoDatabase, "the connection names no database; pass --to-database");
        var target = connection.WithDatabase(database);
        var pgDumpPath = o.EngineSettings<PostgresEngineOptions>().PgDumpPath;
        var name = format == PlainFormat ? "psql" : "pg_restore";
        var explicitPath = pgDumpPath is null ? null : EngineTools.Sibling(pgDumpPath, name);
        string tool;
        if (o.Container is null)
        {
            // Hardened servers revoke CONNECT on postgres from PUBLIC: ask the databases this role is meant to reach first.
            var (major, _) = await ServerVersionAsync(connection, [connection.Database, database, "template1", "postgres"], cancellationToken).ConfigureAwait(false);
            tool = await ResolveHostToolAsync(context, name, explicitPath, major, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            tool = explicitPath ?? name;
        }

        // The target itself says whether it exists (its own "does not exist"): pg_database is asked nowhere, so no
        // other database has to be reachable.
        var objects = await AskAsync(context, tool, target, CountObjects, cancellationToken).ConfigureAwait(false);
        switch (objects.Refusal)
        {
            case Refusal.MissingDatabase when intoOriginal:
                throw new BackupFailedException(BackupReasons.NoDatabase, $"database '{database}' does not exist; restore into it with --to-database {database}");
            case Refusal.MissingDatabase:
                // Only when missing: a role without CREATEDB gets "permission denied", not "already exists", for one that exists.
                await CreateDatabaseAsync(context, connection, tool, database, cancellationToken).ConfigureAwait(false);
                break;
            case Refusal.NotAuthorized:
                throw new BackupFailedException(BackupReasons.NotAuthorized, $"cannot connect to database '{database}' {Where(context, connection)}: {objects.Error}");
            case Refusal.Unreachable:
                throw new BackupFailedException(BackupReasons.DatabaseUnreachable, $"cannot ask database '{database}' {Where(context, connection)} whether it is empty: {objects.Error}");
            case Refusal.NoClient:
                throw new BackupFailedException(ToolStartReasons.ToolMissing, $"cannot ask database '{database}' whether it is empty: {objects.Error}");
            default:
                var empty = objects.Value == "0";
                if (!empty && !intoOriginal && !clean)
                {
                    throw new BackupFailedException(BackupReasons.TargetNotEmpty, $"database '{database}' is not empty ({objects.Value ?? "some"} tables, views or sequences); pass --clean to drop the restored objects first, or choose a new --to-database");
                }

                if (!empty && format == PlainFormat && !context.SourceFact(CleanFact))
                {
                    throw new BackupFailedException(BackupReasons.TargetNotEmpty,
                        $"database '{database}' is not empty and this plain dump does not drop what it creates (written before plain dumps carried --clean): restore it into a new --to-database");
                }

                break;
        }

        // One transaction either way: a restore that fails half-way leaves the database as it was.
        List<string> args = format == PlainFormat
            ? ["--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"]
            : intoOriginal || clean
                ? ["--no-password", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", $"--dbname={database}"]
                : ["--no-password", "--single-transaction", "--exit-on-error", $"--dbname={database}"];
        return new ToolCommand(tool, args) { Environment = target.Environment, Container = o.Container, RedirectStandardInput = true };
    }

    private static string Where(EngineContext context, PostgresConnection connection)
        => context.Options.Container is { } container ? $"in container '{container}'" : $"at {connection.Host ?? "the local socket"}";

    /// <summary>Tables, views, sequences and functions outside the system schemas: a database with any is not a fresh target.</summary>
    private const string CountObjects = """
        select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where c.relkind in ('r', 'v', 'm', 'S', 'p', 'f') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%')
             + (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%')
        """;

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Why a database could not be asked; <see cref="None"/> when it answered.</summary>
    private enum Refusal
    {
        None,

        /// <summary>The server answered that the database does not exist.</summary>
        MissingDatabase,

        /// <summary>The server refused the role (password, pg_hba.conf, CONNECT privilege, a right the query needs).</summary>
        NotAuthorized,

        /// <summary>The server did not answer, or answered something else.</summary>
        Unreachable,

        /// <summary>No psql could be run in the container.</summary>
        NoClient,
    }

    /// <summary>The first column of the first row (null when there is none), or why the database could not be asked.</summary>
    private sealed record Answer(string? Value, Refusal Refusal = Refusal.None, string? Error = null);

    /// <summary>Runs one query and returns the first column of its first row; null when it cannot be asked.</summary>
    private static async Task<string?> QueryAsync(EngineContext context, string tool, PostgresConnection connection, string sql, CancellationToken cancellationToken)
        => (await AskAsync(context, tool, connection, sql, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>
    /// Runs one query through Npgsql on the host, through <c>psql</c> in the container (where the server is usually
    /// reachable only by its socket), and says why when the server would not answer it.
    /// </summary>
    private static async Task<Answer> AskAsync(EngineContext context, string tool, PostgresConnection connection, string sql, CancellationToken cancellationToken)
    {
        if (context.Options.Container is null)
        {
            try
            {
                await using var db = new NpgsqlConnection(connection.ToNpgsql());
                await db.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(sql, db);
                var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return new Answer(value switch
                {
                    null or DBNull => null,
                    bool b => b ? "t" : "f",
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString(),
                });
            }
            catch (PostgresException ex)
            {
                return new Answer(null, RefusalOf(ex.SqlState), ex.Message);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                return new Answer(null, Refusal.Unreachable, ex.Message);
            }
        }

        string? missing = null;
        foreach (var psql in new[] { EngineTools.Sibling(tool, "psql"), "psql" }.Distinct(StringComparer.Ordinal))
        {
            var command = new ToolCommand(psql, ["--no-password", "-X", "-t", "-A", "-c", sql]) { Environment = connection.Environment, Container = context.Options.Container };
            var (exit, output) = await context.Tools.RunAsync(command, cancellationToken).ConfigureAwait(false);
            if (exit.ExitCode == 0)
            {
                return new Answer(output.Split('\n')[0].Trim() is { Length: > 0 } first ? first : null);
            }

            // 126/127: the engine could not start it (not there, not executable); another psql may be.
            if (exit.ExitCode is 126 or 127)
            {
                missing ??= $"{psql} cannot be run in container '{context.Options.Container}': {exit.Summary}";
                continue;
            }

            var error = exit.StandardError.Trim();
            return new Answer(null, RefusalOfPsql(error), error.Length > 0 ? error : exit.Summary);
        }

        return new Answer(null, Refusal.NoClient, missing);
    }

    /// <summary>Class 28 (invalid authorization) and 42501 (insufficient privilege, CONNECT among them) refuse the role.</summary>
    private static Refusal RefusalOf(string sqlState) => sqlState switch
    {
        PostgresErrorCodes.InvalidCatalogName => Refusal.MissingDatabase,
        PostgresErrorCodes.InsufficientPrivilege => Refusal.NotAuthorized,
        _ when sqlState.StartsWith("28", StringComparison.Ordinal) => Refusal.NotAuthorized,
        _ => Refusal.Unreachable,
    };

    /// <summary>psql prints no SQLSTATE for a refused connection: its server's (English) words say which refusal it is.</summary>
    private static Refusal RefusalOfPsql(string stderr)
    {
        if (MissingDatabasePattern().IsMatch(stderr))
        {
            return Refusal.MissingDatabase;
        }

        return RefusedPattern().IsMatch(stderr) ? Refusal.NotAuthorized : Refusal.Unreachable;
    }

    [GeneratedRegex(@"FATAL:\s+database ""[^""]*"" does not exist")]
    private static partial Regex MissingDatabasePattern();

    [GeneratedRegex(@"permission denied|authentication failed|no pg_hba\.conf entry|FATAL:\s+role ""[^""]*"" does not exist|not permitted to log in")]
    private static partial Regex RefusedPattern();

    /// <summary>
    /// createdb connects to <c>postgres</c> unless told otherwise, which hardened servers refuse the application's role:
    /// it connects to the job's own database, else to <c>template1</c>, else <c>postgres</c>.
    /// </summary>
    private static async Task CreateDatabaseAsync(EngineContext context, PostgresConnection connection, string tool, string database, CancellationToken cancellationToken)
    {
        string[] maintenance = [.. new[] { connection.Database, "template1", "postgres" }.OfType<string>().Where(d => d != database).Distinct(StringComparer.Ordinal)];
        ToolExit? last = null;
        foreach (var through in maintenance)
        {
            var createdb = new ToolCommand(EngineTools.Sibling(tool, "createdb"), ["--no-password", $"--maintenance-db={through}", database])
            {
                Environment = connection.WithDatabase(through).Environment,
                Container = context.Options.Container,
            };
            ToolExit exit;
            try
            {
                (exit, _) = await context.Tools.RunAsync(createdb, cancellationToken).ConfigureAwait(false);
            }
            catch (ToolStartException ex)
            {
                throw new BackupFailedException(ToolStartReasons.ToolMissing, $"cannot create database '{database}': {ex.Message}", ex);
            }

            if (exit.ExitCode == 0 || exit.StandardError.Contains("already exists", StringComparison.Ordinal))
            {
                return;
            }

            last = exit;
            // Only the connection to this maintenance database failed: the next may be allowed.
            if (!exit.StandardError.Contains($"database \"{through}\"", StringComparison.Ordinal))
            {
                break;
            }
        }

        var summary = last?.Summary ?? "no database to connect to";
        throw new BackupFailedException(
            last is not null && RefusedPattern().IsMatch(last.StandardError) ? BackupReasons.NotAuthorized : BackupReasons.RestoreFailed,
            $"cannot create database '{database}': {summary}");
    }

    private static PostgresConnection Parse(EngineContext context)
    {
        try
        {
            return PostgresConnection.Parse(context.Connection, context.Options.Database);
        }
        catch (FormatException ex)
        {
            throw new BackupFailedException(BackupReasons.BadConnection, $"{BackupsOptions.SectionName}:{context.Job}:{nameof(BackupJobOptions.Connection)}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads the server's major version; an unreachable server fails the run with the driver's reason, a refusal as <c>not_authorized</c>.</summary>
    internal static Task<(int Major, string Version)> ServerVersionAsync(PostgresConnection connection, CancellationToken cancellationToken)
        => ServerVersionAsync(connection, [connection.Database], cancellationToken);

    /// <summary>
    /// Reads the server's major version from the first of <paramref name="databases"/> (null: the connection's own) that
    /// lets the role in; a database that is missing or refuses CONNECT passes on to the next.
    /// </summary>
    private static async Task<(int Major, string Version)> ServerVersionAsync(PostgresConnection connection, IEnumerable<string?> databases, CancellationToken cancellationToken)
    {
        var where = connection.Host ?? "the local socket";
        PostgresException? passed = null;
        foreach (var database in databases.Distinct(StringComparer.Ordinal))
        {
            try
            {
                await using var db = new NpgsqlConnection((database is null ? connection : connection.WithDatabase(database)).ToNpgsql());
                await db.OpenAsync(cancellationToken).ConfigureAwait(false);
                return (db.PostgreSqlVersion.Major, db.ServerVersion);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.InsufficientPrivilege)
            {
                // A refusal says more than a missing database the role was never meant to reach.
                passed = passed is null || ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && passed.SqlState != ex.SqlState ? ex : passed;
            }
            catch (PostgresException ex) when (RefusalOf(ex.SqlState) == Refusal.NotAuthorized)
            {
                throw new BackupFailedException(BackupReasons.NotAuthorized, $"PostgreSQL at {where} refused the login: {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                throw new BackupFailedException(BackupReasons.DatabaseUnreachable, $"cannot connect to PostgreSQL at {where}: {ex.Message}", ex);
            }
        }

        throw passed is null
            ? new BackupFailedException(BackupReasons.DatabaseUnreachable, $"cannot connect to PostgreSQL at {where}: no database to connect to")
            : new BackupFailedException(RefusalOf(passed.SqlState) == Refusal.NotAuthorized ? BackupReasons.NotAuthorized : BackupReasons.DatabaseUnreachable,
                $"PostgreSQL at {where} let the role into none of {string.Join(", ", databases.Select(d => d ?? connection.Database ?? "its default database").Distinct(StringComparer.Ordinal))}: {passed.Message}", passed);
    }

    /// <summary>pg_dump refuses a server newer than itself: say so before the run, naming both versions.</summary>
    private static void CheckClientNotOlder(string tool, string clientVersion, string? serverVersion, string container)
    {
        if (serverVersion is null || MajorOf(" " + serverVersion) is not { } serverMajor || MajorOf(clientVersion) is not { } clientMajor || clientMajor >= serverMajor)
        {
            return;
        }

        throw new BackupFailedException(BackupReasons.VersionMismatch,
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
            throw new BackupFailedException(ToolStartReasons.ToolMissing, $"{name} not found for PostgreSQL server {serverMajor}: {fix}");
        }

        var version = await EngineTools.VersionAsync(context.Tools, onPath, null, cancellationToken).ConfigureAwait(false);
        var clientMajor = version is null ? 0 : MajorOf(version) ?? 0;
        if (clientMajor < serverMajor)
        {
            throw new BackupFailedException(BackupReasons.VersionMismatch, $"{onPath} is version {clientMajor}, older than the server's {serverMajor}, and pg_dump refuses newer servers: {fix}");
        }

        return onPath;
    }

    [GeneratedRegex(@"\s(\d+)(?:\.\d+)*")]
    private static partial Regex MajorPattern();
}
