using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Certificates;

/// <summary>Certificate checks in the running agent (metrics, journal, /status) and through the real <c>opsagent cert check</c>.</summary>
[NonParallelizable]
public sealed class CertificateAgentTests
{
    private static readonly DateTimeOffset Now = TestCertificates.Second(DateTimeOffset.UtcNow);
    private string _dir = null!;
    private TlsTestServer _server = null!;
    private X509Certificate2 _ca = null!;
    private X509Certificate2 _leaf = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-certagent-").FullName;
        _ca = TestCertificates.CreateCa("Agent Test CA", Now.AddDays(-100), Now.AddDays(1000));
        _leaf = TestCertificates.CreateLeaf("api.test", Now.AddDays(-10), Now.AddDays(80), _ca);
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), TestCertificates.Pem(_ca));
        _server = new TlsTestServer();
        _server.Serve("*", _leaf);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        _leaf.Dispose();
        _ca.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string WriteFile(string name, double lifetimeDays, double daysLeft)
    {
        using var leaf = TestCertificates.WithDaysLeft(name, Now, lifetimeDays, daysLeft);
        var path = Path.Combine(_dir, "files", name + ".pem");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, TestCertificates.Pem(leaf));
        return path;
    }

    private string Section(string files) => $$"""
        "Certificates": {
          "Schedule": "0 3 * * *", "WarningDays": 30, "CriticalDays": 7,
          "Endpoints": { "api": { "Host": "127.0.0.1", "Port": {{_server.Port}}, "ServerName": "api.test", "TrustedCa": "{{_dir}}/ca.pem" } },
          "Files": { {{files}} }
        }
        """;

    [Test]
    public async Task Metrics_NoCheckRunAndNoStartupService_RenewalSeriesOfOnCriticalEntriesExported()
    {
        // Not due before next New Year and CertificateStartup (the check at start) left out: nothing of the capability is
        // constructed but what the metrics pipeline asks for.
        await using var agent = await TestAgent.StartAsync($$"""
            "Certificates": {
              "Schedule": "0 3 1 1 *",
              "Files": { "local": { "Path": "{{_dir}}/files/*.pem", "OnCritical": { "Command": "true" } } }
            }
            """, configureServices: TestAgent.Without<global::OpsAgent.Certificates.CertificateStartup>);

        var metrics = await agent.MetricsAsync();
        Assert.That(metrics, Does.Contain("opsagent_certificate_renewals_total{certificate=\"local\",result=\"failure\"} 0"));
        Assert.That(metrics, Does.Not.Contain("opsagent_certificate_check_success"), "no check has run");
    }

    [Test]
    public async Task Start_CertificatesConfigured_CheckedAtOnceIntoMetricsJournalAndStatus()
    {
        WriteFile("ok.test", 90, 60);
        WriteFile("soon.test", 90, 3);
        await using var agent = await TestAgent.StartAsync(Section($$"""
            "local": "{{_dir}}/files/*.pem",
            "gone": "{{_dir}}/nowhere/*.pem"
            """));

        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_certificate_check_success{certificate=\"gone\"}", StringComparison.Ordinal),
            "the check at start");
        var metrics = await agent.MetricsAsync();
        var apiNotAfter = new DateTimeOffset(_leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeSeconds();

        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Contain($"opsagent_certificate_not_after_timestamp_seconds{{certificate=\"api\",source=\"endpoint\",subject=\"api.test\"}} {apiNotAfter}"));
            Assert.That(metrics, Does.Contain("opsagent_certificate_verify_success{certificate=\"api\"} 1"));
            Assert.That(metrics, Does.Contain("opsagent_certificate_check_success{certificate=\"api\"} 1"));
            Assert.That(metrics, Does.Contain($"opsagent_certificate_not_after_timestamp_seconds{{certificate=\"local:soon.test.pem\",source=\"file\",subject=\"soon.test\"}} {Now.AddDays(3).ToUnixTimeSeconds()}"));
            Assert.That(metrics, Does.Contain("opsagent_certificate_check_success{certificate=\"local:ok.test.pem\"} 1"));
            Assert.That(metrics, Does.Contain("opsagent_certificate_check_success{certificate=\"gone\"} 0"));
        });

        await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "certificate_check_failed", "certificate_check_failed");
        await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "certificate_critical", "certificate_critical");
        var critical = agent.Journal.Entries.Single(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "certificate_critical");
        var failed = agent.Journal.Entries.Single(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "certificate_check_failed");
        Assert.Multiple(() =>
        {
            Assert.That(critical["PRIORITY"], Is.EqualTo("2"));
            Assert.That(critical["OPSAGENT_CERTIFICATE"], Is.EqualTo("local:soon.test.pem"));
            Assert.That(critical["OPSAGENT_LEVEL"], Is.EqualTo("critical"));
            Assert.That(failed["OPSAGENT_REASON"], Is.EqualTo("no_match"));
            Assert.That(failed["PRIORITY"], Is.EqualTo("3"));
            Assert.That(agent.Journal.Entries.Where(e => e.GetValueOrDefault("OPSAGENT_CERTIFICATE") == "local:ok.test.pem"), Is.Empty, "an ok certificate is not logged");
        });

        var status = await agent.StatusAsync();
        var items = status.Items.Where(i => i.Kind == "certificate").ToDictionary(i => i.Name, i => i.State);
        Assert.That(items, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["api"] = "ok", ["local:ok.test.pem"] = "ok", ["local:soon.test.pem"] = "critical", ["gone"] = "failed",
        }));
        Assert.That(status.Jobs.Single(j => j.Kind == "certificates").Reason, Is.EqualTo("check_failed"));
    }

    [Test]
    public async Task Reload_FileEntryRemoved_SeriesDisappear()
    {
        WriteFile("ok.test", 90, 60);
        await using var agent = await TestAgent.StartAsync(Section($$""" "local": "{{_dir}}/files/*.pem" """));
        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("certificate=\"local:ok.test.pem\"", StringComparison.Ordinal), "the check at start");

        await agent.WriteConfigAsync(Section(""));
        await Eventually.WaitAsync(async () => !(await agent.MetricsAsync()).Contains("certificate=\"local:", StringComparison.Ordinal), "the removed entry's series to go");

        Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_certificate_check_success{certificate=\"api\"} 1"));
    }

    [Test]
    public async Task CertCheck_AllOk_TableAndExitZero()
    {
        WriteFile("ok.test", 90, 60);
        var config = Path.Combine(_dir, "appsettings.json");
        File.WriteAllText(config, TestAgent.Config(Path.Combine(_dir, "no-journal.sock"), Section($$""" "local": "{{_dir}}/files/*.pem" """)));

        var result = await AgentProcess.RunAsync("cert", "check", "--config", config);

        Assert.That(result.Exit, Is.EqualTo(0), result.All);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Does.StartWith("NAME\tSUBJECT\tISSUER\tNOT_AFTER_UTC\tDAYS_LEFT\tLEVEL\tPROBLEM"));
            Assert.That(lines, Has.Some.EqualTo($"api\tapi.test\tAgent Test CA\t{_leaf.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}\t79\tok\t-"));
            Assert.That(lines, Has.Some.StartsWith("local:ok.test.pem\tok.test\tok.test\t").And.Contains("\t59\tok\t-"));
        });
    }

    [Test]
    public async Task CertCheck_WarningAndBrokenFile_JsonAndExitOne()
    {
        WriteFile("warn.test", 90, 20);
        File.WriteAllText(Path.Combine(_dir, "files", "broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        var config = Path.Combine(_dir, "appsettings.json");
        File.WriteAllText(config, TestAgent.Config(Path.Combine(_dir, "no-journal.sock"), Section($$""" "local": "{{_dir}}/files/*.pem" """)));

        var result = await AgentProcess.RunAsync("cert", "check", "local", "--json", "--config", config);

        Assert.That(result.Exit, Is.EqualTo(1), result.All);
        using var json = JsonDocument.Parse(result.Out);
        var rows = json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => (r.GetProperty("level").GetString(), r.GetProperty("reason").GetString()));
        Assert.That(rows, Is.EquivalentTo(new Dictionary<string, (string?, string?)>
        {
            ["local:warn.test.pem"] = ("warning", "expires_soon"),
            ["local:broken.pem"] = ("failed", "bad_pem"),
        }));
    }

    [Test]
    public async Task CertCheck_UnknownName_SaysWhatIsConfigured()
    {
        var config = Path.Combine(_dir, "appsettings.json");
        File.WriteAllText(config, TestAgent.Config(Path.Combine(_dir, "no-journal.sock"), Section("")));

        var result = await AgentProcess.RunAsync("cert", "check", "nope", "--config", config);

        Assert.Multiple(() =>
        {
            Assert.That(result.Exit, Is.EqualTo(1));
            Assert.That(result.Out, Does.Contain("no certificate 'nope' (configured: api)"));
        });
    }
}
