using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsAgent.Backups.Copies;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Tests.Copies;

/// <summary>
/// The configuration of off-host copies (issue 22): <c>OpsAgent:Targets</c>, a job's <c>Copies</c>, <c>Encryption</c>
/// and <c>KeepUncopiedDays</c>, loaded whole as the daemon and <c>check-config</c> load it (files, binder, every section's
/// validator, then the checks across sections), each problem at its JSON path.
/// </summary>
[TestFixture]
public sealed class CopyValidationTests
{
    private const string Job = "OpsAgent:Backups:db";
    private const string Copies = Job + ":Copies";
    private const string Targets = "OpsAgent:Targets";

    /// <summary>A real age X25519 recipient (age's own documentation example).</summary>
    private const string Recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    /// <summary>The shape of an age identity (AGE-SECRET-KEY-1 and 58 Bech32 characters): what must never be echoed.</summary>
    private const string SecretKey = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQ8S3JN5";

    private DirectoryInfo _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-copies-config-");

    [TearDown]
    public void TearDown() => _dir.Delete(recursive: true);

    /// <summary>A complete, valid configuration: an s3 and an sftp target, one job copying to both, encrypted to S3.</summary>
    private static JsonObject Valid() => JsonNode.Parse($$"""
        {
          "OpsAgent": {
            "Targets": {
              "offsite": {
                "Type": "s3", "Region": "eu-central-1", "Bucket": "acme-backups", "Prefix": "web1",
                "AccessKeyId": { "FromEnvFile": "/etc/opsagent/s3.env", "Variable": "AWS_ACCESS_KEY_ID" },
                "SecretAccessKey": { "FromEnvFile": "/etc/opsagent/s3.env", "Variable": "AWS_SECRET_ACCESS_KEY" },
                "MaxBytesPerSecond": 10485760, "Timeout": "1h"
              },
              "vault": {
                "Type": "sftp", "Host": "backup.example.net", "Port": 2222, "User": "web1",
                "PrivateKeyFile": "/etc/opsagent/id_ed25519", "KnownHostsFile": "/etc/opsagent/known_hosts", "Path": "/srv/backups/web1"
              }
            },
            "Backups": {
              "db": {
                "Engine": "postgres", "Schedule": "0 2 * * *", "Database": "app", "Container": "pg", "Directory": "/var/backups/db",
                "Retention": { "KeepDaily": 7 },
                "KeepUncopiedDays": 14,
                "Copies": {
                  "offsite": { "Retention": { "KeepWeekly": 8 }, "StorageClass": "STANDARD_IA", "Encrypt": true, "Retries": 5, "RetryDelay": "1m" },
                  "vault": {}
                },
                "Encryption": { "Recipients": [ "{{Recipient}}" ] }
              }
            }
          }
        }
        """)!.AsObject();

    /// <summary>Sets the node at a configuration path (<c>OpsAgent:Backups:db:Folder</c>), creating objects on the way.</summary>
    private static JsonObject Set(JsonObject root, string path, JsonNode? value)
    {
        var keys = path.Split(':');
        var node = root;
        foreach (var key in keys[..^1])
        {
            if (node[key] is not JsonObject child)
            {
                child = [];
                node[key] = child;
            }

            node = child;
        }

        node[keys[^1]] = value;
        return root;
    }

    private static JsonObject Set(JsonObject root, string path, string json) => Set(root, path, JsonNode.Parse(json));

    private static JsonObject Remove(JsonObject root, string path)
    {
        var keys = path.Split(':');
        var node = root;
        foreach (var key in keys[..^1])
        {
            node = node[key]!.AsObject();
        }

        node.Remove(keys[^1]);
        return root;
    }

    /// <summary>The whole load (<see cref="AgentConfigurationManager.TryLoad"/>) of <paramref name="root"/> written as appsettings.json.</summary>
    private (AgentConfiguration? Configuration, IReadOnlyList<ConfigError> Errors) Load(JsonObject root)
    {
        var main = Path.Combine(_dir.FullName, "appsettings.json");
        File.WriteAllText(main, root.ToJsonString());
        using var provider = new ServiceCollection().AddLogging().AddAgentConfiguration(new ConfigurationFiles(main)).AddBackupServices().BuildServiceProvider();
        var (configuration, errors, _) = provider.GetRequiredService<AgentConfigurationManager>().TryLoad();
        return (configuration, errors);
    }

    private IReadOnlyList<ConfigError> Errors(JsonObject root) => Load(root).Errors;

