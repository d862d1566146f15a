using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.Sftp;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Copies.Sftp;

/// <summary>The sshd tests/run.sh starts (harness_start_sftp), found through its OPSAGENT_TEST_SFTP_* variables.</summary>
internal sealed class SftpServer
{
    private SftpServer()
    {
        Host = TestEnvironment.Require("OPSAGENT_TEST_SFTP_HOST");
        Port = int.Parse(TestEnvironment.Require("OPSAGENT_TEST_SFTP_PORT"), System.Globalization.CultureInfo.InvariantCulture);
        User = TestEnvironment.Require("OPSAGENT_TEST_SFTP_USER");
        Key = TestEnvironment.Require("OPSAGENT_TEST_SFTP_KEY");
        KnownHosts = TestEnvironment.Require("OPSAGENT_TEST_SFTP_KNOWN_HOSTS");
        Root = TestEnvironment.Require("OPSAGENT_TEST_SFTP_PATH");
        HostKey = TestEnvironment.Require("OPSAGENT_TEST_SFTP_HOST_KEY");
    }

    public string Host { get; }

    public int Port { get; }

    public string User { get; }

    /// <summary>The user's private key file.</summary>
    public string Key { get; }

    /// <summary>A known_hosts file with the server's key under <c>[host]:port</c>.</summary>
    public string KnownHosts { get; }

    /// <summary>The remote backup root, which is also a local directory (loopback).</summary>
    public string Root { get; }

    /// <summary>The server's private host key (its .pub beside it).</summary>
    public string HostKey { get; }

    /// <summary>The server, or the test is skipped saying what provides it.</summary>
    public static SftpServer Require() => new();

    /// <summary>Options that reach the server's root.</summary>
    public SftpTargetOptions Options(string? path = null) => new()
    {
        Host = Host,
        Port = Port,
        User = User,
        PrivateKeyFile = Key,
        KnownHostsFile = KnownHosts,
        Path = path ?? Root,
    };

    /// <summary>Connects as the copy stage does, through the registered type's factory interface.</summary>
    public static Task<ICopySession> ConnectAsync(SftpTargetOptions options, TimeSpan? timeout = null)
    {
        var target = new CopyTargetOptions { Type = "sftp", Settings = options, Timeout = timeout ?? TimeSpan.FromMinutes(10) };
        var context = new CopyTargetContext("backup-host", "OpsAgent:Targets:backup-host", target, new SecretResolver(SecretRedactor.Shared),
            new ToolRunner(new DockerClientProvider(() => "unix:///nonexistent")), TimeProvider.System, NullLogger.Instance);
        return ((ICopyTargetFactory)new SftpTarget()).ConnectAsync(context, target, CancellationToken.None);
    }

    /// <summary>Runs a tool (ssh-keygen) and returns its standard output; fails the test when it fails.</summary>
    public static string Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{tool} {string.Join(' ', arguments)}: {error}");
        return output;
    }

    /// <summary>The server's host key line for known_hosts, without a name: <c>ssh-ed25519 AAAA…</c>.</summary>
    public string HostKeyLine() => string.Join(' ', File.ReadAllText(HostKey + ".pub").Split(' ')[..2]);

    /// <summary>The server key's <c>ssh-keygen -lf</c> line: <c>256 SHA256:… comment (ED25519)</c>.</summary>
    public string HostKeyFingerprint() => Run("ssh-keygen", "-lf", HostKey + ".pub").Trim();

    /// <summary>A new ed25519 key pair in <paramref name="directory"/>; returns the private key's path.</summary>
    public static string NewKey(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "opsagent-test-other", "-f", path);
        return path;
    }
}
