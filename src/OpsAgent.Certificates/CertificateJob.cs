using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Certificates;

/// <summary>The scheduled check of every configured certificate.</summary>
internal sealed class CertificateJob(AgentJobServices services, CertificateMonitor monitor) : AgentJob(services)
{
    /// <summary>The Quartz group, and the job's name: one job checks every certificate.</summary>
    public const string Kind = "certificates";

    /// <inheritdoc />
    protected override async Task<JobOutcome> RunAsync(JobRunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Configuration.Get<CertificatesOptions>();
        var summary = await monitor.RunAsync(options, run.Configuration.Agent.StateDirectory, cancellationToken).ConfigureAwait(false);
        var message = summary.ToString();
        return summary switch
        {
            { Failed: > 0 } => JobOutcome.Fail(CertificateReasons.CheckFailed, message),
            { Critical: > 0 } => JobOutcome.Fail(CertificateReasons.Critical, message),
            { Warning: > 0 } => JobOutcome.Fail(CertificateReasons.Warning, message),
            { Unverified: > 0 } => JobOutcome.Fail(CertificateReasons.VerifyFailed, message),
            _ => JobOutcome.Ok(message),
        };
    }
}
