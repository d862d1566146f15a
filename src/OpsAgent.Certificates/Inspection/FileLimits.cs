namespace OpsAgent.Certificates.Inspection;

/// <summary>Bounds on reading one certificate file, so a hostile or odd file costs little and fails alone.</summary>
/// <param name="MaxBytes">Larger files fail with <c>too_large</c>.</param>
/// <param name="MaxCertificates">Files with more certificates fail with <c>too_many_certificates</c>.</param>
/// <param name="Timeout">Reading one file longer than this fails it with <c>timeout</c>.</param>
/// <param name="MaxGlobEntries">A pattern that lists more directory entries than this fails with <c>glob_too_large</c>.</param>
public sealed record FileLimits(long MaxBytes, int MaxCertificates, TimeSpan Timeout, int MaxGlobEntries = Glob.DefaultMaxEntries)
{
    /// <summary>1 MiB, 100 certificates, 10 seconds.</summary>
    public static FileLimits Default { get; } = new(CertificatesOptions.DefaultMaxFileBytes, CertificatesOptions.DefaultMaxCertificatesPerFile, CertificatesOptions.DefaultFileTimeout);

    /// <summary>The limits a configuration sets.</summary>
    public static FileLimits From(CertificatesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.MaxFileBytes, options.MaxCertificatesPerFile, options.FileTimeout);
    }
}
