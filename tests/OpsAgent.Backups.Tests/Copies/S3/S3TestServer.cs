using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.S3;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Copies.S3;

/// <summary>The s3rver tests/run.sh starts, found through OPSAGENT_TEST_S3*; each test works under its own prefix.</summary>
internal sealed class S3TestServer
{
    private S3TestServer(string endpoint, string bucket, string accessKey, string secretKey)
    {
        Endpoint = endpoint;
        Bucket = bucket;
        AccessKey = accessKey;
        SecretKey = secretKey;
        _loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
    }

    private readonly ILoggerFactory _loggers;

    public string Endpoint { get; }

    public string Bucket { get; }

    public string AccessKey { get; }

    public string SecretKey { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public static S3TestServer Require() => new(
        TestEnvironment.Require("OPSAGENT_TEST_S3"),
        TestEnvironment.Require("OPSAGENT_TEST_S3_BUCKET"),
        TestEnvironment.Require("OPSAGENT_TEST_S3_ACCESS_KEY"),
        TestEnvironment.Require("OPSAGENT_TEST_S3_SECRET_KEY"));

    /// <summary>A prefix no other test uses.</summary>
    public static string UniquePrefix() => $"t{Guid.NewGuid():N}"[..13] + "/";

    public S3TargetOptions Options(string prefix, Action<S3TargetOptions>? change = null)
    {
        var options = new S3TargetOptions
        {
            Endpoint = Endpoint,
            Region = "us-east-1",
            Bucket = Bucket,
            Prefix = prefix,
            ForcePathStyle = true,
            AccessKeyId = new SecretReference { Value = AccessKey },
            SecretAccessKey = new SecretReference { Value = SecretKey },
            PartSize = S3TargetOptions.MinimumPartSize,
        };
        change?.Invoke(options);
        return options;
    }

    public async Task<ICopySession> ConnectAsync(S3TargetOptions options, CancellationToken cancellationToken = default)
    {
        var target = new CopyTargetOptions { Type = "s3", Settings = options, Timeout = TimeSpan.FromMinutes(5) };
        var context = new CopyTargetContext("offsite", "OpsAgent:Targets:offsite", target, new SecretResolver(SecretRedactor.Shared), new ToolRunner(null), TimeProvider.System, _loggers.CreateLogger("s3"));
        return await ((ICopyTargetFactory)new S3Target()).ConnectAsync(context, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A plain SDK client, to look at what the server holds independently of the target.</summary>
    public AmazonS3Client RawClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Parts the target said it used for the last upload of <paramref name="key"/>, from its debug log.</summary>
    public int PartsOf(string key)
    {
        var entry = Logs.Entries.Last(e => e.Message.Contains($"/{key}: uploaded", StringComparison.Ordinal));
        return Convert.ToInt32(entry.Properties["Parts"], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Deterministic pseudo-random bytes, read forward only like age's output; optionally failing after some bytes.</summary>
internal sealed class GeneratedStream(long length, int seed = 1, long? failAfter = null, Action? atFailPoint = null) : Stream
{
    private readonly Random _random = new(seed);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public static byte[] Bytes(long length, int seed = 1)
    {
        var bytes = new byte[length];
        using var stream = new GeneratedStream(length, seed);
        stream.ReadExactly(bytes);
        return bytes;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (failAfter is { } limit && _position >= limit)
        {
            atFailPoint?.Invoke();
            throw new IOException("the producer failed half way (test)");
        }

        var n = (int)Math.Min(buffer.Length, Math.Min(length - _position, (failAfter ?? long.MaxValue) - _position));
        n = Math.Min(n, 1 << 20);
        _random.NextBytes(buffer[..n]);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
