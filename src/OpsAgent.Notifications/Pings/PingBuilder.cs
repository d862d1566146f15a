using System.Globalization;
using OpsAgent.Core.Notifications;

namespace OpsAgent.Notifications.Pings;

/// <summary>
/// Each service's documented API: Healthchecks (<c>/start</c>, success, <c>/fail</c>, <c>?rid=</c>, the log as a POST body),
/// Uptime Kuma push (<c>?status=up|down&amp;msg=&amp;ping=</c>), Gatus external endpoints (<c>POST ...?success=&amp;error=&amp;duration=</c>
/// with a bearer token) and a plain GET on success.
/// </summary>
internal static class PingBuilder
{
    /// <summary>Healthchecks keeps at most 100 kB of a ping's body; this much is plenty for a summary and a log tail.</summary>
    public const int MaxBodyChars = 10_000;

    /// <summary>The request for <paramref name="signal"/>, or null when the type says nothing for it (Kuma and Gatus have no start).</summary>
    public static PingRequest? Build(string owner, PingOptions ping, PingSignal signal, string? runId, string message, double? milliseconds)
    {
        ArgumentNullException.ThrowIfNull(ping);
        var type = ping.Type!.ToLowerInvariant();
        var url = new UriBuilder(ping.Url!);
        string Query(params (string Key, string? Value)[] pairs)
        {
            var existing = url.Query.TrimStart('?');
            var added = string.Join('&', pairs.Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}"));
            return existing.Length == 0 ? added : added.Length == 0 ? existing : $"{existing}&{added}";
        }

        var body = message.Length > MaxBodyChars ? message[..MaxBodyChars] : message;
        var ms = milliseconds?.ToString("0", CultureInfo.InvariantCulture);
        switch (type)
        {
            case "healthchecks":
                url.Path = url.Path.TrimEnd('/') + signal switch { PingSignal.Start => "/start", PingSignal.Failure => "/fail", _ => "" };
                url.Query = Query(("rid", runId));
                return new PingRequest { Owner = owner, Type = type, Method = "POST", Url = url.Uri.AbsoluteUri, Body = body };
            case "uptime-kuma" when signal != PingSignal.Start:
                url.Query = Query(("status", signal == PingSignal.Success ? "up" : "down"), ("msg", Shorten(message, 250)), ("ping", ms));
                return new PingRequest { Owner = owner, Type = type, Url = url.Uri.AbsoluteUri };
            case "gatus" when signal != PingSignal.Start:
                url.Query = Query(("success", signal == PingSignal.Success ? "true" : "false"), ("error", signal == PingSignal.Success ? null : Shorten(message, 250)),
                    ("duration", ms is null ? null : ms + "ms"));
                return new PingRequest { Owner = owner, Type = type, Method = "POST", Url = url.Uri.AbsoluteUri };
            case "url" when signal == PingSignal.Success:
                return new PingRequest { Owner = owner, Type = type, Url = url.Uri.AbsoluteUri };
            default:
                return null;
        }
    }

    private static string Shorten(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length > length ? line[..length] : line;
    }
}
