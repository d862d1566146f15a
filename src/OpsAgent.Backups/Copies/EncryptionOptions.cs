namespace OpsAgent.Backups.Copies;

/// <summary>How copies with <c>Encrypt</c> are encrypted (<c>OpsAgent:Backups:&lt;job&gt;:Encryption</c>): with Debian's <c>age</c>.</summary>
public sealed class EncryptionOptions
{
    /// <summary>Public keys (<c>age1…</c>, <c>ssh-ed25519 …</c>, <c>ssh-rsa …</c>), each passed as <c>age -r</c>.</summary>
    public List<string> Recipients { get; set; } = [];

    /// <summary>A recipients file (<c>age -R</c>): one key per line, <c>#</c> comments.</summary>
    public string? RecipientsFile { get; set; }

    /// <summary>The identity file <c>backup restore --from</c> decrypts with when <c>--identity</c> is not given (keep it off this host where you can).</summary>
    public string? IdentityFile { get; set; }

    /// <summary>The <c>age</c> command; null finds it on PATH.</summary>
    public string? AgePath { get; set; }

    /// <summary>True when something says where to encrypt to.</summary>
    internal bool HasRecipients => Recipients.Count > 0 || !string.IsNullOrWhiteSpace(RecipientsFile);
}
