using System.Diagnostics.CodeAnalysis;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Copies.Sftp;

/// <summary>The settings of an <c>sftp</c> target: an SSH server, a key to log in with, the host keys it is trusted by, and a directory there.</summary>
public sealed class SftpTargetOptions : ICopyTargetSettings
{
    private const int MaxLength = 1024;

    /// <summary>The server's name or address.</summary>
    public string? Host { get; set; }

    /// <summary>The server's SSH port.</summary>
    public int Port { get; set; } = 22;

    /// <summary>The user to log in as.</summary>
    public string? User { get; set; }

    /// <summary>The user's private key (OpenSSH format: ed25519, ecdsa or rsa), an absolute path on this host.</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>The private key's passphrase, when it has one.</summary>
    public SecretReference? PrivateKeyPassphrase { get; set; }

    /// <summary>
    /// An OpenSSH <c>known_hosts</c> file listing the server's host key (plain or hashed names, <c>[host]:port</c> for a
    /// port other than 22). The server's key is checked against it before anything is sent; an unknown host or a key that
    /// does not match is refused (<c>host_key_mismatch</c>), never trusted on first use.
    /// </summary>
    public string? KnownHostsFile { get; set; }

    /// <summary>The remote root directory, absolute; it must exist on the server (the folders under it are created).</summary>
    public string? Path { get; set; }

    /// <summary>
    /// Read each uploaded file back and hash it before it takes its name, since SFTP has no server-side checksum; false
    /// compares sizes only (half the traffic).
    /// </summary>
    public bool VerifyReadBack { get; set; } = true;

    /// <summary>The name <c>known_hosts</c> lists the server under: <c>host</c> on port 22, else <c>[host]:port</c>.</summary>
    internal string KnownHostsName => KnownHosts.NameOf(Host ?? string.Empty, Port);

