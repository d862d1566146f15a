using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.S3;

namespace OpsAgent.Backups.Tests.Copies.S3;

/// <summary>The s3 target against a real s3rver: what lands in the bucket, what is left after failures, what each error says.</summary>
[TestFixture]
public sealed class S3TargetTests
{
    private const long MiB = 1 << 20;

    private static async Task<bool> ExistsAsync(AmazonS3Client client, string bucket, string key)
    {
        try
        {
            await client.GetObjectMetadataAsync(bucket, key);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task<byte[]> ReadAllAsync(ICopySession session, string folder, string name)
    {
        await using var stream = await session.OpenReadAsync(folder, name, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>The uploads s3rver still holds for a key, or null when the server cannot list them (s3rver answers NotImplemented).</summary>
    private static async Task<int?> IncompleteUploadsAsync(AmazonS3Client client, string bucket, string prefix)
    {
        try
        {
            var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = prefix });
            return uploads.MultipartUploads?.Count ?? 0;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotImplemented)
        {
            return null;
        }
    }

    [Test]
    public async Task UploadAsync_SmallFile_RoundTripsWithListedSizeAndVerifiedSha256()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        var bytes = GeneratedStream.Bytes(100_000);
        await using var session = await server.ConnectAsync(server.Options(prefix));

        var remote = await session.UploadAsync(new UploadRequest("daily", "db-1.dump.zst", bytes.Length, null), new MemoryStream(bytes), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(remote.Name, Is.EqualTo("db-1.dump.zst"));
            Assert.That(remote.Size, Is.EqualTo(bytes.Length));
            Assert.That(remote.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))), "s3rver's ETag is the MD5 of what it stored, which confirms the bytes");
            Assert.That(remote.Modified, Is.Not.Null);
            Assert.That(session.Describe("daily", "db-1.dump.zst"), Is.EqualTo($"s3://{server.Bucket}/{prefix}daily/db-1.dump.zst"));
        });
        var listed = await session.ListAsync("daily", "db-", CancellationToken.None);
        Assert.That(listed.Select(f => (f.Name, f.Size)), Is.EqualTo(new[] { ("db-1.dump.zst", (long)bytes.Length) }));
        Assert.That(listed[0].StorageClass, Is.EqualTo("STANDARD"));
        Assert.That(await ReadAllAsync(session, "daily", "db-1.dump.zst"), Is.EqualTo(bytes));
    }

    [Test]
    public async Task UploadAsync_NonSeekableStreamOfUnknownLength_GoesUpInPartsAndReadsBackEqual()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        var length = (17 * MiB) + 12345;
        await using var session = await server.ConnectAsync(server.Options(prefix));

        var remote = await session.UploadAsync(new UploadRequest("", "db.dump.zst.age", null, null), new GeneratedStream(length, seed: 7), CancellationToken.None);

        var expected = GeneratedStream.Bytes(length, seed: 7);
        Assert.Multiple(() =>
        {
            Assert.That(server.PartsOf($"{prefix}db.dump.zst.age"), Is.EqualTo(4), "17 MiB in 5 MiB parts");
            Assert.That(remote.Size, Is.EqualTo(length));
            Assert.That(remote.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(expected))));
        });
        var listed = await session.ListAsync("", "db.", CancellationToken.None);
        Assert.That(listed.Select(f => (f.Name, f.Size)), Is.EqualTo(new[] { ("db.dump.zst.age", length) }));
        Assert.That(await ReadAllAsync(session, "", "db.dump.zst.age"), Is.EqualTo(expected));
    }

    [Test]
    public async Task UploadAsync_ContentThrowsHalfWay_LeavesNothingUnderTheNameAndRethrows()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        await using var session = await server.ConnectAsync(server.Options(prefix));
        using var raw = server.RawClient();

        // Past two full parts: the multipart upload was started and parts were sent when the producer (age) fails.
        var ex = Assert.ThrowsAsync<IOException>(() => session.UploadAsync(new UploadRequest("", "db.dump.zst.age", null, null), new GeneratedStream(30 * MiB, failAfter: 12 * MiB), CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("producer failed"));
        Assert.That(await ExistsAsync(raw, server.Bucket, $"{prefix}db.dump.zst.age"), Is.False, "nothing visible under the name");
        Assert.That(await session.ListAsync("", "", CancellationToken.None), Is.Empty);
        if (await IncompleteUploadsAsync(raw, server.Bucket, prefix) is { } incomplete)
        {
            Assert.That(incomplete, Is.Zero, "the multipart upload was aborted");
        }
        else
        {
            TestContext.Out.WriteLine("s3rver cannot list (nor abort) multipart uploads: only the absence of the object is checked");
        }
    }

    [Test]
    public async Task UploadAsync_CancelledHalfWay_LeavesNothingUnderTheName()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        await using var session = await server.ConnectAsync(server.Options(prefix));
        using var raw = server.RawClient();
        using var cancel = new CancellationTokenSource();

        Assert.CatchAsync<OperationCanceledException>(() => session.UploadAsync(new UploadRequest("", "db.dump.zst", 30 * MiB, null), new CancellingStream(new GeneratedStream(30 * MiB), 11 * MiB, cancel), cancel.Token));

        Assert.That(await ExistsAsync(raw, server.Bucket, $"{prefix}db.dump.zst"), Is.False);
    }

    [Test]
    public async Task UploadAsync_SmallMaxParts_NeverUsesMoreParts()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        var length = (16 * MiB) + 1;
        await using var session = await server.ConnectAsync(server.Options(prefix, o => o.MaxParts = 3));

        var unknown = await session.UploadAsync(new UploadRequest("", "unknown.bin", null, null), new GeneratedStream(length, seed: 3), CancellationToken.None);
        var known = await session.UploadAsync(new UploadRequest("", "known.bin", length, null), new GeneratedStream(length, seed: 4), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(server.PartsOf($"{prefix}unknown.bin"), Is.InRange(2, 3), "unknown length: 5, 10 then 20 MiB parts");
            Assert.That(server.PartsOf($"{prefix}known.bin"), Is.EqualTo(3), "known length: three 6 MiB parts");
            Assert.That(unknown.Size, Is.EqualTo(length));
            Assert.That(known.Size, Is.EqualTo(length));
        });
        Assert.That(await ReadAllAsync(session, "", "unknown.bin"), Is.EqualTo(GeneratedStream.Bytes(length, seed: 3)));
    }

    [Test]
    public async Task UploadAsync_LongerThanMaxPartsCanCarry_FailsAndLeavesNothing()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        await using var session = await server.ConnectAsync(server.Options(prefix, o => o.MaxParts = 2));
        using var raw = server.RawClient();

        // Announced as 10 MiB (two 5 MiB parts) but 12 MiB long: a third part would exceed MaxParts.
        var ex = Assert.ThrowsAsync<CopyFailedException>(() => session.UploadAsync(new UploadRequest("", "liar.bin", 10 * MiB, null), new GeneratedStream(12 * MiB), CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("longer than 2 parts"));
        Assert.That(await ExistsAsync(raw, server.Bucket, $"{prefix}liar.bin"), Is.False);
    }

    [Test]
    public async Task ConnectAsync_WrongSecret_FailsAuthFailedWithoutTheSecret()
    {
        var server = S3TestServer.Require();

        CopyFailedException? ex = null;
        try
        {
            await using var session = await server.ConnectAsync(server.Options(S3TestServer.UniquePrefix(), o => o.SecretAccessKey = new() { Value = "wrong-secret-7781" }));
        }
        catch (CopyFailedException failure)
        {
            ex = failure;
        }

        if (ex is null)
        {
            Assert.Ignore("this server (s3rver 3.7.1) does not check SigV4 signatures, so it accepts any secret; an unknown access key is refused (next test)");
        }

        Assert.That(ex!.Reason, Is.EqualTo(CopyReasons.AuthFailed), ex.Message);
        Assert.That(ex.Message, Does.Not.Contain("wrong-secret-7781"));
    }

    [Test]
    public async Task ConnectAsync_UnknownAccessKey_FailsAuthFailed()
    {
        var server = S3TestServer.Require();

        var ex = Assert.ThrowsAsync<CopyFailedException>(() => server.ConnectAsync(server.Options(S3TestServer.UniquePrefix(), o => o.AccessKeyId = new() { Value = "AKIANOSUCHKEY" })));

        Assert.That(ex!.Reason, Is.EqualTo(CopyReasons.AuthFailed), ex.Message);
    }

    [Test]
    public async Task ConnectAsync_NothingListening_FailsUnreachable()
    {
        var server = S3TestServer.Require();
        var port = LoopbackPort.Unused();

        var ex = Assert.ThrowsAsync<CopyFailedException>(() => server.ConnectAsync(server.Options(S3TestServer.UniquePrefix(), o => o.Endpoint = $"http://127.0.0.1:{port}")));

        Assert.That(ex!.Reason, Is.EqualTo(CopyReasons.Unreachable), ex.Message);
        Assert.That(ex.Message, Does.Contain($"at http://127.0.0.1:{port}"), "the endpoint the operator must check");
    }

    [Test]
    public async Task ConnectAsync_MissingBucket_FailsNotFound()
    {
        var server = S3TestServer.Require();

        var ex = Assert.ThrowsAsync<CopyFailedException>(() => server.ConnectAsync(server.Options(S3TestServer.UniquePrefix(), o => o.Bucket = "opsagent-no-such-bucket")));

        Assert.That(ex!.Reason, Is.EqualTo(CopyReasons.NotFound), ex.Message);
        Assert.That(ex.Message, Does.Contain("NoSuchBucket"));
    }

    [Test]
    public async Task ListAsync_ManyFilesAndSubfolders_ReturnsDirectChildrenAcrossPages()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        using var raw = server.RawClient();
        var names = Enumerable.Range(0, 23).Select(i => $"db-{i:00}.dump.zst").ToArray();
        foreach (var name in names)
        {
            await raw.PutObjectAsync(new PutObjectRequest { BucketName = server.Bucket, Key = $"{prefix}daily/{name}", ContentBody = name, UseChunkEncoding = false });
        }

        await raw.PutObjectAsync(new PutObjectRequest { BucketName = server.Bucket, Key = $"{prefix}daily/db-cold/db-99.dump.zst", ContentBody = "deeper", UseChunkEncoding = false });
        await raw.PutObjectAsync(new PutObjectRequest { BucketName = server.Bucket, Key = $"{prefix}daily/other.txt", ContentBody = "another job's", UseChunkEncoding = false });
        await raw.PutObjectAsync(new PutObjectRequest { BucketName = server.Bucket, Key = $"{prefix}db-00.dump.zst", ContentBody = "the root's", UseChunkEncoding = false });
        await using var session = await server.ConnectAsync(server.Options(prefix));
        ((S3Session)session).ListPageSize = 5;

        var listed = await session.ListAsync("daily", "db-", CancellationToken.None);

        Assert.That(listed.Select(f => f.Name).Order(StringComparer.Ordinal), Is.EqualTo(names), "23 files in pages of 5, without the deeper key or the other prefix");
        Assert.That(listed.Select(f => f.Size), Is.All.EqualTo("db-00.dump.zst".Length));
        Assert.That(await session.ListAsync("", "", CancellationToken.None), Has.Count.EqualTo(1));
        Assert.That(await session.ListAsync("missing", "", CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task OpenReadAsync_GlacierObject_FailsNeedsThawSayingHowToRestore()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        await using var session = await server.ConnectAsync(server.Options(prefix));
        var remote = await session.UploadAsync(new UploadRequest("cold", "db.dump.zst", 1000, "GLACIER"), new MemoryStream(GeneratedStream.Bytes(1000)), CancellationToken.None);
        Assert.That(remote.StorageClass, Is.EqualTo("GLACIER"), "the copy's storage class overrides the target's default");

        var ex = Assert.ThrowsAsync<CopyFailedException>(() => session.OpenReadAsync("cold", "db.dump.zst", CancellationToken.None));

        Assert.That(ex!.Reason, Is.EqualTo(CopyReasons.NeedsThaw));
        Assert.That(ex.Message, Does.Contain("GLACIER").And.Contain("restore-object"));
    }

    [Test]
    public async Task OpenReadAsync_MissingFile_FailsNotFound()
    {
        var server = S3TestServer.Require();
        await using var session = await server.ConnectAsync(server.Options(S3TestServer.UniquePrefix()));

        var ex = Assert.ThrowsAsync<CopyFailedException>(() => session.OpenReadAsync("", "absent.dump", CancellationToken.None));

        Assert.That(ex!.Reason, Is.EqualTo(CopyReasons.NotFound));
    }

    [Test]
    public async Task DeleteAsync_File_RemovesOnlyItAndToleratesAbsence()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        await using var session = await server.ConnectAsync(server.Options(prefix));
        foreach (var name in new[] { "a.dump", "b.dump" })
        {
            await session.UploadAsync(new UploadRequest("", name, 3, null), new MemoryStream([1, 2, 3]), CancellationToken.None);
        }

        await session.DeleteAsync("", "a.dump", CancellationToken.None);
        await session.DeleteAsync("", "a.dump", CancellationToken.None);

        Assert.That((await session.ListAsync("", "", CancellationToken.None)).Select(f => f.Name), Is.EqualTo(new[] { "b.dump" }));
    }

    [Test]
    public async Task RemoveIncompleteAsync_AbandonedUpload_AbortsOnlyThisPrefix()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        using var raw = server.RawClient();
        if (await IncompleteUploadsAsync(raw, server.Bucket, prefix) is null)
        {
            // What the session does there instead is the next test's.
            Assert.Ignore("this server (s3rver) does not implement ListMultipartUploads or AbortMultipartUpload");
        }

        var mine = await raw.InitiateMultipartUploadAsync(server.Bucket, $"{prefix}db-1.dump.zst");
        var other = await raw.InitiateMultipartUploadAsync(server.Bucket, $"{prefix}web-1.dump.zst");
        await using var session = await server.ConnectAsync(server.Options(prefix));

        var removed = await session.RemoveIncompleteAsync("", "db-", _ => true, CancellationToken.None);

        Assert.That(removed, Is.EqualTo(1));
        var left = await raw.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = server.Bucket, Prefix = prefix });
        Assert.That(left.MultipartUploads.Select(u => u.UploadId), Is.EqualTo(new[] { other.UploadId }));
        Assert.That(mine.UploadId, Is.Not.EqualTo(other.UploadId));
    }

    [Test]
    public async Task RemoveIncompleteAsync_ServerCannotListUploads_ReturnsZeroAndKeepsObjects()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        await using var session = await server.ConnectAsync(server.Options(prefix));
        await session.UploadAsync(new UploadRequest("", "db-1.dump.zst", 3, null), new MemoryStream([1, 2, 3]), CancellationToken.None);

        var removed = await session.RemoveIncompleteAsync("", "db-", _ => true, CancellationToken.None);

        Assert.That(removed, Is.Zero);
        Assert.That((await session.ListAsync("", "", CancellationToken.None)).Select(f => f.Name), Is.EqualTo(new[] { "db-1.dump.zst" }));
    }

    [Test]
    public async Task UploadAsync_300MegabyteStream_KeepsMemoryBounded()
    {
        var server = S3TestServer.Require();
        var prefix = S3TestServer.UniquePrefix();
        var options = server.Options(prefix, o => o.PartSize = 8 * MiB);
        const long length = 300_000_000;
        await using var session = await server.ConnectAsync(options);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peakBefore = process.PeakWorkingSet64;
        long highest = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                highest = Math.Max(highest, process.WorkingSet64);
                await Task.Delay(20);
            }
        });
        var watch = Stopwatch.StartNew();

        var remote = await session.UploadAsync(new UploadRequest("", "big.dump.zst.age", null, null), new GeneratedStream(length, seed: 11), CancellationToken.None);

        watch.Stop();
        await sampling.CancelAsync();
        await sampler;
        process.Refresh();
        var growth = highest - baseline;
        TestContext.Out.WriteLine($"300 MB in {server.PartsOf($"{prefix}big.dump.zst.age")} parts of 8 MiB in {watch.Elapsed.TotalSeconds:0.0} s: working set {baseline / MiB} MiB before, highest {highest / MiB} MiB during (+{growth / MiB} MiB); peak working set {peakBefore / MiB} -> {process.PeakWorkingSet64 / MiB} MiB");
        Assert.That(remote.Size, Is.EqualTo(length));
        Assert.That(growth, Is.LessThan((3 * options.PartSize) + (64 * MiB)), "about two part buffers, not the file");
    }

    /// <summary>Cancels <paramref name="cancel"/> once <paramref name="after"/> bytes were read, like the stage's Timeout firing mid-upload.</summary>
    private sealed class CancellingStream(Stream inner, long after, CancellationTokenSource cancel) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= after)
            {
                await cancel.CancelAsync();
            }

            cancellationToken.ThrowIfCancellationRequested();
            var n = await inner.ReadAsync(buffer, cancellationToken);
            _read += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
