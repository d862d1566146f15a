using OpsAgent.Core.Secrets;

namespace OpsAgent.Health.Checks.MongoDb;

/// <summary>The settings of a <c>mongodb</c> probe.</summary>
public sealed class MongoProbeOptions
{
    /// <summary>postgres/mongodb: the connection (a secret).</summary>
    public SecretReference? Connection { get; set; }
}
