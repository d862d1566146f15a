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
}
