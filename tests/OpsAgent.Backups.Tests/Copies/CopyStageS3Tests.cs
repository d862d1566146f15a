using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.S3;
using OpsAgent.Backups.Tests.Copies.S3;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Testing;

namespace OpsAgent.Backups.Tests.Copies;

/// <summary>The copy stage against a real S3 server (s3rver): seed 001's retention over a year, and a server killed mid-upload.</summary>
[NonParallelizable]
public sealed class CopyStageS3Tests
{
    private static Dictionary<string, CopyTargetOptions> Targets(S3TargetOptions options) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["offsite"] = new CopyTargetOptions { Type = "s3", Settings = options, Timeout = TimeSpan.FromMinutes(5) },
    };

    private static BackupJobOptions Job(RetentionOptions local, CopyOptions copy) => new()
    {
        Engine = "postgres",
        Retention = local,
        Copies = new(StringComparer.OrdinalIgnoreCase) { ["offsite"] = copy },
    };

    [Test]
    public async Task Run_Seed001PolicyOverFourHundredNights_SevenDailyOnDiskFourWeeklyAndTwelveMonthlyOnTheTarget()
    {
        // Seed 001: "keep 7 days locally, 4 weeks remotely, 12 months in cold storage", one dump a night at 02:00 UTC.
        var s3 = S3TestServer.Require();
        var start = new DateTimeOffset(2025, 10, 1, 2, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        using var kit = new BackupTestKit(clock);
        var request = kit.Request("sims-db", Job(new RetentionOptions { KeepDaily = 7 },
            new CopyOptions { Retries = 0, Retention = new RetentionOptions { KeepWeekly = 4, KeepMonthly = 12 } }));
        var copy = BackupTestKit.CopyRequest(request, Targets(s3.Options(S3TestServer.UniquePrefix())));
        var nights = Enumerable.Range(0, 400).Select(d => start.AddDays(d)).ToList();
        foreach (var night in nights)
        {
            clock.SetUtcNow(night.AddMinutes(1));
            kit.WriteRealBackup("sims-db", night, System.Text.Encoding.UTF8.GetBytes($"dump of {night:O}"));
            var results = await kit.Copier.RunAsync(copy, null, null, CancellationToken.None);
            Assert.That(results[0].Success, Is.True, $"{night:O}: {results[0].Message}");
            kit.Retention.Apply(request);
        }

        // What the policy means, computed here without the agent's planner: the newest night of each of the last 4 ISO
        // weeks and of each of the last 12 months, and the last 7 nights on disk.
        string Name(DateTimeOffset t) => OpsAgent.Backups.Files.BackupFileNames.For("sims-db", t, ".dump.zst");
        var weekly = nights.GroupBy(n => (ISOWeek.GetYear(n.UtcDateTime), ISOWeek.GetWeekOfYear(n.UtcDateTime))).Select(g => g.Max()).OrderDescending().Take(4);
        var monthly = nights.GroupBy(n => (n.Year, n.Month)).Select(g => g.Max()).OrderDescending().Take(12);
        var expectedRemote = weekly.Concat(monthly).Distinct().Order().Select(Name).ToList();
        var expectedLocal = nights.TakeLast(7).Select(Name).ToList();

        var local = kit.FilesInDirectory().Where(f => f.EndsWith(".dump.zst", StringComparison.Ordinal)).ToList();
        var remote = (await kit.Fetcher.ListAsync(copy, "offsite", CancellationToken.None)).Where(e => e.Complete).Select(e => e.File).Order(StringComparer.Ordinal).ToList();
        await TestContext.Out.WriteLineAsync($"on disk ({local.Count}):\n  {string.Join("\n  ", local)}\non the target ({remote.Count}):\n  {string.Join("\n  ", remote)}");
        Assert.That(local, Is.EqualTo(expectedLocal));
        Assert.That(remote, Is.EqualTo(expectedRemote));
        Assert.That(remote, Has.Count.EqualTo(15), "4 weekly and 12 monthly share this month's newest night");
    }

    [Test]
    public async Task Run_ServerKilledMidUpload_FailsUncountedAndTheNextPassCatchesUpWithTheSameBytes()
    {
        var bin = TestEnvironment.Require("OPSAGENT_TEST_S3RVER_BIN");
        TestEnvironment.RequireOnPath("node");
        var shared = S3TestServer.Require();
        var data = Directory.CreateTempSubdirectory("opsagent-s3rver-");
        var port = FreePort();
        var server = await PrivateS3rver.StartAsync(bin, data.FullName, port, shared.Bucket);
        using var kit = new BackupTestKit();
        try
        {
            var endpoint = $"http://127.0.0.1:{port}";
            var options = shared.Options("killed/", o => o.Endpoint = endpoint);
            var request = kit.Request("db", Job(new RetentionOptions { KeepLast = 1 }, new CopyOptions { Retries = 0 }));
            var copy = BackupTestKit.CopyRequest(request, Targets(options));
            var content = GeneratedStream.Bytes(40L << 20, seed: 7);
            var path = kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-1), content);
            var name = Path.GetFileName(path);
            CopyStateStore.Enqueue(request.StateDirectory, "db", "offsite", name);
            var killed = 0;
            var progress = new SyncProgress(p =>
            {
                if (p.Bytes > 12L << 20 && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    server.Kill();
                }
            });

            var failed = await kit.Copier.RunAsync(copy, null, progress, CancellationToken.None);

            Assert.That(killed, Is.EqualTo(1), "the server was killed during the upload");
            Assert.That(failed[0].Success, Is.False);
            Assert.That(failed[0].Reason, Is.EqualTo(CopyReasons.Unreachable), failed[0].Message);
            Assert.That(CopyStateStore.Queued(request.StateDirectory, "db", "offsite"), Does.Contain(name), "still queued: it goes at the next pass");
            Assert.That(kit.Logs.WithEvent("copy_failed"), Has.Count.EqualTo(1));
            Assert.That(File.Exists(path), Is.True);

            server = await PrivateS3rver.StartAsync(bin, data.FullName, port, shared.Bucket);
            var listed = await kit.Fetcher.ListAsync(copy, "offsite", CancellationToken.None);
            Assert.That(listed.Where(e => e.Complete), Is.Empty, "nothing of the killed upload counts as a backup");

            var caughtUp = await kit.Copier.RunAsync(copy, null, null, CancellationToken.None);

            Assert.That(caughtUp[0].Success, Is.True, caughtUp[0].Message);
            Assert.That(caughtUp[0].Uploaded, Is.EqualTo(1));
            Assert.That(CopyStateStore.Queued(request.StateDirectory, "db", "offsite"), Is.Empty);
            var fetched = await kit.Fetcher.FetchAsync(copy, "offsite", null, null, Path.Combine(kit.Directory, "fetched"), (_, _, _) => Task.FromResult(true), null, CancellationToken.None);
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(fetched!.Path))), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(content))));
        }
        finally
        {
            server.Kill();
            data.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Run_CopyToGlacier_DataArchivedSidecarsReadableAndRestoreSaysNeedsThawForTheData()
    {
        var s3 = S3TestServer.Require();
        using var kit = new BackupTestKit();
        var request = kit.Request("db", Job(new RetentionOptions { KeepLast = 1 }, new CopyOptions { Retries = 0, StorageClass = "GLACIER" }));
        var prefix = S3TestServer.UniquePrefix();
        var copy = BackupTestKit.CopyRequest(request, Targets(s3.Options(prefix)));
        var name = Path.GetFileName(kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-1), GeneratedStream.Bytes(4096)));

        var results = await kit.Copier.RunAsync(copy, null, null, CancellationToken.None);
        var again = await kit.Copier.RunAsync(copy, null, null, CancellationToken.None);

        Assert.That(results[0].Success, Is.True, results[0].Message);
        Assert.That((again[0].Success, again[0].Uploaded), Is.EqualTo((true, 0)), "the next pass reads the sidecars without a thaw: nothing to upload again");
        using var client = s3.RawClient();
        // HEAD, not the listing: s3rver lists every object as STANDARD but keeps and answers the class it was written with.
        async Task<string> ClassOf(string key) => (await client.GetObjectMetadataAsync(s3.Bucket, prefix + key)).StorageClass?.Value ?? "STANDARD";
        Assert.That(await ClassOf(name), Is.EqualTo("GLACIER"));
        Assert.That(await ClassOf(name + ".sha256"), Is.EqualTo("STANDARD"));
        Assert.That(await ClassOf(name + ".json"), Is.EqualTo("STANDARD"));
        var ex = Assert.ThrowsAsync<CopyFailedException>(() => kit.Fetcher.FetchAsync(copy, "offsite", null, null, Path.Combine(kit.Directory, "fetched"), (_, _, _) => Task.FromResult(true), null, CancellationToken.None));
        Assert.That(ex!.Reason, Is.EqualTo(CopyReasons.NeedsThaw));
        Assert.That(ex.Message, Does.Contain($"--key {prefix}{name} "), "the command to run names the data object");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> would post to the thread pool, after the moment has passed).</summary>
    private sealed class SyncProgress(Action<CopyProgress> report) : IProgress<CopyProgress>
    {
        public void Report(CopyProgress value) => report(value);
    }

    /// <summary>An s3rver of this test's own, started as tests/lib/harness.sh starts the shared one, that the test may kill -9.</summary>
    private sealed class PrivateS3rver
    {
        private readonly Process _process;

        private PrivateS3rver(Process process) => _process = process;

        public static async Task<PrivateS3rver> StartAsync(string bin, string directory, int port, string bucket)
        {
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--openssl-legacy-provider", bin, "--directory", directory, "--address", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--no-vhost-buckets", "--configure-bucket", bucket })
            {
                psi.ArgumentList.Add(a);
            }

            var process = Process.Start(psi)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient();
            await Eventually.WaitAsync(async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, $"s3rver on port {port}", Eventually.Slow);
            return new PrivateS3rver(process);
        }

        /// <summary>SIGKILL: no goodbye to open connections, as a crashed or powered-off server.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
    }
}
