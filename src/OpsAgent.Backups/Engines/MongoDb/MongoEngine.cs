using System.Text;
using System.Text.Json;
using MongoDB.Driver;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines.MongoDb;

/// <summary><c>mongodump --archive</c> and <c>mongorestore --archive</c> on the host or in a container.</summary>
/// <remarks>
/// The URI carries the password, so it reaches the tools through <c>--config</c> (YAML) instead of <c>--uri</c> on the
/// command line. On the host that is a file readable by the agent only, deleted when the run ends. In a container nothing
/// is left on the container's disk even when the run is killed: the dump reads its configuration from stdin, and the
/// restore's wrapper unlinks the file before the tool starts, which reads it through an inherited descriptor.
/// <para>
/// The tools are never given <c>--db</c> next to a URI: the URI names the database (the job's <c>Database</c> replacing the
/// URI's), and carries an explicit <c>authSource</c> so that changing the database does not change where the user logs in.
/// <c>--quiet</c> is not used: it hides mongodump's <c>Failed: ...</c> line, the only explanation of a failure.
/// </para>
/// </remarks>
internal sealed partial class MongoEngine : IBackupEngine, Drills.IBackupDrill
{
    /// <summary><c>mongodump --archive</c>'s format.</summary>
    internal const string ArchiveFormat = "archive";

    private static readonly BackupFormat Archive = new(ArchiveFormat, ".archive");

    /// <summary>
    /// Runs the restore in a container: stdin brings one configuration line, then the archive. <c>read</c> takes the line
    /// byte by byte, so the archive stays on stdin for the tool.
    /// </summary>
    internal const string ContainerRestoreWrapper =
        "umask 077; f=$(mktemp) || exit 1; trap 'rm -f \"$f\"' EXIT; IFS= read -r c; printf '%s\\n' \"$c\" >\"$f\"; exec 3<\"$f\"; rm -f \"$f\"; exec \"$0\" --config=/dev/fd/3 \"$@\"";

    // MongoDB's Unauthorized error code.
    private const int UnauthorizedCode = 13;

    private static readonly string[] SystemDatabases = ["admin", "local", "config"];

    public IReadOnlyList<BackupFormat> Formats { get; } = [Archive];

    public void CheckConnection(string path, string connection, HostCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckConnectionHosts(path, connection, mongoUri: true);
    }

    public BackupFormat FormatFor(BackupJobOptions job) => Archive;

    public void Validate(string path, BackupJobOptions job, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(errors);
        if (job.Connection is null)
        {
            errors.Add($"{path}:{nameof(BackupJobOptions.Connection)}", "required: where the database is (a secret: inline, File, FromEnvFile with Variable, or Environment)");
        }

        ValidateDrill(path, job, errors);
    }

    public void CheckHost(string path, BackupJobOptions job, HostCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        var mongodumpPath = job.EngineSettings<MongoEngineOptions>().MongodumpPath;
        if (mongodumpPath is { } explicitPath ? !File.Exists(explicitPath) : EngineTools.FindOnPath("mongodump") is null)
        {
            context.Error($"{path}:{nameof(MongoEngineOptions.MongodumpPath)}", mongodumpPath is null
                ? "mongodump is not on this host's PATH and the job has no Container: install the MongoDB Database Tools (package mongodb-database-tools), set MongodumpPath, or set Container to run it in the MongoDB container"
                : $"{mongodumpPath} does not exist on this host");
        }
    }

    public IDumpContentCheck CreateContentCheck(string format, VerifyMode depth) => new MongoArchiveReader(checkCrc: depth == VerifyMode.Full);

    /// <summary>None: <c>mongorestore --dryRun</c> connects to a server before reading anything; the archive reader is the check.</summary>
    public ToolCommand? HostChecker(string path, string format) => null;

