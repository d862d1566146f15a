using Microsoft.Extensions.Time.Testing;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Testing;

namespace OpsAgent.Backups.Tests;

/// <summary>The one retry rule of dumps and copies, on a fake clock: how many attempts, how long between them, when it stops.</summary>
public sealed class RetryPolicyTests
{
    private sealed class Attempts(FakeTimeProvider clock, int failures, bool retryable = true)
    {
        public int Calls;
        public List<(int Attempt, TimeSpan Delay)> Waits { get; } = [];
        public List<DateTimeOffset> At { get; } = [];

        public Polly.ResiliencePipeline<bool> Pipeline(int retries, TimeSpan delay)
            => RetryPolicy.Create<bool>(retries, delay, clock, outcome => outcome.Result is false && retryable, (attempt, _, wait) => Waits.Add((attempt, wait)));

        public ValueTask<bool> CallAsync(CancellationToken cancellationToken)
        {
            At.Add(clock.GetUtcNow());
            return ValueTask.FromResult(++Calls > failures);
        }
    }

    /// <summary>Moves the fake clock on a second at a time until <paramref name="run"/> ends (each wait is a timer on it).</summary>
    private static async Task<T> DriveAsync<T>(FakeTimeProvider clock, Task<T> run, TimeSpan limit)
    {
        var end = clock.GetUtcNow() + limit;
        while (!run.IsCompleted && clock.GetUtcNow() < end)
        {
            await Task.Yield();
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await Eventually.WaitAsync(() => Task.FromResult(run.IsCompleted), "the pipeline to finish");
        return await run;
    }

    [Test]
    public async Task Create_ThreeFailuresThenSuccess_WaitsThirtySixtyAndOneHundredTwentySecondsOnTheClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero));
        var attempts = new Attempts(clock, failures: 3);

        var ok = await DriveAsync(clock, attempts.Pipeline(3, TimeSpan.FromSeconds(30)).ExecuteAsync(attempts.CallAsync, CancellationToken.None).AsTask(), TimeSpan.FromMinutes(10));

        Assert.That(ok, Is.True);
        Assert.That(attempts.Calls, Is.EqualTo(4));
        Assert.That(attempts.Waits, Is.EqualTo(new[] { (1, TimeSpan.FromSeconds(30)), (2, TimeSpan.FromSeconds(60)), (3, TimeSpan.FromSeconds(120)) }));
        var gaps = attempts.At.Zip(attempts.At.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.That(gaps, Is.EqualTo(new[] { 30.0, 60.0, 120.0 }).Within(1.0), "the waits ran on the given clock");
    }

    [Test]
    public async Task Create_RetriesExhausted_ReturnsTheLastFailure()
    {
        var clock = new FakeTimeProvider();
        var attempts = new Attempts(clock, failures: 10);

        var ok = await DriveAsync(clock, attempts.Pipeline(2, TimeSpan.FromSeconds(1)).ExecuteAsync(attempts.CallAsync, CancellationToken.None).AsTask(), TimeSpan.FromMinutes(1));

        Assert.That((ok, attempts.Calls), Is.EqualTo((false, 3)));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public async Task Create_NoRetries_RunsOnce(int retries)
    {
        var attempts = new Attempts(new FakeTimeProvider(), failures: 5);

        var ok = await attempts.Pipeline(retries, TimeSpan.FromSeconds(30)).ExecuteAsync(attempts.CallAsync, CancellationToken.None);

        Assert.That((ok, attempts.Calls, attempts.Waits.Count), Is.EqualTo((false, 1, 0)));
    }

    [Test]
    public async Task Create_FailureNotWorthRetrying_StopsAtOnce()
    {
        var attempts = new Attempts(new FakeTimeProvider(), failures: 5, retryable: false);

        var ok = await attempts.Pipeline(5, TimeSpan.FromSeconds(30)).ExecuteAsync(attempts.CallAsync, CancellationToken.None);

        Assert.That((ok, attempts.Calls), Is.EqualTo((false, 1)));
    }

    [Test]
    public async Task Create_LongDelayAndManyRetries_NoWaitLongerThanAnHour()
    {
        var clock = new FakeTimeProvider();
        var attempts = new Attempts(clock, failures: 20);
        var run = attempts.Pipeline(10, TimeSpan.FromDays(2)).ExecuteAsync(attempts.CallAsync, CancellationToken.None).AsTask();

        for (var i = 0; i < 11 && !run.IsCompleted; i++)
        {
            await Eventually.WaitAsync(() => Task.FromResult(attempts.Waits.Count > i || run.IsCompleted), $"wait {i + 1}");
            clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.That(await run, Is.False);
        Assert.That(attempts.Waits.Select(w => w.Delay), Has.All.EqualTo(TimeSpan.FromHours(1)), "a 2-day RetryDelay (which Polly itself refuses above 1 day) waits an hour");
    }

    [Test]
    public async Task Create_StoppedDuringAWait_ThrowsWithoutAnotherAttempt()
    {
        var clock = new FakeTimeProvider();
        var attempts = new Attempts(clock, failures: 5);
        using var stop = new CancellationTokenSource();
        var run = attempts.Pipeline(3, TimeSpan.FromMinutes(5)).ExecuteAsync(attempts.CallAsync, stop.Token).AsTask();
        await Eventually.WaitAsync(() => Task.FromResult(attempts.Waits.Count == 1), "the first wait");

        await stop.CancelAsync();

        Assert.ThrowsAsync<TaskCanceledException>(() => run);
        Assert.That(attempts.Calls, Is.EqualTo(1));
    }

    [Test]
    public async Task BackupRunner_ServerRefusesWithOneRetry_TwoAttemptsOneMinuteApartThenFailed()
    {
        TestEnvironment.RequireOnPath("pg_dump");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var kit = new BackupTestKit(clock);
        var request = kit.Request("db", new BackupJobOptions
        {
            Engine = "postgres",
            Connection = new Core.Secrets.SecretReference { Value = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d" },
            Retries = 1,
            RetryDelay = TimeSpan.FromMinutes(1),
        });

        var run = kit.Runner.RunAsync(request, null, CancellationToken.None);
        await Eventually.WaitAsync(() => Task.FromResult(kit.Logs.Entries.Any(e => e.Message.Contains("retrying in", StringComparison.Ordinal))), "the first attempt to fail");
        clock.Advance(TimeSpan.FromMinutes(1));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.That(result.Success, Is.False);
        var failed = kit.Logs.WithEvent("backup_failed");
        Assert.That(failed, Has.Count.EqualTo(2), string.Join("; ", kit.Logs.Entries.Select(e => e.Message)));
        Assert.That(kit.Logs.Entries.Count(e => e.Message.Contains("attempt 1 failed", StringComparison.Ordinal) && e.Message.Contains("retrying in 00:01:00", StringComparison.Ordinal)), Is.EqualTo(1));
    }
}
