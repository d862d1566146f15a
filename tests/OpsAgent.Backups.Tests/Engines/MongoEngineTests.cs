using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Processes;
using OpsAgent.Backups.Engines.MongoDb;

namespace OpsAgent.Backups.Tests.Engines;

/// <summary>
/// What mongodump and mongorestore are given, for every combination of the URI's database, the job's <c>Database</c>,
/// the backup's recorded database and <c>--to-database</c>. Planning runs no tool: <c>/bin/true</c> only answers <c>--version</c>.
/// </summary>
public sealed class MongoEngineTests
{
    private BackupTestKit _kit = null!;

    [SetUp]
    public void CreateKit() => _kit = new BackupTestKit();

    [TearDown]
    public void DisposeKit() => _kit.Dispose();

    private EngineContext Context(string? uri, string? database, string? container = null, string? recorded = null) => new(
        "innova",
        new BackupJobOptions { Engine = "mongodb", Database = database, Container = container, Settings = new MongoEngineOptions { MongodumpPath = "/bin/true" } },
        uri,
        _kit.Tools,
        Path.Combine(_kit.Directory, "tmp")) { SourceDatabase = recorded };

    private static (string[] Arguments, string Uri) Split(ToolCommand command)
    {
        var config = command.Arguments[0];
        Assert.That(config, Does.StartWith("--config="), command.Display);
        var yaml = File.ReadAllText(config["--config=".Length..]);
        Assert.That(yaml, Does.StartWith("uri: \"").And.EndWith("\"\n"));
        return ([.. command.Arguments.Skip(1)], yaml["uri: \"".Length..^2]);
    }

    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db", null, "mongodb://appuser:pw@mongo:27017/innova_db?authSource=innova_db", TestName = "Dump_UriNamesDatabase_NoDbArgumentAndTheUriKeepsIt")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db", "innova_db", "mongodb://appuser:pw@mongo:27017/innova_db?authSource=innova_db", TestName = "Dump_SameDatabaseInUriAndJob_NoDbArgument")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db", "archive_db", "mongodb://appuser:pw@mongo:27017/archive_db?authSource=innova_db", TestName = "Dump_JobDatabaseDiffersFromUri_JobDatabaseWinsAndLoginStaysInTheUrisDatabase")]
    [TestCase("mongodb://root:pw@mongo:27017/?replicaSet=rs0", "innova_db", "mongodb://root:pw@mongo:27017/innova_db?replicaSet=rs0&authSource=admin", TestName = "Dump_RootUserAndNoDatabaseInUri_AuthenticatesAgainstAdmin")]
    [TestCase("mongodb://root:pw@mongo:27017/?authSource=users&tls=true", "innova_db", "mongodb://root:pw@mongo:27017/innova_db?authSource=users&tls=true", TestName = "Dump_UriGivesAuthSource_Kept")]
    [TestCase("mongodb://mongo:27017", "innova_db", "mongodb://mongo:27017/innova_db", TestName = "Dump_NoCredentials_NoAuthSource")]
    [TestCase("mongodb://root:pw@mongo:27017", null, "mongodb://root:pw@mongo:27017/?authSource=admin", TestName = "Dump_NoDatabaseAnywhere_WholeServer")]
    [TestCase("mongodb+srv://appuser:pw@cluster0.example.net/innova_db", "archive_db", "mongodb+srv://appuser:pw@cluster0.example.net/archive_db", TestName = "Dump_SrvUri_NoAuthSourceAddedSoTheTxtRecordsApplies")]
    [TestCase("mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=PLAIN", null, "mongodb://appuser:pw@mongo:27017/innova_db?authMechanism=PLAIN", TestName = "Dump_PlainMechanism_NoAuthSourceAddedSoTheToolsUseExternal")]
    [TestCase("mongodb://mongo:27017/innova_db?authMechanism=MONGODB-X509&tls=true", null, "mongodb://mongo:27017/innova_db?authMechanism=MONGODB-X509&tls=true", TestName = "Dump_X509Mechanism_NoAuthSourceAdded")]
    public async Task Dump_Arguments(string uri, string? database, string expectedUri)
    {
        var plan = await new MongoEngine().PlanDumpAsync(Context(uri, database), CancellationToken.None);

        var (arguments, configured) = Split(plan.Dump.Command!);
        Assert.Multiple(() =>
        {
            Assert.That(arguments, Is.EqualTo(new[] { "--archive" }), "no --db beside a URI, no --quiet");
            Assert.That(configured, Is.EqualTo(expectedUri));
            Assert.That(plan.Database, Is.EqualTo(database ?? new MongoDB.Driver.MongoUrl(uri).DatabaseName));
            Assert.That(plan.TemporaryFiles, Is.EqualTo(new[] { plan.Dump.Command!.Arguments[0]["--config=".Length..] }));
        });
    }