    public async Task<DumpPlan> PlanDumpAsync(EngineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = context.Options;
        var mongodumpPath = o.EngineSettings<MongoEngineOptions>().MongodumpPath;
        var tool = ResolveTool(context, mongodumpPath, "mongodump");
        var version = await EngineTools.VersionAsync(context.Tools, tool, o.Container, cancellationToken).ConfigureAwait(false)
            ?? throw new BackupFailedException(ToolStartReasons.ToolMissing, o.Container is null
                ? $"{tool} cannot be run on this host"
                : $"mongodump cannot be run in container '{o.Container}': use a container that has the MongoDB Database Tools, or set MongodumpPath");
        var uri = ParseUri(context);
        var database = o.Database ?? uri?.DatabaseName;
        var arguments = new List<string> { "--archive" };
        if (uri is null && database is not null)
        {
            arguments.Add($"--db={database}");
        }

        DumpPlan Plan(ToolCommand command) => new(command, tool, version, ArchiveFormat)
        {
            Database = database,
            Host = HostOf(context.Connection),
            StderrIsProgress = true,
        };

        if (uri is null)
        {
            return Plan(new ToolCommand(tool, arguments) { Container = o.Container });
        }

        var yaml = ConfigYaml(context.Connection!, uri, database);
        if (o.Container is not null)
        {
            return Plan(new ToolCommand(tool, ["--config=/dev/stdin", .. arguments]) { Container = o.Container }) with { StandardInput = yaml };
        }

        var file = WriteConfig(context, yaml);
        return Plan(new ToolCommand(tool, [$"--config={file}", .. arguments])) with { TemporaryFiles = [file] };
    }

    public async Task<RestorePlan> PlanRestoreAsync(EngineContext context, string format, RestoreTarget into, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(into);
        var targetDatabase = into.RequireDatabase("MongoDB");
        var intoOriginal = into.IntoOriginal;
        var clean = into.Clean;
        var o = context.Options;
        var mongodumpPath = o.EngineSettings<MongoEngineOptions>().MongodumpPath;
        var tool = ResolveTool(context, mongodumpPath is null ? null : EngineTools.Sibling(mongodumpPath, "mongorestore"), "mongorestore");
        var uri = ParseUri(context);
        var source = context.SourceDatabase ?? o.Database ?? uri?.DatabaseName;
        var arguments = RestoreArguments(source, intoOriginal ? null : targetDatabase, clean);
        if (!clean)
        {
            var target = intoOriginal ? source : targetDatabase ?? source;
            var databases = o.Container is null
                ? await CollectionsOnHostAsync(uri, target, cancellationToken).ConfigureAwait(false)
                : await CollectionsInContainerAsync(context, uri, target, cancellationToken).ConfigureAwait(false);
            RefuseNonEmpty(databases);
        }

        if (uri is null)
        {
            return new ToolCommand(tool, arguments) { Container = o.Container, RedirectStandardInput = true };
        }

        // The URI names no database: a database there would make mongorestore filter the archive by it.
        var yaml = ConfigYaml(context.Connection!, uri, null);
        if (o.Container is not null)
        {
            return new RestorePlan(new ToolCommand("sh", ["-c", ContainerRestoreWrapper, tool, .. arguments]) { Container = o.Container, RedirectStandardInput = true })
            {
                StandardInputPrefix = yaml,
            };
        }

        var file = WriteConfig(context, yaml);
        return new ToolCommand(tool, [$"--config={file}", .. arguments]) { RedirectStandardInput = true };
    }

    /// <summary>mongorestore's arguments (without <c>--config</c>) restoring the dump of <paramref name="source"/> into <paramref name="target"/>.</summary>
    /// <param name="source">The database the archive holds, or null when the dump was of the whole server.</param>
    /// <param name="target">Another database to restore into, or null for <paramref name="source"/> itself.</param>
    /// <param name="clean">Drop each collection before restoring it.</param>
    internal static List<string> RestoreArguments(string? source, string? target, bool clean)
    {
        // Without --stopOnError mongorestore skips documents it cannot insert (duplicate keys, validation) and exits 0.
        var arguments = new List<string> { "--archive", "--stopOnError" };
        if (clean)
        {
            arguments.Add("--drop");
        }

        if (source is null)
        {
            return target is null ? arguments : throw new BackupFailedException(BackupReasons.NoDatabase,
                $"cannot restore into '{target}': the backup's .json names no database and neither the job's Database nor its connection's URI does, so the databases in the archive cannot be renamed; restore into the original (without --to-database)");
        }

        arguments.Add($"--nsInclude={source}.*");
        if (target is not null && !string.Equals(target, source, StringComparison.Ordinal))
        {
            arguments.Add($"--nsFrom={source}.*");
            arguments.Add($"--nsTo={target}.*");
        }

        return arguments;
    }

    /// <summary>The YAML given to <c>--config</c>: the URI naming <paramref name="database"/>, authenticating where the original URI would.</summary>
    /// <remarks>
    /// The URI is edited as text rather than rebuilt by the driver's <c>MongoUrlBuilder</c>, which drops default ports and
    /// rewrites or rejects options it does not know but the Go tools do: everything but the database and authSource stays as written.
    /// </remarks>
    internal static string ConfigYaml(string uri, MongoUrl parsed, string? database) => $"uri: \"{EscapeYaml(ToolUri(uri, parsed, database))}\"\n";