    /// <summary>A path as the loader prints it: control characters escaped (<c>\u000a</c>).</summary>
    private static string Printed(string path) => string.Concat(path.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>Exactly one error at <paramref name="path"/>, saying <paramref name="word"/>; returns its message.</summary>
    private static string AssertError(IReadOnlyList<ConfigError> errors, string path, string word)
    {
        var at = errors.Where(e => e.Path == path).Select(e => e.Message).ToList();
        Assert.That(at, Has.Count.EqualTo(1).And.One.Contains(word), $"expected one error at {path} saying '{word}', got:\n{string.Join("\n", errors)}");
        return at[0];
    }

    private static string Dump(IEnumerable<ConfigError> errors) => string.Join("\n", errors);

    // ----- the complete configuration -----

    [Test]
    public void Load_CompleteConfigurationWithS3AndSftpTargets_NoErrorsAndBoundAsWritten()
    {
        var (configuration, errors) = Load(Valid());

        Assert.That(errors, Is.Empty, Dump(errors));
        Assert.That(configuration, Is.Not.Null);
        var targets = configuration!.Get<CopyTargetsOptions>().Targets;
        Assert.That(targets.Keys, Is.EquivalentTo(new[] { "offsite", "vault" }));
        Assert.That(targets["offsite"].Settings, Is.TypeOf<OpsAgent.Backups.Copies.S3.S3TargetOptions>());
        Assert.That(targets["vault"].Settings, Is.TypeOf<OpsAgent.Backups.Copies.Sftp.SftpTargetOptions>());
        Assert.That(targets["offsite"].Timeout, Is.EqualTo(TimeSpan.FromHours(1)));
        var job = configuration.Get<BackupsOptions>().Jobs["db"];
        Assert.That(job.Copies.Keys, Is.EquivalentTo(new[] { "offsite", "vault" }));
        Assert.That(job.Copies["offsite"].Retries, Is.EqualTo(5));
        Assert.That(job.Copies["vault"], Is.Not.Null, "\"vault\": {} is a copy with the defaults");
    }

    [Test]
    public void Load_TypeInAnyCase_SpeltAsRegistered()
    {
        var (configuration, errors) = Load(Set(Valid(), $"{Targets}:vault:Type", JsonValue.Create("SFTP")));

        Assert.That(errors, Is.Empty, Dump(errors));
        Assert.That(configuration!.Get<CopyTargetsOptions>().Targets["vault"].Type, Is.EqualTo("sftp"));
    }

    [Test]
    public void Load_EncryptionWithRecipientsFileIdentityFileAndAgePath_NoErrors()
    {
        var root = Set(Valid(), $"{Job}:Encryption", """
            { "RecipientsFile": "/etc/opsagent/age-recipients.txt", "IdentityFile": "/root/age-identity.txt", "AgePath": "/usr/bin/age",
              "Recipients": [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example.net" ] }
            """);

        Assert.That(Errors(root), Is.Empty);
    }

    // ----- references across sections: CopyReferencesCheck -----

    [Test]
    public void Load_CopyNamingAnUndefinedTarget_ErrorAtTheCopyListingTheDefinedTargets()
    {
        var errors = Errors(Set(Valid(), $"{Copies}:tape", "{}"));

        var message = AssertError(errors, $"{Copies}:tape", "does not define");
        Assert.That(message, Does.Contain("'tape'").And.Contain("defined: offsite, vault"));
        Assert.That(errors, Has.Count.EqualTo(1), Dump(errors));
    }

    [Test]
    public void Load_CopyTargetNotDefined_ErrorAtItsTargetKeyListingTheDefinedTargets()
    {
        var errors = Errors(Set(Valid(), $"{Copies}:cold", """{ "Target": "offsight", "Folder": "cold" }"""));

        var message = AssertError(errors, $"{Copies}:cold:Target", "does not define");
        Assert.That(message, Does.Contain("'offsight'").And.Contain("defined: offsite, vault"));
        Assert.That(errors.Where(e => e.Path == $"{Copies}:cold"), Is.Empty, "the error is at Target, where the name was written");
    }

    [Test]
    public void Load_CopiesButNoTargetsSection_ErrorSaysNoneIsDefined()
    {
        var errors = Errors(Remove(Valid(), Targets));

        AssertError(errors, $"{Copies}:offsite", "defines none");
        AssertError(errors, $"{Copies}:vault", "defines none");
    }

    [TestCase("offsite", null, null)]
    [TestCase("OFFSITE", null, null)]
    [TestCase("offsite", "cold", "cold")]
    public void Load_TwoCopiesToTheSameTargetAndFolder_ErrorAtTheSecond(string target, string? first, string? second)
    {
        var root = Valid();
        if (first is not null)
        {
            Set(root, $"{Copies}:offsite:Folder", JsonValue.Create(first));
        }

        var spare = new JsonObject { ["Target"] = target, ["Encrypt"] = true };
        if (second is not null)
        {
            spare["Folder"] = second;
        }

        // Configuration lists keys in order, so "spare" is checked after "offsite" and the error is at it.
        Set(root, $"{Copies}:spare", spare);

        var errors = Errors(root);

        var message = AssertError(errors, $"{Copies}:spare", "same place");
        Assert.That(message, Does.Contain("copy 'offsite'").And.Contain("target 'offsite'").IgnoreCase.And.Contain("Folder"));
        Assert.That(errors, Has.Count.EqualTo(1), Dump(errors));
    }

    [TestCase(null, "cold")]
    [TestCase("hot", "cold")]
    [TestCase("cold", "cold/2025")]
    public void Load_SameTargetInAnotherFolder_Accepted(string? first, string second)
    {
        var root = Valid();
        if (first is not null)
        {
            Set(root, $"{Copies}:offsite:Folder", JsonValue.Create(first));
        }

        Set(root, $"{Copies}:cold", new JsonObject { ["Target"] = "offsite", ["Folder"] = second, ["StorageClass"] = "GLACIER", ["Retention"] = new JsonObject { ["KeepMonthly"] = 12 } });

        Assert.That(Errors(root), Is.Empty);
    }

    // ----- Encryption -----

    [TestCase(null)]
    [TestCase("""{ "Recipients": [] }""")]
    [TestCase("""{ "IdentityFile": "/root/age-identity.txt" }""")]
    [TestCase("""{ "RecipientsFile": " " }""")]
    public void Load_EncryptWithoutRecipients_ErrorAtEncryption(string? encryption)
    {
        var root = encryption is null ? Remove(Valid(), $"{Job}:Encryption") : Set(Valid(), $"{Job}:Encryption", encryption);

        var errors = Errors(root);

        AssertError(errors, $"{Job}:Encryption", "Recipients");
    }

    [Test]
    public void Load_NoCopyEncrypts_EncryptionNotNeeded()
    {
        var root = Remove(Set(Valid(), $"{Copies}:offsite:Encrypt", JsonValue.Create(false)), $"{Job}:Encryption");

        Assert.That(Errors(root), Is.Empty);
    }

    [TestCase("age1xyz")]
    [TestCase("AGE1QL3Z7HJY54PW3HYWW5AYYFG7ZQGVC7W3J2ELW8ZMRJ2KG5SFN9AQMCAC8P")]
    [TestCase("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8b")]
    [TestCase("ssh-ed25519 not-base64")]
    [TestCase("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY=")]
    [TestCase(" " + Recipient)]
    [TestCase(Recipient + "\n")]
    [TestCase("")]
    public void Load_MalformedRecipient_ErrorAtItsIndex(string recipient)
    {
        var root = Set(Valid(), $"{Job}:Encryption:Recipients", new JsonArray(Recipient, recipient));

        var errors = Errors(root);

        AssertError(errors, $"{Job}:Encryption:Recipients:1", "not an age recipient");
        Assert.That(errors, Has.Count.EqualTo(1), Dump(errors));
    }

    private const string SshPrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----";

    [TestCase("Recipients:0", SecretKey)]
    [TestCase("Recipients:0", "age-secret-key-1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszq8s3jn5")]
    [TestCase("Recipients:0", SshPrivateKey)]
    [TestCase("IdentityFile", SecretKey)]
    [TestCase("RecipientsFile", SecretKey)]
    [TestCase("IdentityFile", SshPrivateKey)]
    public void Load_PrivateKeyPastedIntoEncryption_ErrorAtTheKeyThatDoesNotEchoThePrivateKey(string key, string secret)
    {
        var root = Set(Valid(), $"{Job}:Encryption:{key}", JsonValue.Create(secret));
        if (key != "Recipients:0")
        {
            Set(root, $"{Job}:Encryption:Recipients", new JsonArray(Recipient));
        }

        var errors = Errors(root);

        AssertError(errors, $"{Job}:Encryption:{key}", "private key");
        Assert.That(errors, Has.Count.EqualTo(1), Dump(errors));
        var text = Dump(errors);
        // Any 12 characters of the key's body would be part of the secret in the journal and on the terminal.
        var body = secret.Contains("-----", StringComparison.Ordinal) ? secret.Split('\n')[1] : secret[16..];
        for (var i = 0; i + 12 <= body.Length; i += 6)
        {
            Assert.That(text, Does.Not.Contain(body.Substring(i, 12)).IgnoreCase, "the private key is echoed");
        }
    }

    [TestCase("RecipientsFile", "age-recipients.txt")]
    [TestCase("IdentityFile", "~/age-identity.txt")]
    [TestCase("AgePath", "age")]
    [TestCase("IdentityFile", "/root/age\u0000identity.txt")]
    public void Load_EncryptionFileNotAbsolute_ErrorAtItsKey(string key, string file)
    {
        var errors = Errors(Set(Valid(), $"{Job}:Encryption:{key}", JsonValue.Create(file)));

        AssertError(errors, $"{Job}:Encryption:{key}", "absolute path");
    }

    // ----- a copy's own settings: CopyValidation.ValidateJob -----

    [TestCase("..")]
    [TestCase(".")]
    [TestCase("cold/../../etc")]
    [TestCase("./cold")]
    [TestCase("/srv/cold")]
    [TestCase("cold/")]
    [TestCase("cold//2025")]
    [TestCase("")]
    [TestCase("cold 2025")]
    [TestCase("cold\\2025")]
    [TestCase(".hidden")]
    [TestCase("cold\n")]
    public void Load_FolderNotAPlainRelativePath_ErrorAtFolder(string folder)
    {
        var errors = Errors(Set(Valid(), $"{Copies}:offsite:Folder", JsonValue.Create(folder)));

        AssertError(errors, $"{Copies}:offsite:Folder", "relative path");
    }

    [Test]
    public void Load_FolderLongerThan200Characters_ErrorAtFolder()
    {
        var folder = string.Join('/', Enumerable.Repeat("abcdefghij", 19));

        Assert.That(Errors(Set(Valid(), $"{Copies}:offsite:Folder", JsonValue.Create(folder[..200]))), Is.Empty, "200 characters are accepted");
        AssertError(Errors(Set(Valid(), $"{Copies}:offsite:Folder", JsonValue.Create(folder[..201]))), $"{Copies}:offsite:Folder", "relative path");
    }

    [TestCase("glacier")]
    [TestCase("Standard_IA")]
    [TestCase("STANDARD IA")]
    [TestCase("_GLACIER")]
    [TestCase("GLACIER\n")]
    [TestCase("")]
    public void Load_StorageClassNotUpperCase_ErrorAtStorageClass(string storageClass)
    {
        var errors = Errors(Set(Valid(), $"{Copies}:offsite:StorageClass", JsonValue.Create(storageClass)));

        AssertError(errors, $"{Copies}:offsite:StorageClass", "not a storage class name");
    }

    [TestCase(11)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    public void Load_RetriesOutOfRange_ErrorAtRetries(int retries)
    {
        var errors = Errors(Set(Valid(), $"{Copies}:offsite:Retries", JsonValue.Create(retries)));

        AssertError(errors, $"{Copies}:offsite:Retries", "0-10");
    }

    [TestCase(0)]
    [TestCase(10)]
    public void Load_RetriesAtTheLimits_Accepted(int retries)
    {
        Assert.That(Errors(Set(Valid(), $"{Copies}:offsite:Retries", JsonValue.Create(retries))), Is.Empty);
    }

    [TestCase("-00:00:01")]
    [TestCase("-1.00:00:00")]
    [TestCase("1d")]
    [TestCase("01:00:01")]
    public void Load_RetryDelayOutOfRange_ErrorAtRetryDelay(string delay)
    {
        var errors = Errors(Set(Valid(), $"{Copies}:offsite:RetryDelay", JsonValue.Create(delay)));

        AssertError(errors, $"{Copies}:offsite:RetryDelay", "0 to 1 hour");
    }

    [TestCase(-1)]
    [TestCase(4000)]
    [TestCase(3661)]
    public void Load_KeepUncopiedDaysOutOfRange_ErrorAtKeepUncopiedDays(int days)
    {
        var errors = Errors(Set(Valid(), $"{Job}:KeepUncopiedDays", JsonValue.Create(days)));

        AssertError(errors, $"{Job}:KeepUncopiedDays", "0-3660");
    }

    [TestCase(0)]
    [TestCase(3660)]
    public void Load_KeepUncopiedDaysAtTheLimits_Accepted(int days)
    {
        Assert.That(Errors(Set(Valid(), $"{Job}:KeepUncopiedDays", JsonValue.Create(days))), Is.Empty);
    }

    [TestCase("""{ "KeepDaily": 0 }""")]
    [TestCase("""{ "KeepLast": 0, "KeepWeekly": 0 }""")]
    [TestCase("""{ "DryRun": true }""")]
    public void Load_CopyRetentionSettingNoRule_ErrorAtTheCopysRetention(string retention)
    {
        var errors = Errors(Set(Valid(), $"{Copies}:offsite:Retention", retention));

        AssertError(errors, $"{Copies}:offsite:Retention", "sets no rule");
        Assert.That(errors.Where(e => e.Path == $"{Job}:Retention"), Is.Empty, "the job's own retention is fine");
    }

    [Test]
    public void Load_CopyRetentionCountBelowMinusOne_ErrorAtTheRule()
    {
        var errors = Errors(Set(Valid(), $"{Copies}:offsite:Retention", """{ "KeepWeekly": -2 }"""));

        AssertError(errors, $"{Copies}:offsite:Retention:KeepWeekly", "-1 (unlimited)");
    }

    [TestCase("Cold")]
    [TestCase("off site")]
    [TestCase("-offsite")]
    [TestCase("cold\n")]
    public void Load_CopyNameBreakingTheNamingRules_ErrorAtTheCopy(string copy)
    {
        var errors = Errors(Set(Valid(), $"{Copies}:{copy}", """{ "Target": "offsite", "Folder": "other" }"""));

        AssertError(errors, Printed($"{Copies}:{copy}"), "names must match");
    }

    [Test]
    public void Load_CopyIsNull_ACopyWithTheDefaultsLikeAnEmptyObject()
    {
        // .NET configuration reads JSON null and {} alike (a key without value or children): both declare the copy.
        var (configuration, errors) = Load(Set(Valid(), $"{Copies}:vault", (JsonNode?)null));

        Assert.That(errors, Is.Empty, Dump(errors));
        var copy = configuration!.Get<BackupsOptions>().Jobs["db"].Copies["vault"];
        Assert.That(copy, Is.Not.Null);
        Assert.That((copy.Target, copy.Folder, copy.Retries, copy.Encrypt), Is.EqualTo(((string?)null, (string?)null, 3, false)));
    }

    [Test]
    public void Validate_CopyIsNull_ErrorAtTheCopyAskingForAnObject()
    {
        // A null the binder never produces (code building options, a future binder): refused, and no NullReferenceException.
        var job = new BackupJobOptions { Copies = new(StringComparer.OrdinalIgnoreCase) { ["vault"] = null! } };
        var errors = new ValidationCollector();

        CopyValidation.ValidateJob(Job, job, errors);

        Assert.That(errors.ToResult().Failures, Has.Exactly(1).Items.And.One.StartsWith($"{Copies}:vault: must be an object"));
    }

    [TestCase("\"yes\"")]
    [TestCase("true")]
    [TestCase("3")]
    public void Load_CopyIsAScalar_ErrorAtTheCopy(string value)
    {
        var errors = Errors(Set(Valid(), $"{Copies}:vault", value));

        AssertError(errors, $"{Copies}:vault", "got the value");
        Assert.That(errors, Has.Count.EqualTo(1), Dump(errors));
    }

    // ----- OpsAgent:Targets: CopyTargetsOptionsValidator and the types' settings -----

    [Test]
    public void Load_TargetOfUnknownType_ErrorAtTypeListingTheKnownTypes()
    {
        var errors = Errors(Set(Valid(), $"{Targets}:vault:Type", JsonValue.Create("ftp")));

        var message = AssertError(errors, $"{Targets}:vault:Type", "'ftp' is not one of");
        Assert.That(message, Does.Contain("directory, sftp, s3"));
    }

    [Test]
    public void Load_TargetWithoutType_ErrorAtTypeListingTheKnownTypes()
    {
        var errors = Errors(Remove(Valid(), $"{Targets}:vault:Type"));

        AssertError(errors, $"{Targets}:vault:Type", "required: one of directory, sftp, s3");
    }

    [TestCase("vault", "Bucket", "\"acme-backups\"", "Host")]
    [TestCase("vault", "Region", "\"eu-central-1\"", "KnownHostsFile")]
    [TestCase("offsite", "Host", "\"backup.example.net\"", "Bucket")]
    [TestCase("offsite", "Folder", "\"cold\"", "Bucket")]
    public void Load_KeyOfAnotherTargetType_UnknownSettingListingWhatThisTypeKnows(string target, string key, string value, string known)
    {
        var errors = Errors(Set(Valid(), $"{Targets}:{target}:{key}", value));

        var message = AssertError(errors, $"{Targets}:{target}:{key}", "unknown setting");
        Assert.That(message, Does.Contain(known).And.Contain("Timeout"));
    }

    [TestCase("Offsite2")]
    [TestCase("off site")]
    [TestCase("_offsite")]
    [TestCase("offsite/2")]
    [TestCase("nas\n")]
    public void Load_TargetNameBreakingTheNamingRules_ErrorAtTheTarget(string name)
    {
        var root = Set(Valid(), $"{Targets}:{name}", """{ "Type": "directory", "Path": "/mnt/backup" }""");

        var errors = Errors(root);

        AssertError(errors, Printed($"{Targets}:{name}"), "names must match");
    }

    [TestCase("0s")]
    [TestCase("00:00:00")]
    [TestCase("-00:05:00")]
    [TestCase("60d")]
    public void Load_TimeoutOutOfRange_ErrorAtTimeout(string timeout)
    {
        // 60 days would make the runner's CancelAfter throw (it takes at most about 49.7 days).
        var errors = Errors(Set(Valid(), $"{Targets}:offsite:Timeout", JsonValue.Create(timeout)));

        AssertError(errors, $"{Targets}:offsite:Timeout", "at most 7 days");
    }

    [TestCase(-1L)]
    [TestCase(long.MinValue)]
    public void Load_MaxBytesPerSecondNegative_ErrorAtMaxBytesPerSecond(long limit)
    {
        var errors = Errors(Set(Valid(), $"{Targets}:offsite:MaxBytesPerSecond", JsonValue.Create(limit)));

        AssertError(errors, $"{Targets}:offsite:MaxBytesPerSecond", "must not be negative");
    }

    [Test]
    public void Load_MaxBytesPerSecondZero_AcceptedAsUnlimited()
    {
        Assert.That(Errors(Set(Valid(), $"{Targets}:offsite:MaxBytesPerSecond", JsonValue.Create(0))), Is.Empty);
    }

    [Test]
    public void Load_DirectoryTargetWithoutPath_ErrorAtPath()
    {
        var root = Set(Valid(), $"{Targets}:nas", """{ "Type": "directory" }""");
        Set(root, $"{Copies}:nas", "{}");

        var errors = Errors(root);

        AssertError(errors, $"{Targets}:nas:Path", "required for a directory target");
        Assert.That(errors, Has.Count.EqualTo(1), Dump(errors));
    }

    [TestCase("mnt/backup", "absolute path")]
    [TestCase("/mnt/usb/../backup", "'..'")]
    [TestCase("/mnt/us\u0000b", "control character")]
    [TestCase(" ", "required for a directory target")]
    public void Load_DirectoryTargetPathBad_ErrorAtPath(string path, string word)
    {
        var errors = Errors(Set(Valid(), $"{Targets}:nas", new JsonObject { ["Type"] = "directory", ["Path"] = path }));

        AssertError(errors, $"{Targets}:nas:Path", word);
    }

    [Test]
    public void Load_DirectoryTargetWithPath_Accepted()
    {
        var root = Set(Valid(), $"{Targets}:nas", """{ "Type": "directory", "Path": "/mnt/backup" }""");
        Set(root, $"{Copies}:nas", """{ "Folder": "db" }""");

        Assert.That(Errors(root), Is.Empty);
    }

    [Test]
    public void Load_SftpTargetWithOnlyItsType_ErrorAtEachRequiredKey()
    {
        var errors = Errors(Set(Valid(), $"{Targets}:vault", """{ "Type": "sftp" }"""));

        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[]
        {
            $"{Targets}:vault:Host", $"{Targets}:vault:User", $"{Targets}:vault:PrivateKeyFile", $"{Targets}:vault:KnownHostsFile", $"{Targets}:vault:Path",
        }), Dump(errors));
        Assert.That(errors.Select(e => e.Message), Has.All.Contains("required for an sftp target"));
    }

