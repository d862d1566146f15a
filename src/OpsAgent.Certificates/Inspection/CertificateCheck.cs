namespace OpsAgent.Certificates.Inspection;

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
