namespace OpsAgent.Backups.Engines.MongoDb;

/// <summary>The keys of a backup job only the <c>mongodb</c> engine uses.</summary>
public sealed class MongoEngineOptions
{
    /// <summary>MongoDB: an explicit mongodump.</summary>
    public string? MongodumpPath { get; set; }
}
