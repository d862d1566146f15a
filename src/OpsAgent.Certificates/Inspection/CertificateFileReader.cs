using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OpsAgent.Certificates.Inspection;

/// <summary>Reads every certificate from PEM (bundles included, keys ignored) or DER bytes.</summary>
public static class CertificateFileReader
{
    private const string Begin = "-----BEGIN ";
    private const string Dashes = "-----";
    private const string TrustedCertificate = "TRUSTED CERTIFICATE";

    /// <summary>
    /// Parses <paramref name="data"/>: the certificates read (their <see cref="CertificateInfo.Position"/> counts every
    /// certificate block, good or bad) and the blocks that could not be read, each with its position and line. When nothing
    /// could be read, a reason (<c>no_certificate</c>, <c>bad_pem</c>, <c>too_many_certificates</c>) and a message instead.
    /// </summary>
    public static (IReadOnlyList<CertificateInfo> Certificates, IReadOnlyList<(int Position, int Line, string Problem)> BadBlocks, string? Reason, string? Message) Read(
        ReadOnlySpan<byte> data, int maxCertificates = CertificatesOptions.DefaultMaxCertificatesPerFile)
    {
        if (data.IsEmpty)
        {
            return ([], [], CertificateReasons.NoCertificate, "the file is empty");
        }

        var text = Encoding.UTF8.GetString(data);
        if (!text.Contains(Begin, StringComparison.Ordinal))
        {
            try
            {
                using var der = X509CertificateLoader.LoadCertificate(data);
                return ([CertificateInfo.From(der, 1)], [], null, null);
            }
            catch (CryptographicException)
            {
                return ([], [], CertificateReasons.NoCertificate, "neither PEM nor a DER certificate");
            }
        }

        var certificates = new List<CertificateInfo>();
        var bad = new List<(int Position, int Line, string Problem)>();
        var otherLabels = new List<string>();
        var blocks = 0;
        foreach (var block in Blocks(text))
        {
            if (block.Label is not ("CERTIFICATE" or "X509 CERTIFICATE" or TrustedCertificate))
            {
                if (block.End is not null)
                {
                    otherLabels.Add(block.Label);
                }

                continue;
            }

            if (++blocks > maxCertificates)
            {
                return ([], [], CertificateReasons.TooManyCertificates, $"more than {maxCertificates} certificates (MaxCertificatesPerFile)");
            }

            var problem = ReadCertificate(text, block, blocks, certificates);
            if (problem is not null)
            {
                bad.Add((blocks, block.Line, $"certificate block {blocks} (line {block.Line}) {problem}"));
            }
        }

        if (certificates.Count == 0 && bad.Count > 0)
        {
            return ([], [], CertificateReasons.BadPem, string.Join("; ", bad.Select(b => b.Problem)));
        }

        if (certificates.Count == 0)
        {
            return ([], [], CertificateReasons.NoCertificate, otherLabels.Count > 0 ? $"the PEM holds {string.Join(", ", otherLabels.Distinct())}, no certificate" : "no complete PEM block");
        }

        return (certificates, bad, null, null);
    }

    /// <summary>Adds the certificate of <paramref name="block"/> to <paramref name="certificates"/>, or says why it cannot be read.</summary>
    private static string? ReadCertificate(string text, PemBlock block, int position, List<CertificateInfo> certificates)
    {
        if (block.End is not { } end)
        {
            return "has no END line";
        }

        // PemEncoding checks the base64 the way RFC 7468 reads it; given only this block's text it finds this block or none.
        var pem = text.AsSpan(block.Start, end - block.Start);
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            return "is not valid base64";
        }

        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(pem[fields.Base64Data], der, out var written))
        {
            return "is not valid base64";
        }

        try
        {
            var certificate = block.Label == TrustedCertificate ? TrustedCertificateDer(der.AsSpan(0, written)) : der.AsSpan(0, written);
            using var loaded = X509CertificateLoader.LoadCertificate(certificate);
            certificates.Add(CertificateInfo.From(loaded, position));
            return null;
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            return $"cannot be parsed: {ex.Message}";
        }
    }

    /// <summary>
    /// The certificate of OpenSSL's trusted format (<c>d2i_X509_AUX</c>): a DER certificate followed by its trust settings
    /// (one <c>X509_CERT_AUX</c> SEQUENCE), which the agent does not use; anything else after the certificate is refused, as OpenSSL does.
    /// </summary>
    private static ReadOnlySpan<byte> TrustedCertificateDer(ReadOnlySpan<byte> der)
    {
        AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.DER, out _, out _, out var certificateLength);
        var aux = der[certificateLength..];
        if (!aux.IsEmpty)
        {
            var tag = AsnDecoder.ReadEncodedValue(aux, AsnEncodingRules.DER, out _, out _, out var auxLength);
            if (!tag.Equals(Asn1Tag.Sequence) || auxLength != aux.Length)
            {
                throw new CryptographicException("the trust settings after the certificate are not one DER SEQUENCE");
            }
        }

        return der[..certificateLength];
    }

    /// <summary>
    /// Every <c>-----BEGIN label-----</c> line with where its block starts and where its matching END line ends (null when
    /// another BEGIN line or the end of the file comes first): unlike <see cref="PemEncoding.TryFind"/>, which skips a block it
    /// cannot decode, this sees every block, so a bad one is reported at its place.
    /// </summary>
    private static List<PemBlock> Blocks(string text)
    {
        var blocks = new List<PemBlock>();
        PemBlock? open = null;
        var lineNumber = 0;
        for (var offset = 0; offset < text.Length;)
        {
            var newline = text.IndexOf('\n', offset);
            var next = newline < 0 ? text.Length : newline + 1;
            var line = text.AsSpan(offset, (newline < 0 ? text.Length : newline) - offset).Trim();
            lineNumber++;
            if (line.StartsWith(Begin, StringComparison.Ordinal) && line.EndsWith(Dashes, StringComparison.Ordinal) && line.Length > Begin.Length + Dashes.Length)
            {
                if (open is not null)
                {
                    blocks.Add(open);
                }

                open = new PemBlock(line[Begin.Length..^Dashes.Length].ToString(), lineNumber, offset, null);
            }
            else if (open is not null && line.SequenceEqual($"-----END {open.Label}-----"))
            {
                blocks.Add(open with { End = next });
                open = null;
            }

            offset = next;
        }

        if (open is not null)
        {
            blocks.Add(open);
        }

        return blocks;
    }

    /// <summary>One PEM block: its label, the line of its BEGIN, the offsets of its BEGIN line and past its END line.</summary>
    private sealed record PemBlock(string Label, int Line, int Start, int? End);
}
