using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Cli;

/// <summary>The real executable, as systemd and operators start it.</summary>
public sealed class ProcessTests
{
    private static Task<CliResult> RunAsync(params string[] args) => AgentProcess.RunAsync(args);

    [Test]
    public async Task Run_InvalidConfiguration_ExitsOneWithEveryError()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-proc-");
        var path = Path.Combine(dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(path, """{ "OpsAgent": { "TimeZone": "Mars/Base", "Http": { "Listen": "nowhere" }, "Bakups": {} } }""");

        var (exit, _, err) = await RunAsync("run", "--config", path);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(err, Does.Contain("OpsAgent:TimeZone: 'Mars/Base' is not a known time zone"));
        Assert.That(err, Does.Contain("OpsAgent:Http:Listen: 'nowhere' is not a listen URL"));
        Assert.That(err, Does.Contain("OpsAgent:Bakups: unknown setting"));
        dir.Delete(recursive: true);
    }

    [Test]
    public async Task CheckConfig_MissingFile_ExitsOneNamingIt()
    {
        var (exit, output, _) = await RunAsync("check-config", "--config", "/nonexistent/opsagent.json");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("/nonexistent/opsagent.json: configuration file does not exist"));
    }

    [Test]
    public async Task Version_PrintsVersion()
    {
        var (exit, output, _) = await RunAsync("version");
        Assert.That(exit, Is.EqualTo(0));
        Assert.That(output, Does.Match(@"^opsagent \d+\.\d+\.\d+"));
    }
}
