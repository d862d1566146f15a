namespace OpsAgent.Backups;

/// <summary>restic-style retention (<c>forget --keep-*</c>); -1 means unlimited, null means the rule is not used.</summary>
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

    /// <summary>Everything newer than the newest backup minus this.</summary>
    public TimeSpan? KeepWithin { get; set; }

    /// <summary>Log what would be deleted, delete nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>True when no rule is set (then everything is kept).</summary>
    public bool IsEmpty => KeepLast is null && KeepDaily is null && KeepWeekly is null && KeepMonthly is null && KeepYearly is null && KeepWithin is null;
}
