using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Testing;

namespace OpsAgent.Tests.Support;

/// <summary>
/// A container of the harness's images through the real engine, for tests of jobs and probes that reach into one: its
/// main process is a shell, as in the field (PID 1 ignores SIGTERM), and its commands run through the Engine API.
/// </summary>
public sealed class TestContainer : IAsyncDisposable
{
    private TestContainer(DockerClient docker, string endpoint, string name)
    {
        Docker = docker;
        Endpoint = endpoint;
        Name = name;
    }

    public DockerClient Docker { get; }

    /// <summary>The harness's engine endpoint, for the agent's <c>Docker:Endpoint</c>.</summary>
    public string Endpoint { get; }

    public string Name { get; }

    /// <summary>
    /// The Debian image's PostgreSQL (trust on its socket), started by the main shell. With <paramref name="healthy"/>,
    /// the engine reports it healthy while <c>/tmp/ok</c> exists; every start creates it again, so a restart heals what
    /// removing it broke.
    /// </summary>
    public static async Task<TestContainer> StartPostgresAsync(string prefix, bool healthy = false)
    {
        // A container killed at the end of its stop timeout leaves postmaster.pid behind; nothing else runs at a start.
        var container = await StartAsync(prefix, TestEnvironment.Require("OPSAGENT_TEST_DEBIAN_IMAGE"),
            "rm -f /tmp/ok /var/lib/postgresql/*/main/postmaster.pid; sed -i 's/peer/trust/;s/scram-sha-256/trust/' /etc/postgresql/*/main/pg_hba.conf && pg_ctlcluster $(ls /usr/lib/postgresql) main start && touch /tmp/ok && sleep infinity",
            healthy);
        await Eventually.WaitAsync(async () => (await container.PsqlAsync("postgres", "select 1")).Exit == 0, "PostgreSQL in the container", Eventually.Slow);
        return container;
    }

    /// <summary>A container of <paramref name="image"/> running <paramref name="script"/> under <c>sh -c</c>, without a network.</summary>
    /// <param name="healthy">A HEALTHCHECK of <c>test -f /tmp/ok</c> every 500 ms, one failure making it unhealthy.</param>
    public static async Task<TestContainer> StartAsync(string prefix, string image, string script, bool healthy = false)
    {
        var endpoint = TestEnvironment.Require("OPSAGENT_TEST_DOCKER");
        var docker = new DockerClientConfiguration(new Uri(endpoint)).CreateClient();
        var container = new TestContainer(docker, endpoint, prefix + Guid.NewGuid().ToString("N")[..8]);
        await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Name = container.Name,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
            Cmd = ["sh", "-c", script],
            Healthcheck = healthy
                ? new HealthConfig { Test = ["CMD-SHELL", "test -f /tmp/ok"], Interval = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromSeconds(2), Retries = 1 }
                : null,
        });
        await docker.Containers.StartContainerAsync(container.Name, new ContainerStartParameters());
        return container;
    }

    public Task<ContainerInspectResponse> InspectAsync() => Docker.Containers.InspectContainerAsync(Name);

    /// <summary>Waits until the engine reports the container healthy (a container started with a health check).</summary>
    public Task WaitHealthyAsync() => Eventually.WaitAsync(async () => (await InspectAsync()).State.Health?.Status == "healthy", $"{Name} healthy", Eventually.Slow);

    /// <summary>Runs <paramref name="command"/> in the container: its exit code, and its stdout (trimmed) or, when it failed, its stderr.</summary>
    public async Task<(long Exit, string Output)> ExecAsync(params string[] command)
    {
        var exec = await Docker.Exec.ExecCreateContainerAsync(Name, new ContainerExecCreateParameters { AttachStdout = true, AttachStderr = true, Cmd = command });
        using var stream = await Docker.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(TestContext.CurrentContext.CancellationToken);
        var inspect = await Docker.Exec.InspectContainerExecAsync(exec.ID);
        return (inspect.ExitCode, inspect.ExitCode == 0 ? stdout.Trim() : stderr);
    }

    public Task<(long Exit, string Output)> PsqlAsync(string database, string sql)
        => ExecAsync("psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-U", "postgres", "-d", database, "-c", sql);

    /// <summary>One value from <paramref name="sql"/>; a failing statement fails the test.</summary>
    public async Task<string> ScalarAsync(string database, string sql)
    {
        var (exit, output) = await PsqlAsync(database, sql);
        Assert.That(exit, Is.Zero, output);
        return output;
    }

    /// <summary>Starts <paramref name="command"/> in the container without waiting for it; the exec's id.</summary>
    public async Task<string> StartDetachedAsync(params string[] command)
    {
        var exec = await Docker.Exec.ExecCreateContainerAsync(Name, new ContainerExecCreateParameters { Cmd = command });
        await Docker.Exec.StartContainerExecAsync(exec.ID);
        return exec.ID;
    }

    public Task WaitForExecAsync(string id, string what)
        => Eventually.WaitAsync(async () => !(await Docker.Exec.InspectContainerExecAsync(id)).Running, what, Eventually.Slow);

    public async ValueTask DisposeAsync()
    {
        await Docker.Containers.RemoveContainerAsync(Name, new ContainerRemoveParameters { Force = true });
        Docker.Dispose();
    }
}
