using Microsoft.Extensions.Hosting;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Certificates;

/// <summary>Checks once when the agent starts and whenever a reload changes what is checked, instead of waiting hours for the schedule.</summary>
internal sealed class CertificateStartup(AgentConfigurationManager configuration, AgentScheduler scheduler, IHostApplicationLifetime lifetime)
    : IHostedService, IConfigurationChangeListener
{
    private string? _fingerprint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            Volatile.Write(ref _fingerprint, Fingerprint(configuration.Current));
            _ = CheckNowAsync(configuration.Current, lifetime.ApplicationStopping);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var fingerprint = Fingerprint(configuration);
        // Before the start-up check (null) there is nothing to compare with: that check covers this configuration too.
        if (Volatile.Read(ref _fingerprint) is null)
        {
            return Task.CompletedTask;
        }

        return Interlocked.Exchange(ref _fingerprint, fingerprint) == fingerprint ? Task.CompletedTask : CheckNowAsync(configuration, cancellationToken);
    }

    private async Task CheckNowAsync(AgentConfiguration current, CancellationToken cancellationToken)
    {
        if (current.Get<CertificatesOptions>().IsEmpty)
        {
            return;
        }

        try
        {
            await scheduler.TriggerNowAsync(new Quartz.JobKey(CertificateJob.Kind, CertificateJob.Kind), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static string Fingerprint(AgentConfiguration configuration)
    {
        var o = configuration.Get<CertificatesOptions>();
        return string.Join('\n', o.Endpoints.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value.Describe()}/{e.Value.EffectiveServerName}/{e.Value.Protocol}/{e.Value.TrustedCa}")
            .Concat(o.Files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.Path}"))
            .Append($"{o.WarningDays}/{o.CriticalDays}"));
    }
}
