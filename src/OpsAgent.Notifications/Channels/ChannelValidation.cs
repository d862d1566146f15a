using OpsAgent.Core.Configuration;

namespace OpsAgent.Notifications.Channels;

/// <summary>Checks the channel types share.</summary>
internal static class ChannelValidation
{
    /// <summary>An absolute http(s) URL without credentials in it.</summary>
    public static void HttpUrl(string path, string? url, ValidationCollector errors)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add(path, "is required");
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            errors.Add(path, $"must be an absolute http:// or https:// URL (got '{ConfigErrorText.Printable(url, 200)}')");
        }
        else if (uri.UserInfo.Length > 0)
        {
            errors.Add(path, "must not hold a user name or password: give a token or header as a secret");
        }
    }

    /// <summary>The scheme, host and port of <paramref name="url"/>, which is what logs may say of it.</summary>
    public static string Authority(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "?";
}
