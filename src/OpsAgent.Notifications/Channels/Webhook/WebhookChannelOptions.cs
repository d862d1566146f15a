using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Notifications.Channels.Webhook;

/// <summary>A <c>webhook</c> channel: each message POSTed as JSON (<c>host</c>, <c>severity</c>, <c>subject</c>, <c>text</c>).</summary>
public sealed class WebhookChannelOptions : IChannelSettings
{
    /// <summary>webhook: the URL messages are POSTed to.</summary>
    public string? Url { get; set; }

    /// <summary>webhook: headers sent with each message; their values are secrets (<c>Authorization</c>).</summary>
    public Dictionary<string, SecretReference> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ChannelValidation.HttpUrl($"{path}:{nameof(Url)}", Url, errors);
        foreach (var (name, value) in Headers)
        {
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
            {
                errors.Add($"{path}:{nameof(Headers)}", $"'{ConfigErrorText.Printable(name, 100)}' is not a header name");
            }

            foreach (var error in value.Validate($"{path}:{nameof(Headers)}:{name}"))
            {
                errors.Add(error);
            }
        }
    }

    /// <inheritdoc />
    public string Describe() => $"POST {ChannelValidation.Authority(Url)}";

    /// <inheritdoc />
    public async Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckUrl($"{path}:{nameof(Url)}", Url);
        foreach (var (name, value) in Headers)
        {
            await context.ResolveSecretAsync(value, $"{path}:{nameof(Headers)}:{name}", cancellationToken).ConfigureAwait(false);
        }
    }
}
