using OpsAgent.Core.Secrets;

namespace OpsAgent.Health.Checks.Postgres;

/// <summary>The settings of a <c>postgres</c> probe.</summary>
public sealed class PostgresProbeOptions
{
    /// <summary>postgres/mongodb: the connection (a secret).</summary>
    public SecretReference? Connection { get; set; }

    /// <summary>postgres: a query that must return a row.</summary>
    public string? Query { get; set; }
}
