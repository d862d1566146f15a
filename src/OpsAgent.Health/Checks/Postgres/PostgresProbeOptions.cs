using OpsAgent.Core.Configuration;
using OpsAgent.Core.Databases;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Text;
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
    /// <summary>postgres: the database's size (<c>pg_database_size</c>) at or above which the probe warns.</summary>
    public ByteSize? WarningBytes { get; set; }

    /// <summary>postgres: the database's size at or above which the probe is critical.</summary>
    public ByteSize? CriticalBytes { get; set; }

    /// <summary>postgres: connections in use, as a percent of <c>max_connections</c>, at or above which the probe warns.</summary>
    public double? ConnectionsWarningPercent { get; set; }

    /// <summary>postgres: connections in use at or above which the probe is critical.</summary>
    public double? ConnectionsCriticalPercent { get; set; }

    /// <summary>True when a size or connections threshold asks for the measuring query.</summary>
    internal bool Measures => WarningBytes is not null || CriticalBytes is not null || ConnectionsWarningPercent is not null || ConnectionsCriticalPercent is not null;

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (WarningBytes is { } w && CriticalBytes is { } c && w.Bytes >= c.Bytes)
        {
            errors.Add($"{path}:{nameof(WarningBytes)}", $"must be below {nameof(CriticalBytes)} ({c})");
        }

        Percentages.Validate(path, nameof(ConnectionsWarningPercent), ConnectionsWarningPercent, nameof(ConnectionsCriticalPercent), ConnectionsCriticalPercent, errors);
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
