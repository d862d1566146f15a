namespace OpsAgent.Tests.Support;

/// <summary>The fixture itself: what one test leaves behind never reaches another.</summary>
public sealed class TestAgentTests
{
    private const string Probe = """
        "Probes": { "isolation-probe": { "Type": "tcp", "Host": "127.0.0.1", "Port": 1, "Every": "1h" } }
        """;

    [Test]
    public async Task StartAsync_TwoAgents_APauseInOneIsNotSeenByTheOther()
    {
        await using var first = await TestAgent.StartAsync(Probe);
        await using var second = await TestAgent.StartAsync(Probe);

        var paused = await AgentProcess.RunAsync("pause", "isolation-probe", "--for", "1h", "--config", first.ConfigPath);
        Assert.That(paused.Exit, Is.Zero, paused.All);

        // Resuming in the second agent finds nothing: it does not share the first one's state (nor a previous run's).
        var other = await AgentProcess.RunAsync("resume", "isolation-probe", "--config", second.ConfigPath);
        var own = await AgentProcess.RunAsync("resume", "isolation-probe", "--config", first.ConfigPath);

        Assert.That(other.Out, Does.Contain("nothing was paused for isolation-probe"), other.All);
        Assert.That(own.Out, Does.Contain("resumed: isolation-probe"), own.All);
    }
}
