using System.Net;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.S3;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Copies.S3;

/// <summary>What check-config says about an s3 target's settings: each problem at its key's path.</summary>
[TestFixture]
public sealed class S3TargetOptionsTests
{
    private const string Path = "OpsAgent:Targets:offsite";

    private static S3TargetOptions Valid() => new()
    {
        Endpoint = "https://s3.eu-central-1.amazonaws.com",
        Region = "eu-central-1",
        Bucket = "acme-backups",
        Prefix = "web1",
        AccessKeyId = new SecretReference { FromEnvFile = "/etc/opsagent/s3.env", Variable = "AWS_ACCESS_KEY_ID" },
        SecretAccessKey = new SecretReference { FromEnvFile = "/etc/opsagent/s3.env", Variable = "AWS_SECRET_ACCESS_KEY" },
    };

    private static IReadOnlyList<string> Errors(S3TargetOptions options)
    {
        var errors = new ValidationCollector();
        options.Validate(Path, errors);
        return [.. errors.ToResult().Failures ?? []];
    }

    [Test]
    public void Validate_TheIssuesExample_HasNoErrorsAndNormalisesThePrefix()
    {
        var options = Valid();

        Assert.That(Errors(options), Is.Empty);
        Assert.That(options.KeyPrefix, Is.EqualTo("web1/"));
        Assert.That(options.Describe(), Is.EqualTo("s3://acme-backups/web1/ (https://s3.eu-central-1.amazonaws.com)"));
    }

    [Test]
    public void Validate_NothingSet_NamesEachRequiredKey()
    {
        var errors = Errors(new S3TargetOptions());

        Assert.That(errors.Select(e => e[..e.IndexOf(": ", StringComparison.Ordinal)]), Is.EquivalentTo(new[]
        {
            $"{Path}:Region", $"{Path}:Bucket", $"{Path}:AccessKeyId", $"{Path}:SecretAccessKey",
        }));
        Assert.That(errors.Single(e => e.StartsWith($"{Path}:AccessKeyId", StringComparison.Ordinal)), Does.Contain("does not search the environment"));
    }

    [TestCase(nameof(S3TargetOptions.Endpoint), "ftp://s3.example.net", "http:// or https://")]
    [TestCase(nameof(S3TargetOptions.Endpoint), "https://s3.example.net/acme-backups", "root URL")]
    [TestCase(nameof(S3TargetOptions.Endpoint), "https://key:secret@s3.example.net", "user name or password")]
    [TestCase(nameof(S3TargetOptions.Endpoint), "https://s3.exa\u0000mple.net", "control character")]
    [TestCase(nameof(S3TargetOptions.Bucket), "Acme_Backups", "not a bucket name")]
    [TestCase(nameof(S3TargetOptions.Bucket), "192.168.1.10", "not a bucket name")]
    [TestCase(nameof(S3TargetOptions.Bucket), "acme\u0007backups", "not a bucket name")]
    [TestCase(nameof(S3TargetOptions.Region), "EU Central", "not a region name")]
    [TestCase(nameof(S3TargetOptions.Prefix), "/web1/", "must not start with '/'")]
    [TestCase(nameof(S3TargetOptions.Prefix), "web1//db", "empty, '.' or '..' segment")]
    [TestCase(nameof(S3TargetOptions.Prefix), "web1/../web2", "empty, '.' or '..' segment")]
    [TestCase(nameof(S3TargetOptions.StorageClass), "glacier", "not a storage class name")]
    [TestCase(nameof(S3TargetOptions.Bucket), "acme-backups\n", "not a bucket name")]
    [TestCase(nameof(S3TargetOptions.Region), "eu-central-1\n", "not a region name")]
    [TestCase(nameof(S3TargetOptions.StorageClass), "GLACIER\n", "not a storage class name")]
    public void Validate_BadValue_NamesItsKey(string key, string value, string message)
    {
        var options = Valid();
        typeof(S3TargetOptions).GetProperty(key)!.SetValue(options, value);

        var errors = Errors(options);

        Assert.That(errors, Has.Count.EqualTo(1), string.Join("\n", errors));
        Assert.That(errors[0], Does.StartWith($"{Path}:{key}: ").And.Contain(message));
        Assert.That(errors[0].Any(char.IsControl), Is.False, "the message never carries the control character");
        Assert.That(errors[0], Does.Not.Contain("secret@"), "a password in the URL is not repeated");
    }

