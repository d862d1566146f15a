using System.Diagnostics;
using Mono.Unix.Native;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Backups;

/// <summary>
/// <c>systemctl stop</c> mid-dump of a container job, with the agent in another PID namespace than the engine (an
/// nspawn host, a container with the Docker socket mounted): the real executable runs under
/// <c>unshare --pid --fork --mount-proc</c>, so the PIDs the engine reports name nothing (or something else) there.
/// </summary>
/// <remarks>
/// pg_dump waits on a lock another session holds, so it is mid-dump for as long as the test needs. The container's
/// main process is a shell, as in the field: PID 1 ignores SIGTERM.
/// </remarks>
[NonParallelizable]
[CancelAfter(300_000)]
public sealed class ContainerSignalTests
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(30);

    private TestContainer _db = null!;
    private DirectoryInfo _dir = null!;
    private string _config = null!;

    [OneTimeSetUp]
    public async Task StartPostgresContainer()
    {
        _db = await TestContainer.StartPostgresAsync("opsagent-signal-");
        Assert.That((await PsqlAsync("postgres", "create database shop")).Exit, Is.Zero);
        var seeded = await PsqlAsync("shop", "create table orders (id int primary key, note text); insert into orders select g, md5(g::text) from generate_series(1, 3000) g;");
        Assert.That(seeded.Exit, Is.Zero, seeded.Output);

        _dir = Directory.CreateTempSubdirectory("opsagent-csignal-");
        _config = Path.Combine(_dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(_config, TestAgent.Config(Path.Combine(_dir.FullName, "no-journal.sock"), $$"""
            "Docker": { "Endpoint": "{{_db.Endpoint}}" },
            "Backups": {
              "shop": {
                "Engine": "postgres",
                "Schedule": "0 2 * * *",
                "Container": "{{_db.Name}}",
                "Connection": "Host=/var/run/postgresql;Username=postgres;Database=shop",
                "Directory": "{{_dir.FullName}}/backups",
                "CatchUp": false
              }
            }
            """, stateDirectory: Path.Combine(_dir.FullName, "state")));
    }

    [OneTimeTearDown]
    public async Task RemoveContainer()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }

        _dir?.Delete(recursive: true);
    }

    [Test]
    public async Task BackupRun_SigtermDuringContainerDumpFromAnotherPidNamespace_EndsPgDumpAndItsSession()
    {
        // The lock holder: pg_dump's LOCK TABLE ... IN ACCESS SHARE MODE waits behind it.
        var holder = await _db.StartDetachedAsync("psql", "-X", "-h", "/var/run/postgresql", "-U", "postgres", "-d", "shop", "-c",
            "begin; lock table orders in access exclusive mode; select pg_sleep(3600);");
        try
        {
            await Eventually.WaitAsync(async () => await ScalarAsync("select count(*) from pg_locks where relation = 'orders'::regclass and mode = 'AccessExclusiveLock' and granted") == "1", "the lock held");
            using var cli = StartInOwnPidNamespace("backup", "run", "shop", "--config", _config);
            var output = Drain(cli);
            await Eventually.WaitAsync(async () => cli.HasExited || await ScalarAsync("select count(*) from pg_stat_activity where application_name = 'pg_dump' and wait_event_type = 'Lock'") == "1",
                "pg_dump waiting on the lock", Eventually.Slow);
            Assert.That(cli.HasExited, Is.False, $"the CLI still dumps: {(cli.HasExited ? (await output).All : string.Empty)}");
            Assert.That(await ContainerProcessesAsync(), Does.Contain("pg_dump"), "pg_dump runs in the container");

            Assert.That(Syscall.kill(AgentPid(cli), Signum.SIGTERM), Is.Zero, "kill -TERM");
            await WaitForExitAsync(cli, output);

            var printed = await output;
            Assert.That(cli.ExitCode, Is.Not.Zero, printed.All);
            Assert.That(printed.Out, Does.Contain("backup shop failed (cancelled)"), printed.All);
            Assert.That(await ContainerProcessesAsync(), Does.Not.Contain("pg_dump"), "pg_dump is gone from the container when the CLI has exited");
            Assert.That((await _db.InspectAsync()).State.Running, Is.True, "the container itself runs on");
        }
        finally
        {
            await PsqlAsync("postgres", "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(3600)%' and pid <> pg_backend_pid()");
            await _db.WaitForExecAsync(holder, "the lock holder's end");
        }

        // The backend waited on the lock and notices its client gone only now; it must not go on to dump.
        await Eventually.WaitAsync(async () => await ScalarAsync("select count(*) from pg_stat_activity where application_name = 'pg_dump'") == "0", "pg_dump's session ended");
        Assert.That(Directory.Exists(Path.Combine(_dir.FullName, "backups")) ? Directory.GetFiles(Path.Combine(_dir.FullName, "backups")) : [], Is.Empty, "nothing left or published");
    }

    /// <summary>The real executable as PID 1 of a PID namespace of its own, with its own /proc.</summary>
    private static Process StartInOwnPidNamespace(params string[] args)
    {
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "dotnet", Path.Combine(AppContext.BaseDirectory, "opsagent.dll"), .. args])
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    /// <summary>unshare's forked child, the agent (SIGTERM to unshare itself would not reach it).</summary>
    private static int AgentPid(Process unshare)
    {
        var children = File.ReadAllText($"/proc/{unshare.Id}/task/{unshare.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(children, Has.Length.EqualTo(1), "unshare forked the agent");
        return int.Parse(children[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<CliResult> Drain(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        return Task.Run(async () => new CliResult(0, await stdout, await stderr));
    }

    private static async Task WaitForExitAsync(Process process, Task<CliResult> output)
    {
        using var deadline = new CancellationTokenSource(ExitDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"the CLI was still running {ExitDeadline.TotalSeconds} s after SIGTERM; it printed: {(await output).All}");
        }
    }

    /// <summary>The names of the container's processes, read from its own /proc (the Debian image has no ps).</summary>
    /// <remarks>
    /// A process may end between the glob and the read (pg_dump does, just after SIGTERM): its cat fails, and as the
    /// loop's last command it made the whole exec fail with nothing on stderr (a CI run failed so), so a vanished entry
    /// is skipped.
    /// </remarks>
    private async Task<string> ContainerProcessesAsync()
    {
        var (exit, output) = await _db.ExecAsync("sh", "-c", "for p in /proc/[0-9]*; do [ \"$(cut -d' ' -f3 $p/stat 2>/dev/null)\" = Z ] || cat $p/comm 2>/dev/null || :; done");
        Assert.That(exit, Is.Zero, output);
        return output;
    }

    private Task<string> ScalarAsync(string sql) => _db.ScalarAsync("shop", sql);

    private Task<(long Exit, string Output)> PsqlAsync(string database, string sql) => _db.PsqlAsync(database, sql);
}
