using System.Diagnostics;
using System.Globalization;
using Mono.Unix.Native;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Backups;

/// <summary>
/// Stop signals and concurrent runs of one job against the real executable, with a dump large enough (about 100 MB of random hex
/// text, compressed at level 19) to be mid-way when the signal or the second run arrives.
/// </summary>
[NonParallelizable]
public sealed class BackupSignalTests
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Enough that the compressor has work in hand (more than the 1 MiB zstd jobs at level 19), a tenth of the dump.</summary>
    private const long MidWayBytes = 10L << 20;

    private string _database = null!;
    private string _port = null!;
    private DirectoryInfo _dir = null!;

    private static string Pg => TestEnvironment.Require("OPSAGENT_TEST_PG");

    private string Backups => Path.Combine(_dir.FullName, "backups");

    private string State => Path.Combine(_dir.FullName, "state");

    [OneTimeSetUp]
    public async Task CreateLargeDatabase()
    {
        _port = new Npgsql.NpgsqlConnectionStringBuilder(Pg).Port.ToString(CultureInfo.InvariantCulture);
        _database = "opsagent_signal_" + Guid.NewGuid().ToString("N")[..6];
        await SqlAsync("postgres", $"create database {_database}");
        var row = string.Join("||", Enumerable.Repeat("md5(random()::text)", 16));
        await SqlAsync(_database, $"create table t as select g, {row} as body from generate_series(1, 200000) g");
    }

    [OneTimeTearDown]
    public async Task DropLargeDatabase()
    {
        if (_database is not null)
        {
            await SqlAsync("postgres", $"drop database if exists {_database} with (force)");
        }
    }

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("opsagent-signal-");

    [TearDown]
    public void RemoveDirectory() => _dir.Delete(recursive: true);

    [Test]
    public async Task Daemon_SigtermDuringDump_CancelsTheRunRemovesThePartialAndLogsCancelled()
    {
        using var journal = new JournalCapture(Path.Combine(_dir.FullName, "journal.sock"));
        var config = await WriteConfigAsync(journal.Path);
        using var daemon = AgentProcess.Start("run", "--config", config);
        var output = Drain(daemon);

        // CatchUp fires the job at start: there is no backup yet.
        var tools = await WaitForDumpUnderWayAsync(daemon);
        Terminate(daemon);

        await WaitForExitAsync(daemon, output);
        Assert.That(daemon.ExitCode, Is.Zero, "a stopped daemon exits cleanly");
        AssertNothingLeft(tools);
        var failed = await journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "backup_failed", "backup_failed in the journal", TimeSpan.FromSeconds(2));
        Assert.That(failed.GetValueOrDefault("OPSAGENT_REASON"), Is.EqualTo("cancelled"), string.Join("; ", failed.Select(kv => $"{kv.Key}={kv.Value}")));
    }

    [Test]
    public async Task BackupRun_SigtermDuringDump_RemovesThePartialSaysCancelledAndExitsNonZero()
    {
        var config = await WriteConfigAsync(Path.Combine(_dir.FullName, "no-journal.sock"));
        using var cli = AgentProcess.Start("backup", "run", "signal", "--config", config);
        var output = Drain(cli);

        var tools = await WaitForDumpUnderWayAsync(cli);
        Terminate(cli);

        await WaitForExitAsync(cli, output);
        Assert.That(cli.ExitCode, Is.Not.Zero);
        AssertNothingLeft(tools);
        Assert.That((await output).Out, Does.Contain("backup signal failed (cancelled)"));
    }

    [Test]
    public async Task BackupRun_TwoProcessesOnOneJobAtOnce_OneSucceedsTheOtherSaysAlreadyRunning()
    {
        var config = await WriteConfigAsync(Path.Combine(_dir.FullName, "no-journal.sock"), compressionLevel: 3);

        var runs = await Task.WhenAll(
            AgentProcess.RunAsync("backup", "run", "signal", "--config", config),
            AgentProcess.RunAsync("backup", "run", "signal", "--config", config));

        Assert.That(runs.Count(r => r.Exit == 0), Is.EqualTo(1), string.Join("\n", runs.Select(r => r.All)));
        var loser = runs.Single(r => r.Exit != 0);
        Assert.That(loser.Out, Does.Contain("backup signal failed (already_running)"));
        var published = Directory.GetFiles(Backups, "*.dump.zst");
        Assert.That(published, Has.Length.EqualTo(1));
        Assert.That(Directory.GetFiles(Backups, "*.partial"), Is.Empty);
        var verify = await AgentProcess.RunAsync("backup", "verify", published[0]);
        Assert.That(verify.Exit, Is.Zero, verify.All);
    }

    [Test]
    public async Task Daemon_StartedWhileBackupRunDumps_LeavesTheLivePartial()
    {
        using var journal = new JournalCapture(Path.Combine(_dir.FullName, "journal.sock"));
        var config = await WriteConfigAsync(journal.Path, catchUp: false);
        using var cli = AgentProcess.Start("backup", "run", "signal", "--config", config);
        var cliOutput = Drain(cli);
        var tools = await WaitForDumpUnderWayAsync(cli);
        var partial = Directory.GetFiles(Backups, "*.partial").Single();

        using var daemon = AgentProcess.Start("run", "--config", config);
        var daemonOutput = Drain(daemon);
        await journal.WaitForAsync(e => e.GetValueOrDefault("MESSAGE", "").Contains("started; listening on", StringComparison.Ordinal), "the daemon's start", Eventually.Slow);

        Assert.That(File.Exists(partial), Is.True, "the daemon left the CLI's live partial alone");
        Assert.That(cli.HasExited, Is.False, "the CLI still dumps");
        Terminate(daemon);
        await WaitForExitAsync(daemon, daemonOutput);
        Terminate(cli);
        await WaitForExitAsync(cli, cliOutput);
        AssertNothingLeft(tools);
    }

    private static async Task SqlAsync(string database, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(Pg) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private async Task<string> WriteConfigAsync(string journalSocket, int compressionLevel = 19, bool catchUp = true)
    {
        var password = new Npgsql.NpgsqlConnectionStringBuilder(Pg).Password;
        var config = Path.Combine(_dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(config, TestAgent.Config(journalSocket, $$"""
            "Backups": {
              "signal": {
                "Engine": "postgres",
                "Schedule": "0 2 * * *",
                "Connection": "Host=127.0.0.1;Port={{_port}};Username=postgres;Password={{password}};Database={{_database}}",
                "Directory": "{{Backups}}",
                "CompressionLevel": {{compressionLevel}},
                "CatchUp": {{(catchUp ? "true" : "false")}},
                "Retention": { "KeepLast": 5 }
              }
            }
            """, stateDirectory: State));
        return config;
    }

    private static Task<CliResult> Drain(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        return Task.Run(async () => new CliResult(0, await stdout, await stderr));
    }

    /// <summary>
    /// Waits until the process's pg_dump has written <see cref="MidWayBytes"/> into the pipe and the partial file exists:
    /// the dump is under way and the compressor has a full job of work in hand.
    /// </summary>
    private async Task<List<int>> WaitForDumpUnderWayAsync(Process process)
    {
        await Eventually.WaitAsync(
            () => Task.FromResult(process.HasExited || (ToolsOf(process.Id).Sum(Written) >= MidWayBytes && Directory.GetFiles(Backups, "*.partial").Length > 0)),
            "pg_dump mid-way and its partial file", TimeSpan.FromSeconds(120));
        Assert.That(process.HasExited, Is.False, "the process was still dumping");
        return ToolsOf(process.Id);
    }

    private static void Terminate(Process process)
        => Assert.That(Syscall.kill(process.Id, Signum.SIGTERM), Is.Zero, "kill -TERM");

    private static async Task WaitForExitAsync(Process process, Task<CliResult> output)
    {
        using var deadline = new CancellationTokenSource(ExitDeadline);
        var watch = Stopwatch.StartNew();
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            await TestContext.Out.WriteLineAsync($"exited {watch.Elapsed.TotalSeconds:0.0} s after SIGTERM");
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var printed = await output;
            Assert.Fail($"the process was still running {ExitDeadline.TotalSeconds} s after SIGTERM; it printed: {printed.All}");
        }
    }

    private void AssertNothingLeft(List<int> tools)
    {
        Assert.That(tools.Where(t => File.Exists($"/proc/{t}/stat") && IsLiveTool(t)), Is.Empty, "pg_dump killed");
        var files = Directory.Exists(Backups) ? Directory.GetFiles(Backups).Select(Path.GetFileName).ToList() : [];
        Assert.That(files.Where(f => f!.EndsWith(".partial", StringComparison.Ordinal)), Is.Empty, "no partial left");
        Assert.That(files.Where(f => f!.EndsWith(".sha256", StringComparison.Ordinal)), Is.Empty, "nothing published");
    }

    /// <summary>The bytes <paramref name="pid"/> has written (/proc/PID/io wchar), 0 once it is gone.</summary>
    private static long Written(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal));
            return long.Parse(line["wchar:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return 0;
        }
    }

    /// <summary>True while <paramref name="pid"/> is a pg_dump that has not exited (a zombie has: only its parent did not reap it).</summary>
    private static bool IsLiveTool(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat.Contains("(pg_dump) ", StringComparison.Ordinal) && !stat.Contains("(pg_dump) Z", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The pg_dump processes whose parent is <paramref name="pid"/>.</summary>
    private static List<int> ToolsOf(int pid)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var child))
            {
                continue;
            }

            try
            {
                // stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                if (comm == "pg_dump" && int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
                {
                    found.Add(child);
                }
            }
            catch (IOException)
            {
            }
        }

        return found;
    }
}