    /// <summary>The URI the tools (and the check run beside them in a container) are given: <paramref name="uri"/> naming <paramref name="database"/>.</summary>
    internal static string ToolUri(string uri, MongoUrl parsed, string? database)
    {
        var authority = uri.IndexOfAny(['/', '?'], uri.IndexOf("://", StringComparison.Ordinal) + 3);
        var queryStart = authority < 0 ? -1 : uri.IndexOf('?', authority);
        var query = queryStart < 0 ? string.Empty : uri[(queryStart + 1)..];
        if (MongoAuthentication.AddedAuthSource(parsed) is { } source)
        {
            // Without it mongo-tools would log in to the database dumped, not where the URI's user is defined.
            query = (query.Length == 0 ? string.Empty : query + "&") + "authSource=" + Uri.EscapeDataString(source);
        }

        return (authority < 0 ? uri : uri[..authority]) + "/" + (database is null ? string.Empty : Uri.EscapeDataString(database)) + (query.Length == 0 ? string.Empty : "?" + query);
    }

    private static MongoUrl? ParseUri(EngineContext context)
    {
        if (context.Connection is null)
        {
            return null;
        }

        try
        {
            return MongoUrl.Create(context.Connection);
        }
        catch (Exception ex) when (ex is MongoConfigurationException or FormatException or ArgumentException)
        {
            throw new BackupFailedException(BackupReasons.BadConnection, $"{BackupsOptions.SectionName}:{context.Job}:{nameof(BackupJobOptions.Connection)}: not a valid mongodb:// URI", ex);
        }
    }

