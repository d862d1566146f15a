using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Checks.Docker;
using OpsAgent.Health.Restarts;
using OpsAgent.Health.Restarts.Container;

namespace OpsAgent.Health.Tests.Checks.Docker;

/// <summary>The docker probe and container restarts against the real engine: a busybox container whose HEALTHCHECK reads a file.</summary>
// Real dumps and engines: a call that blocks (a tool or an exec that never ends) fails the test instead of hanging the run.
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class DockerProbeTests
{
    private DockerClient _docker = null!;
    private DockerClientProvider _provider = null!;
    private string _image = null!;
    private string _endpoint = null!;
    private string _dir = null!;
    private readonly List<string> _containers = [];
    private CapturingLoggerProvider _logs = null!;
    private ILoggerFactory _loggers = null!;


    [SetUp]
    public void SetUp()
    {
        _endpoint = TestEnvironment.Require("OPSAGENT_TEST_DOCKER");
        _image = TestEnvironment.Require("OPSAGENT_TEST_IMAGE");
        _docker = new DockerClientConfiguration(new Uri(_endpoint)).CreateClient();
        _provider = new DockerClientProvider(() => _endpoint);
        _dir = Directory.CreateTempSubdirectory("opsagent-dockerprobe-").FullName;
        _logs = new CapturingLoggerProvider();
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
    }

    [TearDown]
    public async Task TearDown()
    {
        // SetUp skips the test before anything exists when the harness's Docker is not there.
        if (_docker is null)
        {
            return;
        }

        foreach (var container in _containers)
        {
            await _docker.Containers.RemoveContainerAsync(container, new ContainerRemoveParameters { Force = true });
        }

        _containers.Clear();

        _loggers.Dispose();
        _logs.Dispose();
        _provider.Dispose();
        _docker.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Starts a container that is healthy while /tmp/ok exists; <paramref name="recreateOnStart"/> makes a restart heal it.</summary>
    /// <param name="ignoreSigterm">A shell-form main process without a trap, as most field containers have: PID 1 ignores SIGTERM, so a stop waits for its timeout.</param>
    private async Task<string> StartContainerAsync(bool recreateOnStart, bool ignoreSigterm = false)
    {
        var name = $"opsagent-probe-{Guid.NewGuid():N}"[..28];
        // /tmp/crash makes the main process exit 3 on its own: a crash, not a stop.
        var script = $"{(ignoreSigterm ? "" : "trap 'exit 0' TERM; ")}echo worker starting; rm -f /tmp/crash; {(recreateOnStart ? "touch /tmp/ok; " : "")}while :; do [ -f /tmp/crash ] && exit 3; sleep 1; done";
        var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = _image,
            Name = name,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            Cmd = ["sh", "-c", script],
            HostConfig = new HostConfig { NetworkMode = "host" },
            Healthcheck = new HealthConfig
            {
                Test = ["CMD-SHELL", "test -f /tmp/ok"],
                Interval = TimeSpan.FromMilliseconds(500),
                Timeout = TimeSpan.FromSeconds(2),
                Retries = 1,
            },
        });
        _containers.Add(created.ID);
        await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        if (!recreateOnStart)
        {
            await ExecAsync(name, "touch", "/tmp/ok");
        }

        await Eventually.WaitAsync(async () => (await _docker.Containers.InspectContainerAsync(name)).State.Health?.Status == "healthy", "the container to become healthy", Eventually.Slow);
        return name;
    }

    private async Task ExecAsync(string container, params string[] command)
    {
        var exec = await _docker.Exec.ExecCreateContainerAsync(container, new ContainerExecCreateParameters { Cmd = command });
        await _docker.Exec.StartContainerExecAsync(exec.ID);
        await Eventually.WaitAsync(async () => !(await _docker.Exec.InspectContainerExecAsync(exec.ID)).Running, $"{string.Join(' ', command)} in {container}", Eventually.Slow);
    }

    private static ProbeOptions Probe(string container, int maxRestarts = 3) => new()
    {
        Type = "docker",
        Settings = new DockerProbeOptions { Container = container },
        Every = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromSeconds(1),
        FailureThreshold = 2,
        Restart = new RestartOptions
        {
            Target = new ContainerTargetOptions { Container = container, StopTimeoutSeconds = 2 },
            MaxRestarts = maxRestarts,
            Backoff = new BackoffOptions { Initial = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(2) },
            VerifyTimeout = TimeSpan.FromSeconds(6),
        },
    };

    /// <summary>The agent's probe pieces, wired to the real engine; a new one per test (fresh state).</summary>
    private sealed record Rig(ProbeRunner Runner, ProbeSupervisor Supervisor, PauseStore Pauses);

    private Rig Agent()
    {
        var store = new ProbeStateStore(TimeProvider.System);
        var pauses = new PauseStore(TimeProvider.System, _loggers.CreateLogger<PauseStore>());
        var supervisor = new ProbeSupervisor(store, pauses, new RestartTargetTypes([(typeof(ContainerTargetOptions), (IRestartTargetFactory)new ContainerTargetType(_provider))]), SecretRedactor.Shared, TimeProvider.System,
            _loggers.CreateLogger<ProbeSupervisor>());
        return new Rig(new ProbeRunner(new ProbeTypes([KeyValuePair.Create<string, IProbeCheck>("docker", new DockerProbe(_provider))])), supervisor, pauses);
    }

    /// <summary>Runs the probe every 300 ms (the scheduler's job, compressed) until <paramref name="done"/> or <see cref="Eventually.Slow"/>.</summary>
    private async Task<ProbeState> DriveAsync(Rig rig, string probe, ProbeOptions options, Func<ProbeState, bool> done)
    {
        var (runner, supervisor, _) = rig;
        var all = new ProbesOptions { Probes = { [probe] = options } };
        ProbeState? state = null;
        await Eventually.WaitAsync(async () =>
        {
            var result = await runner.RunAsync(probe, options, TestContext.CurrentContext.CancellationToken);
            state = await supervisor.StepAsync(probe, options, all, _dir, result, TestContext.CurrentContext.CancellationToken);
            return done(state);
        }, $"probe {probe} to reach the state the test waits for", Eventually.Slow, interval: TimeSpan.FromMilliseconds(300));
        return state!;
    }

    [Test]
    public async Task Memory_ContainerPastItsLimitsCriticalPercent_CriticalThenRestartedAndRecovered()
    {
        var name = $"opsagent-mem-{Guid.NewGuid():N}"[..24];
        var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = _image,
            Name = name,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            Cmd = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
            HostConfig = new HostConfig { NetworkMode = "none", Memory = 128L << 20 },
        });
        _containers.Add(created.ID);
        await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var options = new ProbeOptions
        {
            Type = "memory",
            Settings = new Health.Checks.Memory.MemoryProbeOptions { Container = name, WarningPercent = 30, CriticalPercent = 50 },
            Every = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromSeconds(5),
            FailureThreshold = 2,
            Restart = new RestartOptions
            {
                Target = new ContainerTargetOptions { Container = name, StopTimeoutSeconds = 2 },
                Backoff = new BackoffOptions { Initial = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(2) },
                VerifyTimeout = TimeSpan.FromSeconds(20),
            },
        };
        var store = new ProbeStateStore(TimeProvider.System);
        var supervisor = new ProbeSupervisor(store, new PauseStore(TimeProvider.System, _loggers.CreateLogger<PauseStore>()),
            new RestartTargetTypes([(typeof(ContainerTargetOptions), (IRestartTargetFactory)new ContainerTargetType(_provider))]), SecretRedactor.Shared, TimeProvider.System,
            _loggers.CreateLogger<ProbeSupervisor>());
        var rig = new Rig(new ProbeRunner(new ProbeTypes([KeyValuePair.Create<string, IProbeCheck>("memory",
            new Health.Checks.Memory.MemoryProbe(new Systemctl(new ToolRunner(_provider)), _provider))])), supervisor, new PauseStore(TimeProvider.System, _loggers.CreateLogger<PauseStore>()));
        var calm = await rig.Runner.RunAsync("mem", options, TestContext.CurrentContext.CancellationToken);

        // 80 MB held by busybox tail (one line that never ends): 62 % of the 128 MiB limit, freed only when the process dies.
        await ExecAsync(name, "sh", "-c", "(head -c 80000000 /dev/zero; sleep 600) | tail > /dev/null &");
        var state = await DriveAsync(rig, "mem", options, s => s.Recovered > 0 || s.NotRecovered > 0);
        var high = _logs.WithEvent("probe_failing");

        Assert.Multiple(() =>
        {
            Assert.That(calm.Level, Is.EqualTo(ProbeLevel.Ok), calm.Message);
            Assert.That(calm.Message, Does.Contain("of 128.0 MiB"), "the ratio is of the container's limit");
            Assert.That(high, Has.Count.EqualTo(1));
            Assert.That(high[0].Message, Does.Contain("memory_ratio_critical"));
            Assert.That((state.Recovered, state.NotRecovered), Is.EqualTo((1L, 0L)), "the restart freed it");
            Assert.That(state.Last!.Level, Is.EqualTo(ProbeLevel.Ok), state.Last.Message);
        });
    }

    [Test]
    public async Task Cpu_ContainerBurningItsQuota_CriticalAgainstTheQuotaNotTheHost()
    {
        var name = $"opsagent-cpu-{Guid.NewGuid():N}"[..24];
        var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = _image,
            Name = name,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            Cmd = ["sh", "-c", "trap 'exit 0' TERM; while :; do :; done"],
            HostConfig = new HostConfig { NetworkMode = "none", NanoCPUs = 200_000_000 },
        });
        _containers.Add(created.ID);
        await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var options = new ProbeOptions
        {
            Type = "cpu",
            Settings = new Health.Checks.Cpu.CpuProbeOptions { Container = name, WarningPercent = 30, CriticalPercent = 60, Window = TimeSpan.FromSeconds(30) },
            Every = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromSeconds(5),
        };
        var runner = new ProbeRunner(new ProbeTypes([KeyValuePair.Create<string, IProbeCheck>("cpu",
            new Health.Checks.Cpu.CpuProbe(new Systemctl(new ToolRunner(_provider)), _provider, TimeProvider.System))]));
        var first = await runner.RunAsync("burn", options, TestContext.CurrentContext.CancellationToken);
        ProbeResult? measured = null;
        await Eventually.WaitAsync(async () =>
        {
            measured = await runner.RunAsync("burn", options, TestContext.CurrentContext.CancellationToken);
            return measured.Measures.Count > 0 && measured.Level == ProbeLevel.Critical;
        }, "the busy loop to use most of its 0.2 CPUs", Eventually.Slow, interval: TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(first.Measures, Is.Empty, "one sample is no average: " + first.Message);
            Assert.That(measured!.Reason, Is.EqualTo("cpu_ratio_critical"), measured.Message);
            Assert.That(measured.Message, Does.Contain("of its quota (0.2 CPUs)"));
            Assert.That(measured.Measures.Single().Value, Is.LessThan(1.5), "a share of the quota (throttled at it), not of the host");
        });
    }

    [Test]
    public async Task Probe_HealthyContainer_Succeeds()
    {
        var name = await StartContainerAsync(recreateOnStart: true);
        var rig = Agent();

        var result = await rig.Runner.RunAsync("worker", Probe(name), TestContext.CurrentContext.CancellationToken);
        var missing = await rig.Runner.RunAsync("worker", Probe("opsagent-no-such-container"), TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, result.Message);
        Assert.That(missing.Reason, Is.EqualTo("container_missing"));
    }

    [Test]
    public async Task Degrade_UnhealthyThenHealedByRestart_ExactlyOneRestartRecovered()
    {
        var name = await StartContainerAsync(recreateOnStart: true);
        var startedBefore = (await _docker.Containers.InspectContainerAsync(name)).State.StartedAt;
        var rig = Agent();
        var options = Probe(name);
        await DriveAsync(rig, "worker", options, s => s.Last?.Success == true);

        await ExecAsync(name, "rm", "/tmp/ok");
        var state = await DriveAsync(rig, "worker", options, s => s.Recovered > 0 || s.NotRecovered > 0);

        var inspect = await _docker.Containers.InspectContainerAsync(name);
        Assert.Multiple(() =>
        {
            Assert.That(state.Recovered, Is.EqualTo(1), _logs.AllText);
            Assert.That(state.Healthy, Is.True);
            Assert.That(_logs.WithEvent("restart_started"), Has.Count.EqualTo(1));
            Assert.That(_logs.WithEvent("probe_failing")[0].Properties["Reason"], Is.EqualTo("container_unhealthy"));
            Assert.That(inspect.State.StartedAt, Is.Not.EqualTo(startedBefore), "the engine restarted it");
            Assert.That(inspect.State.Health.Status, Is.EqualTo("healthy"));
        });
    }

    [Test]
    public async Task Degrade_StaysBroken_MaxRestartsThenSuppressedWithIncident()
    {
        var name = await StartContainerAsync(recreateOnStart: false);
        var rig = Agent();
        var options = Probe(name, maxRestarts: 2);

        await ExecAsync(name, "rm", "/tmp/ok");
        var state = await DriveAsync(rig, "worker", options, s => s.Suppressed);

        var incidents = Directory.GetFiles(Path.Combine(_dir, "incidents"));
        Assert.Multiple(() =>
        {
            Assert.That(state.Suppressed, Is.True, _logs.AllText);
            Assert.That(_logs.WithEvent("restart_started"), Has.Count.EqualTo(2));
            Assert.That(state.NotRecovered, Is.EqualTo(2));
            Assert.That(incidents, Has.Length.GreaterThanOrEqualTo(1));
            Assert.That(File.ReadAllText(incidents[0]), Does.Contain("worker starting"), "the container's log is in the incident file");
            Assert.That(_logs.WithEvent("restart_not_recovered")[0].Properties["Log"]?.ToString(), Does.Contain("worker starting"));
        });
    }

    [Test]
    public async Task Degrade_OperatorStopsContainer_StoppedAtNoticeAndNotRestarted()
    {
        var name = await StartContainerAsync(recreateOnStart: true);
        var rig = Agent();

        // The container's shell exits 0 on SIGTERM, as a server that honours docker stop does.
        await _docker.Containers.StopContainerAsync(name, new ContainerStopParameters { WaitBeforeKillSeconds = 5 });
        var state = await DriveAsync(rig, "worker", Probe(name), s => !s.Healthy && s.ConsecutiveFailures >= 4);

        Assert.Multiple(() =>
        {
            Assert.That(state.Name, Is.EqualTo("stopped"));
            Assert.That(state.Last!.Reason, Is.EqualTo("container_stopped"));
            Assert.That(_logs.WithEvent("probe_stopped"), Has.Count.EqualTo(1));
            Assert.That(_logs.WithEvent("probe_failing"), Is.Empty);
            Assert.That(_logs.WithEvent("restart_started"), Is.Empty);
        });
        Assert.That((await _docker.Containers.InspectContainerAsync(name)).State.Running, Is.False, "an operator's stop is not undone");
    }

    [Test]
    public async Task Degrade_WhilePaused_NoRestart()
    {
        var name = await StartContainerAsync(recreateOnStart: true);
        var startedBefore = (await _docker.Containers.InspectContainerAsync(name)).State.StartedAt;
        var rig = Agent();
        rig.Pauses.Pause(_dir, "worker", DateTimeOffset.UtcNow.AddMinutes(10));
        var options = Probe(name);

        await ExecAsync(name, "rm", "/tmp/ok");
        var state = await DriveAsync(rig, "worker", options, s => !s.Healthy && s.ConsecutiveFailures >= 8);

        Assert.Multiple(() =>
        {
            Assert.That(_logs.WithEvent("restart_started"), Is.Empty);
            Assert.That(_logs.WithEvent("restart_skipped").Single().Properties["Reason"]?.ToString(), Does.StartWith("paused_until:"));
            Assert.That(state.Healthy, Is.False);
        });
        Assert.That((await _docker.Containers.InspectContainerAsync(name)).State.StartedAt, Is.EqualTo(startedBefore));
    }

    [Test]
    public async Task Degrade_MainProcessIgnoresSigterm_RestartWaitsForTheStopTimeoutAndRecovers()
    {
        var name = await StartContainerAsync(recreateOnStart: true, ignoreSigterm: true);
        var startedBefore = (await _docker.Containers.InspectContainerAsync(name)).State.StartedAt;
        var rig = Agent();
        var options = Probe(name);
        ((ContainerTargetOptions)options.Restart!.Target!).StopTimeoutSeconds = 10;
        options.Restart.VerifyTimeout = TimeSpan.FromSeconds(6);
        await DriveAsync(rig, "worker", options, s => s.Last?.Success == true);

        await ExecAsync(name, "rm", "/tmp/ok");
        var state = await DriveAsync(rig, "worker", options, s => s.Recovered > 0 || s.NotRecovered > 0 || s.Errors > 0);

        Assert.Multiple(() =>
        {
            Assert.That(state.Errors, Is.Zero, _logs.AllText);
            Assert.That(state.Recovered, Is.EqualTo(1), _logs.AllText);
            Assert.That(_logs.WithEvent("restart_not_recovered"), Is.Empty);
        });
        Assert.That((await _docker.Containers.InspectContainerAsync(name)).State.StartedAt, Is.Not.EqualTo(startedBefore));
    }

    [Test]
    public async Task Degrade_OperatorStoppedTheContainer_NotRestarted()
    {
        // A main process that ignores SIGTERM is killed at the stop timeout (exit 137, like a crash by its code):
        // only the engine's events tell that a person stopped it.
        var name = await StartContainerAsync(recreateOnStart: true, ignoreSigterm: true);
        var rig = Agent();
        var options = Probe(name);
        await DriveAsync(rig, "worker", options, s => s.Last?.Success == true);

        await _docker.Containers.StopContainerAsync(name, new ContainerStopParameters { WaitBeforeKillSeconds = 1 });
        var state = await DriveAsync(rig, "worker", options, s => !s.Healthy && s.ConsecutiveFailures >= 6);

        Assert.Multiple(() =>
        {
            Assert.That(_logs.WithEvent("restart_started"), Is.Empty, _logs.AllText);
            Assert.That(_logs.WithEvent("restart_skipped").Single().Properties["Reason"], Is.EqualTo("operator_stopped"));
            Assert.That(state.Healthy, Is.False);
        });
        Assert.That((await _docker.Containers.InspectContainerAsync(name)).State.Running, Is.False, "still stopped");
    }

    [Test]
    public async Task Degrade_ContainerCrashed_RestartedAndRecovers()
    {
        var name = await StartContainerAsync(recreateOnStart: true);
        var rig = Agent();
        var options = Probe(name);
        await DriveAsync(rig, "worker", options, s => s.Last?.Success == true);

        await ExecAsync(name, "touch", "/tmp/crash");
        var state = await DriveAsync(rig, "worker", options, s => s.Recovered > 0 || s.NotRecovered > 0 || s.Errors > 0);

        Assert.Multiple(() =>
        {
            Assert.That(state.Recovered, Is.EqualTo(1), _logs.AllText);
            Assert.That(_logs.WithEvent("restart_skipped"), Is.Empty);
        });
    }

    [Test]
    public async Task Degrade_RestartedByTheAgentThenStoppedByAnOperator_NotRestartedAgain()
    {
        var name = await StartContainerAsync(recreateOnStart: true);
        var rig = Agent();
        var options = Probe(name);
        await DriveAsync(rig, "worker", options, s => s.Last?.Success == true);
        await ExecAsync(name, "rm", "/tmp/ok");
        await DriveAsync(rig, "worker", options, s => s.Recovered > 0 || s.NotRecovered > 0);
        var restartedAt = (await _docker.Containers.InspectContainerAsync(name)).State.StartedAt;

        await _docker.Containers.StopContainerAsync(name, new ContainerStopParameters { WaitBeforeKillSeconds = 5 });
        var state = await DriveAsync(rig, "worker", options, s => s.LastSkipReason is not null || s.Restarts.Count > 1);

        Assert.Multiple(() =>
        {
            Assert.That(state.LastSkipReason, Is.EqualTo("operator_stopped"), _logs.AllText);
            Assert.That(_logs.WithEvent("restart_started"), Has.Count.EqualTo(1), "only the agent's own restart");
        });
        Assert.That((await _docker.Containers.InspectContainerAsync(name)).State.StartedAt, Is.EqualTo(restartedAt));
    }
}