    [TestCase(0, 8L << 20, "MaxParts")]
    [TestCase(10_001, 8L << 20, "MaxParts")]
    [TestCase(1000, 4L << 20, "PartSize")]
    [TestCase(1000, 3L << 30, "PartSize")]
    public void Validate_PartLimitsOutOfRange_NameTheirKey(int maxParts, long partSize, string key)
    {
        var options = Valid();
        options.MaxParts = maxParts;
        options.PartSize = partSize;

        Assert.That(Errors(options), Has.Exactly(1).StartsWith($"{Path}:{key}: "));
    }

    [Test]
    public void Validate_OnlyOneKey_RequiresTheOther()
    {
        var options = Valid();
        options.SecretAccessKey = null;

        Assert.That(Errors(options), Has.Exactly(1).StartsWith($"{Path}:SecretAccessKey: ").And.Contain("both AccessKeyId and SecretAccessKey"));
    }

    [Test]
    public void Validate_HugeValue_ReportsItShortened()
    {
        var options = Valid();
        options.Bucket = new string('x', 100_000) + "_";

        var errors = Errors(options);

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].Length, Is.LessThan(400));
    }

    [Test]
    public void Describe_WithoutEndpoint_SaysAwsAndTheRegionButNoSecret()
    {
        var options = Valid();
        options.Endpoint = null;
        options.AccessKeyId = new SecretReference { Value = "AKIAEXAMPLE" };

        Assert.That(options.Describe(), Is.EqualTo("s3://acme-backups/web1/ (AWS eu-central-1)"));
    }

    [Test]
    public void PartPlan_AnyLength_NeverNeedsMoreThanMaxParts()
    {
        foreach (var maxParts in new[] { 1, 3, 1000, 10_000 })
        {
            var unknown = new S3PartPlan(null, 8L << 20, maxParts);
            long carried = 0;
            for (var n = 1; n <= maxParts; n++)
            {
                carried += unknown.SizeOf(n);
            }

            Assert.That(carried, Is.EqualTo(unknown.Capacity), $"MaxParts {maxParts}");
            Assert.That(unknown.LargestPart, Is.LessThanOrEqualTo(S3TargetOptions.MaximumPartSize));
            foreach (var length in new[] { 1L, 100L << 20, 300_000_000L, 50L << 30 })
            {
                var known = new S3PartPlan(length, 8L << 20, maxParts);
                if (length <= known.Capacity)
                {
                    Assert.That((length + known.SizeOf(1) - 1) / known.SizeOf(1), Is.LessThanOrEqualTo(maxParts), $"{length} bytes in at most {maxParts} parts");
                }
            }
        }

        var aws = new S3PartPlan(null, 8L << 20, 10_000);
        TestContext.Out.WriteLine($"unknown length, 10000 parts from 8 MiB: {aws.PartsPerSize} parts per size, capacity {aws.Capacity >> 30} GiB, 8 MiB parts up to {(aws.PartsPerSize * 8L) >> 10} GiB");
        Assert.That(aws.Capacity, Is.GreaterThanOrEqualTo(S3PartPlan.MaximumObject), "a stream up to S3's 5 TiB limit fits");
        Assert.That(aws.SizeOf(aws.PartsPerSize), Is.EqualTo(8L << 20), "small streams keep the smallest part");
    }

    [TestCase("InvalidAccessKeyId", HttpStatusCode.Forbidden, CopyReasons.AuthFailed)]
    [TestCase("SignatureDoesNotMatch", HttpStatusCode.Forbidden, CopyReasons.AuthFailed)]
    [TestCase("AccessDenied", HttpStatusCode.Forbidden, CopyReasons.AccessDenied)]
    [TestCase("NoSuchBucket", HttpStatusCode.NotFound, CopyReasons.NotFound)]
    [TestCase("EntityTooLarge", HttpStatusCode.BadRequest, CopyReasons.NoSpace)]
    [TestCase("QuotaExceeded", HttpStatusCode.Forbidden, CopyReasons.NoSpace)]
    [TestCase(null, HttpStatusCode.InsufficientStorage, CopyReasons.NoSpace)]
    [TestCase("InvalidObjectState", HttpStatusCode.Forbidden, CopyReasons.NeedsThaw)]
    [TestCase("BadDigest", HttpStatusCode.BadRequest, CopyReasons.ChecksumMismatch)]
    [TestCase("RequestTimeout", HttpStatusCode.BadRequest, CopyReasons.Timeout)]
    [TestCase("InternalError", HttpStatusCode.InternalServerError, null)]
    public void ReasonOf_ServerErrorCode_IsTheCopyReason(string? code, HttpStatusCode status, string? reason)
        => Assert.That(S3Errors.ReasonOf(code, status), Is.EqualTo(reason));
}
