using System.CommandLine;
using OpsAgent.Control;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OpsAgent.Certificates;
using OpsAgent.Certificates.Inspection;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;
using Spectre.Console;

namespace OpsAgent.Cli;

/// <summary>One line of <c>cert check</c>.</summary>
/// <param name="Name">The <c>certificate</c> label (entry, file, position).</param>
/// <param name="Source"><c>endpoint</c> or <c>file</c>.</param>
/// <param name="Location"><c>host:port</c> or the file path.</param>
/// <param name="Subject">Common name of the subject.</param>
/// <param name="Issuer">Common name of the issuer.</param>
/// <param name="NotBefore">Start of validity (UTC).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
/// <param name="DaysLeft">Days until not-after (negative once expired).</param>
/// <param name="Level"><c>ok</c>, <c>warning</c>, <c>critical</c>, or <c>failed</c> when nothing could be read.</param>
/// <param name="Reason">The machine reason of a problem.</param>
/// <param name="Problem">The problem in words (check failure, verification failure, expiry).</param>
internal sealed record CertificateRow(string Name, string Source, string Location, string? Subject, string? Issuer, DateTimeOffset? NotBefore, DateTimeOffset? NotAfter,
    double? DaysLeft, string Level, string? Reason, string? Problem);

/// <summary>Source-generated JSON for <c>cert check --json</c>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(List<CertificateRow>))]
internal sealed partial class CertificateJsonContext : JsonSerializerContext;

/// <summary><c>opsagent cert check [NAME] [--json]</c>: checks the configured certificates now and prints what it found.</summary>
internal static class CertificateCommands
{
    public static Command Build(Option<string?> config)
    {
        var cert = new Command("cert", "Certificate expiry checks");
        var name = new Argument<string?>("NAME") { Description = "Only this endpoint or file entry (a key under Certificates:Endpoints or Files)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var check = new Command("check", "Check certificates now: name, subject, issuer, not-after, days left, level, problem; exit 1 when any is not ok") { name, json };
        check.SetAction((parse, ct) => CheckAsync(parse.GetValue(config), parse.GetValue(name), parse.GetValue(json), Console.Out, ct));
        cert.Subcommands.Add(check);
        return cert;
    }

    internal static Task<int> CheckAsync(string? configPath, string? name, bool json, TextWriter output, CancellationToken cancellationToken)
        => ControlClient.RunAsync(configPath, new ControlRequest(ControlVerbs.CertCheck, name, Json: json), output, Console.Error,
            (services, configuration) => CheckAsync(services, configuration, name, json, output, cancellationToken), cancellationToken);

    internal static async Task<int> CheckAsync(IServiceProvider services, AgentConfiguration configuration, string? name, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        var options = configuration.Get<CertificatesOptions>();
        if (name is not null && !options.Endpoints.ContainsKey(name) && !options.Files.ContainsKey(name))
        {
            var known = string.Join(", ", options.Endpoints.Keys.Concat(options.Files.Keys).Order(StringComparer.Ordinal));
            await output.WriteLineAsync($"no certificate '{name}' (configured: {(known.Length == 0 ? "none" : known)})").ConfigureAwait(false);
            return 1;
        }

        if (options.IsEmpty)
        {
            await output.WriteLineAsync("No certificates configured (OpsAgent:Certificates:Endpoints and Files are empty).").ConfigureAwait(false);
            return 0;
        }

        var checks = await services.GetRequiredService<CertificateChecker>().CheckAsync(options, name, cancellationToken).ConfigureAwait(false);
        var rows = Rows(checks, options, services.GetRequiredService<TimeProvider>().GetUtcNow());
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(rows, CertificateJsonContext.Default.ListCertificateRow)).ConfigureAwait(false);
        }
        else if (!Console.IsOutputRedirected && ReferenceEquals(output, Console.Out))
        {
            var table = new Table().AddColumns("Name", "Subject", "Issuer", "Not after (UTC)", "Days left", "Level", "Problem");
            foreach (var row in rows)
            {
                var level = row.Level switch { "ok" => "[green]ok[/]", "warning" => "[yellow]warning[/]", var other => $"[red]{Markup.Escape(other)}[/]" };
                table.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Subject ?? "-"), Markup.Escape(row.Issuer ?? "-"), Format(row.NotAfter), Days(row.DaysLeft), level, Markup.Escape(row.Problem ?? ""));
            }

            AnsiConsole.Write(table);
        }
        else
        {
            await output.WriteLineAsync(string.Join('\t', "NAME", "SUBJECT", "ISSUER", "NOT_AFTER_UTC", "DAYS_LEFT", "LEVEL", "PROBLEM")).ConfigureAwait(false);
            foreach (var row in rows)
            {
                await output.WriteLineAsync(string.Join('\t', row.Name, row.Subject ?? "-", row.Issuer ?? "-", Format(row.NotAfter), Days(row.DaysLeft), row.Level, row.Problem ?? "-")).ConfigureAwait(false);
            }
        }

        return rows.All(r => r.Level == "ok" && r.Problem is null) ? 0 : 1;
    }

    internal static List<CertificateRow> Rows(IReadOnlyList<CertificateCheck> checks, CertificatesOptions options, DateTimeOffset now)
    {
        var rows = new List<CertificateRow>();
        foreach (var check in checks)
        {
            var source = check.Source == CertificateSource.Endpoint ? "endpoint" : "file";
            if (!check.Success)
            {
                rows.Add(new CertificateRow(check.Label, source, check.Location, null, null, null, null, null, "failed", check.FailureReason,
                    SecretRedactor.Shared.Redact($"{check.FailureReason}: {check.FailureMessage}")));
                continue;
            }

            foreach (var certificate in check.Certificates)
            {
                var (level, reason) = CertificateLevels.Evaluate(certificate, now, options.WarningDays, options.CriticalDays);
                var problems = new List<string>();
                if (reason is not null)
                {
                    problems.Add(reason);
                }

                if (certificate.Position == 1 && check.VerifyReason is not null)
                {
                    reason ??= check.VerifyReason;
                    problems.Add($"{check.VerifyReason}: {check.VerifyMessage}");
                }

                rows.Add(new CertificateRow(check.SeriesLabel(certificate), source, check.Location, certificate.Subject, certificate.Issuer, certificate.NotBefore,
                    certificate.NotAfter, Math.Floor(CertificateLevels.DaysLeft(certificate, now) * 100) / 100, level.Name(), reason,
                    problems.Count == 0 ? null : string.Join("; ", problems)));
            }
        }

        return rows;
    }

    private static string Format(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";

    private static string Days(double? days) => days is { } d ? Math.Floor(d).ToString(CultureInfo.InvariantCulture) : "-";
}
