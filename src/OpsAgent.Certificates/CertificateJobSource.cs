using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Certificates;

/// <summary>Schedules the <see cref="CertificateJob"/> when any certificate is configured.</summary>
internal sealed class CertificateJobSource : IJobSource
{
    /// <inheritdoc />
    public IEnumerable<AgentJobDefinition> GetJobs(AgentConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Get<CertificatesOptions>();
        if (options.IsEmpty)
        {
            yield break;
        }

        yield return new AgentJobDefinition(CertificateJob.Kind, CertificateJob.Kind, ScheduleSpec.ParseCron(options.Schedule), typeof(CertificateJob))
        {
            Description = $"{options.Endpoints.Count} endpoints, {options.Files.Count} file patterns; warning < {options.WarningDays} days (and < 1/3 of the lifetime), critical < {options.CriticalDays} days",
        };
    }
}
