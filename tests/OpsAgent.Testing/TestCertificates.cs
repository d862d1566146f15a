using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpsAgent.Testing;

/// <summary>Generates CAs, intermediates and leaves with exact validity periods, as real certificates (ECDSA P-256).</summary>
public static class TestCertificates
{
    /// <summary>A CA (self-signed, basic constraints CA).</summary>
    public static X509Certificate2 CreateCa(string name, DateTimeOffset notBefore, DateTimeOffset notAfter, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        using var signed = request.Create(issuer, notBefore, notAfter, Serial());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A TLS server leaf for <paramref name="dnsName"/> signed by <paramref name="issuer"/>, or self-signed when it is null.</summary>
    public static X509Certificate2 CreateLeaf(string dnsName, DateTimeOffset notBefore, DateTimeOffset notAfter, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        using var signed = request.Create(issuer, notBefore, notAfter, Serial());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A leaf valid from <paramref name="lifetimeDays"/> ago plus <paramref name="daysLeft"/>: so it has that lifetime and that many days left at <paramref name="now"/>.</summary>
    public static X509Certificate2 WithDaysLeft(string dnsName, DateTimeOffset now, double lifetimeDays, double daysLeft, X509Certificate2? issuer = null)
    {
        var notAfter = Second(now.AddDays(daysLeft));
        return CreateLeaf(dnsName, notAfter.AddDays(-lifetimeDays), notAfter, issuer);
    }

    /// <summary>Truncates to whole seconds, as X.509 validity is stored.</summary>
    public static DateTimeOffset Second(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);

    /// <summary>PEM of several certificates, in order.</summary>
    public static string Pem(params X509Certificate2[] certificates) => string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(12);
}
