using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.FileSystem;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Testing;

namespace OpsAgent.Backups.Tests.Copies;

/// <summary><c>Encrypt: true</c> with Debian's real <c>age</c>: the target holds ciphertext only, and nothing at all when encryption fails.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CopyEncryptionTests
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("PGDMP-PLAINTEXT-MARKER ");
    private BackupTestKit _kit = null!;
    private string _remote = null!;
    private string _identity = null!;
    private string _recipient = null!;

    [SetUp]
    public void SetUp()
    {
        TestEnvironment.RequireOnPath("age", "age-keygen");
        _kit = new BackupTestKit();
        _remote = Path.Combine(_kit.Directory, "remote");
        Directory.CreateDirectory(_remote);
        _identity = Path.Combine(_kit.Directory, ".state-key.txt");
        Run("age-keygen", ["-o", _identity]);
        _recipient = Run("age-keygen", ["-y", _identity]).Trim();
    }

    [TearDown]
    public void TearDown() => _kit.Dispose();

    private static string Run(string tool, string[] arguments, byte[]? input = null, string? output = null)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        // Fed beside the reading below: age writes as it reads, and a full output pipe would stop it.
        var feeding = input is null ? Task.CompletedTask : Task.Run(() =>
        {
            process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
        });

        string text;
        if (output is not null)
        {
            using (var file = File.Create(output))
            {
                process.StandardOutput.BaseStream.CopyTo(file);
            }

            text = string.Empty;
        }
        else
        {
            text = process.StandardOutput.ReadToEnd();
        }

        var error = process.StandardError.ReadToEnd();
        feeding.GetAwaiter().GetResult();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{tool}: {error}");
        return text;
    }

    private (BackupRequest Request, string Path) Job(EncryptionOptions encryption)
    {
        var request = _kit.Request("db", new BackupJobOptions
        {
            Engine = "postgres",
            Encryption = encryption,
            Copies = new(StringComparer.OrdinalIgnoreCase) { ["nas"] = new CopyOptions { Encrypt = true, Retries = 0 } },
        });
        var content = Marker.Concat(RandomNumberGenerator.GetBytes(3 << 20)).Concat(Marker).ToArray();
        return (request, _kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-5), content));
    }

    private Dictionary<string, CopyTargetOptions> Targets() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["nas"] = new CopyTargetOptions { Type = "directory", Settings = new FileSystemTargetOptions { Path = _remote } },
    };

    private bool TargetHoldsPlainBytes() => Directory.EnumerateFiles(_remote, "*", SearchOption.AllDirectories)
        .Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(Marker) >= 0);

    [Test]
    public async Task Run_Encrypt_TargetHoldsAnAgeObjectThatDecryptsToTheLocalBackup()
    {
        var (request, path) = Job(new EncryptionOptions { Recipients = [_recipient] });

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Success, Is.True, results[0].Message);
        var name = Path.GetFileName(path) + ".age";
        Assert.That(Directory.EnumerateFiles(_remote).Select(Path.GetFileName).Order(StringComparer.Ordinal), Is.EqualTo(new[] { name, name + ".json", name + ".sha256" }));
        Assert.That(TargetHoldsPlainBytes(), Is.False, "no plain byte of the dump on the target");
        var encrypted = File.ReadAllBytes(Path.Combine(_remote, name));
        Assert.That(File.ReadAllText(Path.Combine(_remote, name + ".sha256")), Is.EqualTo($"{Convert.ToHexStringLower(SHA256.HashData(encrypted))}  {name}\n"));
        var decrypted = Path.Combine(_kit.Directory, "decrypted");
        Run("age", ["-d", "-i", _identity], encrypted, decrypted);
        Assert.That(File.ReadAllText(path + ".sha256"), Does.StartWith(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(decrypted)))));
    }

    [Test]
    public async Task Run_AgeMissing_EncryptionFailedAndNothingUploaded()
    {
        var (request, path) = Job(new EncryptionOptions { Recipients = [_recipient], AgePath = "/nonexistent/age" });

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Reason, Is.EqualTo(CopyReasons.EncryptionFailed));
        Assert.That(Directory.EnumerateFiles(_remote, "*", SearchOption.AllDirectories), Is.Empty);
        Assert.That(File.Exists(path), Is.True);
    }

    [Test]
    public async Task Run_MalformedRecipientInFile_EncryptionFailedAndNothingUploaded()
    {
        var recipients = Path.Combine(_kit.Directory, ".state-recipients.txt");
        File.WriteAllText(recipients, "age1thisisnotavalidrecipient\n");
        var (request, _) = Job(new EncryptionOptions { RecipientsFile = recipients });

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Reason, Is.EqualTo(CopyReasons.EncryptionFailed));
        Assert.That(Directory.EnumerateFiles(_remote, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task Run_EncryptorEmitsBytesThenFails_NothingUploaded()
    {
        // The worst case: a tool that copies plain input to its output and then fails. Its bytes reach the target's
        // writer, so only the contract (no commit without a clean end) keeps them off the target.
        var script = Path.Combine(_kit.Directory, ".state-bad-age.sh");
        File.WriteAllText(script, "#!/bin/sh\nhead -c 1048576\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (request, _) = Job(new EncryptionOptions { Recipients = [_recipient], AgePath = script });

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Reason, Is.EqualTo(CopyReasons.EncryptionFailed), results[0].Message);
        Assert.That(Directory.EnumerateFiles(_remote, "*", SearchOption.AllDirectories), Is.Empty);
        Assert.That(TargetHoldsPlainBytes(), Is.False);
    }
}
