using System.Security.Cryptography.X509Certificates;

namespace OpsAgent.Certificates.Inspection;

/// <summary>Where a certificate was read from.</summary>
public enum CertificateSource
{
    /// <summary>A TLS handshake.</summary>
    Endpoint,

    /// <summary>A PEM or DER file.</summary>
    File,
}

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

/// <summary>The result of reading one endpoint or one file.</summary>
/// <param name="Entry">The configured name (key under <c>Endpoints</c> or <c>Files</c>).</param>
/// <param name="Label">The <c>certificate</c> label: the entry, plus <c>:relative/path</c> for each file a glob matched.</param>
/// <param name="Source">Endpoint or file.</param>
/// <param name="Location"><c>host:port</c> or the file path.</param>
/// <param name="Certificates">Every certificate read, leaf first; empty when the check failed.</param>
/// <param name="FailureReason">Why nothing could be read (<c>timeout</c>, <c>not_found</c>, <c>bad_pem</c>...), or null.</param>
/// <param name="FailureMessage">The human message for <paramref name="FailureReason"/>.</param>
public sealed record CertificateCheck(string Entry, string Label, CertificateSource Source, string Location, IReadOnlyList<CertificateInfo> Certificates,
    string? FailureReason = null, string? FailureMessage = null)
{
    /// <summary>True when the certificates could be read.</summary>
    public bool Success => FailureReason is null;

    /// <summary>Endpoints: null when the chain and name are valid, else the first reason (<c>expired</c>, <c>name_mismatch</c>, <c>untrusted_root</c>...).</summary>
    public string? VerifyReason { get; init; }

    /// <summary>Endpoints: every verification problem, in words.</summary>
    public string? VerifyMessage { get; init; }

    /// <summary>The <c>source</c> label: <c>endpoint</c> or <c>file</c>.</summary>
    public string SourceName => Source == CertificateSource.Endpoint ? "endpoint" : "file";

    /// <summary>Endpoints: whether verification ran (it does not when the handshake failed).</summary>
    public bool Verified { get; init; }

    /// <summary>The <c>certificate</c> label of one certificate: the check's label for the first, <c>label#N</c> for the N-th.</summary>
    public string SeriesLabel(CertificateInfo certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Position == 1 ? Label : $"{Label}#{certificate.Position}";
    }

    /// <summary>A failed check.</summary>
    public static CertificateCheck Failed(string entry, string label, CertificateSource source, string location, string reason, string message)
        => new(entry, label, source, location, [], reason, message);
}
