namespace OpsAgent.Certificates;

/// <summary>How the TLS handshake is reached.</summary>
public enum EndpointProtocol
{
    /// <summary>A TLS handshake right after connecting (HTTPS, SMTPS, IMAPS...).</summary>
    Tls,

    /// <summary>PostgreSQL's SSLRequest first, then the handshake: checks a database server's certificate.</summary>
    Postgres,
}
