using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.Sftp;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Tests.Copies.Sftp;

/// <summary>The sftp target against a real OpenSSH sshd (internal-sftp) on loopback, whose remote root is also readable here.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SftpTargetTests
{
    private SftpServer _server = null!;
    private string _folder = null!;
    private string _scratch = null!;

    /// <summary>The test's folder on the server's disk.</summary>
    private string Local => Path.Combine(_server.Root, _folder);

    [SetUp]
    public void SetUp()
    {
        _server = SftpServer.Require();
        _folder = "t-" + Guid.NewGuid().ToString("N")[..10];
        _scratch = Directory.CreateTempSubdirectory("opsagent-sftp-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_server is null)
        {
            return;
        }

        foreach (var path in new[] { Local, _scratch })
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    [Test]
    public async Task Upload_SmallFile_IsListedReadBackAndHashed()
    {
        var content = Encoding.UTF8.GetBytes("a small backup\n");
        await using var session = await SftpServer.ConnectAsync(_server.Options());

        var remote = await session.UploadAsync(new UploadRequest(_folder, "web1_20250101.dump", content.Length, null), new MemoryStream(content), CancellationToken.None);

        Assert.That(remote.Size, Is.EqualTo(content.Length));
        Assert.That(remote.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(content))));
        Assert.That(remote.Modified, Is.Not.Null);
        var listed = await session.ListAsync(_folder, "web1_", CancellationToken.None);
        Assert.That(listed.Select(f => (f.Name, f.Size)), Is.EqualTo(new[] { ("web1_20250101.dump", (long)content.Length) }));
        await using (var read = await session.OpenReadAsync(_folder, "web1_20250101.dump", CancellationToken.None))
        {
            using var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.That(copy.ToArray(), Is.EqualTo(content));
        }

        Assert.That(Directory.GetFiles(Local).Select(Path.GetFileName), Is.EqualTo(new[] { "web1_20250101.dump" }), "on the server's disk: the file, no .partial");
        Assert.That(session.Describe(_folder, "web1_20250101.dump"), Is.EqualTo($"sftp://{_server.User}@{_server.Host}:{_server.Port}{_server.Root}/{_folder}/web1_20250101.dump"));
    }

    [Test]
    public async Task Upload_LargeNonSeekableStream_ArrivesWhole()
    {
        const long size = 64L << 20;
        await using var session = await SftpServer.ConnectAsync(_server.Options());

        var remote = await session.UploadAsync(new UploadRequest(_folder + "/deeper", "big.dump", null, null), new GeneratedStream(size, seed: 7), CancellationToken.None);

        var expected = Convert.ToHexStringLower(await SHA256.HashDataAsync(new GeneratedStream(size, seed: 7)));
        Assert.That(remote.Size, Is.EqualTo(size));
        Assert.That(remote.Sha256, Is.EqualTo(expected));
        var onDisk = Path.Combine(Local, "deeper", "big.dump");
        await using (var file = File.OpenRead(onDisk))
        {
            Assert.That(Convert.ToHexStringLower(await SHA256.HashDataAsync(file)), Is.EqualTo(expected), "the server's copy");
        }

        await using (var read = await session.OpenReadAsync(_folder + "/deeper", "big.dump", CancellationToken.None))
        {
            Assert.That(Convert.ToHexStringLower(await SHA256.HashDataAsync(read)), Is.EqualTo(expected), "read through the session");
        }

        Assert.That((await session.ListAsync(_folder + "/deeper", "", CancellationToken.None)).Select(f => (f.Name, f.Size)), Is.EqualTo(new[] { ("big.dump", size) }));
        Assert.That(Directory.GetFiles(Path.Combine(Local, "deeper")).Select(Path.GetFileName), Is.EqualTo(new[] { "big.dump" }), "no .partial left");
    }

    [Test]
    public async Task Upload_ContentFailsHalfWay_LeavesNothingUnderTheName()
    {
        await using var session = await SftpServer.ConnectAsync(_server.Options());
        await session.UploadAsync(new UploadRequest(_folder, "other.dump", 1, null), new MemoryStream([1]), CancellationToken.None);

        var failing = new GeneratedStream(32L << 20, seed: 1) { FailAfter = 8L << 20 };
        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => session.UploadAsync(new UploadRequest(_folder, "web1.dump.age", null, null), failing, CancellationToken.None));

        Assert.That(thrown!.Message, Is.EqualTo(GeneratedStream.Failure), "the content's own exception reaches the caller");
        Assert.That(failing.Consumed, Is.GreaterThanOrEqualTo(8L << 20), "the failure came half way, after bytes were sent");
        Assert.That(Directory.GetFiles(Local).Select(Path.GetFileName), Is.EqualTo(new[] { "other.dump" }), "nothing under the name, no .partial");
        Assert.That((await session.ListAsync(_folder, "web1", CancellationToken.None)).Select(f => f.Name), Is.Empty);
    }

    [Test]
    public async Task Upload_Cancelled_LeavesNothingUnderTheName()
    {
        await using var session = await SftpServer.ConnectAsync(_server.Options());
        using var cancel = new CancellationTokenSource();
        var content = new GeneratedStream(256L << 20, seed: 2) { OnRead = read => { if (read >= 4L << 20) { cancel.Cancel(); } } };

        Assert.That(async () => await session.UploadAsync(new UploadRequest(_folder, "web1.dump", null, null), content, cancel.Token), Throws.InstanceOf<OperationCanceledException>());

        Assert.That(Directory.Exists(Local) ? Directory.GetFiles(Local) : [], Is.Empty, "nothing under the name, no .partial");
        Assert.That(content.Consumed, Is.LessThan(64L << 20), "the upload stopped soon after the cancellation, not at the end of the content");
    }

    [Test]
    public async Task Upload_ExistingName_IsReplaced()
    {
        await using var session = await SftpServer.ConnectAsync(_server.Options());
        await session.UploadAsync(new UploadRequest(_folder, "web1.json", 3, null), new MemoryStream("old"u8.ToArray()), CancellationToken.None);

        var remote = await session.UploadAsync(new UploadRequest(_folder, "web1.json", 5, null), new MemoryStream("newer"u8.ToArray()), CancellationToken.None);

        Assert.That(remote.Size, Is.EqualTo(5));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(Local, "web1.json")), Is.EqualTo("newer"));
    }

    [Test]
    public async Task Upload_WithoutVerifyReadBack_ReturnsNoSha256()
    {
        var options = _server.Options();
        options.VerifyReadBack = false;
        await using var session = await SftpServer.ConnectAsync(options);

        var remote = await session.UploadAsync(new UploadRequest(_folder, "web1.dump", 4, null), new MemoryStream([1, 2, 3, 4]), CancellationToken.None);

        Assert.That(remote.Size, Is.EqualTo(4));
        Assert.That(remote.Sha256, Is.Null, "the stage then compares sizes only");
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(Local, "web1.dump")), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
    }

    [Test]
    public async Task ListAsync_OnlyRegularFilesWithThePrefix_AndAMissingFolderIsEmpty()
    {
        await using var session = await SftpServer.ConnectAsync(_server.Options());
        await session.UploadAsync(new UploadRequest(_folder, "web1_a.dump", 1, null), new MemoryStream([1]), CancellationToken.None);
        await session.UploadAsync(new UploadRequest(_folder, "db2_a.dump", 1, null), new MemoryStream([1]), CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(Local, "web1_dir"));
        File.CreateSymbolicLink(Path.Combine(Local, "web1_link"), Path.Combine(Local, "web1_a.dump"));

        var listed = await session.ListAsync(_folder, "web1_", CancellationToken.None);

        Assert.That(listed.Select(f => f.Name), Is.EqualTo(new[] { "web1_a.dump" }));
        Assert.That(await session.ListAsync(_folder + "/absent", "", CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task DeleteAndOpenRead_AbsentFile_DeleteIsFineAndReadIsNotFound()
    {
        await using var session = await SftpServer.ConnectAsync(_server.Options());
        await session.UploadAsync(new UploadRequest(_folder, "web1.dump", 1, null), new MemoryStream([1]), CancellationToken.None);

        await session.DeleteAsync(_folder, "web1.dump", CancellationToken.None);
        await session.DeleteAsync(_folder, "web1.dump", CancellationToken.None);

        Assert.That(File.Exists(Path.Combine(Local, "web1.dump")), Is.False);
        var thrown = Assert.ThrowsAsync<CopyFailedException>(() => session.OpenReadAsync(_folder, "web1.dump", CancellationToken.None));
        Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.NotFound));
    }

    [Test]
    public async Task RemoveIncompleteAsync_RemovesThisPrefixsPartialsOnly()
    {
        await using var session = await SftpServer.ConnectAsync(_server.Options());
        await session.UploadAsync(new UploadRequest(_folder, "web1_c.dump", 1, null), new MemoryStream([1]), CancellationToken.None);
        foreach (var name in new[] { "web1_a.dump.partial", "web1_b.json.partial", "db2_a.dump.partial" })
        {
            await File.WriteAllTextAsync(Path.Combine(Local, name), "left by an interrupted copy");
        }

        var removed = await session.RemoveIncompleteAsync(_folder, "web1_", _ => true, CancellationToken.None);

        Assert.That(removed, Is.EqualTo(2));
        Assert.That(Directory.GetFiles(Local).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "db2_a.dump.partial", "web1_c.dump" }));
    }

    [Test]
    public async Task Connect_ChangedHostKey_IsHostKeyMismatchAndNothingIsCreated()
    {
        var other = SftpServer.NewKey(_scratch, "other_host_key");
        var knownHosts = Path.Combine(_scratch, "known_hosts");
        var otherLine = string.Join(' ', File.ReadAllText(other + ".pub").Split(' ')[..2]);
        await File.WriteAllTextAsync(knownHosts, $"# the server as it was\n[{_server.Host}]:{_server.Port} {otherLine}\n");
        var options = _server.Options(_server.Root + "/" + _folder);
        options.KnownHostsFile = knownHosts;
        var before = Directory.GetFileSystemEntries(_server.Root).Order().ToArray();

        var thrown = Assert.ThrowsAsync<CopyFailedException>(() => SftpServer.ConnectAsync(options));

        Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.HostKeyMismatch));
        var fingerprint = _server.HostKeyFingerprint().Split(' ');
        Assert.That(thrown.Message, Does.Contain($"{fingerprint[0]} {fingerprint[1]} (ED25519)"), "the server's key as ssh-keygen -lf prints it");
        Assert.That(thrown.Message, Does.Contain(knownHosts).And.Contain("line 2").And.Contain($"ssh-keyscan -p {_server.Port} -t ed25519 {_server.Host} >> {knownHosts}"));
        Assert.That(Directory.GetFileSystemEntries(_server.Root).Order(), Is.EqualTo(before), "nothing created on the server");
    }

    [Test]
    public async Task Connect_HostNotInKnownHosts_IsHostKeyMismatch()
    {
        var knownHosts = Path.Combine(_scratch, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[{_server.Host}]:{_server.Port + 1} {_server.HostKeyLine()}\nbackup.example.org {_server.HostKeyLine()}\n");
        var options = _server.Options();
        options.KnownHostsFile = knownHosts;

        var thrown = Assert.ThrowsAsync<CopyFailedException>(() => SftpServer.ConnectAsync(options));

        Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.HostKeyMismatch));
        Assert.That(thrown.Message, Does.Contain($"lists no key for [{_server.Host}]:{_server.Port}"));
    }

    [Test]
    public async Task Connect_RevokedHostKey_IsHostKeyMismatch()
    {
        var knownHosts = Path.Combine(_scratch, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[{_server.Host}]:{_server.Port} {_server.HostKeyLine()}\n@revoked * {_server.HostKeyLine()}\n");
        var options = _server.Options();
        options.KnownHostsFile = knownHosts;

        var thrown = Assert.ThrowsAsync<CopyFailedException>(() => SftpServer.ConnectAsync(options));

        Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.HostKeyMismatch));
        Assert.That(thrown.Message, Does.Contain("@revoked"));
    }

    [Test]
    public async Task Connect_HashedKnownHostsEntry_IsAccepted()
    {
        var knownHosts = Path.Combine(_scratch, "known_hosts");
        File.Copy(_server.KnownHosts, knownHosts);
        SftpServer.Run("ssh-keygen", "-H", "-f", knownHosts);
        Assume.That(await File.ReadAllTextAsync(knownHosts), Does.StartWith("|1|"), "ssh-keygen -H hashed the name");
        var options = _server.Options();
        options.KnownHostsFile = knownHosts;

        await using var session = await SftpServer.ConnectAsync(options);

        Assert.That(await session.ListAsync(_folder, "", CancellationToken.None), Is.Empty);
    }

    [Test]
    public void Connect_WrongUserKey_IsAuthFailed()
    {
        var options = _server.Options();
        options.PrivateKeyFile = SftpServer.NewKey(_scratch, "id_other");

        var thrown = Assert.ThrowsAsync<CopyFailedException>(() => SftpServer.ConnectAsync(options));

        Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.AuthFailed), thrown.Message);
    }

    [Test]
    public void Connect_NothingListening_IsUnreachable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = _server.Options();
        options.Port = port;
        File.WriteAllText(Path.Combine(_scratch, "known_hosts"), $"[{_server.Host}]:{port} {_server.HostKeyLine()}\n");
        options.KnownHostsFile = Path.Combine(_scratch, "known_hosts");

        var thrown = Assert.ThrowsAsync<CopyFailedException>(() => SftpServer.ConnectAsync(options));

        Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.Unreachable), thrown.Message);
    }

    [Test]
    public void Connect_PathMissing_IsNotFound()
    {
        var thrown = Assert.ThrowsAsync<CopyFailedException>(() => SftpServer.ConnectAsync(_server.Options(_server.Root + "/" + _folder)));

        Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.NotFound));
        Assert.That(thrown.Message, Does.Contain(_folder));
    }

    [Test]
    public async Task Upload_ReadOnlyFolder_IsAccessDenied()
    {
        // Created here as root: the SFTP user may read it but not write to it.
        Directory.CreateDirectory(Local);
        await using var session = await SftpServer.ConnectAsync(_server.Options());

        var thrown = Assert.ThrowsAsync<CopyFailedException>(() => session.UploadAsync(new UploadRequest(_folder, "web1.dump", 1, null), new MemoryStream([1]), CancellationToken.None));

        Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.AccessDenied), thrown.Message);
        Assert.That(Directory.GetFiles(Local), Is.Empty);
    }

    [Test]
    public async Task Upload_FullFileSystem_IsNoSpaceAndLeavesNothing()
    {
        // A 1 MB tmpfs as the folder: root only (mount), which tests/run.sh is; elsewhere the test is skipped.
        Directory.CreateDirectory(Local);
        var mount = Tool("mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", Local);
        Assume.That(mount.ExitCode, Is.Zero, $"cannot mount a small tmpfs here (needs root): {mount.Error}");
        try
        {
            SftpServer.Run("chown", _server.User, Local);
            await using var session = await SftpServer.ConnectAsync(_server.Options());

            var thrown = Assert.ThrowsAsync<CopyFailedException>(() => session.UploadAsync(new UploadRequest(_folder, "web1.dump", null, null), new GeneratedStream(4L << 20, seed: 4), CancellationToken.None));

            Assert.That(thrown!.Reason, Is.EqualTo(CopyReasons.NoSpace), thrown.Message);
            Assert.That(Directory.GetFiles(Local), Is.Empty, "nothing under the name, no .partial");
        }
        finally
        {
            Tool("umount", Local);
        }
    }

    private static (int ExitCode, string Error) Tool(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }

    [Test]
    public void Validate_BadValues_NameEachKey()
    {
        var options = new SftpTargetOptions
        {
            Host = "backup\u0000host",
            Port = 0,
            User = "web1@backup",
            PrivateKeyFile = "id_ed25519",
            KnownHostsFile = null,
            Path = new string('x', 100_000),
            PrivateKeyPassphrase = new Core.Secrets.SecretReference(),
        };
        var errors = new ValidationCollector();

        options.Validate("OpsAgent:Targets:backup-host", errors);

        var failures = errors.ToResult().Failures!.ToList();
        foreach (var key in new[] { "Host", "Port", "User", "PrivateKeyFile", "PrivateKeyPassphrase", "KnownHostsFile", "Path" })
        {
            Assert.That(failures, Has.Some.StartsWith($"OpsAgent:Targets:backup-host:{key}: "), key);
        }

        Assert.That(failures.Any(f => f.Any(char.IsControl)), Is.False, "no control character is echoed");
        Assert.That(failures.Max(f => f.Length), Is.LessThan(400), "a huge value is not echoed");
        var relative = new SftpTargetOptions { Host = "h", User = "u", PrivateKeyFile = "/k", KnownHostsFile = "/kh", Path = "srv/../backups" };
        var more = new ValidationCollector();
        relative.Validate("OpsAgent:Targets:t", more);
        Assert.That(more.ToResult().Failures, Is.EqualTo(new[] { "OpsAgent:Targets:t:Path: 'srv/../backups' must be an absolute path on the server (starting with '/')" }));
    }

    [Test]
    public void Describe_IsAnSftpUrlWithoutSecrets()
    {
        var options = _server.Options("/srv/backups/web1/");
        options.PrivateKeyPassphrase = new Core.Secrets.SecretReference { Value = "hunter2-passphrase" };

        Assert.That(options.Describe(), Is.EqualTo($"sftp://{_server.User}@{_server.Host}:{_server.Port}/srv/backups/web1"));
    }

    /// <summary>The upload figure on loopback, with and without read-back; printed, never asserted.</summary>
    [Test]
    public async Task Upload_300MegabytesOnLoopback_PrintsTheFigures()
    {
        var megabytes = int.TryParse(Environment.GetEnvironmentVariable("OPSAGENT_TEST_SFTP_BENCH_MB"), out var mb) ? mb : 300;
        var size = (long)megabytes << 20;
        using (var before = Process.GetCurrentProcess())
        {
            await TestContext.Out.WriteLineAsync($"before: working set {before.WorkingSet64 >> 20} MB, peak {before.PeakWorkingSet64 >> 20} MB");
        }

        foreach (var verify in new[] { false, true })
        {
            var options = _server.Options();
            options.VerifyReadBack = verify;
            await using var session = await SftpServer.ConnectAsync(options);
            using var process = Process.GetCurrentProcess();
            var clock = Stopwatch.StartNew();
            var remote = await session.UploadAsync(new UploadRequest(_folder, $"bench-{verify}.dump", null, null), new GeneratedStream(size, seed: 3), CancellationToken.None);
            clock.Stop();
            process.Refresh();
            Assert.That(remote.Size, Is.EqualTo(size));
            await TestContext.Out.WriteLineAsync($"sftp upload of {megabytes} MB (loopback, non-seekable) VerifyReadBack={verify}: {clock.Elapsed.TotalSeconds:0.0} s, {megabytes / clock.Elapsed.TotalSeconds:0} MB/s; peak working set {process.PeakWorkingSet64 >> 20} MB");
            File.Delete(Path.Combine(Local, $"bench-{verify}.dump"));
        }
    }

    /// <summary>Deterministic bytes read forward only (no Length, no Seek), like age's output; optionally failing part way.</summary>
    private sealed class GeneratedStream(long length, int seed) : Stream
    {
        public const string Failure = "age: the encryption failed half way";

        private readonly Random _random = new(seed);

        public long? FailAfter { get; init; }

        public Action<long>? OnRead { get; init; }

        public long Consumed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Consumed;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (FailAfter is { } limit && Consumed >= limit)
            {
                throw new InvalidOperationException(Failure);
            }

            var n = (int)Math.Min(buffer.Length, length - Consumed);
            _random.NextBytes(buffer[..n]);
            Consumed += n;
            OnRead?.Invoke(Consumed);
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
