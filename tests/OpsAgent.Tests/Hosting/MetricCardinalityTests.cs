using System.Text.RegularExpressions;
using OpsAgent.Hosting;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Hosting;

/// <summary>More certificate series than OpenTelemetry's default 2,000 per instrument: all exported, and an overflow is a metric.</summary>
[NonParallelizable]
public sealed partial class MetricCardinalityTests
{
    private const int Files = 25;
    private const int CertificatesPerFile = 90;
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-cardinality-").FullName;
        var now = TestCertificates.Second(DateTimeOffset.UtcNow);
        using var leaf = TestCertificates.WithDaysLeft("bundle.test", now, 90, 60);
        var bundle = string.Concat(Enumerable.Repeat(TestCertificates.Pem(leaf), CertificatesPerFile));
        for (var i = 0; i < Files; i++)
        {
            File.WriteAllText(Path.Combine(_dir, $"f{i:00}.pem"), bundle);
        }
    }

    [TearDown]
    public void TearDown()
    {
        MetricCardinality.LimitOverride = null;
        Directory.Delete(_dir, recursive: true);
    }

    private string Section => $$"""
        "Certificates": { "Schedule": "0 3 * * *", "Files": { "many": "{{_dir}}/*.pem" } }
        """;

    private static async Task<string> MetricsAfterTheCheckAsync(TestAgent agent)
    {
        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_certificate_check_success{certificate=\"many:f24.pem\"} 1", StringComparison.Ordinal),
            "the certificate check at start");
        agent.Service<MetricOverflowMonitor>().Check();
        return await agent.MetricsAsync();
    }

    [Test]
    public async Task Metrics_MoreCertificateSeriesThanTheDefaultLimit_AllExportedAndOverflowZero()
    {
        await using var agent = await TestAgent.StartAsync(Section);

        var metrics = await MetricsAfterTheCheckAsync(agent);

        Assert.Multiple(() =>
        {
            Assert.That(NotAfter().Matches(metrics), Has.Count.EqualTo(Files * CertificatesPerFile));
            Assert.That(metrics, Does.Not.Contain("otel_metric_overflow"));
            Assert.That(metrics, Does.Match(@"(?m)^opsagent_metric_series_overflow(\{\})? 0$"));
        });
    }

    [Test]
    public async Task Metrics_LimitForcedBelowTheSeries_OverflowMetricSaysSoAndJournalNamesTheMetric()
    {
        MetricCardinality.LimitOverride = 100;
        await using var agent = await TestAgent.StartAsync(Section);

        var metrics = await MetricsAfterTheCheckAsync(agent);
        var entry = await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "metric_series_overflow", "the overflow journal entry");

        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Contain("otel_metric_overflow"), "the SDK drops series past the limit");
            Assert.That(metrics, Does.Match(@"(?m)^opsagent_metric_series_overflow(\{\})? [1-9]"));
            Assert.That(entry["MESSAGE"], Does.Contain("opsagent_certificate_not_after_timestamp_seconds"));
        });
    }

    [GeneratedRegex(@"(?m)^opsagent_certificate_not_after_timestamp_seconds\{certificate=""many:")]
    private static partial Regex NotAfter();
}
