namespace OpsAgent.Backups.Drills;

/// <summary>One check's outcome.</summary>
/// <param name="Name">What was checked (<c>1: select count(*) from auth_user</c>, <c>row_counts</c>, <c>entries</c>).</param>
/// <param name="Value">What was found (a number, or the tables that were off).</param>
/// <param name="Expected">What it had to be (<c>at least 1</c>).</param>
/// <param name="Ok">True when it held.</param>
public sealed record DrillCheckResult(string Name, string Value, string Expected, bool Ok)
{
    /// <summary>One line for the journal.</summary>
    public override string ToString() => $"{Name} = {Value} ({Expected}) {(Ok ? "ok" : "FAILED")}";
}
