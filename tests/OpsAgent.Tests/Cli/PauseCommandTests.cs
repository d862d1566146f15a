using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Cli;

/// <summary><c>opsagent pause</c> and <c>resume</c> when the state directory cannot hold the pause file.</summary>
public sealed class PauseCommandTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("opsagent-pause-");

    [TearDown]
    public void RemoveDirectory() => _dir.Delete(recursive: true);

    [TestCase("pause", "all", "--for", "1h")]
    [TestCase("resume")]
    public async Task PauseOrResume_StateDirectoryIsAFile_SaysSoAndExitsOne(params string[] verb)
    {
        var state = Path.Combine(_dir.FullName, "state");
        await File.WriteAllTextAsync(state, "not a directory");
        var config = Path.Combine(_dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(config, TestAgent.Config("/nonexistent", stateDirectory: state));

        var result = await AgentProcess.RunAsync([.. verb, "--config", config]);

        Assert.That(result.Exit, Is.EqualTo(1), result.All);
        Assert.That(result.All, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "));
        Assert.That(result.Out, Does.Contain($"cannot write the pause file in the state directory {state}"));
    }
}
