using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Hosting;

/// <summary>
/// What the real daemon maps into memory on a host that configures little: the client libraries of what is not
/// configured stay on disk (issue 24: an agent on every 1 GB VPS is judged first by what it costs there).
/// </summary>
[Platform("Linux")]
public sealed class FootprintTests
{
    private static readonly string[] NotConfiguredLibraries = ["Docker.DotNet.dll", "MongoDB.Driver.dll", "MailKit.dll", "AWSSDK.S3.dll", "Renci.SshNet.dll"];

    [Test]
    public async Task Daemon_NothingConfigured_MapsNoClientLibraryOfWhatIsNotConfigured()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-footprint-");
        try
        {
            using var journal = new JournalCapture(Path.Combine(dir.FullName, "journal.sock"));
            var config = Path.Combine(dir.FullName, "appsettings.json");
            await File.WriteAllTextAsync(config, TestAgent.Config(journal.Path));
            using var daemon = AgentProcess.Start("run", "--config", config);
            daemon.OutputDataReceived += (_, _) => { };
            daemon.ErrorDataReceived += (_, _) => { };
            daemon.BeginOutputReadLine();
            daemon.BeginErrorReadLine();
            try
            {
                await journal.WaitForAsync(e => e.GetValueOrDefault("MESSAGE", "").StartsWith("OpsAgent ", StringComparison.Ordinal)
                    && e.GetValueOrDefault("MESSAGE", "").Contains(" started; listening on ", StringComparison.Ordinal), "the daemon's start", Eventually.Slow);
                var mapped = (await File.ReadAllLinesAsync($"/proc/{daemon.Id}/maps"))
                    .Select(l => Path.GetFileName(l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? ""))
                    .ToHashSet(StringComparer.Ordinal);

                Assert.That(mapped, Does.Contain("opsagent.dll"), "the maps are the daemon's");
                Assert.That(NotConfiguredLibraries.Where(mapped.Contains), Is.Empty, "loaded although nothing uses them");
            }
            finally
            {
                daemon.Kill(entireProcessTree: true);
                await daemon.WaitForExitAsync();
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>What a one-shot verb must not load: the daemon's web host, scheduler, exporters and every client library.</summary>
    private static readonly string[] DaemonOnlyLibraries =
    [
        "Microsoft.AspNetCore.", "Quartz.", "OpenTelemetry.", "Serilog.", "Npgsql.", "MongoDB.", "Docker.DotNet.", "MailKit.", "AWSSDK.", "Renci.SshNet.", "Spectre.Console.",
    ];

    [TestCase("--help")]
    [TestCase("version")]
    public async Task Cli_StartUpVerb_OpensNoneOfTheDaemonsLibraries(string verb)
    {
        // A short-lived process has no /proc/PID/maps to read afterwards: strace records every assembly it opens.
        TestEnvironment.RequireOnPath("strace");
        var trace = Path.Combine(Path.GetTempPath(), $"opsagent-startup-{Guid.NewGuid():N}.strace");
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("strace",
                ["-f", "-qq", "-e", "trace=openat", "-o", trace, "dotnet", Path.Combine(AppContext.BaseDirectory, "opsagent.dll"), verb])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEndAsync();
            await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.That(process.ExitCode, Is.Zero, await output);

            var opened = (await File.ReadAllLinesAsync(trace))
                .Where(l => !l.Contains("= -1 ", StringComparison.Ordinal))
                .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"""([^""]+\.dll)""").Groups[1].Value)
                .Where(f => f.Length > 0)
                .Select(Path.GetFileName)
                .ToHashSet(StringComparer.Ordinal);

            Assert.That(opened, Does.Contain("opsagent.dll").And.Contain("System.CommandLine.dll"), "the trace is the CLI's");
            Assert.That(opened.Where(f => DaemonOnlyLibraries.Any(p => f!.StartsWith(p, StringComparison.Ordinal))), Is.Empty, "loaded by a verb that needs none of them");
        }
        finally
        {
            File.Delete(trace);
        }
    }
}
