using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Health.Checks.MongoDb;

/// <summary>The settings of a <c>mongodb</c> probe.</summary>
public sealed class MongoProbeOptions : IProbeSettings
{
    /// <summary>postgres/mongodb: the connection (a secret).</summary>
    public SecretReference? Connection { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors) => DatabaseConnection.Validate($"{path}:{nameof(Connection)}", Connection, errors);

    /// <inheritdoc />
    public string Describe() => Connection?.Describe() ?? "";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
        => DatabaseConnection.CheckHostAsync($"{path}:{nameof(Connection)}", Connection, mongo: true, context, cancellationToken);
}
