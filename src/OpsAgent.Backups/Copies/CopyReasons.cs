namespace OpsAgent.Backups.Copies;

/// <summary>Why a copy failed: the <c>reason</c> of <c>copy_failed</c> and of <c>opsagent_backup_copy_runs_total{result}</c>.</summary>
public static class CopyReasons
{
    /// <summary>The target did not answer (DNS, refused, reset, TLS).</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The target refused the credentials (a wrong key, secret or password).</summary>
    public const string AuthFailed = "auth_failed";

    /// <summary>The credentials are valid but may not do this (a bucket policy, a directory's permissions).</summary>
    public const string AccessDenied = "access_denied";

    /// <summary>The target is full or over its quota.</summary>
    public const string NoSpace = "no_space";

    /// <summary>What the target holds after the upload is not what was sent (size or SHA-256); the object was removed.</summary>
    public const string ChecksumMismatch = "checksum_mismatch";

    /// <summary>A transfer exceeded the target's <c>Timeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>The SFTP server's host key is not the one in <c>KnownHostsFile</c>, or the host is not listed there; nothing was sent.</summary>
    public const string HostKeyMismatch = "host_key_mismatch";

    /// <summary><c>age</c> is missing, a recipient is malformed or the encryption failed; nothing was uploaded for that copy.</summary>
    public const string EncryptionFailed = "encryption_failed";

    /// <summary>Decrypting a copy failed (no identity, a wrong one, or damaged ciphertext).</summary>
    public const string DecryptionFailed = "decryption_failed";

    /// <summary>The bucket, directory or file does not exist.</summary>
    public const string NotFound = "not_found";

    /// <summary>The object is in an archive storage class and must be restored (thawed) on the target before it can be read.</summary>
    public const string NeedsThaw = "needs_thaw";

    /// <summary>The target's secrets could not be read.</summary>
    public const string Secret = "secret";

    /// <summary>Another process holds the job's copy lock; this pass did nothing.</summary>
    public const string AlreadyRunning = "already_running";

    /// <summary>The pass was stopped.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Any other failure of the transfer.</summary>
    public const string TransferFailed = "transfer_failed";
}
