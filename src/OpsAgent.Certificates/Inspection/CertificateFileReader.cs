using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OpsAgent.Certificates.Inspection;

/// <summary>Reads every certificate from PEM (bundles included, keys ignored) or DER bytes.</summary>
public static class CertificateFileReader
{
    private const string BeginCertificate = "-----BEGIN CERTIFICATE-----";

    /// <summary>Parses <paramref name="data"/>; on failure returns a reason (<c>no_certificate</c>, <c>bad_pem</c>, <c>too_many_certificates</c>) and a message.</summary>
    public static (IReadOnlyList<CertificateInfo> Certificates, string? Reason, string? Message) Read(ReadOnlySpan<byte> data, int maxCertificates = CertificatesOptions.DefaultMaxCertificatesPerFile)
    {
        if (data.IsEmpty)
        {
            return ([], CertificateReasons.NoCertificate, "the file is empty");
        }

        var text = Encoding.UTF8.GetString(data);
        if (!text.Contains("-----BEGIN ", StringComparison.Ordinal))
        {
            try
            {
                using var der = X509CertificateLoader.LoadCertificate(data);
                return ([CertificateInfo.From(der, 1)], null, null);
            }
            catch (CryptographicException)
            {
                return ([], CertificateReasons.NoCertificate, "neither PEM nor a DER certificate");
            }
        }

        var certificates = new List<CertificateInfo>();
        var otherLabels = new List<string>();
        var remaining = text.AsSpan();
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            var label = remaining[fields.Label].ToString();
            if (label is "CERTIFICATE" or "X509 CERTIFICATE")
            {
                if (certificates.Count == maxCertificates)
                {
                    return ([], CertificateReasons.TooManyCertificates, $"more than {maxCertificates} certificates (MaxCertificatesPerFile)");
                }

                var der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(remaining[fields.Base64Data], der, out var written))
                {
                    return ([], CertificateReasons.BadPem, $"certificate {certificates.Count + 1} is not valid base64");
                }

                try
                {
                    using var certificate = X509CertificateLoader.LoadCertificate(der.AsSpan(0, written));
                    certificates.Add(CertificateInfo.From(certificate, certificates.Count + 1));
                }
                catch (CryptographicException ex)
                {
                    return ([], CertificateReasons.BadPem, $"certificate {certificates.Count + 1} cannot be parsed: {ex.Message}");
                }
            }
            else
            {
                otherLabels.Add(label);
            }

            remaining = remaining[fields.Location.End..];
        }

        // PemEncoding skips blocks it cannot decode (bad base64, a missing END line), so count the BEGIN lines to notice them.
        var declared = CountOccurrences(text, BeginCertificate);
        if (declared > certificates.Count)
        {
            return ([], CertificateReasons.BadPem, $"{declared} certificate blocks, {declared - certificates.Count} of them corrupt (bad base64 or no END line)");
        }

        if (certificates.Count == 0)
        {
            return ([], CertificateReasons.NoCertificate, otherLabels.Count > 0 ? $"the PEM holds {string.Join(", ", otherLabels.Distinct())}, no certificate" : "no complete PEM block");
        }

        return (certificates, null, null);
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
