using System.Security.Cryptography.X509Certificates;

namespace OpsAgent.Certificates.Inspection;

/// <summary>The parts of one certificate the agent reports, copied out of the <see cref="X509Certificate2"/> (which is disposed).</summary>
/// <param name="Position">1-based position in the file or in the chain the server sent (1 = the leaf).</param>
/// <param name="Subject">The subject's common name, or the whole subject when it has none.</param>
/// <param name="SubjectDn">The full subject.</param>
/// <param name="Issuer">The issuer's common name, or the whole issuer.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="Thumbprint">SHA-1 thumbprint (hex), to tell renewed certificates apart.</param>
/// <param name="DnsNames">Subject alternative DNS names.</param>
public sealed record CertificateInfo(int Position, string Subject, string SubjectDn, string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter,
    string Thumbprint, IReadOnlyList<string> DnsNames)
{
    /// <summary>Lifetime from not-before to not-after.</summary>
    public TimeSpan Lifetime => NotAfter - NotBefore;

    /// <summary>Copies what the agent needs out of <paramref name="certificate"/>.</summary>
    public static CertificateInfo From(X509Certificate2 certificate, int position)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var issuer = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: true);
        var dns = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        return new CertificateInfo(position,
            string.IsNullOrEmpty(cn) ? certificate.Subject : cn,
            certificate.Subject,
            string.IsNullOrEmpty(issuer) ? certificate.Issuer : issuer,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            certificate.Thumbprint,
            dns);
    }
}
