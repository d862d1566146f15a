using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Core.Notifications;

/// <summary>
/// A dead-man's switch: a monitoring service told of each run (a backup job's <c>Ping</c>, a probe's) or of the agent being
/// alive (<c>Heartbeat</c>), which raises the alarm itself when the pings stop.
/// </summary>
public sealed class PingOptions
{
    /// <summary>The service's API: <c>healthchecks</c>, <c>uptime-kuma</c>, <c>gatus</c> or <c>url</c> (a plain GET).</summary>
    public string? Type { get; set; }

    /// <summary>The check's URL: <c>https://hc-ping.com/&lt;uuid&gt;</c>, <c>https://kuma/api/push/&lt;token&gt;</c>, <c>https://gatus/api/v1/endpoints/&lt;key&gt;/external</c>.</summary>
    public string? Url { get; set; }

    /// <summary>gatus: the external endpoint's bearer token.</summary>
    public SecretReference? Token { get; set; }

    /// <summary>How long one ping may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The types, as <see cref="Type"/> spells them.</summary>
    public static IReadOnlyList<string> Types { get; } = ["healthchecks", "uptime-kuma", "gatus", "url"];

    /// <summary>Where pings go without what identifies the check (the URL's path holds Healthchecks' uuid and Kuma's token).</summary>
    public string Describe() => $"{Type} {(Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "?")}";

    /// <summary><c>check-config</c>: no example host or <c>&lt;uuid&gt;</c> left in the URL, and the token readable.</summary>
    public async Task CheckHostAsync(string path, HostChecks.HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckUrl($"{path}:{nameof(Url)}", Url);
        if (Token is not null)
        {
            await context.ResolveSecretAsync(Token, $"{path}:{nameof(Token)}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Adds the problems at <c>{path}:Key</c>.</summary>
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Type is null || !Types.Contains(Type, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{path}:{nameof(Type)}", $"must be one of {string.Join(", ", Types)} (got {(Type is null ? "nothing" : $"'{ConfigErrorText.Printable(Type, 200)}'")})");
        }

        if (string.IsNullOrWhiteSpace(Url))
        {
            errors.Add($"{path}:{nameof(Url)}", "is required: the check's ping URL");
        }
        else if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            errors.Add($"{path}:{nameof(Url)}", $"must be an absolute http:// or https:// URL (got '{ConfigErrorText.Printable(Url, 200)}')");
        }
        else if (uri.UserInfo.Length > 0)
        {
            errors.Add($"{path}:{nameof(Url)}", "must not hold a user name or password");
        }

        if (string.Equals(Type, "gatus", StringComparison.OrdinalIgnoreCase) && Token is null)
        {
            errors.Add($"{path}:{nameof(Token)}", "gatus external endpoints need their bearer token (for example { \"FromEnvFile\": \"/etc/opsagent/gatus.env\", \"Variable\": \"GATUS_TOKEN\" })");
        }

        foreach (var error in Token?.Validate($"{path}:{nameof(Token)}") ?? [])
        {
            errors.Add(error);
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{path}:{nameof(Timeout)}", "must be between 1 ms and 5 minutes");
        }
    }
}
