using System.Net.Sockets;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace OpsAgent.Backups.Copies.Sftp;

/// <summary>Turns SSH.NET's exceptions into <see cref="CopyFailedException"/>s with their reason.</summary>
internal static class SftpErrors
{
    /// <summary>SFTP v5+ <c>SSH_FX_NO_SPACE_ON_FILESYSTEM</c> and <c>SSH_FX_QUOTA_EXCEEDED</c> (OpenSSH speaks v3 and says <c>SSH_FX_FAILURE</c>).</summary>
    private const int NoSpaceOnFilesystem = 14;

    private const int QuotaExceeded = 15;

    /// <summary>A failure of connecting: the server not answering is <c>unreachable</c>, including a connect that timed out.</summary>
    public static CopyFailedException FromConnect(Exception ex, string where) => ex switch
    {
        CopyFailedException copy => copy,
        SocketException socket => new CopyFailedException(CopyReasons.Unreachable, $"cannot connect to {where}: {socket.Message} ({socket.SocketErrorCode})", ex),
        SshOperationTimeoutException => new CopyFailedException(CopyReasons.Unreachable, $"cannot connect to {where}: {ex.Message}", ex),
        SshAuthenticationException => new CopyFailedException(CopyReasons.AuthFailed, $"{where} refused the private key: {ex.Message} (is its .pub in the user's authorized_keys?)", ex),
        SshConnectionException or ProxyException => new CopyFailedException(CopyReasons.Unreachable, $"cannot open an SSH session with {where}: {ex.Message}", ex),
        _ => From(ex, $"cannot connect to {where}"),
    };

    /// <summary>A failure of an operation on an open session.</summary>
    public static CopyFailedException From(Exception ex, string what)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ex is CopyFailedException copy)
        {
            return copy;
        }

        var reason = ex switch
        {
            SftpPermissionDeniedException => CopyReasons.AccessDenied,
            SftpPathNotFoundException => CopyReasons.NotFound,
            SftpException sftp when IsNoSpace(sftp) => CopyReasons.NoSpace,
            SshOperationTimeoutException => CopyReasons.Timeout,
            SshAuthenticationException => CopyReasons.AuthFailed,
            SshConnectionException or SocketException => CopyReasons.Unreachable,
            IOException io when CopyErrors.IsNoSpace(io) => CopyReasons.NoSpace,
            _ => CopyReasons.TransferFailed,
        };
        return new CopyFailedException(reason, $"{what}: {ex.Message}", ex);
    }

    /// <summary>The server said it is full or over quota, in the words servers use.</summary>
    public static bool IsNoSpace(SftpException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var code = (int)ex.StatusCode;
        return code is NoSpaceOnFilesystem or QuotaExceeded
            || (ex.StatusCode == StatusCode.Failure && (ex.Message.Contains("No space", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("quota", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>A bare <c>SSH_FX_FAILURE</c>, which is all OpenSSH's sftp-server answers for ENOSPC and EDQUOT.</summary>
    public static bool IsBareFailure(Exception ex) => ex is SftpException { StatusCode: StatusCode.Failure } and not (SftpPermissionDeniedException or SftpPathNotFoundException);
}