    [Test]
    public async Task Dump_NoConnection_DbArgument()
    {
        var plan = await new MongoEngine().PlanDumpAsync(Context(null, "innova_db"), CancellationToken.None);

        Assert.That(plan.Dump.Command!.Arguments, Is.EqualTo(new[] { "--archive", "--db=innova_db" }));
    }

    // uri database | job Database | database recorded in the backup's .json | --to-database => mongorestore's arguments after --config
    [TestCase("innova_db", null, "innova_db", "innova_copy", new[] { "--nsInclude=innova_db.*", "--nsFrom=innova_db.*", "--nsTo=innova_copy.*" }, TestName = "Restore_UriDatabaseToAnotherDatabase_Renamed")]
    [TestCase(null, "innova_db", "innova_db", "innova_copy", new[] { "--nsInclude=innova_db.*", "--nsFrom=innova_db.*", "--nsTo=innova_copy.*" }, TestName = "Restore_JobDatabaseToAnotherDatabase_Renamed")]
    [TestCase("innova_db", "innova_db", "innova_db", "innova_copy", new[] { "--nsInclude=innova_db.*", "--nsFrom=innova_db.*", "--nsTo=innova_copy.*" }, TestName = "Restore_BothToAnotherDatabase_Renamed")]
    [TestCase("innova_db", null, null, "innova_copy", new[] { "--nsInclude=innova_db.*", "--nsFrom=innova_db.*", "--nsTo=innova_copy.*" }, TestName = "Restore_BackupWithoutRecordedDatabase_UriDatabaseIsTheSource")]
    [TestCase("innova_db", "other_db", "innova_db", "innova_copy", new[] { "--nsInclude=innova_db.*", "--nsFrom=innova_db.*", "--nsTo=innova_copy.*" }, TestName = "Restore_JobDatabaseChangedSinceTheBackup_RecordedDatabaseIsTheSource")]
    [TestCase("innova_db", null, "innova_db", null, new[] { "--nsInclude=innova_db.*" }, TestName = "Restore_UriDatabaseIntoTheOriginal_NoRename")]
    [TestCase(null, "innova_db", "innova_db", null, new[] { "--nsInclude=innova_db.*" }, TestName = "Restore_JobDatabaseIntoTheOriginal_NoRename")]
    [TestCase(null, "innova_db", "innova_db", "innova_db", new[] { "--nsInclude=innova_db.*" }, TestName = "Restore_ToDatabaseNamingTheSource_NoRename")]
    [TestCase(null, null, null, null, new string[0], TestName = "Restore_WholeServerIntoTheOriginal_Everything")]
    public async Task Restore_Arguments(string? uriDatabase, string? jobDatabase, string? recorded, string? toDatabase, string[] expected)
    {
        var uri = "mongodb://appuser:pw@mongo:27017/" + uriDatabase;

        var plan = await new MongoEngine().PlanRestoreAsync(Context(uri, jobDatabase, recorded: recorded), "archive", RestoreTarget.IntoDatabase(toDatabase, clean: true), CancellationToken.None);

        var (arguments, configured) = Split(plan.Command);
        Assert.Multiple(() =>
        {
            Assert.That(plan.Command.FileName, Is.EqualTo("/bin/mongorestore"));
            Assert.That(arguments, Is.EqualTo(new[] { "--archive", "--stopOnError", "--drop" }.Concat(expected)));
            // A database in mongorestore's URI would filter the archive by it: the URI names none, the login stays where it was.
            Assert.That(configured, Is.EqualTo($"mongodb://appuser:pw@mongo:27017/?authSource={uriDatabase ?? "admin"}"));
        });
    }

    [Test]
    public void Restore_SourceDatabaseUnknownIntoAnotherDatabase_Refused()
    {
        var ex = Assert.ThrowsAsync<BackupFailedException>(() => new MongoEngine().PlanRestoreAsync(
            Context("mongodb://root:pw@mongo:27017", null), "archive", RestoreTarget.IntoDatabase("innova_copy", clean: true), CancellationToken.None));

        Assert.That(ex!.Reason, Is.EqualTo("no_database"));
        Assert.That(ex.Message, Does.Contain("cannot restore into 'innova_copy'"));
    }

