using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Engines.Text;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Tests.Engines;

/// <summary>An engine is one folder plus one registration line: nothing else in the agent names it.</summary>
public sealed class EngineRegistrationTests
{
    private static ServiceProvider Services(bool registerTextEngine)
    {
        var services = new ServiceCollection().AddBackupServices();
        if (registerTextEngine)
        {
            services.AddBackupEngine<TextEngine, TextEngineOptions>("text");
        }

        return services.BuildServiceProvider();
    }

    private static (BackupsOptions Options, List<ConfigError> Errors) Load(ServiceProvider services, string directory, string extra = "", string text = "hello from a third engine")
    {
        var json = $$"""
            { "OpsAgent": { "Backups": { "notes": { "Engine": "text", "Text": "{{text}}", "Schedule": "0 2 * * *", "Directory": "{{directory}}", "Compression": "gzip"{{extra}} } } } }
            """;
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();
        var section = services.GetServices<IAgentSection>().Single(s => s.Path == BackupsOptions.SectionName);
        return ((BackupsOptions)section.Load(root, errors), errors);
    }

    [Test]
    public async Task Run_EngineRegisteredWithOneLine_PublishedVerifiedAndListed()
    {
        using var services = Services(registerTextEngine: true);
        var engines = services.GetRequiredService<BackupEngines>();
        using var kit = new BackupTestKit(engines: engines);
        var (options, errors) = Load(services, kit.Directory);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));

        var result = await kit.Runner.RunAsync(kit.Request("notes", options.Jobs["notes"]), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, result.Message);
        var listed = BackupFileNames.Scan(kit.Directory, "notes");
        Assert.That(listed.Select(b => b.FileName), Is.EqualTo(new[] { Path.GetFileName(result.File!.Path) }));
        Assert.That(listed[0].FileName, Does.EndWith(".txt.gz"));
        Assert.That(listed[0].Metadata!.Engine, Is.EqualTo("text"));
        Assert.That(listed[0].Metadata!.VerifiedBy, Is.EqualTo("basic: sha256, gzip, text trailer"));
        var check = await engines.VerifyFileAsync(listed[0].Path, ToolRunner.HostOnly, TestContext.CurrentContext.CancellationToken);
        Assert.That(check.Ok, Is.True, check.Message);
    }

    [Test]
    public async Task Run_InProcessProducer_PublishedVerifiedWithTheEnginesFactsInTheJson()
    {
        using var services = Services(registerTextEngine: true);
        using var kit = new BackupTestKit(engines: services.GetRequiredService<BackupEngines>());
        // 3 MiB of text: past the producer pipe's pause threshold and many compressor blocks.
        var text = string.Concat(Enumerable.Repeat("line of media listing\\n", 150_000));
        var (options, errors) = Load(services, kit.Directory, """, "InProcess": true""", text);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));

        var result = await kit.Runner.RunAsync(kit.Request("notes", options.Jobs["notes"]), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, result.Message);
        var listed = BackupFileNames.Scan(kit.Directory, "notes").SingleOrDefault() ?? throw new AssertionException($"not listed; its .json: {File.ReadAllText(result.File!.Path + ".json")}");
        Assert.That(listed.Metadata!.Tool, Is.EqualTo("opsagent"));
        Assert.That(listed.Metadata.Facts?["lines"].GetInt32(), Is.EqualTo(150_002), "the producer's facts are members of the .json");
        Assert.That(File.ReadAllText(listed.MetadataPath), Does.Contain("\"lines\": 150002"));
        Assert.That(listed.Metadata.UncompressedBytes, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(text.Replace("\\n", "\n", StringComparison.Ordinal) + "\n" + TextEngine.Trailer + "\n")));
    }

    [Test]
    public async Task Run_InProcessProducerFailsHalfWay_FailsWithItsReasonAndLeavesNothing()
    {
        using var services = Services(registerTextEngine: true);
        using var kit = new BackupTestKit(engines: services.GetRequiredService<BackupEngines>());
        var text = string.Concat(Enumerable.Repeat("x", 1 << 20));
        var (options, _) = Load(services, kit.Directory, """, "InProcess": true, "FailAfterBytes": 524288""", text);

        var result = await kit.Runner.RunAsync(kit.Request("notes", options.Jobs["notes"]), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Reason, Is.EqualTo(BackupReasons.PermissionDenied), result.Message);
        Assert.That(result.Message, Does.Contain("/srv/media/secret.jpg"));
        Assert.That(kit.FilesInDirectory(), Is.Empty, "no partial, no sidecar");
    }

    [Test]
    public async Task Restore_EngineThatRestoresIntoADirectory_GetsItsOwnKindOfTarget()
    {
        using var services = Services(registerTextEngine: true);
        using var kit = new BackupTestKit(engines: services.GetRequiredService<BackupEngines>());
        var (options, _) = Load(services, kit.Directory);
        var job = options.Jobs["notes"];
        var backup = await kit.Runner.RunAsync(kit.Request("notes", job), null, TestContext.CurrentContext.CancellationToken);
        var into = Directory.CreateTempSubdirectory("opsagent-restore-into-");

        try
        {
            var restored = await kit.Restorer.RestoreIntoAsync("notes", job, backup.File!.Path, Backups.Engines.RestoreTarget.IntoDirectory(into.FullName), kit.Directory, null, TestContext.CurrentContext.CancellationToken);
            var intoDatabase = await kit.Restorer.RestoreAsync("notes", job, backup.File.Path, "somedb", kit.Directory, null, TestContext.CurrentContext.CancellationToken);

            Assert.That(restored.Success, Is.True, restored.Message);
            Assert.That(File.ReadAllText(Path.Combine(into.FullName, "restored.txt")), Does.StartWith("hello from a third engine"));
            Assert.That((intoDatabase.Success, intoDatabase.Reason), Is.EqualTo((false, BackupReasons.WrongTarget)));
        }
        finally
        {
            into.Delete(recursive: true);
        }
    }

    [TestCase("postgres")]
    [TestCase("mongodb")]
    public void Restore_DatabaseEngineIntoADirectory_RefusedAsWrongTargetNamingWhatItTakes(string engine)
    {
        using var services = Services(registerTextEngine: false);
        var engines = services.GetRequiredService<BackupEngines>();
        var job = new BackupJobOptions { Engine = engine };
        var context = new EngineContext("db", job, null, ToolRunner.HostOnly, Path.GetTempPath());

        var ex = Assert.ThrowsAsync<BackupFailedException>(() => engines.For(job).Engine.PlanRestoreAsync(context, "custom", Backups.Engines.RestoreTarget.IntoDirectory("/srv/restore"), CancellationToken.None));

        Assert.That(ex!.Reason, Is.EqualTo(BackupReasons.WrongTarget));
        Assert.That(ex.Message, Does.Contain("--to-database").And.Contain("/srv/restore"));
    }

    [Test]
    public void Load_EngineNotRegistered_RefusedNamingThePathAndTheRegisteredEngines()
    {
        using var services = Services(registerTextEngine: false);

        var (_, errors) = Load(services, "/var/backups/notes");

        Assert.That(errors.Select(e => e.ToString()), Has.One.EqualTo("OpsAgent:Backups:notes:Engine: 'text' is not one of postgres, mongodb, files"));
    }

    [Test]
    public void Load_EngineSettingMissing_RefusedByTheEngineWithItsPath()
    {
        using var services = Services(registerTextEngine: true);
        var json = """{ "OpsAgent": { "Backups": { "notes": { "Engine": "TEXT", "Schedule": "0 2 * * *", "Directory": "/var/backups/notes" } } } }""";
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();

        services.GetServices<IAgentSection>().Single(s => s.Path == BackupsOptions.SectionName).Load(root, errors);

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "OpsAgent:Backups:notes:Text: required: what to dump" }));
    }
}
