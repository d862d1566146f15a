using OpsAgent.Backups.Retention;

namespace OpsAgent.Backups;

/// <summary>restic-style retention (<c>forget --keep-*</c>); -1 means unlimited, 0 or null means the rule is not used.</summary>
public sealed class RetentionOptions
{
    /// <summary>The newest N backups.</summary>
    public int? KeepLast { get; set; }

    /// <summary>The newest backup of each of the N most recent days that have one.</summary>
    public int? KeepDaily { get; set; }

    /// <summary>The newest backup of each of the N most recent ISO weeks that have one.</summary>
    public int? KeepWeekly { get; set; }

    /// <summary>The newest backup of each of the N most recent months that have one.</summary>
    public int? KeepMonthly { get; set; }

    /// <summary>The newest backup of each of the N most recent years that have one.</summary>
    public int? KeepYearly { get; set; }

    /// <summary>Everything newer than the newest backup minus this (restic's grammar: <c>y</c>, <c>m</c> = months, <c>d</c>, <c>h</c>).</summary>
    public RetentionDuration? KeepWithin { get; set; }

    /// <summary>Log what would be deleted, delete nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>True when no rule is set (then everything is kept); as in restic, a count of 0 sets no rule.</summary>
    public bool IsEmpty => !Counts.Any(c => c.Value is > 0 or -1) && KeepWithin is not { IsZero: false };

    /// <summary>True when a rule key is written (even as 0) or <see cref="DryRun"/> is on: a retention the operator meant to set.</summary>
    internal bool IsWritten => Counts.Any(c => c.Value is not null) || KeepWithin is not null || DryRun;

    /// <summary>The count rules by key, in restic's order.</summary>
    internal IEnumerable<(string Key, int? Value)> Counts =>
    [
        (nameof(KeepLast), KeepLast), (nameof(KeepDaily), KeepDaily), (nameof(KeepWeekly), KeepWeekly),
        (nameof(KeepMonthly), KeepMonthly), (nameof(KeepYearly), KeepYearly),
    ];
}
