using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Copies;

/// <summary>
/// Runs the daemon's copy passes: after each run of a job (whatever its result, so an outage is caught up at the next run)
/// and once for every job with copies when the agent has started. A job's passes run one at a time in the background,
/// never holding the dump's lock; a trigger while one runs makes it run once more.
/// </summary>
internal sealed class CopyScheduler(AgentConfigurationManager configuration, CopyRunner runner, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, Pass> _passes = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();

    private sealed class Pass
    {
        public int Again;
        public Task Task = Task.CompletedTask;
    }

    /// <summary>Asks for a pass of <paramref name="job"/>'s copies; returns at once.</summary>
    public void Trigger(string job)
    {
        var pass = _passes.GetOrAdd(job, _ => new Pass());
        lock (pass)
        {
            if (!pass.Task.IsCompleted)
            {
                pass.Again = 1;
                return;
            }

            pass.Task = Task.Run(() => LoopAsync(job, pass, _stopping.Token));
        }
    }

    /// <summary>Completes when no pass of <paramref name="job"/> is running or asked for (for tests and <c>backup run</c>).</summary>
    public Task IdleAsync(string job) => _passes.TryGetValue(job, out var pass) ? pass.Task : Task.CompletedTask;

    private async Task LoopAsync(string job, Pass pass, CancellationToken cancellationToken)
    {
        do
        {
            Volatile.Write(ref pass.Again, 0);
            try
            {
                var current = await configuration.SettledAsync(cancellationToken).ConfigureAwait(false);
                if (current.Get<BackupsOptions>().Jobs.TryGetValue(job, out var options) && options.Copies.Count > 0)
                {
                    var request = CopyRequest.For(job, options, current);
                    await runner.RunAsync(request, null, null, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
        while (Interlocked.Exchange(ref pass.Again, 0) == 1);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // At start every job with copies gets a pass: what a stop or a kill -9 left in the queue goes out now.
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var (job, options) in configuration.Current.Get<BackupsOptions>().Jobs)
            {
                if (options.Copies.Count > 0)
                {
                    Trigger(job);
                }
            }
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_passes.Values.Select(p => p.Task)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();
}
