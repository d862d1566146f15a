using OpsAgent.Certificates.Inspection;

namespace OpsAgent.Certificates;

/// <summary>Runs every configured endpoint and file check, endpoints in parallel (a hung endpoint does not delay the others).</summary>
/// <param name="endpoints">The endpoint inspector.</param>
public sealed class CertificateChecker(EndpointInspector endpoints)
{
    /// <summary>Checks every entry, or only <paramref name="only"/>, in configuration order (endpoints, then files).</summary>
    public async Task<IReadOnlyList<CertificateCheck>> CheckAsync(CertificatesOptions options, string? only, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpointTasks = options.Endpoints
            .Where(e => only is null || string.Equals(e.Key, only, StringComparison.OrdinalIgnoreCase))
            .Select(e => endpoints.InspectAsync(e.Key, e.Value, cancellationToken))
            .ToList();
        var files = await Task.Run(() => options.Files
            .Where(f => only is null || string.Equals(f.Key, only, StringComparison.OrdinalIgnoreCase))
            .SelectMany(f => FileInspector.Inspect(f.Key, f.Value, FileLimits.From(options)))
            .ToList(), cancellationToken).ConfigureAwait(false);
        var results = new List<CertificateCheck>(await Task.WhenAll(endpointTasks).ConfigureAwait(false));
        results.AddRange(files);
        return results;
    }

}
