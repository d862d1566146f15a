namespace OpsAgent.Certificates;

/// <summary>How urgent a certificate is.</summary>
public enum CertificateLevel
{
    /// <summary>Far enough from expiry.</summary>
    Ok,

    /// <summary>Less than <c>WarningDays</c> and less than a third of its lifetime left.</summary>
    Warning,

    /// <summary>Less than <c>CriticalDays</c> left, expired, or not yet valid.</summary>
    Critical,
}
