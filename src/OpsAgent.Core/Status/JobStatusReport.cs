namespace OpsAgent.Core.Status;

/// <summary>One job in <c>/status</c>.</summary>
public sealed record JobStatusReport(
    string Kind,
    string Name,
    string Schedule,
    string LastResult,
    string? Reason,
    string? Message,
    bool Running,
    DateTimeOffset? LastStart,
    DateTimeOffset? LastEnd,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? PreviousFire,
    DateTimeOffset? NextFire);