    [Test]
    public async Task Restore_InContainer_ConfigurationLineBeforeTheArchive()
    {
        var plan = await new MongoEngine().PlanRestoreAsync(Context("mongodb://root:pw@127.0.0.1:27017", "innova_db", container: "mongo"), "archive", RestoreTarget.IntoDatabase("innova_copy", clean: true), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(plan.Command.FileName, Is.EqualTo("sh"));
            Assert.That(plan.Command.Arguments.Skip(2), Is.EqualTo(new[] { "/bin/mongorestore", "--archive", "--stopOnError", "--drop", "--nsInclude=innova_db.*", "--nsFrom=innova_db.*", "--nsTo=innova_copy.*" }));
            Assert.That(plan.StandardInputPrefix, Is.EqualTo("uri: \"mongodb://root:pw@127.0.0.1:27017/?authSource=admin\"\n"));
            Assert.That(Directory.Exists(Path.Combine(_kit.Directory, "tmp")), Is.False, "nothing written on the host");
        });
    }

    [TestCase("opsagent-check: {\"ok\":0,\"code\":13,\"message\":\"not authorized on innova_copy\"}", "not_authorized", TestName = "ParseCheckOutput_Unauthorized_NotAuthorized")]
    [TestCase("opsagent-check: {\"ok\":0,\"code\":18,\"message\":\"Authentication failed.\"}", "database_unreachable", TestName = "ParseCheckOutput_AuthenticationFailed_DatabaseUnreachable")]
    [TestCase("opsagent-check: {\"ok\":0,\"code\":null,\"message\":\"Server selection timed out after 30000 ms\"}", "database_unreachable", TestName = "ParseCheckOutput_NoServer_DatabaseUnreachable")]
    [TestCase("MongoshInvalidInputError: something else", "database_unreachable", TestName = "ParseCheckOutput_NoAnswerLine_DatabaseUnreachable")]
    [TestCase("opsagent-check: {\"ok\":1,\"databases\":[{\"name\":1}]}", "database_unreachable", TestName = "ParseCheckOutput_UnreadableAnswer_DatabaseUnreachable")]
    public void ParseCheckOutput_Failure(string output, string reason)
    {
        var ex = Assert.Throws<BackupFailedException>(() => MongoEngine.ParseCheckOutput("banner\n" + output + "\n", new ToolExit(1, "stderr"), "innova_copy", "mongo"));

        Assert.That(ex!.Reason, Is.EqualTo(reason), ex.Message);
    }

    [Test]
    public void ParseCheckOutput_SystemCollectionsOnly_NotRefused()
    {
        var databases = MongoEngine.ParseCheckOutput("opsagent-check: {\"ok\":1,\"databases\":[{\"name\":\"innova_copy\",\"collections\":[\"system.views\"]}]}\n", new ToolExit(0, ""), "innova_copy", "mongo");

        Assert.That(() => MongoEngine.RefuseNonEmpty(databases), Throws.Nothing);
    }

    [Test]
    public void DrillChecks_EachCollectionsCountAgainstItsBounds_MissingCollectionAndEmptyRestoreFail()
    {
        var drill = new OpsAgent.Backups.Drills.DrillOptions
        {
            Checks = [new() { Collection = "users", AtLeast = 1 }, new() { Collection = "jobs", AtMost = 5 }, new() { Collection = "gone", AtLeast = 0 }],
        };

        var results = MongoEngine.DrillChecks(new Dictionary<string, long> { ["users"] = 3, ["jobs"] = 6 }, drill);
        var empty = MongoEngine.DrillChecks(new Dictionary<string, long>(), new OpsAgent.Backups.Drills.DrillOptions());

        Assert.That(results.Select(r => r.ToString()), Is.EqualTo(new[]
        {
            "1: documents in users = 3 (at least 1) ok",
            "2: documents in jobs = 6 (at most 5) FAILED",
            "3: documents in gone = no such collection in the restored database (at least 0) FAILED",
            "collections = 2 collections, 9 documents (at least one collection restored) ok",
        }));
        Assert.That(empty.Single().Ok, Is.False, "a drill that restored no collection proves nothing");
    }

    [Test]
    public void ScratchName_LongDatabaseName_CutSoTheStampSurvivesUnder64Bytes()
    {
        var engine = new MongoEngine();
        var context = new EngineContext("innova", new BackupJobOptions { Engine = "mongodb", Database = new string('d', 70) }, null, _kit.Tools, _kit.Directory);

        var name = engine.ScratchName(context, null, new DateTimeOffset(2026, 12, 6, 21, 0, 5, TimeSpan.Zero));

        Assert.That(name, Does.EndWith("_drill_20261206210005"));
        Assert.That(System.Text.Encoding.UTF8.GetByteCount(name), Is.EqualTo(63));
    }
}
