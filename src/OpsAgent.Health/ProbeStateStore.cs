namespace OpsAgent.Health;

/// <summary>Every probe's <see cref="ProbeState"/>, by name; created when first asked for.</summary>
internal sealed class ProbeStateStore(TimeProvider time)
{
    private readonly Dictionary<string, ProbeState> _states = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <summary>When the store was created (the agent's start, for <c>StartPeriod</c>).</summary>
    public DateTimeOffset Started { get; } = time.GetUtcNow();

    /// <summary>The state of <paramref name="probe"/>.</summary>
    public ProbeState Get(string probe, TimeSpan startPeriod)
    {
        lock (_lock)
        {
            if (!_states.TryGetValue(probe, out var state))
            {
                state = new ProbeState { GraceUntil = Started + startPeriod };
                _states[probe] = state;
            }

            return state;
        }
    }

    /// <summary>The state if it exists.</summary>
    public ProbeState? Find(string probe)
    {
        lock (_lock)
        {
            return _states.GetValueOrDefault(probe);
        }
    }

    /// <summary>Forgets probes that are no longer configured.</summary>
    public void Retain(IEnumerable<string> probes)
    {
        var keep = probes.ToHashSet(StringComparer.OrdinalIgnoreCase);
        lock (_lock)
        {
            foreach (var gone in _states.Keys.Where(k => !keep.Contains(k)).ToList())
            {
                _states.Remove(gone);
            }
        }
    }
}
