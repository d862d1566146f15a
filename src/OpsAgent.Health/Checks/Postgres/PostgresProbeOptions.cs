using OpsAgent.Core.Configuration;
using OpsAgent.Core.Databases;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Health.Checks.Postgres;

/// <summary>The settings of a <c>postgres</c> probe.</summary>
public sealed class PostgresProbeOptions : IProbeSettings
{
    /// <summary>postgres/mongodb: the connection (a secret).</summary>
    public SecretReference? Connection { get; set; }

    /// <summary>postgres: a query that must return a row.</summary>
    public string? Query { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (DatabaseConnection.Validate($"{path}:{nameof(Connection)}", Connection, errors)
            && Connection!.Value is { } inline && PostgresConnection.Problem(inline) is { } problem)
        {
            errors.Add($"{path}:{nameof(Connection)}", problem);
        }
    }

    /// <inheritdoc />
    public string Describe() => Connection?.Describe() ?? "";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
        => DatabaseConnection.CheckHostAsync($"{path}:{nameof(Connection)}", Connection, mongo: false, context, cancellationToken);
}
