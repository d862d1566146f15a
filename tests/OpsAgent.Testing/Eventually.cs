using NUnit.Framework;

namespace OpsAgent.Testing;

/// <summary>The one way tests wait for something real to happen on its own (a service answering, a journal entry, a reload).</summary>
/// <remarks>
/// What the agent decides by time is driven with a fake clock instead; this is for what real processes, engines and
/// sockets do at their own pace. The timeouts are generous bounds, never assertions about speed.
/// </remarks>
public static class Eventually
{
    /// <summary>For what follows within moments of the test's action: a reload applied, an entry logged, a run finished.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    /// <summary>For real services starting under a loaded machine: PostgreSQL in a container, a daemon, a catch-up dump.</summary>
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test naming <paramref name="what"/> after <paramref name="timeout"/> (<see cref="Default"/>).</summary>
    /// <param name="condition">What must come true.</param>
    /// <param name="what">What is waited for, in the failure.</param>
    /// <param name="timeout">The bound (<see cref="Default"/>).</param>
    /// <param name="interval">
    /// The pause between polls (100 ms): shorter to catch something brief (a tool's process), longer when each poll is
    /// itself a step of the work (a probe run standing in for its schedule).
    /// </param>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? Default);
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"timed out after {(timeout ?? Default).TotalSeconds:0} s waiting for {what}");
            }

            await Task.Delay(interval ?? Interval).ConfigureAwait(false);
        }
    }

    /// <summary>Polls a synchronous <paramref name="condition"/>; see <see cref="WaitAsync(Func{Task{bool}}, string, TimeSpan?)"/>.</summary>
    public static Task WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return WaitAsync(() => Task.FromResult(condition()), what, timeout, interval);
    }
}