    /// <summary>Refuses a target that already holds collections: mongorestore would add the dump's documents to them.</summary>
    /// <param name="databases">Each database checked and its collections.</param>
    internal static void RefuseNonEmpty(IEnumerable<(string Name, IReadOnlyList<string> Collections)> databases)
    {
        ArgumentNullException.ThrowIfNull(databases);
        foreach (var (name, collections) in databases)
        {
            var user = collections.Where(c => !c.StartsWith("system.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            if (user.Count > 0)
            {
                throw new BackupFailedException(BackupReasons.TargetNotEmpty,
                    $"database '{name}' already holds {user.Count} collection{(user.Count == 1 ? "" : "s")} ({string.Join(", ", user.Take(5))}{(user.Count > 5 ? ", ..." : "")}): restoring would mix its documents with the backup's; pass --clean to drop the restored collections first, or --to-database a new database");
            }
        }
    }

    /// <summary>What the check before a restore does, for its failure's message.</summary>
    private const string EmptinessCheck = "check that the target database is empty";

    /// <summary>The failure of a check the server answered with <paramref name="code"/> (null: it did not answer).</summary>
    internal static BackupFailedException CheckFailed(int? code, string message, string? database, Exception? inner = null, string doing = EmptinessCheck) => code == UnauthorizedCode
        ? new BackupFailedException(BackupReasons.NotAuthorized, $"the connection's user may not use database '{database}' ({message}): a user with rights on one database only (dbOwner) cannot restore into another", inner)
        : new BackupFailedException(BackupReasons.DatabaseUnreachable, $"cannot {doing}: {message.Split('\n')[0]}", inner);

    /// <summary>The target's collections (every non-system database's when <paramref name="database"/> is null), read by the driver from the host.</summary>
    private static async Task<List<(string Name, IReadOnlyList<string> Collections)>> CollectionsOnHostAsync(MongoUrl? uri, string? database, CancellationToken cancellationToken)
    {
        using var client = HostClient(uri);
        try
        {
            var names = database is not null ? [database]
                : (await (await client.ListDatabaseNamesAsync(cancellationToken).ConfigureAwait(false)).ToListAsync(cancellationToken).ConfigureAwait(false))
                    .Where(d => !SystemDatabases.Contains(d, StringComparer.Ordinal)).ToList();
            var databases = new List<(string, IReadOnlyList<string>)>();
            foreach (var name in names)
            {
                databases.Add((name, await (await client.GetDatabase(name).ListCollectionNamesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                    .ToListAsync(cancellationToken).ConfigureAwait(false)));
            }

            return databases;
        }
        catch (MongoCommandException ex)
        {
            throw CheckFailed(ex.Code, ex.ErrorMessage, database, ex);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            throw CheckFailed(null, ex.Message, database, ex);
        }
    }

    /// <summary>A client for the checks run from the host, logging in where the tools do.</summary>
    private static MongoClient HostClient(MongoUrl? uri)
    {
        var settings = MongoAuthentication.CheckSettings(uri ?? new MongoUrl("mongodb://localhost"));
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        settings.ApplicationName = "opsagent-restore";
        return new MongoClient(settings);
    }

    /// <summary>
    /// The checks in mongosh, read by <see cref="ParseAnswer"/>: the URI, the database and what to do
    /// (<c>OPSAGENT_MONGO_OP</c>: the collections, a drill's document counts, or dropping a drill's database) come from the
    /// environment (the password never on a command line), the answer is one line after <see cref="CheckMarker"/>. Plain
    /// loops because mongosh's implicit awaits do not reach into callbacks of built-in functions (<c>map</c>).
    /// </summary>
    internal const string CheckScript = """
        const out = (r) => print('opsagent-check: ' + JSON.stringify(r));
        try {
          const m = Mongo(process.env.OPSAGENT_MONGO_URI || 'mongodb://localhost:27017');
          const wanted = process.env.OPSAGENT_MONGO_DATABASE;
          const op = process.env.OPSAGENT_MONGO_OP || 'collections';
          if (op === 'drop') {
            m.getDB(wanted).dropDatabase();
            out({ ok: 1 });
          } else if (op === 'counts') {
            const counts = {};
            for (const info of m.getDB(wanted).getCollectionInfos({ type: 'collection' }, { nameOnly: true })) {
              if (!info.name.startsWith('system.')) { counts[info.name] = m.getDB(wanted).getCollection(info.name).countDocuments({}); }
            }
            out({ ok: 1, counts: counts });
          } else {
            const names = wanted ? [wanted] : m.getDBNames().filter((d) => !['admin', 'local', 'config'].includes(d));
            const databases = [];
            for (const name of names) {
              const collections = [];
              for (const info of m.getDB(name).getCollectionInfos({}, { nameOnly: true })) { collections.push(info.name); }
              databases.push({ name: name, collections: collections });
            }
            out({ ok: 1, databases: databases });
          }
        } catch (e) {
          out({ ok: 0, code: typeof e.code === 'number' ? e.code : null, message: String((e && e.message) || e) });
        }
        """;

    /// <summary>What precedes the check's answer in mongosh's output.</summary>
    internal const string CheckMarker = "opsagent-check: ";

    /// <summary>The target's collections, read in the container where the restore runs, with the restore's URI.</summary>
    private static async Task<List<(string Name, IReadOnlyList<string> Collections)>> CollectionsInContainerAsync(EngineContext context, MongoUrl? uri, string? database, CancellationToken cancellationToken)
    {
        var (output, exit) = await MongoshAsync(context, uri, database, null, cancellationToken).ConfigureAwait(false);
        return ParseCheckOutput(output, exit, database, context.Options.Container!);
    }

    /// <summary>Runs <see cref="CheckScript"/> with mongosh in the job's container for <paramref name="op"/> (null: the collections).</summary>
    /// <exception cref="BackupFailedException"><see cref="ToolStartReasons.ToolMissing"/> when the container has no mongosh.</exception>
    private static async Task<(string Output, ToolExit Exit)> MongoshAsync(EngineContext context, MongoUrl? uri, string? database, string? op, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (uri is not null)
        {
            environment["OPSAGENT_MONGO_URI"] = ToolUri(context.Connection!, uri, null);
        }

        if (database is not null)
        {
            environment["OPSAGENT_MONGO_DATABASE"] = database;
        }

        if (op is not null)
        {
            environment["OPSAGENT_MONGO_OP"] = op;
        }

        var mongodumpPath = o.EngineSettings<MongoEngineOptions>().MongodumpPath;
        var candidates = new[] { mongodumpPath is null ? null : EngineTools.Sibling(mongodumpPath, "mongosh"), "mongosh" }.OfType<string>().Distinct(StringComparer.Ordinal);
        foreach (var mongosh in candidates)
        {
            var command = new ToolCommand(mongosh, ["--nodb", "--quiet", "--norc", "--eval", CheckScript]) { Container = o.Container, Environment = environment };
            ToolExit exit;
            string output;
            try
            {
                (exit, output) = await context.Tools.RunAsync(command, cancellationToken).ConfigureAwait(false);
            }
            catch (ToolStartException ex) when (ex.Reason == ToolStartReasons.ToolMissing)
            {
                continue;
            }

            // 126/127: the exec found no such executable (the engine reports it as the exec's exit code).
            if (exit.ExitCode is 126 or 127 && !output.Contains(CheckMarker, StringComparison.Ordinal))
            {
                continue;
            }

            return (output, exit);
        }

        throw new BackupFailedException(ToolStartReasons.ToolMissing, op is null
            ? $"mongosh is not in container '{o.Container}': the check that the target database is empty runs there, where mongorestore runs; use a container with mongosh (the official mongo image has it from 6.0 on), or pass --clean to skip the check and drop the restored collections instead"
            : $"mongosh is not in container '{o.Container}': a drill counts and drops its scratch database there, where mongorestore runs; use a container with mongosh (the official mongo image has it from 6.0 on), or set Drill:Server to drill on a server reached from the host");
    }

    /// <summary>Reads the answer of <see cref="CheckScript"/>: the collections of each database, or the failure it reports.</summary>
    internal static List<(string Name, IReadOnlyList<string> Collections)> ParseCheckOutput(string output, ToolExit exit, string? database, string container)
    {
        using var answer = ParseAnswer(output, exit, database, container, EmptinessCheck);
        try
        {
            return [.. answer.RootElement.GetProperty("databases").EnumerateArray().Select(d => (
                d.GetProperty("name").GetString()!,
                (IReadOnlyList<string>)[.. d.GetProperty("collections").EnumerateArray().Select(n => n.GetString()!)]))];
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            throw Unreadable(container, EmptinessCheck, ex);
        }
    }

    /// <summary>The answer line of <see cref="CheckScript"/> when it says ok; the failure it reports otherwise.</summary>
    /// <param name="output">mongosh's output.</param>
    /// <param name="exit">How it ended.</param>
    /// <param name="database">The database asked about.</param>
    /// <param name="container">Where it ran.</param>
    /// <param name="doing">What was asked, for the failure's message (<c>count the documents of ...</c>).</param>
    internal static JsonDocument ParseAnswer(string output, ToolExit exit, string? database, string container, string doing)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(exit);
        var line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith(CheckMarker, StringComparison.Ordinal))
            ?? throw new BackupFailedException(BackupReasons.DatabaseUnreachable, $"cannot {doing}: mongosh in container '{container}' gave no answer ({exit.Summary})");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line[CheckMarker.Length..]);
        }
        catch (JsonException ex)
        {
            throw Unreadable(container, doing, ex);
        }

