using MongoDB.Bson;
using MongoDB.Driver;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Engines;

/// <summary>
/// mongodump/mongorestore against a real MongoDB with authentication; it cannot be installed here, so this runs where
/// OPSAGENT_TEST_MONGO (root in admin) and the Database Tools are present: the GitHub workflow, in host and Container mode.
/// </summary>
// Real dumps and engines: a call that blocks (a tool or an exec that never ends) fails the test instead of hanging the run.
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class MongoBackupTests
{
    private static async Task<string> SeedAsync(MongoClient client, string database)
    {
        var orders = client.GetDatabase(database).GetCollection<BsonDocument>("orders");
        await orders.InsertManyAsync(Enumerable.Range(1, 1000).Select(i => new BsonDocument { ["_id"] = i, ["total"] = i * 2.5, ["note"] = "order " + i }));
        return database;
    }

    private static async Task AssertCopiedAsync(MongoClient client, string database)
    {
        var copied = client.GetDatabase(database).GetCollection<BsonDocument>("orders");
        Assert.That(await copied.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty), Is.EqualTo(1000));
        Assert.That((await copied.Find(new BsonDocument("_id", 500)).FirstAsync())["note"].AsString, Is.EqualTo("order 500"));
    }

    [TestCase(false, TestName = "Run_DatabaseFromTheJob_RestoresIntoAnotherDatabase")]
    [TestCase(true, TestName = "Run_DatabaseFromTheUri_RestoresIntoAnotherDatabase")]
    public async Task Run_RestoresIntoAnotherDatabase(bool databaseInUri)
    {
        var uri = TestEnvironment.RequireMongoOnHost();
        using var kit = new BackupTestKit();
        var client = new MongoClient(uri);
        var source = await SeedAsync(client, "opsagent_" + Guid.NewGuid().ToString("N")[..8]);
        var target = source + "_copy";
        try
        {
            var connection = databaseInUri ? new MongoUrlBuilder(uri) { DatabaseName = source, AuthenticationSource = "admin" }.ToString() : uri;
            var job = new BackupJobOptions { Engine = "mongodb", Database = databaseInUri ? null : source, Connection = new SecretReference { Value = connection }, Verify = VerifyMode.Full };

            var result = await kit.Runner.RunAsync(kit.Request("mongo", job), null, TestContext.CurrentContext.CancellationToken);

            Assert.That(result.Success, Is.True, result.Message);
            Assert.That(result.File!.FileName, Does.EndWith(".archive.zst"));
            Assert.That(result.File.Metadata!.Database, Is.EqualTo(source));
            Assert.That(result.File.Metadata.VerifiedBy, Does.EndWith("mongodump archive, crc64"));
            var restore = await kit.Restorer.RestoreAsync("mongo", job, result.File.Path, target, kit.Directory, null, TestContext.CurrentContext.CancellationToken);
            Assert.That(restore.Success, Is.True, restore.Message);
            await AssertCopiedAsync(client, target);
            Assert.That(await client.GetDatabase(source).GetCollection<BsonDocument>("orders").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty), Is.EqualTo(1000), "the original is untouched");

            var again = await kit.Restorer.RestoreAsync("mongo", job, result.File.Path, target, kit.Directory, null, TestContext.CurrentContext.CancellationToken);
            var cleaned = await kit.Restorer.RestoreAsync("mongo", job, result.File.Path, target, clean: true, kit.Directory, null, TestContext.CurrentContext.CancellationToken);
            Assert.That(again.Reason, Is.EqualTo("target_not_empty"), again.Message);
            Assert.That(cleaned.Success, Is.True, cleaned.Message);
            await AssertCopiedAsync(client, target);
        }
        finally
        {
            await client.DropDatabaseAsync(source);
            await client.DropDatabaseAsync(target);
        }
    }

    [Test]
    public async Task Run_MisspeltDatabase_FailsAsEmpty()
    {
        var uri = TestEnvironment.RequireMongoOnHost();
        using var kit = new BackupTestKit();
        var job = new BackupJobOptions { Engine = "mongodb", Database = "opsagent_no_such_db", Connection = new SecretReference { Value = uri } };

        var result = await kit.Runner.RunAsync(kit.Request("mongo", job), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Reason, Is.EqualTo("empty"), result.Message);
    }

    [Test]
    public async Task Restore_AppUserOwningOneDatabase_DumpsItButCannotRestoreIntoAnother()
    {
        // Seed 000's role: appuser is dbOwner on innova_db only.
        var app = TestEnvironment.Require("OPSAGENT_TEST_MONGO_APP");
        TestEnvironment.RequireOnPath("mongodump", "mongorestore");
        using var kit = new BackupTestKit();
        var client = new MongoClient(app);
        var database = new MongoUrl(app).DatabaseName;
        await client.GetDatabase(database).GetCollection<BsonDocument>("probe").ReplaceOneAsync(new BsonDocument("_id", 1), new BsonDocument("_id", 1), new ReplaceOptions { IsUpsert = true });
        var job = new BackupJobOptions { Engine = "mongodb", Connection = new SecretReference { Value = app } };

        var result = await kit.Runner.RunAsync(kit.Request("innova", job), null, TestContext.CurrentContext.CancellationToken);
        Assert.That(result.Success, Is.True, result.Message);
        var restore = await kit.Restorer.RestoreAsync("innova", job, result.File!.Path, database + "_copy", kit.Directory, null, TestContext.CurrentContext.CancellationToken);

        Assert.That(restore.Reason, Is.EqualTo("not_authorized"), restore.Message);
    }

    [Test]
    public async Task Restore_AppUserIntoItsOwnDatabaseWithoutClean_EmptinessCheckLogsInToThatDatabase()
    {
        // Seed 000's URI form: mongodb://appuser:pw@host/innova_db, no authSource; appuser is defined in innova_db. The check
        // once logged in to admin ("Unable to authenticate", database_unreachable): it must log in where the tools do.
        var app = TestEnvironment.Require("OPSAGENT_TEST_MONGO_APP");
        TestEnvironment.RequireOnPath("mongodump", "mongorestore");
        using var kit = new BackupTestKit();
        var client = new MongoClient(app);
        var database = new MongoUrl(app).DatabaseName;
        await client.GetDatabase(database).GetCollection<BsonDocument>("probe").ReplaceOneAsync(new BsonDocument("_id", 1), new BsonDocument("_id", 1), new ReplaceOptions { IsUpsert = true });
        var job = new BackupJobOptions { Engine = "mongodb", Connection = new SecretReference { Value = app } };
        var result = await kit.Runner.RunAsync(kit.Request("innova", job), null, TestContext.CurrentContext.CancellationToken);
        Assert.That(result.Success, Is.True, result.Message);

        var refused = await kit.Restorer.RestoreAsync("innova", job, result.File!.Path, null, kit.Directory, null, TestContext.CurrentContext.CancellationToken);
        var cleaned = await kit.Restorer.RestoreAsync("innova", job, result.File.Path, null, clean: true, kit.Directory, null, TestContext.CurrentContext.CancellationToken);

        Assert.That(refused.Reason, Is.EqualTo("target_not_empty"), refused.Message);
        Assert.That(cleaned.Success, Is.True, cleaned.Message);
    }

    [Test]
    public async Task Run_InTheMongoContainer_DumpsWithTheImagesMongodump()
    {
        var uri = TestEnvironment.Require("OPSAGENT_TEST_MONGO");
        var container = TestEnvironment.Require("OPSAGENT_TEST_MONGO_CONTAINER");
        var inside = TestEnvironment.Require("OPSAGENT_TEST_MONGO_CONTAINER_URI");
        using var kit = new BackupTestKit(dockerEndpoint: TestEnvironment.Require("OPSAGENT_TEST_MONGO_DOCKER"));
        var client = new MongoClient(uri);
        var source = await SeedAsync(client, "opsagent_" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var job = new BackupJobOptions { Engine = "mongodb", Database = source, Container = container, Connection = new SecretReference { Value = inside } };

            var result = await kit.Runner.RunAsync(kit.Request("mongo", job), null, TestContext.CurrentContext.CancellationToken);
            var restore = await kit.Restorer.RestoreAsync("mongo", job, result.File?.Path ?? "missing", source + "_copy", kit.Directory, null, TestContext.CurrentContext.CancellationToken);

            Assert.That(result.Success, Is.True, result.Message);
            Assert.That(result.File!.Metadata!.Container, Is.EqualTo(container));
            Assert.That(restore.Success, Is.True, restore.Message);
            await AssertCopiedAsync(client, source + "_copy");
        }
        finally
        {
            await client.DropDatabaseAsync(source);
            await client.DropDatabaseAsync(source + "_copy");
        }
    }
}
