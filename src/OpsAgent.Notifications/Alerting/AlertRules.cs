using OpsAgent.Core.Events;
using OpsAgent.Core.Logging;

namespace OpsAgent.Notifications.Alerting;

/// <summary>
/// Which events people are told of, by the stable event id of their journal entry (or the run events of the job status
/// store): every change of state the issue lists, and nothing that is routine.
/// </summary>
internal static class AlertRules
{
    private static readonly Dictionary<int, AlertRule> ById = new()
    {
        [EventIds.Probes.Failing] = new("probe", "Probe", AlertEffect.Problem, true, "is failing"),
        [EventIds.Probes.Recovered] = new("probe", "Probe", AlertEffect.Resolve, false, "recovered", "restarts"),
        [EventIds.Probes.Warning] = new("probe", "Probe", AlertEffect.Problem, false, "is in warning"),
        [EventIds.Probes.Ok] = new("probe", "Probe", AlertEffect.Resolve, false, "is ok again"),
        [EventIds.Probes.RestartStarted] = new("probe", "Probe", AlertEffect.Notice, true, "is being restarted"),
        [EventIds.Probes.RestartRecovered] = new("probe", "Probe", AlertEffect.Notice, true, "recovered after the restart"),
        [EventIds.Probes.Suppressed] = new("restarts", "Probe", AlertEffect.Problem, true, "are suppressed by storm control"),
        [EventIds.Certificates.Critical] = new("certificate", "Certificate", AlertEffect.Problem, true, "is critical"),
        [EventIds.Certificates.Warning] = new("certificate", "Certificate", AlertEffect.Problem, false, "expires soon"),
        [EventIds.Certificates.Ok] = new("certificate", "Certificate", AlertEffect.Resolve, false, "is ok again"),
        [EventIds.Certificates.RenewalFailed] = new("renewal", "Certificate", AlertEffect.Problem, true, "failed"),
        [EventIds.Certificates.RenewalNotRun] = new("renewal", "Certificate", AlertEffect.Problem, true, "could not run"),
        [EventIds.Certificates.RenewalNotStarted] = new("renewal", "Certificate", AlertEffect.Problem, true, "could not start"),
        [EventIds.Certificates.RenewalSucceeded] = new("renewal", "Certificate", AlertEffect.Resolve, false, "succeeded"),
        [EventIds.Configuration.ReloadRejected] = new("configuration", null, AlertEffect.Problem, true, "reload was rejected"),
        [EventIds.Configuration.Reloaded] = new("configuration", null, AlertEffect.Resolve, false, "reloaded"),
        [EventIds.Host.StateUnwritable] = new("state-directory", null, AlertEffect.Problem, true, "is unusable"),
        [EventIds.Host.StateWritableAgain] = new("state-directory", null, AlertEffect.Resolve, false, "is writable again"),
    };

    /// <summary>The rule for <paramref name="agentEvent"/>, or null when it is not told.</summary>
    public static AlertRule? For(AgentEvent agentEvent)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        if (agentEvent.Name == AgentEventNames.RunFinished && agentEvent.Field("Kind") is { } kind and ("backup" or "drill"))
        {
            return agentEvent.Field("Result") == "success"
                ? new(kind, "Job", AlertEffect.Resolve, false, "succeeded again")
                : new(kind, "Job", AlertEffect.Problem, true, "failed");
        }

        return agentEvent.EventId != 0 ? ById.GetValueOrDefault(agentEvent.EventId) : null;
    }

    /// <summary>The events whose entry ids a failed run's message points at (its last failed attempt).</summary>
    public static bool IsRunFailureEntry(AgentEvent agentEvent)
        => agentEvent?.EventId is EventIds.Backups.Failed or EventIds.Backups.FailedToStart or EventIds.Drills.Failed;
}
