using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace OpsAgent.Backups.Copies.S3;

/// <summary>Turns the SDK's exceptions into <see cref="CopyFailedException"/>s with their reason.</summary>
internal static class S3Errors
{
    /// <summary>
    /// The failure of <paramref name="what"/>, or null when <paramref name="ex"/> is the caller's own cancellation
    /// (the copy stage's <c>Timeout</c> or a stop), which it reports itself.
    /// </summary>
    public static CopyFailedException? Map(Exception ex, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ex is CopyFailedException copy)
        {
            return copy;
        }

        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        // Not the caller's: the call's own deadline (a server that accepted the connection and never answered).
        if (ex is OperationCanceledException)
        {
            return new CopyFailedException(CopyReasons.Timeout, $"{what}: the server accepted the connection but did not answer within {S3Session.AnswerTimeout.TotalMinutes:0} minutes", ex);
        }

        if (ex is AmazonS3Exception s3)
        {
            var code = string.IsNullOrEmpty(s3.ErrorCode) ? ((int)s3.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : s3.ErrorCode;
            var reason = ReasonOf(s3.ErrorCode, s3.StatusCode);
            if (reason is not null)
            {
                return new CopyFailedException(reason, $"{what}: {code}: {Advice(reason, s3.Message)}", ex);
            }

            // No answer the server gave: the SDK wraps its transport failures in a service exception too.
            if (s3.StatusCode == 0 && Transport(ex) is { } inner)
            {
                return Unreachable(what, inner);
            }

            return new CopyFailedException(CopyReasons.TransferFailed, $"{what}: {code}: {s3.Message}", ex);
        }

        if (Transport(ex) is { } transport)
        {
            return transport is TimeoutException or OperationCanceledException
                ? new CopyFailedException(CopyReasons.Timeout, $"{what}: the server did not answer in time ({transport.Message})", ex)
                : Unreachable(what, transport);
        }

        return ex is AmazonClientException or AmazonServiceException
            ? new CopyFailedException(CopyReasons.TransferFailed, $"{what}: {ex.Message}", ex)
            : null;
    }

    /// <summary>The reason of an S3 error code (or of its HTTP status when it has none, as a HEAD's), or null when it is not one of them.</summary>
    public static string? ReasonOf(string? errorCode, HttpStatusCode status) => errorCode switch
    {
        "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidToken" or "ExpiredToken" or "TokenRefreshRequired" or "AuthorizationHeaderMalformed" or "InvalidSecurity" => CopyReasons.AuthFailed,
        "AccessDenied" or "AllAccessDisabled" or "AccountProblem" or "InvalidPayer" => CopyReasons.AccessDenied,
        "NoSuchBucket" or "NoSuchKey" or "NotFound" or "NoSuchUpload" => CopyReasons.NotFound,
        "EntityTooLarge" or "QuotaExceeded" or "XMinioStorageFull" or "InsufficientStorage" or "StorageFull" => CopyReasons.NoSpace,
        "BadDigest" or "InvalidDigest" or "XAmzContentSHA256Mismatch" => CopyReasons.ChecksumMismatch,
        "RequestTimeout" => CopyReasons.Timeout,
        "InvalidObjectState" => CopyReasons.NeedsThaw,
        _ => status switch
        {
            HttpStatusCode.Unauthorized => CopyReasons.AuthFailed,
            HttpStatusCode.Forbidden => CopyReasons.AccessDenied,
            HttpStatusCode.NotFound => CopyReasons.NotFound,
            HttpStatusCode.InsufficientStorage or HttpStatusCode.RequestEntityTooLarge => CopyReasons.NoSpace,
            _ => null,
        },
    };

    /// <summary>The transport failure in <paramref name="ex"/>'s chain (refused, DNS, reset, TLS, a timeout), or null.</summary>
    private static Exception? Transport(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or TimeoutException or IOException or System.Security.Authentication.AuthenticationException
                || e is OperationCanceledException)
            {
                return e;
            }
        }

        return null;
    }

    private static CopyFailedException Unreachable(string what, Exception transport)
        => new(CopyReasons.Unreachable, $"{what}: the server does not answer ({Innermost(transport).Message})", transport);

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static string Advice(string reason, string message) => reason switch
    {
        CopyReasons.AuthFailed => $"{message} (check AccessKeyId and SecretAccessKey, and Region for the signature)",
        CopyReasons.AccessDenied => $"{message} (the key is valid but its policy does not allow this)",
        _ => message,
    };
}
