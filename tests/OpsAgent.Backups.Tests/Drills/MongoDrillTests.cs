using MongoDB.Bson;
using MongoDB.Driver;
using OpsAgent.Backups.Drills;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Drills;

/// <summary>
/// Drills of real MongoDB backups, on the host and inside the MongoDB container: MongoDB cannot be installed here, so
/// these run where OPSAGENT_TEST_MONGO is set (the GitHub workflow) and skip with that reason elsewhere.
/// </summary>
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class MongoDrillTests
{
    private static async Task<string> SeedAsync(MongoClient client)
    {
        var database = "opsagent_" + Guid.NewGuid().ToString("N")[..8];
        var users = client.GetDatabase(database).GetCollection<BsonDocument>("users");
        await users.InsertManyAsync(Enumerable.Range(1, 3000).Select(i => new BsonDocument { ["_id"] = i, ["name"] = "user " + i, ["pad"] = new string('x', 200) }));
        await client.GetDatabase(database).GetCollection<BsonDocument>("sessions").InsertOneAsync(new BsonDocument("_id", 1));
        return database;
    }

    private static async Task<List<string>> DrillDatabasesAsync(MongoClient client, string database)
        => [.. (await (await client.ListDatabaseNamesAsync()).ToListAsync()).Where(d => d.StartsWith(database + "_drill_", StringComparison.Ordinal))];

    private static BackupJobOptions Job(string database, string connection, string? container = null, long usersAtLeast = 1) => new()
    {
        Engine = "mongodb",
        Database = database,
        Container = container,
        Connection = new SecretReference { Value = connection },
        Verify = VerifyMode.Full,
        Drill = new DrillOptions
        {
            Schedule = "0 4 1 */3 *",
            Checks = [new DrillCheckOptions { Collection = "users", AtLeast = usersAtLeast }, new DrillCheckOptions { Collection = "sessions", AtLeast = 1 }],
        },
    };

    private static async Task DrillAsync(MongoClient client, BackupJobOptions job, BackupTestKit kit, bool expectSuccess)
    {
        var request = kit.Request("innova-db", job);
        var backup = await kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);
        Assert.That(backup.Success, Is.True, backup.Message);

        var result = await kit.Drills.RunAsync(BackupTestKit.DrillRequest(request), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.EqualTo(expectSuccess), $"{result.Reason}: {result.Message}");
        Assert.That(result.Scratch, Does.Match($"^{job.Database}_drill_\\d{{14}}$"));
        Assert.That(result.Checks[0].Value, Is.EqualTo("3000"));
        Assert.That(result.Checks[^1].ToString(), Does.StartWith("collections = 2 collections, 3001 documents"));
        Assert.That(await DrillDatabasesAsync(client, job.Database!), Is.Empty, "the scratch database is dropped");
        Assert.That(await client.GetDatabase(job.Database).GetCollection<BsonDocument>("users").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty), Is.EqualTo(3000), "the original is untouched");
    }

    [Test]
    public async Task Drill_RealBackupOnTheHost_RestoresCountsAndDropsTheScratchDatabase()
    {
        var uri = TestEnvironment.RequireMongoOnHost();
        using var kit = new BackupTestKit();
        var client = new MongoClient(uri);
        var database = await SeedAsync(client);
        try
        {
            await DrillAsync(client, Job(database, uri), kit, expectSuccess: true);
            Assert.That(kit.Logs.WithEvent("drill_succeeded").Single().Message, Does.Contain("documents in users = 3000"));
        }
        finally
        {
            await client.DropDatabaseAsync(database);
        }
    }

    [Test]
    public async Task Drill_CheckNotHeld_FailsWithItsValueAndDropsTheScratchDatabase()
    {
        var uri = TestEnvironment.RequireMongoOnHost();
        using var kit = new BackupTestKit();
        var client = new MongoClient(uri);
        var database = await SeedAsync(client);
        try
        {
            await DrillAsync(client, Job(database, uri, usersAtLeast: 5000), kit, expectSuccess: false);
            Assert.That(kit.Logs.WithEvent("drill_failed").Single().Message, Does.Contain("check_failed:1").And.Contain("documents in users = 3000 (at least 5000) FAILED"));
        }
        finally
        {
            await client.DropDatabaseAsync(database);
        }
    }

    [Test]
    public async Task Drill_InTheMongoContainer_RestoresWithTheImagesToolsAndDropsTheScratchDatabase()
    {
        var uri = TestEnvironment.Require("OPSAGENT_TEST_MONGO");
        var container = TestEnvironment.Require("OPSAGENT_TEST_MONGO_CONTAINER");
        var inside = TestEnvironment.Require("OPSAGENT_TEST_MONGO_CONTAINER_URI");
        using var kit = new BackupTestKit(dockerEndpoint: TestEnvironment.Require("OPSAGENT_TEST_MONGO_DOCKER"));
        var client = new MongoClient(uri);
        var database = await SeedAsync(client);
        try
        {
            await DrillAsync(client, Job(database, inside, container), kit, expectSuccess: true);
        }
        finally
        {
            await client.DropDatabaseAsync(database);
        }
    }
}
