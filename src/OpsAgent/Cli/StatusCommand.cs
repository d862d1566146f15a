using System.Globalization;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;
using OpsAgent.Core.Status;
using Spectre.Console;

namespace OpsAgent.Cli;

/// <summary><c>opsagent status</c>: shows the running agent's <c>/status</c>.</summary>
internal static class StatusCommand
{
    /// <summary>Fetches and prints the status; returns 0 when all jobs last succeeded, 1 when one failed, 2 when the agent is unreachable.</summary>
    public static async Task<int> RunAsync(string? configPath, string? url, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (await FetchAsync(configPath, url, error, cancellationToken).ConfigureAwait(false) is not { } body)
        {
            return 2;
        }

        if (json)
        {
            await output.WriteLineAsync(body).ConfigureAwait(false);
            return 0;
        }

        var report = System.Text.Json.JsonSerializer.Deserialize(body, StatusJsonContext.Default.StatusReport)!;
        var zone = TimeZoneResolver.TryResolve(report.Scheduler.TimeZone, out var z) ? z : TimeZoneInfo.Local;
        string Time(DateTimeOffset? t) => t is { } v ? TimeZoneInfo.ConvertTime(v, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "-";

        if (!Console.IsOutputRedirected && ReferenceEquals(output, Console.Out))
        {
            AnsiConsole.MarkupLine($"OpsAgent [bold]{Markup.Escape(report.Version)}[/], scheduler [bold]{Markup.Escape(report.Scheduler.Condition)}[/], configuration generation {report.Configuration.Generation}");
            var table = new Table().AddColumns("Kind", "Name", "Schedule", "Last result", "Reason", "Last run", "Next run");
            foreach (var job in report.Jobs)
            {
                var result = job.LastResult switch { "success" => "[green]success[/]", "failure" => "[red]failure[/]", var other => Markup.Escape(other) };
                table.AddRow(Markup.Escape(job.Kind), Markup.Escape(job.Name), Markup.Escape(job.Schedule), result,
                    Markup.Escape(job.Reason ?? ""), Time(job.LastEnd ?? job.LastStart), Time(job.NextFire));
            }

            AnsiConsole.Write(table);
            if (report.Items.Count > 0)
            {
                var items = new Table().AddColumns("Kind", "Name", "State", "Reason", "Checked");
                foreach (var item in report.Items)
                {
                    var state = item.State switch { "ok" or "healthy" => $"[green]{item.State}[/]", "warning" => "[yellow]warning[/]", var other => $"[red]{Markup.Escape(other)}[/]" };
                    items.AddRow(Markup.Escape(item.Kind), Markup.Escape(item.Name), state, Markup.Escape(item.Reason ?? ""), Time(item.CheckedAt));
                }

                AnsiConsole.Write(items);
            }
        }
        else
        {
            await output.WriteLineAsync($"OpsAgent {report.Version}, scheduler {report.Scheduler.Condition}, configuration generation {report.Configuration.Generation}").ConfigureAwait(false);
            foreach (var job in report.Jobs)
            {
                await output.WriteLineAsync($"{job.Kind}\t{job.Name}\t{job.Schedule}\t{job.LastResult}\t{job.Reason ?? "-"}\t{Time(job.LastEnd ?? job.LastStart)}\t{Time(job.NextFire)}").ConfigureAwait(false);
            }

            foreach (var item in report.Items)
            {
                await output.WriteLineAsync($"{item.Kind}\t{item.Name}\t{item.State}\t{item.Reason ?? "-"}\t{Time(item.CheckedAt)}").ConfigureAwait(false);
            }
        }

        foreach (var problem in report.Configuration.LastReloadErrors)
        {
            await error.WriteLineAsync($"last reload rejected: {problem}").ConfigureAwait(false);
        }

        return report.Jobs.Any(j => j.LastResult == "failure") ? 1 : 0;
    }

    /// <summary>The running agent's <c>/status</c> body (secrets masked), or null after saying why it cannot be reached.</summary>
    public static async Task<string?> FetchAsync(string? configPath, string? url, TextWriter error, CancellationToken cancellationToken)
    {
        var baseUrl = url ?? ListenUrl(configPath);
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal)), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var body = await http.GetStringAsync(new Uri("status", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            return SecretRedactor.Shared.Redact(body);
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"cannot reach the agent at {http.BaseAddress}status: {ex.Message} (is opsagent running? systemctl status opsagent)").ConfigureAwait(false);
            return null;
        }
    }

    private static string ListenUrl(string? configPath)
        => ConfigurationLoader.ReadFoundationLeniently(ConfigurationFiles.Resolve(configPath)).Http.Listen.TrimEnd('/') + "/";
}
