namespace OpsAgent.Backups.Copies;

/// <summary>A copy target's failure with its machine reason (one of <see cref="CopyReasons"/>); the message never holds a secret.</summary>
public sealed class CopyFailedException : Exception
{
    /// <summary>Creates the failure.</summary>
    public CopyFailedException(string reason, string message, Exception? inner = null)
        : base(message, inner) => Reason = reason;

    /// <summary>Creates a failure without a reason (<see cref="CopyReasons.TransferFailed"/>).</summary>
    public CopyFailedException()
        : this(CopyReasons.TransferFailed, "the copy failed")
    {
    }

    /// <summary>Creates a failure without a reason (<see cref="CopyReasons.TransferFailed"/>).</summary>
    public CopyFailedException(string message)
        : this(CopyReasons.TransferFailed, message)
    {
    }

    /// <summary>Creates a failure without a reason (<see cref="CopyReasons.TransferFailed"/>).</summary>
    public CopyFailedException(string message, Exception inner)
        : this(CopyReasons.TransferFailed, message, inner)
    {
    }

    /// <summary>The machine reason.</summary>
    public string Reason { get; }
}
