namespace OpsAgent.Certificates;

/// <summary>The certificate capability's reasons (docs/failure-reasons.md): journal <c>OPSAGENT_REASON</c>, <c>/status</c> and job outcomes.</summary>
/// <remarks>Operators alert and filter on these values: they never change.</remarks>
internal static class CertificateReasons
{
    // Checks that could not read a certificate (certificate_check_failed).

    /// <summary>The file does not exist.</summary>
    public const string NotFound = "not_found";

    /// <summary>A glob matched no file.</summary>
    public const string NoMatch = "no_match";

    /// <summary>A glob matched too many files.</summary>
    public const string GlobTooLarge = "glob_too_large";

    /// <summary>The file cannot be read by the agent.</summary>
    public const string PermissionDenied = "permission_denied";

    /// <summary>A FIFO, device or directory (never read).</summary>
    public const string NotRegularFile = "not_regular_file";

    /// <summary>Over <c>MaxFileBytes</c>.</summary>
    public const string TooLarge = "too_large";

    /// <summary>Over <c>MaxCertificatesPerFile</c>.</summary>
    public const string TooManyCertificates = "too_many_certificates";

    /// <summary>PEM that cannot be parsed.</summary>
    public const string BadPem = "bad_pem";

    /// <summary>No certificate in the file or the handshake.</summary>
    public const string NoCertificate = "no_certificate";

    /// <summary>Another I/O error.</summary>
    public const string ReadError = "read_error";

    /// <summary>Reading the file or the handshake took longer than <c>Timeout</c>; for renewals, a command killed after its <c>Timeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>The TLS handshake failed.</summary>
    public const string HandshakeFailed = "handshake_failed";

    /// <summary>The server does not offer TLS on the configured <c>Protocol</c>.</summary>
    public const string TlsNotSupported = "tls_not_supported";

    /// <summary>The server answered the <c>Protocol</c>'s TLS request with something else.</summary>
    public const string ProtocolError = "protocol_error";

    // Verification of what an endpoint sent (certificate_verify_failed), and the levels' reasons.

    /// <summary>Past its not-after.</summary>
    public const string Expired = "expired";

    /// <summary>Before its not-before.</summary>
    public const string NotYetValid = "not_yet_valid";

    /// <summary>Under <c>CriticalDays</c> (the critical level's reason).</summary>
    public const string ExpiresSoon = "expires_soon";

    /// <summary>The name does not match <c>ServerName</c>.</summary>
    public const string NameMismatch = "name_mismatch";

    /// <summary>Self-signed and not trusted.</summary>
    public const string SelfSigned = "self_signed";

    /// <summary>The chain ends at a root that is not trusted.</summary>
    public const string UntrustedRoot = "untrusted_root";

    /// <summary>Any other chain problem.</summary>
    public const string ChainInvalid = "chain_invalid";

    // OnCritical renewals (certificate_renewal); tool_missing and transient_unit_failed are ToolStartReasons.

    /// <summary><c>Command</c> or <c>Then</c> ran and exited non-zero: the day's attempt.</summary>
    public const string ExitCode = "exit_code";

    /// <summary>The command line cannot be split.</summary>
    public const string BadCommand = "bad_command";

    /// <summary>The attempt cannot be recorded, so the command is not run.</summary>
    public const string StateUnwritable = "state_unwritable";

    // The certificate job's outcome in /status, worst first.

    /// <summary>A check could not read a certificate.</summary>
    public const string CheckFailed = "check_failed";

    /// <summary>A certificate is critical.</summary>
    public const string Critical = "critical";

    /// <summary>A certificate is at warning.</summary>
    public const string Warning = "warning";

    /// <summary>An endpoint does not verify.</summary>
    public const string VerifyFailed = "verify_failed";
}
