using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks.Http;

/// <summary>The settings of an <c>http</c> probe.</summary>
public sealed class HttpProbeOptions : IProbeSettings
{
    /// <summary>The largest <see cref="MaxBodyBytes"/> the configuration accepts.</summary>
    public const long MaxBodyBytesCeiling = 16L * 1024 * 1024;

    /// <summary>http: the URL.</summary>
    public string? Url { get; set; }

    /// <summary>http: the method (default GET).</summary>
    public string Method { get; set; } = "GET";

    /// <summary>http: extra request headers.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>http: the Host header (and TLS name), to probe a loopback backend under its public virtual host.</summary>
    public string? HostHeader { get; set; }

    /// <summary>http: accepted status codes (default: any 2xx).</summary>
    public List<int> ExpectStatus { get; set; } = [];

    /// <summary>http: dotted JSON path → accepted value(s); numbers and booleans compare by their JSON text.</summary>
    public Dictionary<string, List<string>> ExpectJson { get; set; } = new(StringComparer.Ordinal);

    /// <summary>http: text the body must contain.</summary>
    public string? ExpectBodyContains { get; set; }

    /// <summary>http: verify the server's certificate.</summary>
    public bool VerifyTls { get; set; } = true;

    /// <summary>http: larger bodies fail the probe (<c>body_too_large</c>); they are never read whole.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>http: follow redirects (otherwise a 3xx is the answer).</summary>
    public bool FollowRedirects { get; set; }

    /// <inheritdoc />
    /// <summary>http: an answer slower than this (each attempt, headers and body) puts the probe at its warning level.</summary>
    public TimeSpan? WarningLatency { get; set; }

    /// <summary>http: an answer slower than this is critical (a failed attempt), however good its status and body.</summary>
    public TimeSpan? CriticalLatency { get; set; }

    /// <inheritdoc />
    public void ValidateEntry(string path, ProbeOptions probe, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(errors);
        if (WarningLatency is { } w && w <= TimeSpan.Zero)
        {
            errors.Add($"{path}:{nameof(WarningLatency)}", "must be positive");
        }

        if (CriticalLatency is { } c && c <= TimeSpan.Zero)
        {
            errors.Add($"{path}:{nameof(CriticalLatency)}", "must be positive");
        }
        else if (CriticalLatency is { } c2 && c2 >= probe.Timeout)
        {
            errors.Add($"{path}:{nameof(CriticalLatency)}", $"must be below Timeout ({probe.Timeout}): a slower answer is a timeout already");
        }

        if (WarningLatency is { } w2 && CriticalLatency is { } c3 && w2 > TimeSpan.Zero && w2 >= c3)
        {
            errors.Add($"{path}:{nameof(WarningLatency)}", $"must be below CriticalLatency ({c3})");
        }
        else if (WarningLatency is { } w3 && CriticalLatency is null && w3 >= probe.Timeout)
        {
            errors.Add($"{path}:{nameof(WarningLatency)}", $"must be below Timeout ({probe.Timeout})");
        }
    }

    /// <summary>The latency measure of an attempt that took <paramref name="elapsed"/>, when a threshold is set.</summary>
    internal ProbeMeasure? Latency(TimeSpan elapsed) => WarningLatency is null && CriticalLatency is null ? null
        : new ProbeMeasure("latency_seconds", elapsed.TotalSeconds, WarningLatency?.TotalSeconds, CriticalLatency?.TotalSeconds);

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Url))
        {
            errors.Add($"{path}:{nameof(Url)}", "required for an http probe");
        }
        else if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{path}:{nameof(Url)}", $"'{Url}' is not an absolute http:// or https:// URL");
        }

        foreach (var status in ExpectStatus.Where(s => s is < 100 or > 599))
        {
            errors.Add($"{path}:{nameof(ExpectStatus)}", $"{status} is not an HTTP status code");
        }

        if (MaxBodyBytes is < 1 or > MaxBodyBytesCeiling)
        {
            errors.Add($"{path}:{nameof(MaxBodyBytes)}", $"must be 1-{MaxBodyBytesCeiling} (16 MiB): the body is held in memory");
        }
    }

    /// <inheritdoc />
    public string Describe() => Url ?? "";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var host in ExampleHosts.OfUrl(Url))
        {
            context.CheckHost($"{path}:{nameof(Url)}", host);
        }

        context.CheckHost($"{path}:{nameof(HostHeader)}", HostHeader);
        return Task.CompletedTask;
    }
}