    [TestCase("Path", "\"srv/backups\"", "starting with '/'")]
    [TestCase("Path", "\"/srv/backups/../web2\"", "'..'")]
    [TestCase("PrivateKeyFile", "\"id_ed25519\"", "absolute path on this host")]
    [TestCase("Host", "\"web1@backup.example.net\"", "not a host name")]
    [TestCase("User", "\"web 1\"", "not a user name")]
    [TestCase("Port", "0", "not a TCP port")]
    [TestCase("Port", "65536", "not a TCP port")]
    public void Load_SftpTargetKeyBad_ErrorAtTheKey(string key, string value, string word)
    {
        var errors = Errors(Set(Valid(), $"{Targets}:vault:{key}", value));

        AssertError(errors, $"{Targets}:vault:{key}", word);
    }

    // ----- hostile values: errors, never an exception -----

    private static IEnumerable<TestCaseData> HostileValues()
    {
        TestCaseData Case(string name, string path, Func<JsonNode?> value, string? errorAt = null) => new TestCaseData(path, value, errorAt ?? path).SetArgDisplayNames(name);
        var big = new string('x', 100_000);
        yield return Case("folder-nul", $"{Copies}:offsite:Folder", () => JsonValue.Create("co\u0000ld"));
        yield return Case("directory-path-nul", $"{Targets}:nas", () => new JsonObject { ["Type"] = "directory", ["Path"] = "/mnt/a\u0000b" });
        yield return Case("sftp-path-nul", $"{Targets}:vault:Path", () => JsonValue.Create("/srv/a\u0000b"));
        yield return Case("folder-100kB", $"{Copies}:offsite:Folder", () => JsonValue.Create(big));
        yield return Case("target-100kB", $"{Copies}:offsite:Target", () => JsonValue.Create(big));
        yield return Case("storage-class-100kB", $"{Copies}:offsite:StorageClass", () => JsonValue.Create(big));
        yield return Case("recipient-100kB", $"{Job}:Encryption:Recipients", () => new JsonArray(JsonValue.Create(big)));
        yield return Case("recipient-nul", $"{Job}:Encryption:Recipients", () => new JsonArray(JsonValue.Create(Recipient + "\u0000")));
        // [null] binds as an empty list: the copy that encrypts then has no recipient.
        yield return Case("recipient-null", $"{Job}:Encryption:Recipients", () => new JsonArray((JsonNode?)null), $"{Job}:Encryption");
        yield return Case("target-name-100kB", $"{Targets}:{new string('a', 100_000)}", () => new JsonObject { ["Type"] = "directory", ["Path"] = "/mnt/x\u0000" });
        yield return Case("copy-name-100kB", $"{Copies}:{new string('a', 100_000)}", () => new JsonObject { ["Folder"] = "x" });
        yield return Case("type-100kB", $"{Targets}:vault:Type", () => JsonValue.Create(big));
        yield return Case("sftp-host-100kB", $"{Targets}:vault:Host", () => JsonValue.Create(big));
        yield return Case("target-number", $"{Copies}:offsite:Target", () => JsonValue.Create(5));
        yield return Case("folder-number", $"{Copies}:offsite:Folder", () => JsonValue.Create(-1));
        yield return Case("storage-class-true", $"{Copies}:offsite:StorageClass", () => JsonValue.Create(true));
        yield return Case("storage-class-number", $"{Copies}:offsite:StorageClass", () => JsonNode.Parse("1e308"));
        yield return Case("type-number", $"{Targets}:vault:Type", () => JsonValue.Create(3));
        yield return Case("retries-string", $"{Copies}:offsite:Retries", () => JsonValue.Create("many"));
        yield return Case("retries-bigint", $"{Copies}:offsite:Retries", () => JsonNode.Parse("123456789012345678901234567890"));
        yield return Case("retry-delay-number", $"{Copies}:offsite:RetryDelay", () => JsonValue.Create(30));
        yield return Case("retry-delay-huge", $"{Copies}:offsite:RetryDelay", () => JsonValue.Create("99999999999999d"));
        yield return Case("timeout-huge", $"{Targets}:offsite:Timeout", () => JsonValue.Create("999999999999999999999h"));
        yield return Case("timeout-string", $"{Targets}:offsite:Timeout", () => JsonValue.Create("forever"));
        yield return Case("max-bytes-huge", $"{Targets}:offsite:MaxBytesPerSecond", () => JsonNode.Parse("1e308"));
        yield return Case("keep-uncopied-string", $"{Job}:KeepUncopiedDays", () => JsonValue.Create("two weeks"));
        yield return Case("encrypt-string", $"{Copies}:offsite:Encrypt", () => JsonValue.Create("yes please"));
        yield return Case("copies-array", Copies, () => new JsonArray(new JsonObject { ["Target"] = "offsite" }, JsonValue.Create("vault")));
        yield return Case("copy-array", $"{Copies}:vault", () => new JsonArray(JsonValue.Create("a"), JsonValue.Create("b")));
        yield return Case("copies-string", Copies, () => JsonValue.Create("offsite"));
        yield return Case("retention-array", $"{Copies}:offsite:Retention", () => new JsonArray(JsonValue.Create(7)));
        yield return Case("encryption-array", $"{Job}:Encryption", () => new JsonArray(JsonValue.Create(Recipient)));
        yield return Case("encryption-string", $"{Job}:Encryption", () => JsonValue.Create(Recipient));
        yield return Case("recipients-object", $"{Job}:Encryption:Recipients", () => new JsonObject { ["a"] = Recipient });
        yield return Case("recipients-nested", $"{Job}:Encryption:Recipients", () => new JsonArray(new JsonArray(JsonValue.Create(Recipient))));
        yield return Case("targets-array", Targets, () => new JsonArray(new JsonObject { ["Type"] = "s3" }));
        yield return Case("targets-string", Targets, () => JsonValue.Create("offsite"));
        yield return Case("target-array", $"{Targets}:vault", () => new JsonArray(JsonValue.Create("sftp")));
        yield return Case("target-string", $"{Targets}:vault", () => JsonValue.Create("sftp://backup.example.net"));
        yield return Case("target-null", $"{Targets}:vault", () => null);
        yield return Case("sftp-port-string", $"{Targets}:vault:Port", () => JsonValue.Create("ssh"));
        yield return Case("secret-array", $"{Targets}:offsite:AccessKeyId", () => new JsonArray(JsonValue.Create("AKIA")));
    }

