using System.Text.Json;
using OpsAgent.Backups.Files;

namespace OpsAgent.Backups.Tests.Files;

/// <summary>The <c>.json</c> sidecar: an engine's own keys are members of the object, read back as the engine's facts.</summary>
public sealed class BackupMetadataTests
{
    [Test]
    public void TryRead_SidecarWrittenBeforeEnginesOwnedTheirKeys_KeepsCleanSchemaAndRolePasswordsAsFacts()
    {
        // A plain dump's .json as the agent wrote it before the engine's keys moved out of the common record.
        var path = Path.Combine(Path.GetTempPath(), $"opsagent-meta-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {"job":"db","engine":"postgres","tool":"pg_dump","format":"plain","compression":"zstd","sha256":"00","verified":true,
             "globalsFile":"db_x.sql.zst.globals.sql.zst","globalsWithoutRolePasswords":true,"clean":true,"schema":"public"}
            """);
        try
        {
            var metadata = BackupMetadata.TryRead(path)!;

            Assert.That(metadata.Fact("clean"), Is.True, "an old plain dump still restores over a non-empty database");
            Assert.That(metadata.Fact("globalsWithoutRolePasswords"), Is.True);
            Assert.That(metadata.Facts!["schema"].GetString(), Is.EqualTo("public"));
            Assert.That(metadata.GlobalsFile, Is.EqualTo("db_x.sql.zst.globals.sql.zst"));
            using var written = JsonDocument.Parse(JsonSerializer.Serialize(metadata, BackupJsonContext.Default.BackupMetadata));
            Assert.That(written.RootElement.GetProperty("clean").GetBoolean(), Is.True, "written back as top-level members, as before");
            Assert.That(written.RootElement.GetProperty("schema").GetString(), Is.EqualTo("public"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void FactsOf_PlanThenProducer_LaterWinsAndNullsAreLeftOut()
    {
        var facts = BackupMetadata.FactsOf(new System.Text.Json.Nodes.JsonObject { ["entries"] = 1, ["a"] = "plan" }, null, new System.Text.Json.Nodes.JsonObject { ["entries"] = 2 });

        Assert.That(facts!["entries"].GetInt32(), Is.EqualTo(2));
        Assert.That(facts["a"].GetString(), Is.EqualTo("plan"));
        Assert.That(BackupMetadata.FactsOf(null, null), Is.Null);
    }
}
