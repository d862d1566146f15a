using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Notifications.Channels.Ntfy;

/// <summary>An <c>ntfy</c> channel: each message published to a topic (<c>https://ntfy.example.org/web1-ops</c>).</summary>
public sealed class NtfyChannelOptions : IChannelSettings
{
    /// <summary>ntfy: the topic's URL.</summary>
    public string? Url { get; set; }

    /// <summary>ntfy: an access token (sent as <c>Authorization: Bearer</c>), for a topic that needs one.</summary>
    public SecretReference? Token { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ChannelValidation.HttpUrl($"{path}:{nameof(Url)}", Url, errors);
        if (Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.AbsolutePath.Trim('/').Length == 0)
        {
            errors.Add($"{path}:{nameof(Url)}", "must name the topic (https://ntfy.example.org/<topic>)");
        }

        foreach (var error in Token?.Validate($"{path}:{nameof(Token)}") ?? [])
        {
            errors.Add(error);
        }
    }

    /// <inheritdoc />
    public string Describe() => $"ntfy {ChannelValidation.Authority(Url)}";

    /// <inheritdoc />
    public async Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckUrl($"{path}:{nameof(Url)}", Url);
        if (Token is not null)
        {
            await context.ResolveSecretAsync(Token, $"{path}:{nameof(Token)}", cancellationToken).ConfigureAwait(false);
        }
    }
}
