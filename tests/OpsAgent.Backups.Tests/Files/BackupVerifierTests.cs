using System.Security.Cryptography;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Backups.Verification;

namespace OpsAgent.Backups.Tests.Files;

public sealed class BackupVerifierTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-verify-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private async Task<(string Path, DumpWriteResult Written)> WriteAsync(string name, byte[] content, BackupCompression compression)
    {
        var path = Path.Combine(_dir, name);
        using var source = new MemoryStream(content);
        var written = await DumpWriter.WriteAsync(source, path, compression, null, null, CancellationToken.None);
        var check = await BackupVerifier.VerifyWrittenAsync(path, ContentChecks.For(path), written.Sha256, null, null, CancellationToken.None);
        await File.WriteAllTextAsync(path + ".sha256", BackupVerifier.ChecksumLine(check.Sha256!, name));
        return (path, written);
    }

    private static byte[] CustomDump(int size)
    {
        var bytes = new byte[size];
        new Random(42).NextBytes(bytes);
        "PGDMP"u8.CopyTo(bytes);
        return bytes;
    }

    [TestCase(BackupCompression.Zstd, "db_20261123T020000Z.dump.zst")]
    [TestCase(BackupCompression.Gzip, "db_20261123T020000Z.dump.gz")]
    [TestCase(BackupCompression.None, "db_20261123T020000Z.dump")]
    public async Task Verify_IntactFile_PassesAndCountsUncompressedBytes(BackupCompression compression, string name)
    {
        var (path, written) = await WriteAsync(name, CustomDump(3 << 20), compression);

        var result = await BackupVerifier.VerifyAsync(path, ContentChecks.For(path), null, null, null, CancellationToken.None);

        var onDisk = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)));
        Assert.That(result.Ok, Is.True, result.Message);
        Assert.That(result.UncompressedBytes, Is.EqualTo(3 << 20));
        Assert.That(result.Sha256, Is.EqualTo(onDisk));
        Assert.That(written.Sha256, compression == BackupCompression.None ? Is.EqualTo(onDisk) : Is.Null, "only uncompressed output is hashed while it is written");
    }

    [TestCase(BackupCompression.Zstd, "db_20261123T020000Z.dump.zst")]
    [TestCase(BackupCompression.Gzip, "db_20261123T020000Z.dump.gz")]
    public async Task VerifyWritten_CompressedFileChangedOnDisk_FailsAsCorrupt(BackupCompression compression, string name)
    {
        // Random bytes do not compress, so both formats store them as they are: a changed byte still decodes, and only
        // the checksum the compressor put in the frame (zstd XXH64, gzip CRC-32) can tell.
        var path = Path.Combine(_dir, name);
        using (var source = new MemoryStream(CustomDump(1 << 20)))
        {
            await DumpWriter.WriteAsync(source, path, compression, null, null, CancellationToken.None);
        }

        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var result = await BackupVerifier.VerifyWrittenAsync(path, ContentChecks.For(path), null, null, null, CancellationToken.None);

        Assert.That(result.Ok, Is.False);
        Assert.That(result.Reason, Is.EqualTo("corrupt"), result.Message);
    }

    [Test]
    public async Task Verify_TruncatedZstd_FailsAsCorrupt()
    {
        var (path, _) = await WriteAsync("db_20261123T020000Z.dump.zst", CustomDump(1 << 20), BackupCompression.Zstd);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
        await File.WriteAllTextAsync(path + ".sha256", BackupVerifier.ChecksumLine(Convert.ToHexStringLower(SHA256.HashData(bytes[..(bytes.Length / 2)])), Path.GetFileName(path)));

        var result = await BackupVerifier.VerifyAsync(path, ContentChecks.For(path), null, null, null, CancellationToken.None);

        Assert.That(result.Ok, Is.False);
        Assert.That(result.Reason, Is.EqualTo("corrupt"));
    }

    [Test]
    public async Task Verify_FlippedByte_FailsWithChecksumMismatch()
    {
        var (path, _) = await WriteAsync("db_20261123T020000Z.dump", CustomDump(1 << 16), BackupCompression.None);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^10] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        var result = await BackupVerifier.VerifyAsync(path, ContentChecks.For(path), null, null, null, CancellationToken.None);

        Assert.That(result.Reason, Is.EqualTo("checksum_mismatch"));
    }

    [Test]
    public async Task Verify_PlainDumpWithoutTrailer_FailsAsTruncated()
    {
        var (path, _) = await WriteAsync("db_20261123T020000Z.sql.zst", "--\n-- PostgreSQL database dump\n--\nCREATE TABLE t (id int);\nCOPY t (id) FROM stdin;\n1\n"u8.ToArray(), BackupCompression.Zstd);

        var result = await BackupVerifier.VerifyAsync(path, ContentChecks.For(path), null, null, null, CancellationToken.None);

        Assert.That(result.Reason, Is.EqualTo("truncated"));
    }

    [Test]
    public async Task Verify_MissingChecksum_Fails()
    {
        var (path, _) = await WriteAsync("db_20261123T020000Z.dump", CustomDump(100), BackupCompression.None);
        File.Delete(path + ".sha256");

        var result = await BackupVerifier.VerifyAsync(path, ContentChecks.For(path), null, null, null, CancellationToken.None);

        Assert.That(result.Reason, Is.EqualTo("no_checksum"));
    }
}
