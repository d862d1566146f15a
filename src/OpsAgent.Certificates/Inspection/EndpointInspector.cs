using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpsAgent.Core.Networking;

namespace OpsAgent.Certificates.Inspection;

/// <summary>Reads the certificate chain a TLS endpoint sends, whether or not it is valid, and verifies it separately.</summary>
/// <remarks>
/// The handshake accepts any certificate so that an expired or misnamed one is still measured; verification is done
/// afterwards with an own <see cref="X509Chain"/> at the agent's clock, so the result does not depend on the handshake.
/// </remarks>
/// <param name="time">The clock verification uses.</param>
public sealed class EndpointInspector(TimeProvider time)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>Connects, handshakes with SNI and returns the chain and the verification result.</summary>
    public async Task<CertificateCheck> InspectAsync(string entry, CertificateEndpointOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var location = options.Describe();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var sent = new List<byte[]>();
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(options.Host!, options.EffectivePort, timeout.Token).ConfigureAwait(false);
            await using var network = new NetworkStream(socket, ownsSocket: false);
            if (options.Protocol == EndpointProtocol.Postgres && await RequestPostgresTlsAsync(network, timeout.Token).ConfigureAwait(false) is { } refusal)
            {
                return CertificateCheck.Failed(entry, entry, CertificateSource.Endpoint, location, refusal.Reason, refusal.Message);
            }

            await using var tls = new SslStream(network, leaveInnerStreamOpen: true);
            var authentication = new SslClientAuthenticationOptions
            {
                TargetHost = options.EffectiveServerName,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                {
                    // The certificate and chain are disposed when the callback returns: copy the bytes out.
                    if (certificate is not null)
                    {
                        sent.Add(certificate.GetRawCertData());
                    }

                    foreach (var extra in chain?.ChainPolicy.ExtraStore ?? [])
                    {
                        var raw = extra.RawData;
                        if (!sent.Any(s => s.AsSpan().SequenceEqual(raw)))
                        {
                            sent.Add(raw);
                        }
                    }

                    return true;
                },
            };
            await tls.AuthenticateAsClientAsync(authentication, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (sent.Count == 0)
            {
                return CertificateCheck.Failed(entry, entry, CertificateSource.Endpoint, location, CertificateReasons.Timeout, $"no certificate within {options.Timeout.TotalSeconds:0.#}s");
            }
        }
        catch (SocketException ex)
        {
            var reason = SocketReasons.Of(ex);
            return CertificateCheck.Failed(entry, entry, CertificateSource.Endpoint, location, reason, ex.Message);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            if (sent.Count == 0)
            {
                return CertificateCheck.Failed(entry, entry, CertificateSource.Endpoint, location, CertificateReasons.HandshakeFailed, ex.InnerException?.Message ?? ex.Message);
            }
        }

        if (sent.Count == 0)
        {
            return CertificateCheck.Failed(entry, entry, CertificateSource.Endpoint, location, CertificateReasons.NoCertificate, "the server sent no certificate");
        }

        var certificates = sent.Select(X509CertificateLoader.LoadCertificate).ToList();
        try
        {
            var infos = certificates.Select((c, i) => CertificateInfo.From(c, i + 1)).ToList();
            var (reason, message) = Verify(certificates, options);
            return new CertificateCheck(entry, entry, CertificateSource.Endpoint, location, infos) { Verified = true, VerifyReason = reason, VerifyMessage = message };
        }
        finally
        {
            foreach (var c in certificates)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>PostgreSQL's SSLRequest: the server answers <c>S</c> and then speaks TLS, or <c>N</c> when ssl is off.</summary>
    private static async Task<(string Reason, string Message)?> RequestPostgresTlsAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var request = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(request, 8);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), 80877103);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        var answer = new byte[1];
        var read = await stream.ReadAsync(answer, cancellationToken).ConfigureAwait(false);
        return read == 0 ? (CertificateReasons.ProtocolError, "the server closed the connection after the SSLRequest")
            : answer[0] == (byte)'S' ? null
            : answer[0] == (byte)'N' ? (CertificateReasons.TlsNotSupported, "the PostgreSQL server does not accept SSL connections (ssl = off)")
            : (CertificateReasons.ProtocolError, $"unexpected answer 0x{answer[0]:x2} to the SSLRequest (not a PostgreSQL server?)");
    }

    private (string? Reason, string? Message) Verify(List<X509Certificate2> certificates, CertificateEndpointOptions options)
    {
        var leaf = certificates[0];
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        chain.ChainPolicy.ExtraStore.AddRange(certificates.Skip(1).ToArray());
        X509Certificate2Collection? trusted = null;
        if (options.TrustedCa is not null)
        {
            trusted = new X509Certificate2Collection();
            trusted.ImportFromPemFile(options.TrustedCa);
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        }

        try
        {
            var problems = new List<(string Reason, string Message)>();
            var now = time.GetUtcNow();
            if (!chain.Build(leaf))
            {
                var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (a, s) => a | s.Status);
                if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
                {
                    problems.Add(leaf.NotBefore.ToUniversalTime() > now.UtcDateTime
                        ? (CertificateReasons.NotYetValid, $"not valid before {leaf.NotBefore.ToUniversalTime():u}")
                        : (CertificateReasons.Expired, $"expired {(leaf.NotAfter.ToUniversalTime() < now.UtcDateTime ? leaf.NotAfter.ToUniversalTime().ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "(a certificate of the chain)")}"));
                }

                // An unknown CA and a missing intermediate look the same from here (openssl: "unable to get local issuer certificate").
                if (flags.HasFlag(X509ChainStatusFlags.UntrustedRoot) || flags.HasFlag(X509ChainStatusFlags.PartialChain))
                {
                    problems.Add(certificates.Count == 1 && leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData)
                        ? (CertificateReasons.SelfSigned, "self-signed certificate")
                        : (CertificateReasons.UntrustedRoot, "the chain does not end at a trusted root (unknown CA, or an intermediate the server does not send)"));
                }

                var rest = flags & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain);
                if (rest != X509ChainStatusFlags.NoError)
                {
                    problems.Add((CertificateReasons.ChainInvalid, string.Join("; ", chain.ChainStatus.Where(s => (s.Status & rest) != 0).Select(s => s.StatusInformation.Trim()))));
                }
            }

            if (!leaf.MatchesHostname(options.EffectiveServerName, allowWildcards: true, allowCommonName: !HasSubjectAlternativeNames(leaf)))
            {
                problems.Add((CertificateReasons.NameMismatch, $"not valid for {options.EffectiveServerName}"));
            }

            return problems.Count == 0 ? (null, null) : (problems[0].Reason, string.Join("; ", problems.Select(p => p.Message)));
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }

            foreach (var c in trusted ?? [])
            {
                c.Dispose();
            }
        }
    }

    private static bool HasSubjectAlternativeNames(X509Certificate2 certificate)
        => certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Any();
}
