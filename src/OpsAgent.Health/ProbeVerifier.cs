using OpsAgent.Core.Configuration;
using OpsAgent.Core.Maintenance;

namespace OpsAgent.Health;

/// <summary>Runs configured probes directly (not through their schedule, and never restarting anything) until each passes once.</summary>
internal sealed class ProbeVerifier(ProbeRunner runner, TimeProvider time) : IProbeVerifier
{
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(5);

    public async Task<ProbeVerification> VerifyAsync(AgentConfiguration configuration, IReadOnlyList<string> probes, TimeSpan timeout, Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(probes);
        var all = configuration.Get<ProbesOptions>().Probes;
        var deadline = time.GetUtcNow() + timeout;
        var last = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var pending = new HashSet<string>(probes, StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            foreach (var probe in pending.ToList())
            {
                if (!all.TryGetValue(probe, out var options))
                {
                    last[probe] = "not configured";
                    continue;
                }

                var result = await runner.RunAsync(probe, options, cancellationToken).ConfigureAwait(false);
                last[probe] = result.Success ? $"ok ({result.Message})" : $"{result.Reason}: {result.Message}";
                progress?.Invoke($"{probe}: {last[probe]}");
                if (result.Success)
                {
                    pending.Remove(probe);
                }
            }

            var summary = string.Join("; ", probes.Select(p => $"{p}: {last.GetValueOrDefault(p, "not run")}"));
            if (pending.Count == 0)
            {
                return new ProbeVerification(true, summary);
            }

            var wait = pending.Where(all.ContainsKey).Select(p => all[p].Every).DefaultIfEmpty(MaxInterval).Min();
            wait = wait > MaxInterval ? MaxInterval : wait;
            if (time.GetUtcNow() + wait > deadline)
            {
                return new ProbeVerification(false, $"not all passed within {timeout}: {summary}");
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
