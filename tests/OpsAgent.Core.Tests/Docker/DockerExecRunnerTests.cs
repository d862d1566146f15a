using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Processes;
using OpsAgent.Testing;

namespace OpsAgent.Core.Tests.Docker;

/// <summary>Killing an exec in a real busybox container: the kill runs inside the container and is checked.</summary>
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class DockerExecRunnerTests
{
    private DockerClient _docker = null!;
    private string _container = null!;

    [OneTimeSetUp]
    public async Task StartContainer()
    {
        _docker = new DockerClientConfiguration(new Uri(TestEnvironment.Require("OPSAGENT_TEST_DOCKER"))).CreateClient();
        _container = "opsagent-exec-" + Guid.NewGuid().ToString("N")[..8];
        await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = TestEnvironment.Require("OPSAGENT_TEST_IMAGE"),
            Name = _container,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
            // PID 1 ignores SIGTERM, as a shell-form main process does.
            Cmd = ["sh", "-c", "trap '' TERM; while true; do sleep 3600; done"],
        });
        await _docker.Containers.StartContainerAsync(_container, new ContainerStartParameters());
    }

    [OneTimeTearDown]
    public async Task RemoveContainer()
    {
        if (_container is not null)
        {
            await _docker.Containers.RemoveContainerAsync(_container, new ContainerRemoveParameters { Force = true });
        }

        _docker?.Dispose();
    }

    [TestCase("sleep 3517", TestName = "KillAsync_CommandAndChild_EndsThemInTheContainer")]
    [TestCase("trap '' TERM; sleep 3517; sleep 3517", TestName = "KillAsync_CommandIgnoringSigterm_EndsItWithSigkill")]
    public async Task KillAsync_LongRunningExec_LeavesNothingInTheContainer(string script)
    {
        var tool = await DockerExecRunner.StartAsync(_docker, new ToolCommand("sh", ["-c", script]) { Container = _container }, TestContext.CurrentContext.CancellationToken);
        await using (tool)
        {
            await Eventually.WaitAsync(async () => (await ProcessesAsync()).Contains("sleep 3517", StringComparison.Ordinal), "the exec's sleep in the container");

            await tool.KillAsync();
        }

        Assert.That(await ProcessesAsync(), Does.Not.Contain("3517"), "nothing of the exec is left in the container");
        Assert.That((await _docker.Containers.InspectContainerAsync(_container)).State.Running, Is.True, "the container runs on");
    }

    /// <summary>What docker top (the engine's ps) lists in the container.</summary>
    private async Task<string> ProcessesAsync()
    {
        var top = await _docker.Containers.ListProcessesAsync(_container, new ContainerListProcessesParameters { PsArgs = "-eo pid,stat,args" });
        return string.Join("\n", top.Processes.Where(p => !p[1].StartsWith('Z')).Select(p => p[2]));
    }
}
