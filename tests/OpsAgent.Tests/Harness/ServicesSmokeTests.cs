using OpsAgent.Testing;
using Docker.DotNet;
using Docker.DotNet.Models;
using Npgsql;

namespace OpsAgent.Tests.Harness;

/// <summary>Proves each real part tests/run.sh starts is reachable, so capability tests can rely on it.</summary>
public sealed class ServicesSmokeTests
{

    [Test]
    public async Task PostgreSql_TestServer_AnswersWithPasswordAuth()
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.Require("OPSAGENT_TEST_PG"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select current_setting('server_version_num')::int", connection);
        var version = (int)(await command.ExecuteScalarAsync())!;
        Assert.That(version, Is.GreaterThanOrEqualTo(130000));
    }

    /// <summary>Runs <paramref name="command"/> in a throw-away container and returns its exit code and demultiplexed output.</summary>
    private static async Task<(long Exit, string Stdout, string Stderr)> RunContainerAsync(string image, params string[] command)
    {
        using var client = new DockerClientConfiguration(new Uri(TestEnvironment.Require("OPSAGENT_TEST_DOCKER"))).CreateClient();
        await client.System.PingAsync();
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = command,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
        });
        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var wait = await client.Containers.WaitContainerAsync(created.ID);
            using var logs = await client.Containers.GetContainerLogsAsync(created.ID, tty: false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true });
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(CancellationToken.None);
            return (wait.StatusCode, stdout, stderr);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    [Test]
    public async Task Docker_TestEngine_RunsContainerFromImportedImage()
    {
        var (exit, stdout, stderr) = await RunContainerAsync(TestEnvironment.Require("OPSAGENT_TEST_IMAGE"), "sh", "-c", "echo out-line; echo err-line >&2");

        Assert.That(exit, Is.EqualTo(0));
        Assert.That(stdout, Is.EqualTo("out-line\n"));
        Assert.That(stderr, Is.EqualTo("err-line\n"), "stderr is demultiplexed, not mixed into stdout");
    }

    [Test]
    public async Task Docker_DebianImage_HasSystemdAndPostgreSql()
    {
        var (exit, stdout, _) = await RunContainerAsync(TestEnvironment.Require("OPSAGENT_TEST_DEBIAN_IMAGE"), "sh", "-c", "test -x /lib/systemd/systemd && ls /usr/lib/postgresql");

        Assert.That(exit, Is.EqualTo(0));
        Assert.That(stdout.Trim(), Does.Match(@"^\d+$"), "one PostgreSQL major version installed");
    }
}
