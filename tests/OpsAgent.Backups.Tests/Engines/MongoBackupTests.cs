using MongoDB.Bson;
using MongoDB.Driver;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Engines;

/// <summary>mongodump/mongorestore against a real MongoDB; it cannot be installed here, so this runs where OPSAGENT_TEST_MONGO is set (the GitHub workflow).</summary>
[NonParallelizable]
public sealed class MongoBackupTests
{
    [Test]
    public async Task Run_MongoDatabase_RestoresIntoAnotherDatabase()
    {
        var uri = TestEnvironment.Require("OPSAGENT_TEST_MONGO");

        using var kit = new BackupTestKit();
        var client = new MongoClient(uri);
        var source = "opsagent_" + Guid.NewGuid().ToString("N")[..8];
        var target = source + "_copy";
        try
        {
            var orders = client.GetDatabase(source).GetCollection<BsonDocument>("orders");
            await orders.InsertManyAsync(Enumerable.Range(1, 1000).Select(i => new BsonDocument { ["_id"] = i, ["total"] = i * 2.5, ["note"] = "order " + i }));
            var job = new BackupJobOptions { Engine = BackupEngine.MongoDb, Database = source, Connection = new SecretReference { Value = uri } };

            var result = await kit.Runner.RunAsync(kit.Request("mongo", job), null, CancellationToken.None);

            Assert.That(result.Success, Is.True, result.Message);
            Assert.That(result.File!.FileName, Does.EndWith(".archive.zst"));
            var restore = await kit.Restorer.RestoreAsync("mongo", job, result.File.Path, target, kit.Directory, null, CancellationToken.None);
            Assert.That(restore.Success, Is.True, restore.Message);
            var copied = client.GetDatabase(target).GetCollection<BsonDocument>("orders");
            Assert.That(await copied.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty), Is.EqualTo(1000));
            Assert.That((await copied.Find(new BsonDocument("_id", 500)).FirstAsync())["note"].AsString, Is.EqualTo("order 500"));
        }
        finally
        {
            await client.DropDatabaseAsync(source);
            await client.DropDatabaseAsync(target);
        }
    }
}
