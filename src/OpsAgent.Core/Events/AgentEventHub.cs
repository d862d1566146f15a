namespace OpsAgent.Core.Events;

/// <summary>Hands every <see cref="AgentEvent"/> to the registered listeners, one failure never reaching the publisher.</summary>
/// <remarks>
/// Listeners are resolved at the first event, not at construction: they depend on the configuration and state stores,
/// which themselves publish here. An event published from inside a listener is dropped: nothing loops.
/// </remarks>
public sealed class AgentEventHub(IServiceProvider services)
{
    [ThreadStatic]
    private static bool t_publishing;

    private IAgentEventListener[]? _listeners;

    /// <summary>Events a listener threw on (the listener is not told again about that one).</summary>
    public long ListenerFailures => Interlocked.Read(ref _failures);

    private long _failures;

    /// <summary>Publishes <paramref name="agentEvent"/> to every listener.</summary>
    public void Publish(AgentEvent agentEvent)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        if (t_publishing)
        {
            return;
        }

        t_publishing = true;
        try
        {
            if (_listeners is null)
            {
                try
                {
                    _listeners = [.. (IEnumerable<IAgentEventListener>?)services.GetService(typeof(IEnumerable<IAgentEventListener>)) ?? []];
                }
                catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
                {
                    // An entry logged while the container is still building (or already disposed): not published, tried again at the next.
                    Interlocked.Increment(ref _failures);
                    return;
                }
            }

            foreach (var listener in _listeners)
            {
                try
                {
                    listener.OnEvent(agentEvent);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref _failures);
                }
            }
        }
        finally
        {
            t_publishing = false;
        }
    }
}
