using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Restarts;
using OpsAgent.Health.Checks.Disk;

namespace OpsAgent.Health.Tests.Checks.Disk;

/// <summary>The disk probe on a real, small tmpfs filled step by step, against what <c>df</c> says of it.</summary>
[NonParallelizable]
public sealed class DiskProbeTests
{
    private string _mount = null!;

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("statvfs and tmpfs are Linux's");
        }

        _mount = Directory.CreateTempSubdirectory("opsagent-disk-").FullName;
        // 4 MiB and 64 inodes: a few writes cross each threshold.
        var (exit, output) = Run("mount", "-t", "tmpfs", "-o", "size=4m,nr_inodes=64,mode=0755", "tmpfs", _mount);
        if (exit != 0)
        {
            Directory.Delete(_mount);
            Assert.Ignore($"cannot mount a tmpfs here (needs root): {output}");
        }
    }

    [TearDown]
    public void TearDown()
    {
        if (_mount is not null && Directory.Exists(_mount))
        {
            Run("umount", _mount);
            Directory.Delete(_mount, recursive: true);
        }
    }

    private static (int Exit, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }

    private static Task<ProbeResult> ProbeAsync(DiskProbeOptions settings)
    {
        IProbeCheck check = new DiskProbe();
        return check.CheckAsync("disk", new ProbeOptions { Type = "disk", Settings = settings }, CancellationToken.None);
    }

    private void Fill(string name, int kibibytes) => File.WriteAllBytes(Path.Combine(_mount, name), new byte[kibibytes * 1024]);

    private int DfPercent(string column)
    {
        var (_, output) = Run("df", $"--output={column}", _mount);
        return int.Parse(output.Split('\n')[^1].Trim().TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Test]
    public async Task Disk_FilledPastWarningThenCritical_LevelsFollowAndUsedMatchesDf()
    {
        var settings = new DiskProbeOptions { Path = _mount, WarningPercent = 80, CriticalPercent = 90 };

        var empty = await ProbeAsync(settings);
        Fill("a", 3400);
        var warning = await ProbeAsync(settings);
        var dfAtWarning = DfPercent("pcent");
        Fill("b", 400);
        var critical = await ProbeAsync(settings);
        File.Delete(Path.Combine(_mount, "a"));
        var cleaned = await ProbeAsync(settings);

        Assert.Multiple(() =>
        {
            Assert.That((empty.Level, empty.Success), Is.EqualTo((ProbeLevel.Ok, true)), empty.Message);
            Assert.That((warning.Level, warning.Success, warning.Reason), Is.EqualTo((ProbeLevel.Warning, true, "used_ratio_warning")), warning.Message);
            Assert.That((critical.Level, critical.Success, critical.Reason), Is.EqualTo((ProbeLevel.Critical, false, "used_ratio_critical")), critical.Message);
            Assert.That(cleaned.Level, Is.EqualTo(ProbeLevel.Ok), "deleting a file brings it back: " + cleaned.Message);
            // df rounds its Use% up; the probe's ratio is the exact one of the same formula.
            var used = warning.Measures.Single(m => m.Name == "used_ratio").Value * 100;
            Assert.That(Math.Ceiling(used), Is.EqualTo(dfAtWarning), $"used {used:0.##}% vs df {dfAtWarning}%");
            Assert.That(warning.Message, Does.Contain("used_ratio").And.Contain("warning ≥ 80%").And.Contain("critical ≥ 90%"));
        });
    }

    [Test]
    public async Task Disk_InodesPastCriticalWithEmptyFiles_CriticalOnInodesAlone()
    {
        var settings = new DiskProbeOptions { Path = _mount, WarningPercent = 80, CriticalPercent = 90, InodesCriticalPercent = 95 };
        for (var i = 0; i < 62; i++)
        {
            File.WriteAllBytes(Path.Combine(_mount, $"empty-{i}"), []);
        }

        var result = await ProbeAsync(settings);
        var dfInodes = DfPercent("ipcent");

        Assert.Multiple(() =>
        {
            Assert.That((result.Level, result.Reason), Is.EqualTo((ProbeLevel.Critical, "inodes_used_ratio_critical")), result.Message);
            Assert.That(result.Measures.Single(m => m.Name == "used_ratio").Level, Is.EqualTo(ProbeLevel.Ok), "empty files take no space");
            Assert.That(Math.Ceiling(result.Measures.Single(m => m.Name == "inodes_used_ratio").Value * 100), Is.EqualTo(dfInodes));
        });
    }

    [Test]
    public async Task Disk_MinFreeBytesAboveWhatIsLeft_CriticalWhateverThePercentage()
    {
        var settings = new DiskProbeOptions { Path = _mount, MinFreeBytes = new(5L << 20) };

        var result = await ProbeAsync(settings);

        Assert.That((result.Level, result.Reason), Is.EqualTo((ProbeLevel.Critical, "free_bytes_critical")), result.Message);
    }

    [Test]
    public async Task Disk_PathMissing_FailsNotFound()
    {
        var result = await ProbeAsync(new DiskProbeOptions { Path = Path.Combine(_mount, "no", "such") });

        Assert.That((result.Success, result.Reason), Is.EqualTo((false, "not_found")), result.Message);
    }
    [Test]
    public async Task Disk_CriticalWithOnCritical_CommandDeletesTheFileOnceAndTheProbeRecovers()
    {
        using var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var commands = new HostCommandRunner(new ToolRunner(null), TimeProvider.System, loggers.CreateLogger<HostCommandRunner>());
        var supervisor = new ProbeSupervisor(new ProbeStateStore(TimeProvider.System), new PauseStore(TimeProvider.System, loggers.CreateLogger<PauseStore>()),
            new RestartTargetTypes([]), SecretRedactor.Shared, TimeProvider.System, loggers.CreateLogger<ProbeSupervisor>(), commands: commands);
        var options = new ProbeOptions
        {
            Type = "disk",
            Settings = new DiskProbeOptions { Path = _mount, WarningPercent = 80, CriticalPercent = 90 },
            FailureThreshold = 1,
            OnCritical = new ProbeCommandOptions { Command = $"rm -f {Path.Combine(_mount, "old.log")}", Timeout = TimeSpan.FromSeconds(30) },
        };
        var all = new ProbesOptions { Probes = { ["tmp-disk"] = options } };
        Fill("old.log", 3800);

        var critical = await ProbeAsync((DiskProbeOptions)options.Settings);
        await supervisor.StepAsync("tmp-disk", options, all, _mount, critical, CancellationToken.None);
        await supervisor.StepAsync("tmp-disk", options, all, _mount, critical, CancellationToken.None);
        var after = await ProbeAsync((DiskProbeOptions)options.Settings);
        var state = await supervisor.StepAsync("tmp-disk", options, all, _mount, after, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(critical.Level, Is.EqualTo(ProbeLevel.Critical), critical.Message);
            Assert.That(File.Exists(Path.Combine(_mount, "old.log")), Is.False, "OnCritical ran");
            Assert.That(logs.WithEvent("probe_command"), Has.Count.EqualTo(1), "once per Window, not on every critical run");
            Assert.That(logs.WithEvent("probe_command")[0].Message, Does.Contain("succeeded"));
            Assert.That((after.Level, state.Healthy), Is.EqualTo((ProbeLevel.Ok, true)), after.Message);
            Assert.That(logs.WithEvent("probe_recovered"), Has.Count.EqualTo(1));
        });
    }
}
