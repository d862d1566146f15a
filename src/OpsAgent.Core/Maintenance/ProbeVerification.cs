namespace OpsAgent.Core.Maintenance;

/// <summary>The outcome of <see cref="IProbeVerifier.VerifyAsync"/>.</summary>
/// <param name="Passed">True when every probe passed within the time.</param>
/// <param name="Message">Each probe's last result.</param>
public sealed record ProbeVerification(bool Passed, string Message);
