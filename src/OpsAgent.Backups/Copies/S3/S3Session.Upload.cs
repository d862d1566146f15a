using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace OpsAgent.Backups.Copies.S3;

internal sealed partial class S3Session
{
    /// <summary>How long clean-up after a failure (abort, delete) may take; the pass's own token may be what failed.</summary>
    private static readonly TimeSpan CleanUpTimeout = TimeSpan.FromSeconds(30);

    [GeneratedRegex("^[0-9a-f]{32}(-[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Md5ETag();

    /// <summary>
    /// One upload: parts are read into a buffer (the next one filling while the previous one is sent, so at most two
    /// parts are in memory), each sent with its Content-MD5 and x-amz-checksum-sha256 for the server to check on receipt.
    /// </summary>
    private sealed class Upload(S3Session session, UploadRequest request, string key, string? storageClass)
    {
        private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        private readonly List<Part> _sent = [];
        private long _total;

        private string Where => $"s3://{session._bucket}/{key}";

        private S3StorageClass? StorageClass => storageClass is null ? null : S3StorageClass.FindValue(storageClass);

        public async Task<RemoteFile> RunAsync(Stream content, CancellationToken cancellationToken)
        {
            try
            {
                var plan = new S3PartPlan(request.Length, session._options.PartSize, session._options.MaxParts);
                var first = new Buffered();
                await FillAsync(content, first, plan.SizeOf(1), cancellationToken).ConfigureAwait(false);
                // The stream ended within one part: one PutObject, sent only now that the stream was read to its end.
                return first.Count < plan.SizeOf(1)
                    ? await PutAsync(first, cancellationToken).ConfigureAwait(false)
                    : await MultipartAsync(content, plan, first, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sha256.Dispose();
                _md5.Dispose();
            }
        }

        private async Task<RemoteFile> PutAsync(Buffered part, CancellationToken cancellationToken)
        {
            var put = new PutObjectRequest
            {
                BucketName = session._bucket,
                Key = key,
                InputStream = part.Stream(),
                MD5Digest = Convert.ToBase64String(part.Md5),
                ChecksumSHA256 = Convert.ToBase64String(part.Sha256),
                StorageClass = StorageClass,
                UseChunkEncoding = false,
                DisablePayloadSigning = session._https ? true : null,
            };
            var response = await CallAsync(ct => session._client.PutObjectAsync(put, ct), $"cannot write {Where}", null, cancellationToken).ConfigureAwait(false);
            _sent.Add(new Part(1, response.ETag, part.Count, part.Md5, part.Sha256, response.ChecksumSHA256));
            return await VerifyAsync(multipart: false, cancellationToken).ConfigureAwait(false);
        }

        private async Task<RemoteFile> MultipartAsync(Stream content, S3PartPlan plan, Buffered first, CancellationToken cancellationToken)
        {
            var initiate = new InitiateMultipartUploadRequest { BucketName = session._bucket, Key = key, StorageClass = StorageClass, ChecksumAlgorithm = ChecksumAlgorithm.SHA256 };
            var uploadId = (await CallAsync(ct => session._client.InitiateMultipartUploadAsync(initiate, ct), $"cannot start the upload of {Where}", session._time, cancellationToken).ConfigureAwait(false)).UploadId;
            try
            {
                var (current, spare) = (first, new Buffered());
                for (var number = 1; ; number++)
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var sending = SendPartAsync(uploadId, number, current, linked.Token);
                    // A short part is the stream's end; otherwise the next part is read while this one is sent (past
                    // MaxParts only one byte, to learn whether the stream is longer than the plan can carry).
                    var reading = current.Count < plan.SizeOf(number) ? null
                        : FillAsync(content, spare, number < plan.MaxParts ? plan.SizeOf(number + 1) : 1, linked.Token);
                    try
                    {
                        await sending.ConfigureAwait(false);
                    }
                    catch
                    {
                        await linked.CancelAsync().ConfigureAwait(false);
                        await Quietly(reading).ConfigureAwait(false);
                        throw;
                    }

                    if (reading is null)
                    {
                        break;
                    }

                    await reading.ConfigureAwait(false);
                    if (spare.Count == 0)
                    {
                        break;
                    }

                    if (number == plan.MaxParts)
                    {
                        throw new CopyFailedException(CopyReasons.TransferFailed, $"cannot write {Where}: the content is longer than {plan.MaxParts} parts can carry ({plan.Capacity} bytes{(request.Length is { } length ? $"; {length} bytes were announced" : string.Empty)}): raise PartSize or MaxParts");
                    }

                    (current, spare) = (spare, current);
                }

                var complete = new CompleteMultipartUploadRequest
                {
                    BucketName = session._bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartETags = [.. _sent.Select(p => new PartETag { PartNumber = p.Number, ETag = p.ETag, ChecksumSHA256 = p.ServerSha256 })],
                };
                await CallAsync(ct => session._client.CompleteMultipartUploadAsync(complete, ct), $"cannot complete the upload of {Where}", null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await AbortAsync(uploadId).ConfigureAwait(false);
                throw;
            }

            return await VerifyAsync(multipart: true, cancellationToken).ConfigureAwait(false);
        }

        private async Task SendPartAsync(string uploadId, int number, Buffered part, CancellationToken cancellationToken)
        {
            var upload = new UploadPartRequest
            {
                BucketName = session._bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = number,
                InputStream = part.Stream(),
                PartSize = part.Count,
                MD5Digest = Convert.ToBase64String(part.Md5),
                ChecksumSHA256 = Convert.ToBase64String(part.Sha256),
                UseChunkEncoding = false,
                DisablePayloadSigning = session._https ? true : null,
            };
            var response = await CallAsync(ct => session._client.UploadPartAsync(upload, ct), $"cannot write part {number} of {Where}", null, cancellationToken).ConfigureAwait(false);
            _sent.Add(new Part(number, response.ETag, part.Count, part.Md5, part.Sha256, response.ChecksumSHA256));
        }

        /// <summary>Reads up to <paramref name="size"/> bytes into <paramref name="part"/> (fewer only at the stream's end) and hashes them.</summary>
        private async Task FillAsync(Stream content, Buffered part, long size, CancellationToken cancellationToken)
        {
            part.Ensure((int)size);
            var filled = 0;
            while (filled < size)
            {
                var read = await content.ReadAsync(part.Buffer.AsMemory(filled, (int)size - filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            part.Count = filled;
            var bytes = part.Buffer.AsSpan(0, filled);
            part.Md5 = MD5.HashData(bytes);
            part.Sha256 = SHA256.HashData(bytes);
            _sha256.AppendData(bytes);
            _md5.AppendData(bytes);
            _total += filled;
        }

        /// <summary>
        /// Compares what the server holds with what was sent: its size always; its content by the SHA-256 the server
        /// checked (flexible checksums), else by its ETag where that is an MD5 (of the object, or S3's MD5 of the parts'
        /// MD5s). A mismatch deletes the object. The SHA-256 is returned only when one of those confirmed the content.
        /// </summary>
        private async Task<RemoteFile> VerifyAsync(bool multipart, CancellationToken cancellationToken)
        {
            var sha256 = _sha256.GetHashAndReset();
            var md5 = _md5.GetHashAndReset();
            var head = await CallAsync(ct => session._client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = session._bucket, Key = key, ChecksumMode = ChecksumMode.ENABLED }, ct), $"cannot check {Where}", session._time, cancellationToken).ConfigureAwait(false);
            if (head.ContentLength != _total)
            {
                await MismatchAsync($"the server holds {head.ContentLength} bytes but {_total} were sent").ConfigureAwait(false);
            }

            var count = _sent.Count;
            var expectedSha = multipart ? $"{Convert.ToBase64String(SHA256.HashData(_sent.OrderBy(p => p.Number).SelectMany(p => p.Sha256).ToArray()))}-{count}" : Convert.ToBase64String(sha256);
            string? verifiedBy = null;
            if (!string.IsNullOrEmpty(head.ChecksumSHA256))
            {
                if (head.ChecksumSHA256 != expectedSha && head.ChecksumSHA256 != expectedSha.Split('-')[0])
                {
                    await MismatchAsync($"its x-amz-checksum-sha256 is {head.ChecksumSHA256} but {expectedSha} was sent").ConfigureAwait(false);
                }

                verifiedBy = "x-amz-checksum-sha256";
            }
            else if (_sent.All(p => p.ServerSha256 == Convert.ToBase64String(p.Sha256)))
            {
                verifiedBy = "x-amz-checksum-sha256 of each part";
            }
            else
            {
                var etag = (head.ETag ?? string.Empty).Trim('"').ToLowerInvariant();
                var whole = Convert.ToHexStringLower(md5);
                var ofParts = $"{Convert.ToHexStringLower(MD5.HashData(_sent.OrderBy(p => p.Number).SelectMany(p => p.Md5).ToArray()))}-{count}";
                if (etag == whole || (multipart && etag == ofParts))
                {
                    verifiedBy = "ETag (MD5)";
                }
                else if (Md5ETag().IsMatch(etag))
                {
                    await MismatchAsync($"its ETag is {etag} but the MD5 sent was {(multipart ? ofParts : whole)}").ConfigureAwait(false);
                }
            }

            Log.Uploaded(session._logger, session._bucket, key, _total, count, _sent[0].Size, verifiedBy ?? "size only");
            return new RemoteFile(request.Name, _total, head.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : null,
                verifiedBy is null ? null : Convert.ToHexStringLower(sha256), head.StorageClass?.Value ?? storageClass);
        }

        private async Task MismatchAsync(string what)
        {
            using var cleanUp = new CancellationTokenSource(CleanUpTimeout);
            string outcome;
            try
            {
                await session._client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = session._bucket, Key = key }, cleanUp.Token).ConfigureAwait(false);
                outcome = "the object was deleted";
            }
            catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
            {
                outcome = $"deleting it failed too ({ex.Message})";
            }

            throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{Where}: {what}; {outcome}");
        }

        private async Task AbortAsync(string uploadId)
        {
            using var cleanUp = new CancellationTokenSource(CleanUpTimeout);
            try
            {
                await session._client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = session._bucket, Key = key, UploadId = uploadId }, cleanUp.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or IOException or OperationCanceledException)
            {
                // The upload stays invisible under the name whatever happens here; only its parts' storage is left.
                Log.AbortFailed(session._logger, session._bucket, key, ex.Message);
            }
        }

        private static async Task Quietly(Task? task)
        {
            if (task is null)
            {
                return;
            }

            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The send's failure is the one reported; the read was only cancelled because of it.
            }
        }
    }

    /// <summary>A part as sent: its number, the server's ETag and checksum for it, and what was computed here.</summary>
    private sealed record Part(int Number, string? ETag, int Size, byte[] Md5, byte[] Sha256, string? ServerSha256);

    /// <summary>One reusable part buffer.</summary>
    private sealed class Buffered
    {
        public byte[] Buffer { get; private set; } = [];

        public int Count { get; set; }

        public byte[] Md5 { get; set; } = [];

        public byte[] Sha256 { get; set; } = [];

        public void Ensure(int size)
        {
            if (Buffer.Length < size)
            {
                // Dropped first so the old and the new buffer are not both held while allocating.
                Buffer = [];
                Buffer = GC.AllocateUninitializedArray<byte>(size);
            }
        }

        public MemoryStream Stream() => new(Buffer, 0, Count, writable: false);
    }
}
