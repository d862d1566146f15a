namespace OpsAgent.Notifications.Pings;

/// <summary>What a ping says.</summary>
internal enum PingSignal
{
    /// <summary>A run began.</summary>
    Start,

    /// <summary>A run succeeded, a probe passed, the agent is alive and well.</summary>
    Success,

    /// <summary>A run failed, a probe failed, the agent is alive but unwell.</summary>
    Failure,
}
