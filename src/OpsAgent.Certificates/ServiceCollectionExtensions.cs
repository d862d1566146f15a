using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsAgent.Certificates.Inspection;
using OpsAgent.Core;
using OpsAgent.Core.Status;

namespace OpsAgent.Certificates;

/// <summary>Registers the certificate capability.</summary>
public static class CertificateServiceCollectionExtensions
{
    /// <summary>Adds the <c>OpsAgent:Certificates</c> section and what <c>cert check</c> needs (no hosted services).</summary>
    public static IServiceCollection AddCertificateServices(this IServiceCollection services)
    {
        services.AddAgentSection<CertificatesOptions, CertificatesOptionsValidator>(CertificatesOptions.SectionName);
        services.TryAddSingleton<EndpointInspector>();
        services.TryAddSingleton<CertificateChecker>();
        services.AddHostCheck<CertificateHostCheck>();
        // The CLI loads the configuration as the daemon does: the same jobs, so the same checks and the same count logged.
        services.AddJobSource<CertificateJobSource>();
        return services;
    }

    /// <summary>Adds certificate checks to the daemon: the section, the scheduled job, metrics, renewals and the check at start.</summary>
    public static IServiceCollection AddCertificates(this IServiceCollection services)
    {
        services.AddCertificateServices();
        services.TryAddSingleton<CertificateRenewer>();
        services.TryAddSingleton<CertificateResults>();
        services.TryAddSingleton<CertificateLogDeduplicator>();
        services.TryAddSingleton<CertificateMonitor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStatusItemSource, CertificateStatusItems>());
        services.AddAgentMetrics<CertificateMetrics>();
        services.AddConfigurationListener<CertificateStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<CertificateStartup>());
        return services;
    }
}
