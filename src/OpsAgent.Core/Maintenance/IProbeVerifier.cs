using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Maintenance;

/// <summary>Runs named probes until each passes or a deadline comes: how a restore over a live application proves it is back.</summary>
/// <remarks>Implemented by the probes capability; a capability that restarts something asks it without knowing probe types.</remarks>
public interface IProbeVerifier
{
    /// <summary>Runs each of <paramref name="probes"/> (at its <c>Every</c>, at most every 5 seconds) until all have passed once, or <paramref name="timeout"/> passes.</summary>
    /// <param name="configuration">The configuration whose probes to run.</param>
    /// <param name="probes">Probe names.</param>
    /// <param name="timeout">How long they have.</param>
    /// <param name="progress">Receives a line per probe result.</param>
    /// <param name="cancellationToken">Stops the verification.</param>
    Task<ProbeVerification> VerifyAsync(AgentConfiguration configuration, IReadOnlyList<string> probes, TimeSpan timeout, Action<string>? progress, CancellationToken cancellationToken);
}
