namespace OpsAgent.Certificates.Inspection;

/// <summary>Where a certificate was read from.</summary>
public enum CertificateSource
{
    /// <summary>A TLS handshake.</summary>
    Endpoint,

    /// <summary>A PEM or DER file.</summary>
    File,
}
