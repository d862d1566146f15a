using Microsoft.Extensions.Time.Testing;
using OpsAgent.Core.Processes;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Checks.Log;

namespace OpsAgent.Health.Tests.Checks.Log;

/// <summary>The log probe on a real file written, rotated by rename and by copytruncate, across an agent restart, on a fake clock.</summary>
public sealed class LogProbeTests
{
    private string _dir = null!;
    private string _log = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-logprobe-").FullName;
        _log = Path.Combine(_dir, "gunicorn_error.log");
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 2, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private LogProbe Probe() => new(new ToolRunner(null), () => Path.Combine(_dir, "state"), _clock);

    private static LogProbeOptions Errors() => new() { Pattern = "ERROR|Traceback", Window = TimeSpan.FromMinutes(5), WarningCount = 3, CriticalCount = 6 };

    private async Task<ProbeResult> CheckAsync(LogProbe probe, LogProbeOptions settings)
    {
        settings.File ??= _log;
        IProbeCheck check = probe;
        return await check.CheckAsync("gunicorn-errors", new ProbeOptions { Type = "log", Settings = settings }, CancellationToken.None);
    }

    private void Write(int errors, int others, string? to = null)
    {
        using var writer = File.AppendText(to ?? _log);
        for (var i = 0; i < errors; i++)
        {
            writer.WriteLine($"[2026-12-03 02:00:{i:00}] ERROR request {i} failed");
        }

        for (var i = 0; i < others; i++)
        {
            writer.WriteLine($"[2026-12-03 02:00:{i:00}] INFO ok {i}");
        }
    }

    private static double Matches(ProbeResult result) => result.Measures.Single(m => m.Name == "matches").Value;

    [Test]
    public async Task Check_LinesBeforeTheFirstCheckAndAfter_OnlyNewLinesCountedOverTheWindow()
    {
        Write(errors: 10, others: 5);
        using var probe = Probe();

        var first = await CheckAsync(probe, Errors());
        Write(errors: 4, others: 100);
        var warning = await CheckAsync(probe, Errors());
        _clock.Advance(TimeSpan.FromMinutes(2));
        Write(errors: 3, others: 0);
        var critical = await CheckAsync(probe, Errors());
        _clock.Advance(TimeSpan.FromMinutes(4));
        var later = await CheckAsync(probe, Errors());

        Assert.Multiple(() =>
        {
            Assert.That((Matches(first), first.Level), Is.EqualTo((0, ProbeLevel.Ok)), "what was there before is not counted");
            Assert.That((Matches(warning), warning.Level, warning.Reason), Is.EqualTo((4, ProbeLevel.Warning, "matches_warning")), warning.Message);
            Assert.That((Matches(critical), critical.Level), Is.EqualTo((7, ProbeLevel.Critical)), critical.Message);
            Assert.That(critical.Lines!.Split('\n'), Has.Length.EqualTo(7).And.All.Contains("ERROR"), "the last matching lines");
            Assert.That((Matches(later), later.Level), Is.EqualTo((3, ProbeLevel.Warning)), "the first four left the 5-minute window");
        });
    }

    [Test]
    public async Task Check_RotatedByRenameAndByCopytruncate_EveryNewLineCountedOnce()
    {
        File.WriteAllText(_log, "");
        using var probe = Probe();
        await CheckAsync(probe, Errors());

        Write(errors: 2, others: 1);
        // logrotate's default: rename, and the application opens a new file; one more line reached the old one first.
        File.Move(_log, _log + ".1");
        Write(errors: 1, others: 0, to: _log + ".1");
        Write(errors: 2, others: 3);
        var renamed = await CheckAsync(probe, Errors());

        Write(errors: 1, others: 0);
        await CheckAsync(probe, Errors());
        // copytruncate: the content copied away, the file cut to zero in place, then written again.
        File.Copy(_log, _log + ".2");
        using (var stream = new FileStream(_log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(0);
        }

        Write(errors: 1, others: 0);
        var truncated = await CheckAsync(probe, Errors());

        Assert.Multiple(() =>
        {
            Assert.That(Matches(renamed), Is.EqualTo(5), "2 before the rename, 1 written to the renamed file, 2 in the new one");
            Assert.That(Matches(truncated), Is.EqualTo(7), "1 more before, and the new file's line from its start");
        });
    }

    [Test]
    public async Task Check_AgentRestarted_ResumesWhereItStoppedNeitherRecountingNorSkipping()
    {
        File.WriteAllText(_log, "");
        using (var before = Probe())
        {
            await CheckAsync(before, Errors());
            Write(errors: 2, others: 0);
            await CheckAsync(before, Errors());
        }

        Write(errors: 3, others: 0);
        using var after = Probe();
        var resumed = await CheckAsync(after, Errors());

        Assert.That(Matches(resumed), Is.EqualTo(3), "the 3 written while it was down, not the 2 seen before");
    }

    [Test]
    public async Task Check_ErrorRateWithTotalPattern_ShareOfRequestsAgainstPercentages()
    {
        File.WriteAllText(_log, "");
        var settings = new LogProbeOptions { Pattern = "\" 5\\d\\d ", TotalPattern = "HTTP/1\\.1\"", WarningPercent = 1, CriticalPercent = 5 };
        using var probe = Probe();
        await CheckAsync(probe, settings);
        using (var writer = File.AppendText(_log))
        {
            for (var i = 0; i < 100; i++)
            {
                writer.WriteLine($"127.0.0.1 - - [03/Dec/2026:02:00:00 +0000] \"GET /api/{i} HTTP/1.1\" {(i < 3 ? 502 : 200)} 12 \"-\" \"curl\"");
            }

            writer.WriteLine("2026/12/03 02:00:00 [notice] 12#12: signal process started");
        }

        var result = await CheckAsync(probe, settings);

        Assert.Multiple(() =>
        {
            Assert.That(result.Measures.Single(m => m.Name == "match_ratio").Value, Is.EqualTo(0.03), "3 of the 100 request lines, not of 101 lines");
            Assert.That((result.Level, result.Reason), Is.EqualTo((ProbeLevel.Warning, "match_ratio_warning")), result.Message);
        });
    }

    [Test]
    public async Task Check_FileNeverThere_NotFound()
    {
        using var probe = Probe();

        var result = await CheckAsync(probe, Errors());

        Assert.That((result.Success, result.Reason), Is.EqualTo((false, "not_found")));
    }
}
