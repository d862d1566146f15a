namespace OpsAgent.Backups.Drills;

/// <summary>One check of a restored copy: a query's single number (PostgreSQL) or a collection's document count (MongoDB), with its bounds.</summary>
public sealed class DrillCheckOptions
{
    /// <summary>PostgreSQL: a query that returns one number (<c>select count(*) from auth_user</c>), run in the scratch database.</summary>
    public string? Query { get; set; }

    /// <summary>MongoDB: a collection whose documents are counted in the scratch database.</summary>
    public string? Collection { get; set; }

    /// <summary>The value must be at least this.</summary>
    public long? AtLeast { get; set; }

    /// <summary>The value must be at most this.</summary>
    public long? AtMost { get; set; }

    /// <summary>What is checked, for the journal.</summary>
    public string Describe() => Query ?? $"documents in {Collection}";

    /// <summary>The bounds, for the journal (<c>at least 1</c>).</summary>
    public string DescribeBounds() => (AtLeast, AtMost) switch
    {
        ({ } low, { } high) => $"between {low} and {high}",
        ({ } low, null) => $"at least {low}",
        (null, { } high) => $"at most {high}",
        _ => "a number",
    };

    /// <summary>Whether <paramref name="value"/> is within the bounds.</summary>
    public bool Holds(long value) => (AtLeast is null || value >= AtLeast) && (AtMost is null || value <= AtMost);
}
