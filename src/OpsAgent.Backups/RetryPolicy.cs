using Polly;
using Polly.Retry;

namespace OpsAgent.Backups;

/// <summary>
/// The one retry rule of the backup capability (a dump's attempts, a copy's transfers): <c>Retries</c> more attempts, the
/// first after <c>RetryDelay</c>, each wait twice the last, never more than an hour, on the agent's clock.
/// </summary>
/// <remarks>Polly's retry strategy, so the waits honour cancellation and a fake <see cref="TimeProvider"/> in tests.</remarks>
internal static class RetryPolicy
{
    /// <summary>The longest single wait, whatever <c>RetryDelay</c> and the attempt.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    /// <summary>A pipeline that runs a call again while <paramref name="retry"/> says so, at most <paramref name="retries"/> times.</summary>
    /// <param name="retries">Extra attempts (0: the call runs once).</param>
    /// <param name="delay">The wait before the first retry.</param>
    /// <param name="time">The clock the waits run on.</param>
    /// <param name="retry">Whether an outcome (a result or an exception) is worth another attempt.</param>
    /// <param name="retrying">Told before each wait: the attempt that failed (1-based), its outcome and the wait.</param>
    public static ResiliencePipeline<T> Create<T>(int retries, TimeSpan delay, TimeProvider time, Func<Outcome<T>, bool> retry, Action<int, Outcome<T>, TimeSpan> retrying)
    {
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(retrying);
        if (retries <= 0)
        {
            return ResiliencePipeline<T>.Empty;
        }

        return new ResiliencePipelineBuilder<T> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = retries,
                Delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxDelay ? MaxDelay : delay,
                MaxDelay = MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(retry(args.Outcome)),
                OnRetry = args =>
                {
                    retrying(args.AttemptNumber + 1, args.Outcome, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
