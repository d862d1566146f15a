using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Restore;

public sealed class BackupRestorerTests
{
    private BackupTestKit _kit = null!;

    [SetUp]
    public void CreateKit() => _kit = new BackupTestKit();

    [TearDown]
    public void DisposeKit() => _kit.Dispose();

    /// <summary>A published custom-format backup that verifies, so the restore gets as far as its connection.</summary>
    private async Task<string> BackupAsync()
    {
        var path = Path.Combine(_kit.Directory, BackupFileNames.For("db", DateTimeOffset.UnixEpoch, ".dump.zst"));
        using var dump = new MemoryStream([.. "PGDMP"u8, .. new byte[4096]]);
        await DumpWriter.WriteAsync(dump, path, BackupCompression.Zstd, null, null, CancellationToken.None);
        await File.WriteAllTextAsync(path + ".sha256", BackupVerifier.ChecksumLine(await BackupVerifier.HashFileAsync(path, CancellationToken.None), Path.GetFileName(path)));
        return path;
    }

    [Test]
    public async Task Restore_SecretFileMissing_FailsAsSecretNamingTheConnectionPath()
    {
        var file = await BackupAsync();
        var missing = Path.Combine(_kit.Directory, "no-such-secret");
        var job = new BackupJobOptions { Engine = "postgres", Directory = _kit.Directory, Connection = new SecretReference { File = missing } };

        var result = await _kit.Restorer.RestoreAsync("db", job, file, "db_copy", Path.Combine(_kit.Directory, ".state"), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Reason, Is.EqualTo(BackupReasons.Secret), result.Message);
        Assert.That(result.Message, Does.StartWith("OpsAgent:Backups:db:Connection: ").And.Contain(missing));
    }
}