    [TestCaseSource(nameof(HostileValues))]
    public void Load_HostileValue_ErrorsWithTheirPathAndNoException(string path, Func<JsonNode?> value, string errorAt)
    {
        var root = Set(Valid(), path, value());
        (AgentConfiguration? Configuration, IReadOnlyList<ConfigError> Errors) result = default;

        Assert.DoesNotThrow(() => result = Load(root));

        var errors = result.Errors;
        Assert.That(result.Configuration, Is.Null);
        Assert.That(errors, Is.Not.Empty);
        Assert.That(errors.Select(e => e.Path), Has.Some.StartsWith(errorAt[..Math.Min(errorAt.Length, 250)]), Dump(errors)[..Math.Min(4000, Dump(errors).Length)]);
        foreach (var error in errors)
        {
            Assert.That(error.Path, Does.StartWith("OpsAgent"), error.ToString());
            // A validator or a check that threw is reported by the loader as "could not be validated" or as the exception.
            Assert.That(error.Message, Does.Not.Contain("could not be").And.Not.Contain("Exception").And.Not.Contain(nameof(CopyReferencesCheck)), error.ToString()[..Math.Min(2000, error.ToString().Length)]);
            Assert.That(error.ToString().Any(char.IsControl), Is.False, "a control character reaches the journal");
            Assert.That(error.Message, Has.Length.LessThanOrEqualTo(1100), "a 100 kB value is shortened");
        }
    }

