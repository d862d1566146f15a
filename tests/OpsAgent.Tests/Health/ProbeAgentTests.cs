using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Health;

/// <summary>Probes inside the running agent (scheduling, journal, metrics, /status) and the probe, pause and resume verbs of the real executable.</summary>
[NonParallelizable]
public sealed class ProbeAgentTests
{
    private HealthTestServer _server = null!;

    [SetUp]
    public async Task SetUp() => _server = await HealthTestServer.StartAsync();

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    private string Probe(string name, string restart = "") => $$"""
        "Probes": {
          "{{name}}": {
            "Type": "http", "Url": "{{_server.Url}}/health", "ExpectJson": { "status": "healthy", "database": "connected" },
            "Every": "1s", "Timeout": "1s", "FailureThreshold": 2{{(restart.Length > 0 ? ", " + restart : "")}}
          }
        }
        """;

    private static Task<Dictionary<string, string>> EntryAsync(TestAgent agent, string @event, string probe, string what)
        => agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == @event && e.GetValueOrDefault("OPSAGENT_PROBE") == probe, what);

    [Test]
    public async Task Degrade_Seed004Backend_FailingInJournalMetricsAndStatusThenRecovered()
    {
        _server.Respond(200, """{"status":"healthy","database":"connected"}""");
        await using var agent = await TestAgent.StartAsync(Probe("tracehub-api"));
        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_probe_healthy{probe=\"tracehub-api\"} 1", StringComparison.Ordinal), "the first probe run");

        _server.Respond(200, """{"status":"healthy","database":"disconnected"}""");
        var failing = await EntryAsync(agent, "probe_failing", "tracehub-api", "probe_failing in the journal");
        var metrics = await agent.MetricsAsync();
        var status = await agent.StatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(failing["PRIORITY"], Is.EqualTo("3"));
            Assert.That(failing["OPSAGENT_REASON"], Is.EqualTo("json_mismatch:database"));
            Assert.That(failing["MESSAGE"], Does.Contain("database is \"disconnected\""));
            Assert.That(metrics, Does.Contain("opsagent_probe_healthy{probe=\"tracehub-api\"} 0"));
            Assert.That(metrics, Does.Contain("opsagent_probe_success{probe=\"tracehub-api\"} 0"));
            Assert.That(metrics, Does.Match("opsagent_probe_last_success_timestamp_seconds\\{probe=\"tracehub-api\"\\} \\d"));
            Assert.That(status.Items.Single(i => i.Kind == "probe").State, Is.EqualTo("failing"));
            Assert.That(status.Jobs.Single(j => j.Kind == "probe").Reason, Is.EqualTo("json_mismatch:database"));
        });

        var list = await AgentProcess.RunAsync("probe", "list", "--url", agent.BaseUrl);
        Assert.That(list.Exit, Is.EqualTo(1), list.All);
        Assert.That(list.Out, Does.Contain("tracehub-api\tfailing\tjson_mismatch:database\t"));

        _server.Respond(200, """{"status":"healthy","database":"connected"}""");
        await EntryAsync(agent, "probe_recovered", "tracehub-api", "probe_recovered");
        Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_probe_healthy{probe=\"tracehub-api\"} 1"));
    }

    [Test]
    public async Task ProbeRun_Cli_PrintsResultReasonAndExitCode()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-probecli-").FullName;
        try
        {
            var config = Path.Combine(dir, "appsettings.json");
            File.WriteAllText(config, TestAgent.Config(Path.Combine(dir, "none.sock"), Probe("sims-api")));
            _server.Respond(200, """{"status":"healthy","database":"connected"}""");
            var ok = await AgentProcess.RunAsync("probe", "run", "sims-api", "--config", config);
            _server.Respond(503, """{"status":"starting"}""");
            var bad = await AgentProcess.RunAsync("probe", "run", "sims-api", "--config", config);
            var unknown = await AgentProcess.RunAsync("probe", "run", "nope", "--config", config);

            Assert.Multiple(() =>
            {
                Assert.That(ok.Exit, Is.EqualTo(0), ok.All);
                Assert.That(ok.Out, Does.Match(@"^sims-api: ok in \d+ ms: HTTP 200"));
                Assert.That(bad.Exit, Is.EqualTo(1));
                Assert.That(bad.Out, Does.Match(@"^sims-api: failed \(status_503\) in \d+ ms: HTTP 503"));
                Assert.That(unknown.Out, Does.Contain("no probe 'nope' (configured: sims-api)"));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task Pause_FromTheCliWhileTheDaemonRuns_RestartSkippedUntilResumed()
    {
        var endpoint = TestEnvironment.Require("OPSAGENT_TEST_DOCKER");
        var image = TestEnvironment.Require("OPSAGENT_TEST_IMAGE");

        using var docker = new DockerClientConfiguration(new Uri(endpoint)).CreateClient();
        var container = $"opsagent-pause-{Guid.NewGuid():N}"[..26];
        await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image, Name = container, Cmd = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" }, HostConfig = new HostConfig { NetworkMode = "none" },
        });
        await docker.Containers.StartContainerAsync(container, new ContainerStartParameters());
        var started = (await docker.Containers.InspectContainerAsync(container)).State.StartedAt;
        _server.Respond(200, """{"status":"healthy","database":"connected"}""");
        var restart = $$"""
            "Restart": { "Container": "{{container}}", "StopTimeoutSeconds": 1, "VerifyTimeout": "10s", "Backoff": { "Initial": "1s", "Max": "2s" } }
            """;
        await using var agent = await TestAgent.StartAsync($$"""
            "Docker": { "Endpoint": "{{endpoint}}" },
            {{Probe("paused-api", restart)}}
            """);
        try
        {
            var pause = await AgentProcess.RunAsync("pause", "paused-api", "--for", "10m", "--config", agent.ConfigPath);
            Assert.That(pause.Exit, Is.EqualTo(0), pause.All);
            Assert.That(pause.Out, Does.Contain("paused-api paused until"));

            _server.Respond(500, "oops");
            var skipped = await EntryAsync(agent, "restart_skipped", "paused-api", "restart_skipped while paused");
            Assert.That(skipped["OPSAGENT_REASON"], Does.StartWith("paused_until:"));
            Assert.That((await docker.Containers.InspectContainerAsync(container)).State.StartedAt, Is.EqualTo(started), "not restarted while paused");

            var resume = await AgentProcess.RunAsync("resume", "paused-api", "--config", agent.ConfigPath);
            Assert.That(resume.Out, Does.Contain("resumed: paused-api"));
            await EntryAsync(agent, "restart_started", "paused-api", "the restart after resume");
            await Eventually.WaitAsync(async () => (await docker.Containers.InspectContainerAsync(container)).State.StartedAt != started, "the container restarted");
            Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_restart_suppressed{probe=\"paused-api\"} 0"));
        }
        finally
        {
            await AgentProcess.RunAsync("resume", "--config", agent.ConfigPath);
            await docker.Containers.RemoveContainerAsync(container, new ContainerRemoveParameters { Force = true });
        }
    }
}
