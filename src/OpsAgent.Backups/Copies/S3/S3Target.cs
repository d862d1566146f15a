using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Copies.S3;

/// <summary>Copies into a bucket of AWS S3 or an S3-compatible server, with streamed multipart uploads checked on receipt.</summary>
internal sealed class S3Target : CopyTargetType<S3TargetOptions>
{
    /// <summary>How long connecting may take before the target is called unreachable.</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The longest one request that moves a file's bytes may take.</summary>
    internal static readonly TimeSpan PartRequestTimeout = TimeSpan.FromMinutes(30);

    protected override async Task<ICopySession> ConnectAsync(CopyTargetContext context, S3TargetOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        string accessKey, secretKey;
        try
        {
            accessKey = await context.Secrets.ResolveAsync(options.AccessKeyId!, $"{context.Path}:{nameof(S3TargetOptions.AccessKeyId)}", cancellationToken).ConfigureAwait(false);
            secretKey = await context.Secrets.ResolveAsync(options.SecretAccessKey!, $"{context.Path}:{nameof(S3TargetOptions.SecretAccessKey)}", cancellationToken).ConfigureAwait(false);
        }
        catch (SecretResolutionException ex)
        {
            throw new CopyFailedException(CopyReasons.Secret, ex.Message, ex);
        }

        var client = new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), Config(options, context.Target.Timeout));
        var session = new S3Session(client, options, context.Logger, context.Time);
        try
        {
            // Fails here, before any data is read, for a wrong key, a missing bucket or a server that does not answer.
            await session.ProbeAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static AmazonS3Config Config(S3TargetOptions options, TimeSpan timeout)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // The copy stage retries a failed file with back-off; the SDK's own retries would only multiply the wait.
            MaxErrorRetry = 1,
            RetryMode = RequestRetryMode.Standard,
            ConnectTimeout = ConnectTimeout,
            // One request (a part's upload at most); the stage's Timeout bounds the whole file by cancelling. 30 minutes for
            // 8 MiB is 4.6 KB/s: slower than that a server that stopped answering is the likelier story.
            Timeout = timeout > TimeSpan.Zero && timeout < PartRequestTimeout ? timeout : PartRequestTimeout,
            // Checksums are computed here from each buffered part and sent as headers; the SDK's default (a CRC trailer
            // in aws-chunked encoding) is not understood by every S3-compatible server.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // An AWS_ENDPOINT_URL in the agent's environment must not send copies elsewhere than the configuration says.
            IgnoreConfiguredEndpointUrls = true,
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return config;
    }
}
