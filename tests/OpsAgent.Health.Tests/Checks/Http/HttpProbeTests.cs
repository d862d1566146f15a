using OpsAgent.Health.Checks;
using OpsAgent.Health.Checks.Http;

namespace OpsAgent.Health.Tests.Checks.Http;

/// <summary>The HTTP probe against a real loopback server answering like the seeds' backends, healthy and degraded.</summary>
public sealed class HttpProbeTests
{
    private HealthTestServer _server = null!;
    private HttpProbe _probe = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await HealthTestServer.StartAsync();
        _probe = new HttpProbe();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _probe.Dispose();
        await _server.DisposeAsync();
    }

    private Task<ProbeResult> RunAsync(Action<HttpProbeOptions> configure, TimeSpan? timeout = null)
    {
        var http = new HttpProbeOptions { Url = _server.Url + "/health" };
        configure(http);
        var options = new ProbeOptions { Type = "http", Settings = http, Timeout = timeout ?? TimeSpan.FromSeconds(2), Every = TimeSpan.FromSeconds(10) };
        return new ProbeRunner(new ProbeTypes([KeyValuePair.Create<string, IProbeCheck>("http", _probe)])).RunAsync("backend", options, CancellationToken.None);
    }

    private static Dictionary<string, List<string>> Expect(params (string Path, string[] Values)[] entries)
        => entries.ToDictionary(e => e.Path, e => e.Values.ToList());

    // Seed 000: innovaplus /health with status and mongo.
    [TestCase("""{"status":"ok","mongo":"ok"}""", null)]
    [TestCase("""{"status":"ok","mongo":"fail"}""", "json_mismatch:mongo")]
    [TestCase("""{"status":"degraded"}""", "json_mismatch:status")]
    public async Task Check_Seed000Shapes_RightReason(string body, string? reason)
    {
        _server.Respond(200, body);

        var result = await RunAsync(o => o.ExpectJson = Expect(("status", ["ok"]), ("mongo", ["ok"])));

        Assert.That((result.Success, result.Reason), Is.EqualTo((reason is null, reason)), result.Message);
    }

    // Seed 001: sims /api/health/ with checks.db.status and checks.migrations.status.
    [TestCase("""{"status":"ok","checks":{"db":{"status":"ok"},"migrations":{"status":"ok"}}}""", null)]
    [TestCase("""{"status":"error","checks":{"db":{"status":"error","detail":"could not connect"},"migrations":{"status":"ok"}}}""", "json_mismatch:checks.db.status")]
    [TestCase("""{"status":"error","checks":{"db":{"status":"ok"},"migrations":{"status":"pending"}}}""", "json_mismatch:checks.migrations.status")]
    public async Task Check_Seed001Shapes_RightReason(string body, string? reason)
    {
        _server.Respond(200, body);

        var result = await RunAsync(o => o.ExpectJson = Expect(("checks.db.status", ["ok"]), ("checks.migrations.status", ["ok"])));

        Assert.That((result.Success, result.Reason), Is.EqualTo((reason is null, reason)), result.Message);
    }

    // Seed 002 ({"status":"healthy"}) and seed 004 ({"status":"healthy","database":"connected"}).
    [TestCase("""{"status":"healthy","database":"connected"}""", null)]
    [TestCase("""{"status":"healthy","database":"disconnected"}""", "json_mismatch:database")]
    [TestCase("""{"status":"unhealthy","database":"connected"}""", "json_mismatch:status")]
    [TestCase("""{"status":"healthy"}""", "json_mismatch:database")]
    public async Task Check_Seed002And004Shapes_RightReason(string body, string? reason)
    {
        _server.Respond(200, body);

        var result = await RunAsync(o => o.ExpectJson = Expect(("status", ["healthy"]), ("database", ["connected"])));

        Assert.That((result.Success, result.Reason), Is.EqualTo((reason is null, reason)), result.Message);
    }

    [Test]
    public async Task Check_SeveralJsonMismatches_MessageListsEveryPath()
    {
        _server.Respond(200, """{"status":"error","checks":{"db":{"status":"error"},"migrations":{"status":"pending"}}}""");

        var result = await RunAsync(o => o.ExpectJson = Expect(("status", ["ok"]), ("checks.db.status", ["ok"]), ("checks.migrations.status", ["ok"]), ("checks.cache", ["ok"])));

        Assert.That(result.Reason, Is.EqualTo("json_mismatch:status"), "the reason (a metric label) keeps the first path");
        Assert.That(result.Message, Does.Contain("status is \"error\"").And.Contain("checks.db.status is \"error\"")
            .And.Contain("checks.migrations.status is \"pending\"").And.Contain("checks.cache is missing"));
    }

    [Test]
    public async Task Check_AcceptedListNumbersAndBooleans_ComparedByJsonText()
    {
        _server.Respond(200, """{"status":"degraded","workers":3,"ready":true,"items":[{"ok":false}]}""");

        var ok = await RunAsync(o => o.ExpectJson = Expect(("status", ["ok", "degraded"]), ("workers", ["3"]), ("ready", ["true"]), ("items.0.ok", ["false"])));
        var bad = await RunAsync(o => o.ExpectJson = Expect(("workers", ["4"])));

        Assert.Multiple(() =>
        {
            Assert.That(ok.Success, Is.True, ok.Message);
            Assert.That(bad.Reason, Is.EqualTo("json_mismatch:workers"));
            Assert.That(bad.Message, Is.EqualTo("workers is 3; expected \"4\""));
        });
    }

    [Test]
    public async Task Check_InvalidJson_JsonInvalid()
    {
        _server.Respond(200, "<html>502 Bad Gateway</html>");

        var result = await RunAsync(o => o.ExpectJson = Expect(("status", ["ok"])));

        Assert.That(result.Reason, Is.EqualTo("json_invalid"));
    }

    [Test]
    public async Task Check_503_Status503WithBodyInMessage()
    {
        _server.Respond(503, """{"status":"starting"}""");

        var result = await RunAsync(_ => { });

        Assert.That(result.Reason, Is.EqualTo("status_503"));
        Assert.That(result.Message, Does.Contain("starting"));
    }

    [Test]
    public async Task Check_BodyLargerThanLimit_BodyTooLarge()
    {
        _server.Respond(200, "", repeatBodyBytes: 64L * 1024 * 1024);

        var result = await RunAsync(o => o.MaxBodyBytes = 256 * 1024);

        Assert.That(result.Reason, Is.EqualTo("body_too_large"));
    }

    [Test]
    public async Task Check_HangLongerThanTimeout_Timeout()
    {
        _server.Respond(200, "{}", delay: TimeSpan.FromSeconds(30));

        var result = await RunAsync(_ => { }, TimeSpan.FromMilliseconds(500));

        Assert.That(result.Reason, Is.EqualTo("timeout"));
    }

    [Test]
    public async Task Check_RedirectNotFollowed_StatusReason()
    {
        _server.Respond(302, "", location: "/login");

        var result = await RunAsync(_ => { });

        Assert.That(result.Reason, Is.EqualTo("status_302"));
    }

    [Test]
    public async Task Check_HostHeaderAndBodyText_SentAndChecked()
    {
        _server.Respond(200, "all systems go");

        var ok = await RunAsync(o => { o.HostHeader = "api.example.test"; o.ExpectBodyContains = "systems go"; });
        var bad = await RunAsync(o => o.ExpectBodyContains = "ready");

        Assert.Multiple(() =>
        {
            Assert.That(ok.Success, Is.True, ok.Message);
            Assert.That(_server.Hosts, Does.Contain("api.example.test"));
            Assert.That(bad.Reason, Is.EqualTo("body_mismatch"));
        });
    }

    [Test]
    public async Task Check_NothingListening_ConnectionRefused()
    {
        var port = LoopbackPort.Unused();

        var result = await RunAsync(o => o.Url = $"http://127.0.0.1:{port}/health");

        Assert.That(result.Reason, Is.EqualTo("connection_refused"));
    }
    [Test]
    public async Task Check_SlowAnswers_WarningPastWarningLatencyCriticalPastCriticalLatency()
    {
        void Limits(HttpProbeOptions o)
        {
            o.WarningLatency = TimeSpan.FromMilliseconds(200);
            o.CriticalLatency = TimeSpan.FromSeconds(1);
        }

        _server.Respond(200, "{}");
        var fast = await RunAsync(Limits, TimeSpan.FromSeconds(5));
        _server.Respond(200, "{}", delay: TimeSpan.FromMilliseconds(400));
        var slow = await RunAsync(Limits, TimeSpan.FromSeconds(5));
        _server.Respond(200, "{}", delay: TimeSpan.FromMilliseconds(1500));
        var slower = await RunAsync(Limits, TimeSpan.FromSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(fast.Measures.Single().Name, Is.EqualTo("latency_seconds"));
            Assert.That((slow.Level, slow.Success, slow.Reason), Is.EqualTo((ProbeLevel.Warning, true, "latency_seconds_warning")), slow.Message);
            Assert.That((slower.Level, slower.Success, slower.Reason), Is.EqualTo((ProbeLevel.Critical, false, "latency_seconds_critical")), slower.Message);
            Assert.That(slower.Message, Does.StartWith("HTTP 200; latency_seconds"));
            Assert.That(slower.Measures.Single().Value, Is.GreaterThan(1.0), "the measure is the attempt's own latency");
        });
    }
}
