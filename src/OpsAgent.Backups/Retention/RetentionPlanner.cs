using System.Globalization;

namespace OpsAgent.Backups.Retention;

/// <summary>One backup's fate under a policy.</summary>
/// <param name="Time">The backup's time.</param>
/// <param name="Keep">True when kept.</param>
/// <param name="Rules">The rules that keep it (<c>last</c>, <c>daily</c>, <c>weekly</c>, <c>monthly</c>, <c>yearly</c>, <c>within</c>, <c>newest</c>, <c>all</c>;
/// <c>oldest-daily</c> and the like for the oldest backup kept by a rule that still had counts left).</param>
internal sealed record RetentionDecision(DateTimeOffset Time, bool Keep, IReadOnlyList<string> Rules);

/// <summary>restic's <c>forget --keep-*</c> semantics over backup times.</summary>
/// <remarks>
/// Backups are walked newest first. Each bucketed rule keeps the first (newest) backup it sees in each new period
/// (day, ISO week, month, year in the configured zone) until its count is used up; -1 never runs out. One backup can
/// satisfy several rules at once. As in restic 0.16 (restic#3624), a rule that still has counts left when it reaches the
/// oldest backup keeps that one too, even in a period it already kept: a young system keeps its first restore point.
/// <c>KeepWithin</c> keeps everything newer than the newest backup minus the duration (years, months and days in
/// calendar arithmetic), so a paused agent does not wipe its history when it comes back. Periods are computed in the
/// agent's time zone because "the backup of Monday" is a local notion. A count of 0 is a rule not set, and a policy with
/// no rule keeps everything. The newest backup is always kept, whatever the rules say.
/// </remarks>
internal static class RetentionPlanner
{
    /// <summary>Decides each backup's fate; <paramref name="times"/> may be in any order, decisions come newest first.</summary>
    public static IReadOnlyList<RetentionDecision> Plan(IEnumerable<DateTimeOffset> times, RetentionOptions policy, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        var ordered = times.OrderByDescending(t => t).ToList();
        if (ordered.Count == 0)
        {
            return [];
        }

        if (policy.IsEmpty)
        {
            return [.. ordered.Select(t => new RetentionDecision(t, true, ["all"]))];
        }

        var rules = new List<BucketRule>();
        AddRule(rules, "last", policy.KeepLast, (t, i) => i.ToString(CultureInfo.InvariantCulture));
        AddRule(rules, "daily", policy.KeepDaily, (t, _) => Local(t, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        AddRule(rules, "weekly", policy.KeepWeekly, (t, _) =>
        {
            var local = Local(t, zone);
            return $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):00}";
        });
        AddRule(rules, "monthly", policy.KeepMonthly, (t, _) => Local(t, zone).ToString("yyyy-MM", CultureInfo.InvariantCulture));
        AddRule(rules, "yearly", policy.KeepYearly, (t, _) => Local(t, zone).ToString("yyyy", CultureInfo.InvariantCulture));

        var newest = ordered[0];
        var withinSince = policy.KeepWithin is { IsZero: false } within ? within.Before(newest, zone) : (DateTimeOffset?)null;
        var result = new List<RetentionDecision>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var time = ordered[i];
            var keptBy = new List<string>();
            var oldest = i == ordered.Count - 1;
            foreach (var rule in rules)
            {
                if (rule.Offer(time, i, oldest) is { } reason)
                {
                    keptBy.Add(reason);
                }
            }

            if (withinSince is { } since && time > since)
            {
                keptBy.Add("within");
            }

            if (i == 0)
            {
                keptBy.Add("newest");
            }

            result.Add(new RetentionDecision(time, keptBy.Count > 0, keptBy));
        }

        return result;
    }

    /// <summary>
    /// Decides the fate of a job's backup files (newest first, as <see cref="Files.BackupFileNames.Inspect"/> lists them); on top
    /// of the rules, the newest verified backup is always kept (rule <c>newest-verified</c>).
    /// </summary>
    public static IReadOnlyList<(Files.BackupFile File, RetentionDecision Decision)> Plan(IReadOnlyList<Files.BackupFile> backups, RetentionOptions policy, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(backups);
        var decisions = Plan(backups.Select(b => b.Time), policy, zone);
        var newestVerified = backups.FirstOrDefault(b => b.Verified);
        var result = new List<(Files.BackupFile, RetentionDecision)>(backups.Count);
        for (var i = 0; i < backups.Count; i++)
        {
            var decision = decisions[i];
            if (backups[i] == newestVerified && !decision.Rules.Contains("newest"))
            {
                decision = decision with { Keep = true, Rules = [.. decision.Rules, "newest-verified"] };
            }

            result.Add((backups[i], decision));
        }

        return result;
    }

    /// <summary>The policy as restic-style flags, for logs.</summary>
    public static string Describe(RetentionOptions policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.IsEmpty)
        {
            return "keep everything (no rules)";
        }

        var parts = new List<string>();
        void Add(string name, int? value)
        {
            if (value is { } v && (v > 0 || v == -1))
            {
                parts.Add($"keep-{name} {(v < 0 ? "unlimited" : v.ToString(CultureInfo.InvariantCulture))}");
            }
        }

        Add("last", policy.KeepLast);
        Add("daily", policy.KeepDaily);
        Add("weekly", policy.KeepWeekly);
        Add("monthly", policy.KeepMonthly);
        Add("yearly", policy.KeepYearly);
        if (policy.KeepWithin is { } w)
        {
            parts.Add($"keep-within {w}");
        }

        return string.Join(", ", parts);
    }

    private static DateTime Local(DateTimeOffset time, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(time, zone).DateTime;

    private static void AddRule(List<BucketRule> rules, string name, int? count, Func<DateTimeOffset, int, string> bucket)
    {
        if (count is { } c && (c > 0 || c == -1))
        {
            rules.Add(new BucketRule(name, c, bucket));
        }
    }

    private sealed class BucketRule(string name, int count, Func<DateTimeOffset, int, string> bucket)
    {
        private int _remaining = count;
        private string? _last;

        public string Name { get; } = name;

        /// <summary>The reason this rule keeps <paramref name="time"/>, or null.</summary>
        public string? Offer(DateTimeOffset time, int index, bool oldest)
        {
            if (_remaining == 0)
            {
                return null;
            }

            var b = bucket(time, index);
            var samePeriod = b == _last;
            if (samePeriod && !oldest)
            {
                return null;
            }

            _last = b;
            if (_remaining > 0)
            {
                _remaining--;
            }

            return samePeriod ? "oldest-" + Name : Name;
        }
    }
}
