using System.IO.Hashing;
using MongoDB.Bson;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Backups.Verification;

namespace OpsAgent.Backups.Tests.Files;

/// <summary>mongodump archives built byte by byte from mongo-tools' spec, read back by the verifier.</summary>
public sealed class MongoArchiveVerifierTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-archive-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private async Task<VerifyResult> VerifyAsync(byte[] archive, VerifyMode depth = VerifyMode.Full, BackupCompression compression = BackupCompression.Zstd)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, Guid.NewGuid().ToString("N"))).FullName, BackupFileNames.For("innova", DateTimeOffset.UnixEpoch, ".archive" + BackupFileNames.CompressionSuffix(compression)));
        using var source = new MemoryStream(archive);
        var written = await DumpWriter.WriteAsync(source, path, compression, null, null, CancellationToken.None);
        return await BackupVerifier.VerifyWrittenAsync(path, ContentChecks.For(path, depth), written.Sha256, null, null, CancellationToken.None);
    }

    [TestCase(VerifyMode.Basic, "sha256, zstd, mongodump archive")]
    [TestCase(VerifyMode.Full, "sha256, zstd, mongodump archive, crc64")]
    public async Task Verify_WholeArchive_PassesAndSaysWhatWasChecked(VerifyMode depth, string checks)
    {
        var result = await VerifyAsync(MongoArchiveBuilder.Database("innova_db", 500, "users", "orders", "empty"), depth);

        Assert.That(result.Ok, Is.True, result.Message);
        Assert.That(result.Checks, Is.EqualTo(checks));
    }

    [Test]
    public async Task Verify_ArchiveOfAMissingDatabase_Empty()
    {
        // What mongodump writes for --db=inova_db (misspelled): magic, header, no collection, terminator.
        var archive = new MongoArchiveBuilder().Prelude().Terminate().ToArray();

        var result = await VerifyAsync(archive, VerifyMode.Basic);

        Assert.That(result.Ok, Is.False);
        Assert.That(result.Reason, Is.EqualTo("empty"));
        Assert.That(result.Message, Does.Contain("holds no collection"));
    }

    [Test]
    public async Task Verify_OnlyViews_Empty()
    {
        var archive = new MongoArchiveBuilder().Prelude()
            .Document(new BsonDocument { ["db"] = "innova_db", ["collection"] = "active_users", ["metadata"] = "{}", ["size"] = 0, ["type"] = "view" })
            .Terminate().ToArray();

        var result = await VerifyAsync(archive);

        Assert.That(result.Reason, Is.EqualTo("empty"), result.Message);
    }

    [TestCase(1, TestName = "Verify_CutInsideTheLastTerminator_Truncated")]
    [TestCase(4, TestName = "Verify_CutBeforeTheLastTerminator_Truncated")]
    [TestCase(40, TestName = "Verify_CutInsideTheLastEofHeader_Truncated")]
    public async Task Verify_Cut_Truncated(int cut)
    {
        var whole = MongoArchiveBuilder.Database("innova_db", 50, "users");

        var result = await VerifyAsync(whole[..^cut], VerifyMode.Basic);

        Assert.That(result.Ok, Is.False);
        Assert.That(result.Reason, Is.EqualTo("truncated"), result.Message);
    }

    [Test]
    public async Task Verify_StreamStopsAfterAWholeSegmentButBeforeItsEofHeader_Truncated()
    {
        var archive = new MongoArchiveBuilder().Prelude().Collection("innova_db", "users").Terminate()
            .Segment("innova_db", "users", new BsonDocument("_id", 1)).ToArray();

        var result = await VerifyAsync(archive, VerifyMode.Basic);

        Assert.That(result.Reason, Is.EqualTo("truncated"));
        Assert.That(result.Message, Does.Contain("innova_db.users has no end-of-collection header"));
    }

    [Test]
    public async Task Verify_DocumentChangedInsideTheArchive_ChecksumMismatchOnlyWhenFull()
    {
        var archive = MongoArchiveBuilder.Database("innova_db", 20, "users");
        // A byte of a document's string changes: the framing is intact, only the CRC-64 can tell.
        var at = Array.LastIndexOf(archive, (byte)'7');
        archive[at] = (byte)'8';

        var basic = await VerifyAsync(archive, VerifyMode.Basic);
        var full = await VerifyAsync(archive, VerifyMode.Full);

        Assert.Multiple(() =>
        {
            Assert.That(basic.Ok, Is.True, basic.Message);
            Assert.That(full.Ok, Is.False);
            Assert.That(full.Reason, Is.EqualTo("checksum_mismatch"));
            Assert.That(full.Message, Does.Contain("innova_db.users"));
        });
    }

    [Test]
    public async Task Verify_SegmentsInterleaved_CrcCoversEveryDocumentOfTheNamespace()
    {
        var builder = new MongoArchiveBuilder().Prelude().Collection("db", "a").Collection("db", "b").Terminate();
        builder.Segment("db", "a", new BsonDocument("_id", 1)).Segment("db", "b", new BsonDocument("_id", 2))
            .Segment("db", "a", new BsonDocument("_id", 3)).End("db", "b").End("db", "a");

        var result = await VerifyAsync(builder.ToArray());

        Assert.That(result.Ok, Is.True, result.Message);
    }

    [Test]
    public async Task Verify_BadDocumentLength_Corrupt()
    {
        var archive = new MongoArchiveBuilder().Prelude().Collection("db", "a").Terminate().Raw(3, 0, 0, 0, 0, 0, 0).ToArray();

        var result = await VerifyAsync(archive);

        Assert.That(result.Reason, Is.EqualTo("corrupt"));
        Assert.That(result.Message, Does.Contain("neither a BSON document length nor an archive terminator"));
    }

    // mongo-tools common/archive/parser.go: size < minBSONSize || size > db.MaxBSONSize (16 MiB) is corruption, and
    // mongorestore stops there; the 16 KiB of command overhead is an allowance of the oplog's BSON source only.
    [TestCase(16 * 1024 * 1024, true, TestName = "Verify_DocumentOfExactly16MiB_Passes")]
    [TestCase((16 * 1024 * 1024) + 1, false, TestName = "Verify_DocumentOneByteOver16MiB_CorruptAsMongorestoreRefusesIt")]
    [TestCase((16 * 1024 * 1024) + (16 * 1024), false, TestName = "Verify_DocumentOf16MiBPlus16KiB_CorruptAsMongorestoreRefusesIt")]
    public async Task Verify_DocumentSize(int size, bool ok)
    {
        var archive = new MongoArchiveBuilder().Prelude().Collection("db", "a").Terminate()
            .SegmentOfSize("db", "a", size).End("db", "a").ToArray();

        var result = await VerifyAsync(archive);

        Assert.That(result.Ok, Is.EqualTo(ok), result.Message);
        if (!ok)
        {
            Assert.That(result.Reason, Is.EqualTo("corrupt"));
            Assert.That(result.Message, Does.Contain($"{size} is neither a BSON document length"));
        }
    }

    [Test]
    public async Task Verify_NotAnArchive_Corrupt()
    {
        var result = await VerifyAsync("PGDMP not mongo"u8.ToArray());

        Assert.That(result.Reason, Is.EqualTo("corrupt"));
        Assert.That(result.Message, Does.Contain("bad magic number"));
    }

    [Test]
    public void Crc64_GoEcmaTable_MatchesTheCheckValue()
    {
        // Go's hash/crc64 with crc64.ECMA, as mongo-tools uses it, gives 0x995dc9bbdf1939fa for "123456789" (CRC-64/XZ);
        // .NET's own Crc64 gives 0x6c40df5f0b497347 (CRC-64/ECMA-182) and would fail every real archive.
        var crc = new Crc64(Crc64ParameterSet.Create(0x42F0E1EBA9EA3693, ulong.MaxValue, ulong.MaxValue, true));
        crc.Append("123456789"u8);

        Assert.That(crc.GetCurrentHashAsUInt64(), Is.EqualTo(0x995dc9bbdf1939faUL));
    }
}
