namespace OpsAgent.Backups.Engines;

/// <summary>A run failed for a reason the operator can act on.</summary>
public sealed class BackupFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">A short machine reason (<c>database_unreachable</c>, <c>tool_failed</c>, <c>no_space</c>, ...).</param>
    /// <param name="message">The human explanation, free of secrets.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public BackupFailedException(string reason, string message, Exception? inner = null) : base(message, inner) => Reason = reason;

    /// <summary>Creates the exception.</summary>
    public BackupFailedException() : this("failed", "backup failed") { }

    /// <summary>Creates the exception.</summary>
    public BackupFailedException(string message) : this("failed", message) { }

    /// <summary>Creates the exception.</summary>
    public BackupFailedException(string message, Exception inner) : this("failed", message, inner) { }

    /// <summary>The machine reason.</summary>
    public string Reason { get; }
}
