using System.Net;
using System.Text.RegularExpressions;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Copies.S3;

/// <summary>The settings of an <c>s3</c> target: a bucket (and a prefix in it) on AWS S3 or an S3-compatible server.</summary>
public sealed partial class S3TargetOptions : ICopyTargetSettings
{
    /// <summary>S3's smallest part but the last.</summary>
    internal const long MinimumPartSize = 5L << 20;

    /// <summary>The largest part: S3 allows 5 GiB, but a part is one buffer in memory, and an array holds at most 2 GiB.</summary>
    internal const long MaximumPartSize = 2047L << 20;

    /// <summary>S3's most parts in one multipart upload.</summary>
    internal const int MaximumParts = 10_000;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex BucketPattern();

    [GeneratedRegex(@"^\d+\.\d+\.\d+\.\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex IpPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex StorageClassPattern();

    /// <summary>The server's URL (<c>https://s3.eu-central-1.amazonaws.com</c>, a MinIO or Garage URL); null for AWS, found from <see cref="Region"/>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The region requests are signed for (<c>eu-central-1</c>; what the provider documents, <c>us-east-1</c> for most S3-compatible servers).</summary>
    public string? Region { get; set; }

    /// <summary>The bucket; it must exist (the agent never creates one).</summary>
    public string? Bucket { get; set; }

    /// <summary>The key prefix copies go under (<c>web1/</c>); a missing trailing <c>/</c> is added, none means the bucket's root.</summary>
    public string? Prefix { get; set; }

    /// <summary>Addresses the bucket as <c>endpoint/bucket/key</c> instead of <c>bucket.endpoint/key</c> (most self-hosted servers want true).</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>The storage class objects are written with (<c>STANDARD_IA</c>); a copy's own <c>StorageClass</c> overrides it; null is the bucket's default.</summary>
    public string? StorageClass { get; set; }

    /// <summary>The access key id. Required: the SDK's search of the environment, profiles and instance metadata is not used on a server.</summary>
    public SecretReference? AccessKeyId { get; set; }

    /// <summary>The secret access key belonging to <see cref="AccessKeyId"/>.</summary>
    public SecretReference? SecretAccessKey { get; set; }

    /// <summary>The most parts one multipart upload may use (10,000 on AWS; some providers allow only 1,000).</summary>
    public int MaxParts { get; set; } = MaximumParts;

    /// <summary>The smallest part in bytes (at least 5 MiB); parts grow beyond it so a file never needs more than <see cref="MaxParts"/>. Memory used is about two parts.</summary>
    public long PartSize { get; set; } = 8L << 20;

    /// <summary>The prefix as keys start with it: empty, or ending with <c>/</c>.</summary>
    internal string KeyPrefix => string.IsNullOrEmpty(Prefix) ? string.Empty : Prefix.TrimEnd('/') + "/";

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ValidateEndpoint(path, errors);

        if (string.IsNullOrWhiteSpace(Region))
        {
            errors.Add($"{path}:{nameof(Region)}", "required for an s3 target: the region requests are signed for (eu-central-1; us-east-1 for most S3-compatible servers)");
        }
        else if (!RegionPattern().IsMatch(Region))
        {
            errors.Add($"{path}:{nameof(Region)}", $"'{Shown(Region)}' is not a region name (lower-case letters, digits and '-', such as eu-central-1)");
        }

        if (string.IsNullOrWhiteSpace(Bucket))
        {
            errors.Add($"{path}:{nameof(Bucket)}", "required for an s3 target: the existing bucket copies go to");
        }
        else if (!BucketPattern().IsMatch(Bucket) || Bucket.Contains("..", StringComparison.Ordinal) || IpPattern().IsMatch(Bucket))
        {
            errors.Add($"{path}:{nameof(Bucket)}", $"'{Shown(Bucket)}' is not a bucket name (3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit, not an IP address)");
        }

        if (Prefix is { Length: > 0 } prefix)
        {
            if (prefix.Any(char.IsControl))
            {
                errors.Add($"{path}:{nameof(Prefix)}", "contains a control character: write the key prefix as plain text, such as \"web1/\"");
            }
            else if (prefix.StartsWith('/'))
            {
                errors.Add($"{path}:{nameof(Prefix)}", $"'{Shown(prefix)}' must not start with '/': S3 keys have no leading slash (write \"{Shown(prefix.TrimStart('/'))}\")");
            }
            else if (prefix.Length > 512)
            {
                errors.Add($"{path}:{nameof(Prefix)}", "is longer than 512 characters: keys are at most 1024 bytes with the file name");
            }
            else if (prefix.TrimEnd('/').Split('/').Any(s => s.Length == 0 || s == "." || s == ".."))
            {
                errors.Add($"{path}:{nameof(Prefix)}", $"'{Shown(prefix)}' has an empty, '.' or '..' segment: write plain segments joined by '/', such as \"web1/db\"");
            }
        }

        if (StorageClass is { } storageClass && !StorageClassPattern().IsMatch(storageClass))
        {
            errors.Add($"{path}:{nameof(StorageClass)}", $"'{Shown(storageClass)}' is not a storage class name (upper case, such as STANDARD_IA or GLACIER)");
        }

        ValidateCredentials(path, errors);

        if (MaxParts is < 1 or > MaximumParts)
        {
            errors.Add($"{path}:{nameof(MaxParts)}", $"must be 1-{MaximumParts} (S3 allows {MaximumParts} parts; set the provider's own limit, such as 1000, if it is lower)");
        }

        if (PartSize is < MinimumPartSize or > MaximumPartSize)
        {
            errors.Add($"{path}:{nameof(PartSize)}", $"must be {MinimumPartSize} (5 MiB, S3's smallest part) to {MaximumPartSize} bytes (2047 MiB); about two parts are held in memory during an upload");
        }
    }

    private void ValidateEndpoint(string path, ValidationCollector errors)
    {
        if (Endpoint is null)
        {
            return;
        }

        var at = $"{path}:{nameof(Endpoint)}";
        if (Endpoint.Any(char.IsControl))
        {
            errors.Add(at, "contains a control character: write the server's URL as plain text, such as \"https://s3.eu-central-1.amazonaws.com\"");
        }
        else if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            errors.Add(at, $"'{Shown(Endpoint)}' must be an absolute http:// or https:// URL, such as \"https://s3.eu-central-1.amazonaws.com\" (or leave it out for AWS in Region)");
        }
        else if (uri.UserInfo.Length > 0)
        {
            // Said without the URL: what is before the '@' may be a secret.
            errors.Add(at, "must not hold a user name or password: give the keys in AccessKeyId and SecretAccessKey");
        }
        else if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(at, $"'{Shown(Endpoint)}' must be the server's root URL, without a path or query (the bucket goes in Bucket, a folder in Prefix)");
        }
    }

    private void ValidateCredentials(string path, ValidationCollector errors)
    {
        var both = "both AccessKeyId and SecretAccessKey are required (for example { \"FromEnvFile\": \"/etc/opsagent/s3.env\", \"Variable\": \"AWS_ACCESS_KEY_ID\" }): the agent does not search the environment, profiles or instance metadata for keys";
        foreach (var (key, reference) in new[] { (nameof(AccessKeyId), AccessKeyId), (nameof(SecretAccessKey), SecretAccessKey) })
        {
            if (reference is null)
            {
                errors.Add($"{path}:{key}", both);
                continue;
            }

            foreach (var error in reference.Validate($"{path}:{key}"))
            {
                errors.Add(error);
            }
        }
    }

    /// <inheritdoc />
    public string Describe() => $"s3://{Bucket}/{KeyPrefix} ({Endpoint ?? $"AWS {Region}"})";

    /// <inheritdoc />
    public async Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Endpoint is not null && Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && !IPAddress.TryParse(uri.Host, out _))
        {
            context.CheckHost($"{path}:{nameof(Endpoint)}", uri.Host);
        }

        foreach (var (key, reference) in new[] { (nameof(AccessKeyId), AccessKeyId), (nameof(SecretAccessKey), SecretAccessKey) })
        {
            if (reference is not null && await context.ResolveSecretAsync(reference, $"{path}:{key}", cancellationToken).ConfigureAwait(false) is { } value && string.IsNullOrWhiteSpace(value) && !context.Offline)
            {
                context.Error($"{path}:{key}", $"{reference.Describe()} is empty: copies to this target would fail with auth_failed");
            }
        }
    }

    // Control characters would garble the line check-config prints the value in.
    private static string Shown(string value) => StrictBinder.Truncate(new string([.. value.Take(100).Select(c => char.IsControl(c) ? '?' : c)]));
}