    /// <summary>The validators called directly, on what a binder never produces but code can: nulls, NULs, 100 kB.</summary>
    [Test]
    public void Validate_HostileOptionsBuiltInCode_ErrorsAndNoException()
    {
        var big = new string('x', 100_000);
        var job = new BackupJobOptions
        {
            KeepUncopiedDays = int.MinValue,
            Copies = new(StringComparer.OrdinalIgnoreCase)
            {
                ["a"] = null!,
                ["b"] = new CopyOptions { Folder = "a\u0000b", StorageClass = big, Retries = int.MinValue, RetryDelay = TimeSpan.MinValue, Encrypt = true, Retention = new RetentionOptions { KeepDaily = int.MinValue } },
                [big] = new CopyOptions { Target = big, Folder = big },
            },
            Encryption = new EncryptionOptions { Recipients = [null!, big, "\u0000"], RecipientsFile = "\u0000", IdentityFile = big, AgePath = string.Empty },
        };
        var errors = new ValidationCollector();

        Assert.DoesNotThrow(() => CopyValidation.ValidateJob(Job, job, errors));

        var failures = errors.ToResult().Failures ?? [];
        Assert.That(failures, Has.Some.StartsWith($"{Copies}:a: "));
        Assert.That(failures, Has.Some.StartsWith($"{Copies}:b:Folder: "));
        Assert.That(failures, Has.Some.StartsWith($"{Job}:Encryption:Recipients:0: "));
        Assert.That(failures, Has.Some.StartsWith($"{Job}:Encryption:RecipientsFile: "));
        Assert.That(failures, Has.Some.StartsWith($"{Job}:KeepUncopiedDays: "));

        using var provider = new ServiceCollection().AddBackupServices().BuildServiceProvider();
        var validator = provider.GetServices<IValidateOptions<CopyTargetsOptions>>().Single();
        var targets = new CopyTargetsOptions
        {
            Targets = new(StringComparer.OrdinalIgnoreCase)
            {
                [big] = new CopyTargetOptions { Type = big, Timeout = TimeSpan.MinValue, MaxBytesPerSecond = long.MinValue },
                ["nas"] = new CopyTargetOptions { Type = "directory", Settings = new OpsAgent.Backups.Copies.FileSystem.FileSystemTargetOptions { Path = "/mnt/\u0000" } },
                ["vault"] = new CopyTargetOptions { Type = "sftp", Settings = new OpsAgent.Backups.Copies.Sftp.SftpTargetOptions { Host = big, Port = int.MinValue, User = "\u0000", Path = "\u0000" } },
                ["none"] = new CopyTargetOptions { Type = null, Settings = null },
            },
        };
        ValidateOptionsResult result = null!;

        Assert.DoesNotThrow(() => result = validator.Validate(Options.DefaultName, targets));

        Assert.That(result.Failures, Has.Some.StartsWith($"{Targets}:nas:Path: "));
        Assert.That(result.Failures, Has.Some.StartsWith($"{Targets}:vault:Host: "));
        Assert.That(result.Failures, Has.Some.StartsWith($"{Targets}:none:Type: required"));
    }
}
