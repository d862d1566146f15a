namespace OpsAgent.Notifications;

/// <summary>Why a delivery failed (<c>OPSAGENT_REASON</c> of <c>notification_failed</c>).</summary>
public static class NotificationReasons
{
    /// <summary>Nothing answered at the address, or the connection broke.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>No answer within the channel's <c>Timeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>The server answered with an error status (<c>http_500</c> is written as such).</summary>
    public const string HttpStatusPrefix = "http_";

    /// <summary>The mail server refused the message, a recipient or the log-in.</summary>
    public const string SmtpRefused = "smtp_refused";

    /// <summary>The server's TLS certificate did not verify.</summary>
    public const string TlsInvalid = "tls_invalid";

    /// <summary>A secret (password, token, header) could not be read.</summary>
    public const string SecretUnavailable = "secret_unavailable";

    /// <summary>The delivery failed in a way no other reason names (the message says how): retried like the others.</summary>
    public const string DeliveryError = "delivery_error";

    /// <summary>The channel or ping is no longer configured: the queued message is dropped.</summary>
    public const string NotConfigured = "not_configured";
}
