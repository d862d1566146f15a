using Renci.SshNet;
using Renci.SshNet.Common;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Copies.Sftp;

/// <summary>Copies to a directory on an SSH server over SFTP (SSH.NET), with the server's host key checked against a known_hosts file first.</summary>
internal sealed class SftpTarget : CopyTargetType<SftpTargetOptions>
{
    /// <summary>A server that does not complete the handshake in this long is unreachable, whatever the transfer timeout.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>One SFTP request (a write's acknowledgement, a stat, a rename) that waits longer than this means a hung server.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Keeps the session through NAT and firewalls between the files of a pass.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private const string CertificateSuffix = "-cert-v01@openssh.com";

    protected override async Task<ICopySession> ConnectAsync(CopyTargetContext context, SftpTargetOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var host = options.Host!;
        var where = $"{options.User}@{KnownHosts.NameOf(host, options.Port)}";

        string? passphrase = null;
        if (options.PrivateKeyPassphrase is { } reference)
        {
            try
            {
                passphrase = await context.Secrets.ResolveAsync(reference, $"{context.Path}:{nameof(SftpTargetOptions.PrivateKeyPassphrase)}", cancellationToken).ConfigureAwait(false);
            }
            catch (SecretResolutionException ex)
            {
                throw new CopyFailedException(CopyReasons.Secret, ex.Message, ex);
            }
        }

        var knownHosts = await ReadKnownHostsAsync(options, cancellationToken).ConfigureAwait(false);
        var key = OpenKey(options, passphrase);
        SftpClient? client = null;
        var owned = true;
        try
        {
            var info = new ConnectionInfo(host, options.Port, options.User!, new PrivateKeyAuthenticationMethod(options.User!, key))
            {
                Timeout = Min(context.Target.Timeout, ConnectTimeout),
            };
            OfferKnownTypes(info, knownHosts.KeysFor(host, options.Port));
            client = new SftpClient(info)
            {
                OperationTimeout = Min(context.Target.Timeout, RequestTimeout),
                KeepAliveInterval = KeepAlive,
            };

            string? refusal = null;
            client.HostKeyReceived += (_, e) =>
            {
                var verdict = knownHosts.Check(host, options.Port, e.HostKey, out var lines);
                e.CanTrust = verdict == KnownHosts.Verdict.Trusted;
                if (!e.CanTrust)
                {
                    refusal = Refusal(options, verdict, lines, e);
                }
            };

            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (refusal is not null && ex is not OperationCanceledException)
            {
                throw new CopyFailedException(CopyReasons.HostKeyMismatch, refusal, ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw SftpErrors.FromConnect(ex, where);
            }

            await CheckRootAsync(client, options, where, cancellationToken).ConfigureAwait(false);
            var session = new SftpCopySession(client, key, options);
            owned = false;
            return session;
        }
        finally
        {
            if (owned)
            {
                client?.Dispose();
                key.Dispose();
            }
        }
    }

    private static async Task<KnownHosts> ReadKnownHostsAsync(SftpTargetOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return KnownHosts.Parse(await File.ReadAllTextAsync(options.KnownHostsFile!, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Without the file no key can be verified: nothing is sent rather than trusting whatever answers.
            throw new CopyFailedException(CopyReasons.HostKeyMismatch, $"cannot read KnownHostsFile {options.KnownHostsFile} ({ex.Message}), so the host key of {options.KnownHostsName} cannot be verified; nothing was sent", ex);
        }
    }

    private static PrivateKeyFile OpenKey(SftpTargetOptions options, string? passphrase)
    {
        try
        {
            return new PrivateKeyFile(options.PrivateKeyFile!, passphrase);
        }
        catch (SshPassPhraseNullOrEmptyException ex)
        {
            throw new CopyFailedException(CopyReasons.AuthFailed, $"the private key {options.PrivateKeyFile} is protected by a passphrase: give it as PrivateKeyPassphrase", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CopyFailedException(CopyReasons.AuthFailed, $"cannot read the private key {options.PrivateKeyFile}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is SshException or FormatException or ArgumentException or NotSupportedException or System.Security.Cryptography.CryptographicException)
        {
            throw new CopyFailedException(CopyReasons.AuthFailed, $"cannot use the private key {options.PrivateKeyFile} (an OpenSSH ed25519, ecdsa or rsa key; is the passphrase right?): {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Offers only the host key types known_hosts holds for the server, as ssh does: a server with several keys would
    /// otherwise present one the file does not list and be refused although the file is right. Certificates are never
    /// offered (certificate authorities are not implemented).
    /// </summary>
    private static void OfferKnownTypes(ConnectionInfo info, IReadOnlyList<KnownHosts.Entry> known)
    {
        foreach (var name in info.HostKeyAlgorithms.Keys.Where(a => a.EndsWith(CertificateSuffix, StringComparison.Ordinal)).ToList())
        {
            info.HostKeyAlgorithms.Remove(name);
        }

        var types = known.Select(e => KnownHosts.TypeOf(e.Key) ?? e.KeyType).ToHashSet(StringComparer.Ordinal);
        var offered = info.HostKeyAlgorithms.Keys.Where(a => types.Contains(KeyTypeOf(a))).ToList();
        // An unknown host (or one with only types SSH.NET lacks) is let through to the event, which refuses it naming the key it saw.
        if (offered.Count == 0)
        {
            return;
        }

        foreach (var name in info.HostKeyAlgorithms.Keys.Except(offered, StringComparer.Ordinal).ToList())
        {
            info.HostKeyAlgorithms.Remove(name);
        }
    }

    private static string KeyTypeOf(string algorithm) => algorithm is "rsa-sha2-256" or "rsa-sha2-512" ? "ssh-rsa" : algorithm;

    private static string Refusal(SftpTargetOptions options, KnownHosts.Verdict verdict, IReadOnlyList<int> lines, HostKeyEventArgs key)
    {
        var type = KnownHosts.TypeOf(key.HostKey);
        var name = options.KnownHostsName;
        var fingerprint = $"{key.KeyLength} SHA256:{key.FingerPrintSHA256} ({KnownHosts.Label(type)})";
        var at = string.Join(", ", lines);
        var why = verdict switch
        {
            KnownHosts.Verdict.Revoked => $"is marked @revoked in {options.KnownHostsFile} (line {at})",
            KnownHosts.Verdict.Mismatch => $"is not the key {options.KnownHostsFile} lists for {name} (line {at}): the server's key changed, or this is not the server",
            _ => $"is not trusted: {options.KnownHostsFile} lists no key for {name}",
        };
        return $"the SSH server {name} presented the host key {fingerprint}, which {why}; nothing was sent. "
            + $"Compare it with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_{KeyFileType(type)}_key.pub, run there); if it is right, "
            + $"{(verdict == KnownHosts.Verdict.Mismatch ? "remove the old line and " : string.Empty)}add it with {KnownHosts.KeyscanCommand(options.Host!, options.Port, type, options.KnownHostsFile!)}";
    }

    private static string KeyFileType(string? type) => type switch
    {
        "ssh-rsa" => "rsa",
        { } t when t.StartsWith("ecdsa-", StringComparison.Ordinal) => "ecdsa",
        _ => "ed25519",
    };

    private static async Task CheckRootAsync(SftpClient client, SftpTargetOptions options, string where, CancellationToken cancellationToken)
    {
        try
        {
            var root = await client.GetAttributesAsync(options.Root, cancellationToken).ConfigureAwait(false);
            if (!root.IsDirectory)
            {
                throw new CopyFailedException(CopyReasons.NotFound, $"{options.Root} on {where} is not a directory");
            }
        }
        catch (SftpPathNotFoundException ex)
        {
            throw new CopyFailedException(CopyReasons.NotFound, $"{options.Root} does not exist on {where}: create it there (Path must exist; the folders under it are created)", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw SftpErrors.From(ex, $"cannot read {options.Root} on {where}");
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
