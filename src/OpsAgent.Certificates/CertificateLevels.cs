using OpsAgent.Certificates.Inspection;

namespace OpsAgent.Certificates;

/// <summary>The certificate level rules (README "Certificates"): critical under CriticalDays, warning under WarningDays and a third of the lifetime.</summary>
/// <remarks>
/// The third-of-lifetime rule is why a 45-day Let's Encrypt certificate, renewed by certbot at 15 days left, does not sit
/// in <c>warning</c> for most of its life under a 30-day threshold, while a 90-day one that is 29 days from expiry does warn.
/// </remarks>
public static class CertificateLevels
{
    /// <summary>The level of <paramref name="certificate"/> at <paramref name="now"/>, with the reason for a non-ok level.</summary>
    public static (CertificateLevel Level, string? Reason) Evaluate(CertificateInfo certificate, DateTimeOffset now, double warningDays, double criticalDays)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (now < certificate.NotBefore)
        {
            return (CertificateLevel.Critical, CertificateReasons.NotYetValid);
        }

        var left = certificate.NotAfter - now;
        if (left <= TimeSpan.Zero)
        {
            return (CertificateLevel.Critical, CertificateReasons.Expired);
        }

        if (left < TimeSpan.FromDays(criticalDays))
        {
            return (CertificateLevel.Critical, CertificateReasons.ExpiresSoon);
        }

        return left < TimeSpan.FromDays(warningDays) && left < certificate.Lifetime / 3 ? (CertificateLevel.Warning, CertificateReasons.ExpiresSoon) : (CertificateLevel.Ok, null);
    }

    /// <summary>Days left (negative once expired).</summary>
    public static double DaysLeft(CertificateInfo certificate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return (certificate.NotAfter - now).TotalDays;
    }

    /// <summary>The lower-case name used in logs, JSON and the CLI.</summary>
    public static string Name(this CertificateLevel level) => level switch
    {
        CertificateLevel.Warning => CertificateReasons.Warning,
        CertificateLevel.Critical => CertificateReasons.Critical,
        _ => "ok",
    };
}