    /// <summary>The remote root without a trailing slash (<c>/</c> itself stays).</summary>
    internal string Root => Path is null ? "/" : Path.Length > 1 ? Path.TrimEnd('/') : Path;

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Text(path, nameof(Host), Host, "the SSH server's name or address", errors) && (Host!.Any(c => char.IsWhiteSpace(c) || c is '/' or '@' or '[' or ']') || Host.Length > 253))
        {
            errors.Add($"{path}:{nameof(Host)}", $"'{StrictBinder.Truncate(Host)}' is not a host name or address (no spaces, '/', '@' or brackets; the port goes in Port)");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"{path}:{nameof(Port)}", $"{Port} is not a TCP port (1-65535; SSH's is 22)");
        }

        if (Text(path, nameof(User), User, "the user to log in as", errors) && (User!.Any(char.IsWhiteSpace) || User.Contains('@', StringComparison.Ordinal)))
        {
            errors.Add($"{path}:{nameof(User)}", $"'{StrictBinder.Truncate(User)}' is not a user name (no spaces or '@'; the host goes in Host)");
        }

        LocalFile(path, nameof(PrivateKeyFile), PrivateKeyFile, "the private key to log in with (ssh-keygen -t ed25519 -f FILE; its .pub goes into the server's authorized_keys)", errors);
        if (PrivateKeyPassphrase is not null)
        {
            foreach (var e in PrivateKeyPassphrase.Validate($"{path}:{nameof(PrivateKeyPassphrase)}"))
            {
                errors.Add(e);
            }
        }

        LocalFile(path, nameof(KnownHostsFile), KnownHostsFile, "the known_hosts file holding the server's host key (ssh-keyscan -p PORT HOST >> FILE, then compare its fingerprint with the server's)", errors);
        if (Text(path, nameof(Path), Path, "the remote directory copies go to, such as /srv/backups/web1", errors))
        {
            if (!Path!.StartsWith('/'))
            {
                errors.Add($"{path}:{nameof(Path)}", $"'{StrictBinder.Truncate(Path)}' must be an absolute path on the server (starting with '/')");
            }
            else if (Path.Split('/').Any(s => s is ".." or "."))
            {
                errors.Add($"{path}:{nameof(Path)}", $"'{StrictBinder.Truncate(Path)}' must not contain '.' or '..' segments: write the directory it means");
            }
        }
    }

    /// <inheritdoc />
    public string Describe()
    {
        var host = Host is not null && Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return $"sftp://{User}@{host}:{Port}{Root}";
    }

    /// <inheritdoc />
    public async Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckHost($"{path}:{nameof(Host)}", Host);
        string? passphrase = null;
        if (PrivateKeyPassphrase is not null)
        {
            passphrase = await context.ResolveSecretAsync(PrivateKeyPassphrase, $"{path}:{nameof(PrivateKeyPassphrase)}", cancellationToken).ConfigureAwait(false);
        }

        if (context.Offline)
        {
            return;
        }

        if (PrivateKeyFile is not null && System.IO.Path.IsPathFullyQualified(PrivateKeyFile))
        {
            CheckKeyFile($"{path}:{nameof(PrivateKeyFile)}", passphrase, PrivateKeyPassphrase is null || passphrase is not null, context);
        }

        if (KnownHostsFile is not null && Host is not null && System.IO.Path.IsPathFullyQualified(KnownHostsFile))
        {
            await CheckKnownHostsAsync($"{path}:{nameof(KnownHostsFile)}", context, cancellationToken).ConfigureAwait(false);
        }
    }

    private void CheckKeyFile(string at, string? passphrase, bool passphraseKnown, HostCheckContext context)
    {
        if (!File.Exists(PrivateKeyFile))
        {
            context.Error(at, $"{PrivateKeyFile} does not exist: copies to this target fail with auth_failed");
            return;
        }

        // ssh itself refuses a key others can read ("UNPROTECTED PRIVATE KEY FILE"); the agent would not, but the key is exposed.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(PrivateKeyFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            context.Warning(at, $"{PrivateKeyFile} is readable by its group or by others (ssh would refuse it): chmod 600 {PrivateKeyFile}");
        }

        if (!passphraseKnown)
        {
            return;
        }

        try
        {
            using var key = new Renci.SshNet.PrivateKeyFile(PrivateKeyFile, passphrase);
        }
        catch (Renci.SshNet.Common.SshPassPhraseNullOrEmptyException)
        {
            context.Error(at, $"{PrivateKeyFile} is protected by a passphrase: give it as PrivateKeyPassphrase");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error(at, $"{PrivateKeyFile} cannot be read: {ex.Message}");
        }
        catch (Exception ex) when (ex is Renci.SshNet.Common.SshException or FormatException or ArgumentException or NotSupportedException or System.Security.Cryptography.CryptographicException)
        {
            context.Error(at, $"{PrivateKeyFile} is not a private key this agent can use (OpenSSH ed25519, ecdsa or rsa), or the passphrase is wrong: {ex.Message}");
        }
    }

    private async Task CheckKnownHostsAsync(string at, HostCheckContext context, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(KnownHostsFile!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error(at, $"{KnownHostsFile} cannot be read ({ex.Message}): every connection would be refused with host_key_mismatch");
            return;
        }

        if (KnownHosts.Parse(text).KeysFor(Host!, Port).Count == 0)
        {
            context.Error(at, $"{KnownHostsFile} lists no host key for {KnownHostsName}: every connection would be refused with host_key_mismatch. Add it with {KnownHosts.KeyscanCommand(Host!, Port, null, KnownHostsFile!)} and compare its fingerprint (ssh-keygen -lf {KnownHostsFile}) with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there)");
        }
    }

    private static bool Text(string path, string key, [NotNullWhen(true)] string? value, string what, ValidationCollector errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{path}:{key}", $"required for an sftp target: {what}");
            return false;
        }

        if (value.Any(char.IsControl))
        {
            errors.Add($"{path}:{key}", "contains a NUL or another control character: write it as plain text");
            return false;
        }

        if (value.Length > MaxLength)
        {
            errors.Add($"{path}:{key}", $"is {value.Length} characters long; at most {MaxLength}");
            return false;
        }

        return true;
    }

    private static void LocalFile(string path, string key, string? value, string what, ValidationCollector errors)
    {
        if (Text(path, key, value, what, errors) && !System.IO.Path.IsPathFullyQualified(value!))
        {
            errors.Add($"{path}:{key}", $"'{StrictBinder.Truncate(value!)}' must be an absolute path on this host");
        }
    }
}
