namespace OpsAgent.Backups.Copies;

/// <summary>Turns file system and network exceptions into <see cref="CopyFailedException"/>s with their reason.</summary>
internal static class CopyErrors
{
    /// <summary>A file system failure: <c>no_space</c>, <c>access_denied</c>, <c>not_found</c> or <c>transfer_failed</c>.</summary>
    public static CopyFailedException FromIo(Exception ex, string what)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var reason = ex switch
        {
            UnauthorizedAccessException => CopyReasons.AccessDenied,
            FileNotFoundException or DirectoryNotFoundException => CopyReasons.NotFound,
            IOException io when IsNoSpace(io) => CopyReasons.NoSpace,
            _ => CopyReasons.TransferFailed,
        };
        return new CopyFailedException(reason, $"{what}: {ex.Message}", ex);
    }

    /// <summary>ENOSPC or EDQUOT (Linux), ERROR_DISK_FULL (Windows).</summary>
    public static bool IsNoSpace(IOException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return (ex.HResult & 0xFFFF) is 28 or 122 || ex.HResult == unchecked((int)0x80070070)
            || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("quota", StringComparison.OrdinalIgnoreCase)
            || (ex.InnerException is IOException inner && IsNoSpace(inner));
    }
}
