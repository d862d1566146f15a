using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Backups.Copies.S3;

/// <summary>One client on one bucket for one copy pass.</summary>
[SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "MD5 is S3's Content-MD5 and ETag, an integrity check the server does, not a security measure; SHA-256 is sent and kept too.")]
internal sealed partial class S3Session : ICopySession
{
    private static readonly string[] ArchiveClasses = ["GLACIER", "DEEP_ARCHIVE"];

    private readonly AmazonS3Client _client;
    private readonly S3TargetOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly bool _https;

    public S3Session(AmazonS3Client client, S3TargetOptions options, ILogger logger, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _client = client;
        _options = options;
        _logger = logger;
        _bucket = options.Bucket!;
        _prefix = options.KeyPrefix;
        _https = options.Endpoint is null || options.Endpoint.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Keys per listing request; S3's own maximum, lowered by tests to see paging.</summary>
    internal int ListPageSize { get; set; } = 1000;

    public string Describe(string folder, string name) => $"s3://{_bucket}/{Key(folder, name)}";

    private string FolderPrefix(string folder) => folder.Length == 0 ? _prefix : _prefix + folder.Trim('/') + "/";

    private string Key(string folder, string name) => FolderPrefix(folder) + name;

    /// <summary>One cheap request that needs the credentials, the bucket and the listing permission the pass needs anyway.</summary>
    internal Task ProbeAsync(CancellationToken cancellationToken)
        => CallAsync(ct => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix, MaxKeys = 1 }, ct), $"cannot list s3://{_bucket}/{_prefix} at {_options.Endpoint ?? $"AWS {_options.Region}"}", cancellationToken);

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(string folder, string namePrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(namePrefix);
        var directory = FolderPrefix(folder);
        var files = new List<RemoteFile>();
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = directory + namePrefix, Delimiter = "/", MaxKeys = ListPageSize };
        while (true)
        {
            var page = await CallAsync(ct => _client.ListObjectsV2Async(request, ct), $"cannot list s3://{_bucket}/{directory}", cancellationToken).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? [])
            {
                var name = o.Key[directory.Length..];
                // A "folder" marker some tools create, or a deeper key a server that ignores the delimiter returned.
                if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
                {
                    continue;
                }

                files.Add(new RemoteFile(name, o.Size ?? 0, o.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : null, null, o.StorageClass?.Value));
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                return files;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task<RemoteFile> UploadAsync(UploadRequest request, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(content);
        var upload = new Upload(this, request, Key(request.Folder, request.Name), request.StorageClass ?? _options.StorageClass);
        return await upload.RunAsync(content, cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteAsync(string folder, string name, CancellationToken cancellationToken)
    {
        var key = Key(folder, name);
        return CallAsync(ct => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, ct), $"cannot delete s3://{_bucket}/{key}", cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string folder, string name, CancellationToken cancellationToken)
    {
        var key = Key(folder, name);
        GetObjectResponse response;
        try
        {
            response = await CallAsync(ct => _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = key }, ct), $"cannot read s3://{_bucket}/{key}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (CopyFailedException ex) when (ex.Reason == CopyReasons.NeedsThaw)
        {
            throw NeedsThaw(key, "an archive storage class", ex);
        }
        catch (CopyFailedException ex) when (ex.Reason == CopyReasons.NotFound && ex.InnerException is AmazonS3Exception { ErrorCode: "NoSuchKey" })
        {
            throw new CopyFailedException(CopyReasons.NotFound, $"s3://{_bucket}/{key} does not exist", ex);
        }

        // AWS refuses to serve an archived object (InvalidObjectState, above); a server that serves it anyway, without
        // the restore AWS would report, is taken at its word that the object is archived.
        if (response.StorageClass?.Value is { } storageClass && ArchiveClasses.Contains(storageClass, StringComparer.Ordinal) && response.RestoreExpiration is null)
        {
            response.Dispose();
            throw NeedsThaw(key, storageClass, null);
        }

        return new ResponseStream(response);
    }

    private CopyFailedException NeedsThaw(string key, string storageClass, Exception? inner)
        => new(CopyReasons.NeedsThaw, $"s3://{_bucket}/{key} is in storage class {storageClass}: restore it on the target first (aws s3api restore-object --bucket {_bucket} --key {key} --restore-request Days=7) and retry", inner);

    public async Task<int> RemoveIncompleteAsync(string folder, string namePrefix, Func<string, bool> belongs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(namePrefix);
        ArgumentNullException.ThrowIfNull(belongs);
        var folderPrefix = FolderPrefix(folder);
        var prefix = folderPrefix + namePrefix;
        var request = new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = prefix };
        var removed = 0;
        while (true)
        {
            ListMultipartUploadsResponse page;
            try
            {
                using var deadline = new CancellationTokenSource(AnswerTimeout, _time);
                using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                page = await _client.ListMultipartUploadsAsync(request, answer.Token).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.NotImplemented || ex.ErrorCode is "NotImplemented")
            {
                // s3rver and some small servers cannot list uploads: there is nothing this pass can find to abort.
                Log.CannotListUploads(_logger, _bucket, prefix, ex.ErrorCode);
                return removed;
            }
            catch (Exception ex) when (S3Errors.Map(ex, $"cannot list the incomplete uploads under s3://{_bucket}/{prefix}", cancellationToken) is { } failure)
            {
                throw failure;
            }

            foreach (var upload in page.MultipartUploads ?? [])
            {
                // The listing's prefix is the filter; this also keeps to it should a server ignore it.
                // Another job's upload in progress (job db_x beside db) is not an abandoned one of ours.
                if (!upload.Key.StartsWith(prefix, StringComparison.Ordinal) || upload.Key[folderPrefix.Length..].Contains('/', StringComparison.Ordinal) || !belongs(upload.Key[folderPrefix.Length..]))
                {
                    continue;
                }

                await CallAsync(ct => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = upload.Key, UploadId = upload.UploadId }, ct), $"cannot abort the incomplete upload of s3://{_bucket}/{upload.Key}", cancellationToken).ConfigureAwait(false);
                removed++;
            }

            if (page.IsTruncated != true)
            {
                return removed;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// How long a request without a body to send or read (a listing, a HEAD, a delete, an abort) may go unanswered: a server
    /// that accepts connections and never answers would otherwise hold the pass for the SDK's whole request timeout.
    /// </summary>
    internal static readonly TimeSpan AnswerTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs one SDK call that moves no file's bytes, answered within <see cref="AnswerTimeout"/> on the session's clock.</summary>
    private Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, string what, CancellationToken cancellationToken) => CallAsync(call, what, _time, cancellationToken);

    /// <param name="call">The call.</param>
    /// <param name="what">What it does, for the message.</param>
    /// <param name="cancellationToken">The caller's stop (and the stage's Timeout).</param>
    /// <param name="answerClock">The clock <see cref="AnswerTimeout"/> runs on; null for a call that moves a file's bytes (PUT, a part, GET, complete), which only the SDK's request timeout bounds.</param>
    /// <summary>Runs one SDK call, mapping its failures to <see cref="CopyFailedException"/>s (the caller's cancellation stays itself).</summary>
    internal static async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, string what, TimeProvider? answerClock, CancellationToken cancellationToken)
    {
        using var deadline = answerClock is null ? new CancellationTokenSource() : new CancellationTokenSource(AnswerTimeout, answerClock);
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        try
        {
            return await call(answer.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.Map(ex, what, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>A GetObject body that releases its response (and connection) when disposed.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.Copies.S3CannotListUploads, Level = LogLevel.Debug, Message = "s3://{Bucket}/{Prefix}: the server cannot list incomplete multipart uploads ({Code}); none removed")]
        public static partial void CannotListUploads(ILogger logger, string bucket, string prefix, string? code);

        [LoggerMessage(EventId = EventIds.Copies.S3Uploaded, Level = LogLevel.Debug, Message = "s3://{Bucket}/{Key}: uploaded {SizeBytes} bytes in {Parts} parts (first {PartSizeBytes} bytes), verified by {VerifiedBy}")]
        public static partial void Uploaded(ILogger logger, string bucket, string key, long sizeBytes, int parts, long partSizeBytes, string verifiedBy);

        [LoggerMessage(EventId = EventIds.Copies.S3AbortFailed, Level = LogLevel.Warning, Message = "s3://{Bucket}/{Key}: could not abort the multipart upload after a failure ({Error}); the next pass's clean-up retries")]
        public static partial void AbortFailed(ILogger logger, string bucket, string key, string error);
    }
}
