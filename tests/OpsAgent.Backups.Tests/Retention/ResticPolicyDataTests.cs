using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using OpsAgent.Backups.Retention;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Tests.Retention;

/// <summary>
/// restic's own policy test data (Data/restic-policy.json: the 103 snapshot times of its TestApplyPolicy and the kept sets of
/// its golden files) through the real binder and planner, and once through a real backup run.
/// </summary>
public sealed class ResticPolicyDataTests
{
    private static readonly JsonObject Data = JsonNode.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Retention", "Data", "restic-policy.json")))!.AsObject();

    private static List<DateTimeOffset> Snapshots => [.. Data["snapshots"]!.AsArray().Select(t => DateTimeOffset.Parse(t!.GetValue<string>(), CultureInfo.InvariantCulture))];

    public static IEnumerable<TestCaseData> Cases() => Data["cases"]!.AsArray().Select(c => new TestCaseData(c!["golden"]!.GetValue<string>(), c["policy"]!.ToJsonString())
        .SetName($"Plan_{c["golden"]!.GetValue<string>()}_{c["policy"]!.ToJsonString().Replace("\"", string.Empty, StringComparison.Ordinal)}_KeepsResticsSet"));

    /// <summary>The policy as an operator writes it, through the binder the agent uses (KeepWithin as text).</summary>
    internal static RetentionOptions Policy(string json)
    {
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($$"""{ "Retention": {{json}} }"""))).Build();
        var errors = new List<ConfigError>();
        var policy = StrictBinder.Bind<RetentionOptions>(root.GetSection("Retention"), errors);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        return policy;
    }

    private static List<DateTimeOffset> Expected(string golden)
        => [.. Data["cases"]!.AsArray().Single(c => c!["golden"]!.GetValue<string>() == golden)!["keep"]!.AsArray()
            .Select(t => DateTimeOffset.Parse(t!.GetValue<string>(), CultureInfo.InvariantCulture))];

    [TestCaseSource(nameof(Cases))]
    public void Plan_ResticGoldenFile_KeepsResticsSet(string golden, string policyJson)
    {
        var kept = RetentionPlanner.Plan(Snapshots, Policy(policyJson), TimeZoneInfo.Utc).Where(d => d.Keep).Select(d => d.Time).ToList();

        // Ties (five snapshots at 2015-10-22 10:20:30, the .1 s pairs) are compared as restic orders them: newest first, stable.
        Assert.That(kept, Is.EqualTo(Expected(golden)), golden);
    }

    [Test]
    public void Plan_ResticDataInAnotherZone_BucketsByTheLocalCalendar()
    {
        // restic buckets in each snapshot's own zone; the agent in its configured one. The same wall-clock times in
        // Europe/Berlin (summer and winter offsets) planned in Berlin keep the same wall-clock times.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        DateTimeOffset InBerlin(DateTimeOffset utcWall) => new(utcWall.DateTime, berlin.GetUtcOffset(utcWall.DateTime));
        foreach (var golden in new[] { "policy_keep_snapshots_13", "policy_keep_snapshots_15", "policy_keep_snapshots_17", "policy_keep_snapshots_39" })
        {
            var policy = Data["cases"]!.AsArray().Single(c => c!["golden"]!.GetValue<string>() == golden)!["policy"]!.ToJsonString();
            var kept = RetentionPlanner.Plan(Snapshots.Select(InBerlin), Policy(policy), berlin).Where(d => d.Keep).Select(d => d.Time.DateTime).ToList();

            Assert.That(kept, Is.EqualTo(Expected(golden).Select(t => t.DateTime)), golden);
        }
    }

    [Test]
    public void Plan_YoungSystemWithSimsPolicy_KeepsItsOldestBackup()
    {
        // Seed 001's 7 daily, 4 weekly, 12 monthly over ten days of nightly dumps: the monthly rule has counts left, so
        // (restic 0.16, restic#3624) the first restore point stays.
        var first = new DateTimeOffset(2026, 11, 10, 2, 0, 0, TimeSpan.Zero);
        var times = Enumerable.Range(0, 10).Select(i => first.AddDays(i)).ToList();

        var decisions = RetentionPlanner.Plan(times, Policy("""{ "KeepDaily": 7, "KeepWeekly": 4, "KeepMonthly": 12 }"""), TimeZoneInfo.Utc);

        var oldest = decisions.Single(d => d.Time == first);
        Assert.That(oldest.Keep, Is.True, "the oldest backup is the longest history the policy can still give");
        Assert.That(oldest.Rules, Does.Contain("oldest-monthly"));
    }

    [Test]
    [NonParallelizable]
    [CancelAfter(300_000)]
    public async Task Run_ResticSnapshotsOnDisk_RealBackupRunKeepsResticsSet()
    {
        if (Environment.GetEnvironmentVariable("OPSAGENT_TEST_PG") is null)
        {
            Assert.Ignore("OPSAGENT_TEST_PG is not set (tests/run.sh starts PostgreSQL)");
        }

        // The older 102 of restic's times as backups on disk; the real run takes the newest (its clock stands there).
        // File names have whole seconds, so restic's sub-second and equal times are one backup each: the daily, weekly,
        // monthly and yearly rules keep one of each such group anyway.
        var times = Snapshots.OrderByDescending(t => t).ToList();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(times[0]);
        using var kit = new BackupTestKit(clock);
        foreach (var t in times.Skip(1).Select(t => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond))).Distinct())
        {
            kit.WriteBackup("restic", t.ToString("O", CultureInfo.InvariantCulture));
        }

        var token = TestContext.CurrentContext.CancellationToken;
        var db = await TestPostgres.CreateDatabaseAsync("opsagent_restic");
        try
        {
            await TestPostgres.ExecAsync(db, "create table t as select g from generate_series(1, 100) g");
            var job = new BackupJobOptions
            {
                Engine = "postgres",
                Connection = new SecretReference { Value = TestPostgres.For(db) },
                Retention = Policy("""{ "KeepDaily": 7, "KeepWeekly": 2, "KeepMonthly": 3, "KeepYearly": 10 }"""),
            };

            var result = await kit.Runner.RunAsync(kit.Request("restic", job), null, token);

            Assert.That(result.Success, Is.True, result.Message);
            var onDisk = kit.FilesInDirectory().Where(f => f.EndsWith(".dump.zst", StringComparison.Ordinal))
                .Select(f => DateTimeOffset.ParseExact(f["restic_".Length..^".dump.zst".Length], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))
                .OrderByDescending(t => t).ToList();
            var expected = Expected("policy_keep_snapshots_17").Select(t => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond))).Distinct().ToList();
            Assert.That(onDisk, Is.EqualTo(expected));
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(db);
        }
    }
}
