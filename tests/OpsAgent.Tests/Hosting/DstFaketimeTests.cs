using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OpsAgent.Tests.Hosting;

/// <summary>
/// The real daemon under libfaketime in Europe/Berlin, started inside the autumn's repeated hour after the night's backup:
/// it must not run that backup again (neither its trigger nor catch-up).
/// </summary>
[NonParallelizable]
public sealed class DstFaketimeTests
{
    private static string? LibFaketime => new[] { "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1" }
        .FirstOrDefault(File.Exists);

    private static async Task<JsonObject> StartAndReadStatusAsync(string fakeUtc, string[] backupsOnDisk)
    {
        if (LibFaketime is not { } lib)
        {
            Assert.Ignore("libfaketime is not installed (Debian package faketime; tests/run.sh installs it)");
            throw new InvalidOperationException();
        }

        var dir = Directory.CreateTempSubdirectory("opsagent-dst-");
        var backups = Directory.CreateDirectory(Path.Combine(dir.FullName, "backups")).FullName;
        foreach (var name in backupsOnDisk)
        {
            var path = Path.Combine(backups, name);
            await File.WriteAllTextAsync(path, "dump");
            await File.WriteAllTextAsync(path + ".sha256", $"00  {name}\n");
            await File.WriteAllTextAsync(path + ".json", """{"job":"db","engine":"postgres","tool":"pg_dump","format":"custom","compression":"zstd","sha256":"00","verified":true}""");
        }

        var port = LoopbackPort.Unused();
        var config = Path.Combine(dir.FullName, "appsettings.json");
        // The connection goes nowhere: a backup that ran would fail, and be counted; none must run.
        await File.WriteAllTextAsync(config, $$"""
            { "OpsAgent": { "TimeZone": "Europe/Berlin", "StateDirectory": "{{dir.FullName}}/state", "Http": { "Listen": "http://127.0.0.1:{{port}}" },
              "Control": { "Socket": "{{dir.FullName}}/control.sock" }, "Logging": { "Journald": { "SocketPath": "{{dir.FullName}}/no-journal.sock" } },
              "Backups": { "db": { "Engine": "postgres", "Schedule": "30 2 * * *", "Connection": "Host=127.0.0.1;Port={{LoopbackPort.Unused()}};Username=x;Password=y;Database=app",
                                   "Database": "app", "Directory": "{{backups}}", "Retries": 0 } } } }
            """);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "opsagent.dll"));
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        psi.Environment["LD_PRELOAD"] = lib;
        psi.Environment["FAKETIME"] = "@" + fakeUtc;
        psi.Environment["TZ"] = "UTC";
        // Timers and timeouts run on the monotonic clock: only the wall clock is moved.
        psi.Environment["FAKETIME_DONT_FAKE_MONOTONIC"] = "1";
        using var process = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            JsonObject? status = null;
            await Eventually.WaitAsync(async () =>
            {
                try
                {
                    status = await http.GetFromJsonAsync<JsonObject>("status");
                    return status is not null;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the daemon's /status", Eventually.Slow);
            // Catch-up is decided right after start, and says so either way.
            await Eventually.WaitAsync(() => Contains(output, "no catch-up") || Contains(output, "catching up now"), "the catch-up decision");
            status = await http.GetFromJsonAsync<JsonObject>("status");
            status!["log"] = output.ToString();
            return status;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            dir.Delete(recursive: true);
        }
    }

    private static bool Contains(System.Text.StringBuilder output, string text)
    {
        lock (output)
        {
            return output.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    private static JsonNode Job(JsonObject status) => status["jobs"]!.AsArray().Single(j => j!["name"]!.GetValue<string>() == "db")!;

    [Test]
    public async Task Daemon_StartedInRepeatedHourAfterTheNightsBackup_NextRunIsTomorrowAndNoCatchUp()
    {
        // 2027-10-31 01:05 UTC is 02:05 CET, the repeated hour; the 02:30 CEST backup (00:30 UTC) is on disk.
        var status = await StartAndReadStatusAsync("2027-10-31 01:05:00", ["db_20271031T003000Z.dump.zst"]);

        var log = status["log"]!.GetValue<string>();
        Assert.That(DateTimeOffset.Parse(Job(status)["nextFire"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(new DateTimeOffset(2027, 11, 1, 1, 30, 0, TimeSpan.Zero)), log);
        Assert.That(log, Does.Not.Contain("catching up now"), "the 02:30 CEST backup is the night's run");
    }

    [Test]
    public async Task Daemon_StartedBeforeTheSpringChange_RunsOnceThatNight()
    {
        // 2027-03-28 00:50 UTC is 01:50 CET; 02:30 does not exist that night (02:00 CET becomes 03:00 CEST).
        var status = await StartAndReadStatusAsync("2027-03-28 00:50:00", ["db_20270327T013000Z.dump.zst"]);

        var next = DateTimeOffset.Parse(Job(status)["nextFire"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(next, Is.GreaterThanOrEqualTo(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero)).And.LessThanOrEqualTo(new DateTimeOffset(2027, 3, 28, 1, 30, 0, TimeSpan.Zero)),
            "once right after the change, as cron does");
    }
}