        try
        {
            var root = json.RootElement;
            if (root.GetProperty("ok").GetInt32() != 1)
            {
                int? code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : null;
                throw CheckFailed(code, root.GetProperty("message").GetString() ?? "no message", database, doing: doing);
            }

            return json;
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            json.Dispose();
            throw Unreadable(container, doing, ex);
        }
        catch
        {
            json.Dispose();
            throw;
        }
    }

    private static BackupFailedException Unreadable(string container, string doing, Exception ex)
        => new(BackupReasons.DatabaseUnreachable, $"cannot {doing}: mongosh in container '{container}' answered something unreadable ({ex.Message})", ex);

    private static string WriteConfig(EngineContext context, string yaml)
    {
        Directory.CreateDirectory(context.TemporaryDirectory);
        var file = Path.Combine(context.TemporaryDirectory, $"{context.Job}-{Guid.NewGuid():N}.yaml");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(file, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(yaml));
        }

        return file;
    }

    private static string ResolveTool(EngineContext context, string? explicitPath, string name)
    {
        if (explicitPath is not null || context.Options.Container is not null)
        {
            return explicitPath ?? name;
        }

        return EngineTools.FindOnPath(name) ?? throw new BackupFailedException(ToolStartReasons.ToolMissing,
            $"{name} is not installed on this host: install the MongoDB Database Tools (package mongodb-database-tools), or set Container to run {name} inside the MongoDB container");
    }

    // One line, whatever the URI holds: the container wrapper reads the configuration as a single line.
    private static string EscapeYaml(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);

    private static string? HostOf(string? uri)
    {
        if (uri is null)
        {
            return null;
        }

        var start = uri.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var rest = uri[(start + 3)..];
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            rest = rest[(at + 1)..];
        }

        var end = rest.IndexOfAny(['/', '?']);
        return end < 0 ? rest : rest[..end];
    }
}
